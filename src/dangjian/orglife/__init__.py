"""Organisational life (组织生活): 三会一课, 主题党日, 组织生活会, 民主评议, 谈心谈话 — recorded
once, with everything else (attendance, compliance, ledgers, warnings) derived (issue #5)."""

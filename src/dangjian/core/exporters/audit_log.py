"""The auditor's export of the audit log (等保 安全审计: the auditor reads and exports it)."""

import datetime as dt
import json

from dangjian.core.errors import AppError
from dangjian.core.exporters.base import Column, Exporter
from dangjian.core.exporters.registry import register
from dangjian.core.permissions import Cap


@register
class AuditLogExporter(Exporter):
    identifier = "core.audit_log"
    verbose_name = "审计日志"
    description = "审计员按查询条件导出审计日志（含每条的摘要，便于离线核对）"
    required_cap = Cap.AUDIT_VIEW
    audit_action = "core.audit.exported"

    def clean(self, params: dict) -> dict:
        from dangjian.core.audit_forms import AuditFilterForm

        form = AuditFilterForm(
            {k: v for k, v in params.items() if k in ("q", "action", "date_from", "date_to", "ip")}
        )
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise AppError(errors[0], field=field)
        filters = form.filters()
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items() if v
        }

    def queryset(self):
        from dangjian.core.selectors import audit_entries

        filters = {
            k: (dt.date.fromisoformat(v) if k.startswith("date_") else v)
            for k, v in self.params.items()
        }
        return audit_entries(self.user, **filters)

    def columns(self) -> list[Column]:
        return [
            Column("id", "序号", "number"),
            Column("at", "时间", width=20),
            Column("actor", "操作人账号"),
            Column("action", "操作代码", width=30),
            Column("object", "对象", width=30),
            Column("org_path", "所属组织路径"),
            Column("changes", "变更内容", width=60),
            Column("ip", "来源地址", "code"),
            Column("entry_hash", "本条摘要", "code", width=66),
        ]

    def count(self) -> int:
        return self.queryset().count()

    def rows(self):
        for e in self.queryset().iterator(chunk_size=2000):
            yield [
                e.pk,
                e.at,
                e.actor_name,
                e.action,
                e.object_repr,
                e.org_path,
                json.dumps(e.changes, ensure_ascii=False, sort_keys=True, default=str),
                e.ip or "",
                e.entry_hash,
            ]

    def audit_changes(self) -> dict:
        return {"filters": self.params}

"""Production-style headers: a strict Content-Security-Policy (Django's own), no framing,
referrer policy, no MIME sniffing; with DANGJIAN_HTTPS secure cookies and HSTS; and templates
that need no inline script or style, so the policy never has to be loosened."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import dangjian

SRC = Path(dangjian.__file__).parent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_tree")]


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in header.split(";")
        if part.strip()
    }


@pytest.mark.parametrize("url", ["/login/", "/", "/members/", "/api/docs", "/no-such-page/"])
def test_every_page_carries_the_strict_policy(client, tree, personas, url):
    client.force_login(personas.committee_admin)
    response = client.get(url)
    policy = _policy(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


TEMPLATES = sorted(SRC.rglob("templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
STYLE_TAG = re.compile(r"<style\b", re.I)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_templates_have_no_inline_script_or_style(path):
    text = path.read_text(encoding="utf-8")
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("on*= handler", HANDLER),
        ("style= attribute", STYLE_ATTR),
        ("<style> element", STYLE_TAG),
    ]:
        match = pattern.search(text)
        assert match is None, f"{name} in {path.name}: {text[match.start() : match.start() + 60]}"


def test_templates_were_found():
    assert len(TEMPLATES) > 20


def _deploy_check(extra_env: dict) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DANGJIAN_") or k == "DANGJIAN_DATA_DIR"
    }
    env.update(
        DANGJIAN_SECRET_KEY="a-production-secret-" + "x" * 50,
        DANGJIAN_FIELD_KEYS="AAAAAAAAAAAAAAAAAAAAAA==",
        DANGJIAN_ALLOWED_HOSTS="dangjian.example.gov.cn",
        DJANGO_SETTINGS_MODULE="dangjian.settings",
        **extra_env,
    )
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' process
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_djangos_deploy_check(tmp_path):
    result = _deploy_check({"DANGJIAN_HTTPS": "1", "DANGJIAN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_https_the_deploy_check_complains(tmp_path):
    """The check can fail: plain HTTP leaves cookies and HSTS unset."""
    result = _deploy_check({"DANGJIAN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


def test_https_settings(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_HTTPONLY)"
    )
    env = {**os.environ, "DANGJIAN_HTTPS": "1", "DANGJIAN_DATA_DIR": str(tmp_path)}
    env.update(DANGJIAN_SECRET_KEY="s" * 60, DANGJIAN_FIELD_KEYS="AAAAAAAAAAAAAAAAAAAAAA==")
    env["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.split() == ["True", "True", "31536000", "True", "True"], out.stderr


def test_a_short_audit_retention_is_refused_at_start(tmp_path):
    env = {
        **os.environ,
        "DANGJIAN_AUDIT_RETENTION_DAYS": "30",
        "DANGJIAN_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0 and "180" in out.stderr


def test_signed_in_pages_are_not_stored_by_the_browser(client, tree, personas):
    """剩余信息保护: no copy of a personal-data page stays in a shared computer's cache."""
    assert "no-store" not in client.get("/login/").get("Cache-Control", "")
    client.force_login(personas.committee_admin)
    for url in ["/", "/members/", f"/members/{tree.members_a[0].pk}/"]:
        assert client.get(url)["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize("missing", ["DANGJIAN_SECRET_KEY", "DANGJIAN_FIELD_KEYS"])
def test_in_production_secrets_come_only_from_the_environment(tmp_path, missing):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGJIAN_")}
    env.update(
        DANGJIAN_HTTPS="1",
        DANGJIAN_DATA_DIR=str(tmp_path),
        DANGJIAN_SECRET_KEY="s" * 60,
        DANGJIAN_FIELD_KEYS="AAAAAAAAAAAAAAAAAAAAAA==",
        DJANGO_SETTINGS_MODULE="dangjian.settings",
    )
    del env[missing]
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0 and missing in out.stderr
    assert not (tmp_path / "secret_key").exists() and not (tmp_path / "field_keys").exists()


def test_a_typo_in_the_meeting_frequencies_stops_the_start(tmp_path):
    env = {
        **os.environ,
        "DANGJIAN_ORGLIFE_FREQUENCIES": "party_lesson=quartre",
        "DANGJIAN_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0 and "DANGJIAN_ORGLIFE_FREQUENCIES" in out.stderr

"""Settings: one module, read from the environment through small typed helpers.

Every value that differs between a laptop demo and a production server comes from an
environment variable; a malformed value fails loudly at start-up (healthchecks' habit).
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


class ImproperSetting(Exception):
    pass


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperSetting(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperSetting(f"{name} must be an integer, got {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperSetting(f"{name} must be a number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


DATA_DIR = Path(env_str("DANGJIAN_DATA_DIR", str(Path.cwd() / "var")))
DEBUG = env_bool("DANGJIAN_DEBUG", False)
TESTING = env_bool("DANGJIAN_TESTING", False)

# A development key is generated into the data folder on first use; production sets one.
# Served over HTTPS (production), secrets come only from the environment (the operator's
# secret store): a missing one stops the start instead of being generated onto the disk.
SECRETS_FROM_ENV_ONLY = env_bool(
    "DANGJIAN_SECRETS_FROM_ENV_ONLY", env_bool("DANGJIAN_HTTPS", False)
)
for _name in ("DANGJIAN_SECRET_KEY", "DANGJIAN_FIELD_KEYS"):
    if SECRETS_FROM_ENV_ONLY and not env_str(_name):
        raise ImproperSetting(f"{_name} must be set in the environment in production")
SECRET_KEY = env_str("DANGJIAN_SECRET_KEY")
if not SECRET_KEY:
    _key_file = DATA_DIR / "secret_key"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text().strip()
    else:
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)
        try:
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            _key_file.write_text(SECRET_KEY)
            _key_file.chmod(0o600)
        except OSError as exc:
            # processes must share one key (sessions, CSRF): never fall back to a random one
            raise ImproperSetting(
                f"cannot store a generated secret key in {_key_file}: {exc}; "
                "set DANGJIAN_SECRET_KEY"
            ) from None

# Keys for sensitive member fields (ID number, phone, address): SM4-GCM, base64 16-byte keys,
# newest first (older ones only decrypt, for rotation). Production sets DANGJIAN_FIELD_KEYS from
# its secret store; elsewhere one is generated into the data folder (`make demo` does this).
FIELD_KEYS = env_list("DANGJIAN_FIELD_KEYS", [])
if not FIELD_KEYS:
    _field_key_file = DATA_DIR / "field_keys"
    if _field_key_file.exists():
        FIELD_KEYS = [k for k in _field_key_file.read_text().split() if k]
    else:
        import base64
        import secrets

        FIELD_KEYS = [base64.b64encode(secrets.token_bytes(16)).decode()]
        try:
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            _field_key_file.write_text(FIELD_KEYS[0] + "\n")
            _field_key_file.chmod(0o600)
        except OSError as exc:
            raise ImproperSetting(
                f"cannot store a generated field key in {_field_key_file}: {exc}; "
                "set DANGJIAN_FIELD_KEYS"
            ) from None

# Uploaded import files larger than this are refused before they are read.
IMPORT_MAX_BYTES = env_int("DANGJIAN_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("DANGJIAN_IMPORT_MAX_ROWS", 100_000)
# Any uploaded file: reading stops once a file part passes this (core/uploads.py), before
# anything is stored.
UPLOAD_MAX_BYTES = env_int("DANGJIAN_UPLOAD_MAX_BYTES", IMPORT_MAX_BYTES)
FILE_UPLOAD_HANDLERS = [
    "dangjian.core.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# API lists: at most 200 rows a call, offsets bounded (a huge offset is a 422, not a 500)
NINJA_PAGINATION_MAX_LIMIT = 200
NINJA_PAGINATION_MAX_OFFSET = 10_000_000

# Uploaded rosters and finished exports (personal data) are deleted after this many days.
FILE_RETENTION_DAYS = env_int("DANGJIAN_FILE_RETENTION_DAYS", 7)
# Exports up to this many weighted rows are rendered in the request; larger ones run as jobs.
EXPORT_INLINE_MAX_ROWS = env_int("DANGJIAN_EXPORT_INLINE_MAX_ROWS", 2000)
# Organisational life (issue #5): how often each meeting kind is due, where the deployment's
# local rules differ from rules/orglife.py (e.g. 党课 every quarter is a local rule, R-ORGLIFE-07):
# "kind=period,…" with period one of month, quarter, year, none.
ORGLIFE_FREQUENCY_OVERRIDES = dict(
    part.split("=", 1) for part in env_list("DANGJIAN_ORGLIFE_FREQUENCIES", []) if "=" in part
)
try:  # a typo stops the start, instead of a 500 on the compliance page later
    from dangjian.rules.orglife import check_overrides

    ORGLIFE_FREQUENCY_OVERRIDES = check_overrides(ORGLIFE_FREQUENCY_OVERRIDES)
except ValueError as exc:
    raise ImproperSetting(f"DANGJIAN_ORGLIFE_FREQUENCIES: {exc}") from None

# Meeting attachments (photos, PDF, Word, Excel), each at most this size (≤ UPLOAD_MAX_BYTES).
ORGLIFE_ATTACHMENT_MAX_BYTES = env_int("DANGJIAN_ORGLIFE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Assessment evidence (佐证材料) and 述职 report files, each at most this size.
ASSESSMENT_EVIDENCE_MAX_BYTES = env_int("DANGJIAN_ASSESSMENT_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)

# Dues (issue #7). R-DUES-17: the 2008 rules say nothing on rounding; until the 工委 decides,
# amounts are rounded half-up to this unit (0.01 or 0.1 yuan).
DUES_ROUNDING = env_str("DANGJIAN_DUES_ROUNDING", "0.01")
if DUES_ROUNDING not in {"0.01", "0.1", "1"}:
    raise ImproperSetting("DANGJIAN_DUES_ROUNDING: 0.01, 0.1 or 1")
# The arrears warning and alert (R-DUES-14: six consecutive unpaid months).
DUES_ARREARS_WARN_MONTHS = env_int("DANGJIAN_DUES_ARREARS_WARN_MONTHS", 3)
DUES_ARREARS_ALERT_MONTHS = env_int("DANGJIAN_DUES_ARREARS_ALERT_MONTHS", 6)
# Statement files for reconciliation, each at most this size.
DUES_STATEMENT_MAX_BYTES = env_int("DANGJIAN_DUES_STATEMENT_MAX_BYTES", 5 * 1024 * 1024)

# Recruitment (issue #7): which revision of the 发展党员工作细则 the time rules follow. rules.md
# §3: the 2014 text is the baseline; a revision reported as issued 2026-05-18 (unverified) adds
# a national 公示 of at least five working days before a candidate is fixed, the 支部大会 within
# one month of the pre-review and the oath within one month of approval.
RECRUITMENT_RULESET = env_str("DANGJIAN_RECRUITMENT_RULESET", "2014")
if RECRUITMENT_RULESET not in {"2014", "2026"}:
    raise ImproperSetting("DANGJIAN_RECRUITMENT_RULESET: 2014 or 2026")
# 公示: working days (R-DEV-08; local practice under 2014, national under the 2026 revision).
# 0 turns the local 公示 check off under the 2014 rule set.
RECRUITMENT_PUBLICITY_WORKDAYS = env_int("DANGJIAN_RECRUITMENT_PUBLICITY_WORKDAYS", 5)

# Study (issue #8). R-EDU-02's 56 hours for secretaries and committee members comes from a
# training plan, not the 条例 (rules.md marks it uncertain): the figure is a setting.
STUDY_COMMITTEE_HOURS = env_int("DANGJIAN_STUDY_COMMITTEE_HOURS", 56)
if not 32 <= STUDY_COMMITTEE_HOURS <= 200:
    raise ImproperSetting("DANGJIAN_STUDY_COMMITTEE_HOURS: between 32 and 200")
# Materials and training proofs, each at most this size.
STUDY_FILE_MAX_BYTES = env_int("DANGJIAN_STUDY_FILE_MAX_BYTES", 20 * 1024 * 1024)
# Notes copied from each other (or from minutes) at or above this similarity are flagged.
STUDY_NOTE_MIN_SIMILARITY = env_float("DANGJIAN_STUDY_NOTE_MIN_SIMILARITY", 0.6)

# 责任落实: days after a 督办 with no new report before it escalates to the unit's secretary
RESPONSIBILITY_ESCALATE_DAYS = env_int("DANGJIAN_RESPONSIBILITY_ESCALATE_DAYS", 3)
if not 1 <= RESPONSIBILITY_ESCALATE_DAYS <= 30:
    raise ImproperSetting("DANGJIAN_RESPONSIBILITY_ESCALATE_DAYS: between 1 and 30")
# days before a task's deadline when the unit gets a to-do (事前提醒)
RESPONSIBILITY_DUE_SOON_DAYS = env_int("DANGJIAN_RESPONSIBILITY_DUE_SOON_DAYS", 7)
if not 1 <= RESPONSIBILITY_DUE_SOON_DAYS <= 60:
    raise ImproperSetting("DANGJIAN_RESPONSIBILITY_DUE_SOON_DAYS: between 1 and 60")
# 共同缔造: photos of projects, campaigns and visits
COCREATION_PHOTO_MAX_BYTES = env_int("DANGJIAN_COCREATION_PHOTO_MAX_BYTES", 10 * 1024 * 1024)

# 老干部服务 (docs/veterans.md). rules.md has no rule for these: each unit sets its own, so they
# are settings, shown on the pages that apply them. How often a paired cadre owes a call and a
# visit (months), how many days an office has to answer a retiree's request, and how many days
# past that deadline an unanswered request escalates to the managing unit's admins.
VETERANS_CALL_MONTHS = env_int("DANGJIAN_VETERANS_CALL_MONTHS", 1)
VETERANS_VISIT_MONTHS = env_int("DANGJIAN_VETERANS_VISIT_MONTHS", 3)
VETERANS_REQUEST_DAYS = env_int("DANGJIAN_VETERANS_REQUEST_DAYS", 15)
VETERANS_REQUEST_ESCALATE_DAYS = env_int("DANGJIAN_VETERANS_REQUEST_ESCALATE_DAYS", 5)
for _name, _low, _high in (
    ("VETERANS_CALL_MONTHS", 1, 12),
    ("VETERANS_VISIT_MONTHS", 1, 12),
    ("VETERANS_REQUEST_DAYS", 1, 90),
    ("VETERANS_REQUEST_ESCALATE_DAYS", 1, 30),
):
    if not _low <= globals()[_name] <= _high:
        raise ImproperSetting(f"DANGJIAN_{_name}: between {_low} and {_high}")

# 法律服务 (docs/legal.md). Legal aid time limits in days (法律援助法 第四十三条: the review within
# 7 days; 第四十四条 is read as the assignment within 3 days of the decision). Not in rules.md, so
# configurable. The public 四张清单 search: the longest query accepted and the calls per minute
# one address may make.
LEGAL_AID_REVIEW_DAYS = env_int("DANGJIAN_LEGAL_AID_REVIEW_DAYS", 7)
LEGAL_AID_ASSIGN_DAYS = env_int("DANGJIAN_LEGAL_AID_ASSIGN_DAYS", 3)
LENIENT_QUERY_MAX = env_int("DANGJIAN_LENIENT_QUERY_MAX", 50)
LENIENT_PUBLIC_PER_MINUTE = env_int("DANGJIAN_LENIENT_PUBLIC_PER_MINUTE", 30)
for _name, _low, _high in (
    ("LEGAL_AID_REVIEW_DAYS", 1, 60),
    ("LEGAL_AID_ASSIGN_DAYS", 1, 60),
    ("LENIENT_QUERY_MAX", 10, 200),
    ("LENIENT_PUBLIC_PER_MINUTE", 1, 10000),
):
    if not _low <= globals()[_name] <= _high:
        raise ImproperSetting(f"DANGJIAN_{_name}: between {_low} and {_high}")

# Notifications (notify): in-app always; by e-mail too when DANGJIAN_NOTIFY_EMAIL is on and
# the user has an address. Mail goes through Django's mailer settings below.
NOTIFY_EMAIL = env_bool("DANGJIAN_NOTIFY_EMAIL", False)
SITE_URL = env_str("DANGJIAN_SITE_URL", "")  # absolute links in notification mail
DEFAULT_FROM_EMAIL = env_str("DANGJIAN_EMAIL_FROM", "dangjian@localhost")
MAILERS = {
    "default": {
        "BACKEND": env_str("DANGJIAN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env_str("DANGJIAN_EMAIL_HOST", "localhost"),
            "port": env_int("DANGJIAN_EMAIL_PORT", 25),
            "username": env_str("DANGJIAN_EMAIL_USER"),
            "password": env_str("DANGJIAN_EMAIL_PASSWORD"),
            "use_tls": env_bool("DANGJIAN_EMAIL_TLS", False),
        },
    }
}

# An import or export whose worker has not reported for this many minutes was interrupted
# (the worker died): `dangjian recover_jobs` and the job's page make it retryable.
JOB_STALE_MINUTES = env_int("DANGJIAN_JOB_STALE_MINUTES", 10)

ALLOWED_HOSTS = env_list("DANGJIAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DANGJIAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # first, so that its `createsuperuser` (which refuses: 三员分立) replaces Django's
    "dangjian.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "dangjian.core",
    "dangjian.orgs",
    "dangjian.members",
    "dangjian.orglife",
    "dangjian.notify",
    "dangjian.similarity",
    "dangjian.assessment",
    "dangjian.integrity",
    "dangjian.dues",
    "dangjian.recruitment",
    "dangjian.study",
    "dangjian.responsibility",
    "dangjian.cocreation",
    "dangjian.veterans",
    "dangjian.legal",
    "dangjian.bench",
    "dangjian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dangjian.core.middleware.NullCharacterMiddleware",
    "dangjian.core.middleware.LoginRequiredMiddleware",
    "dangjian.accounts.middleware.SignInGateMiddleware",
    "dangjian.core.middleware.AppErrorMiddleware",
    "dangjian.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.core.context_processors.navigation",
                "dangjian.notify.context_processors.bell",
            ],
        },
    }
]

# Databases: DATABASE_URL selects PostgreSQL (or any URL dj-database-url reads); unset means
# the embedded SQLite file in the data folder, in WAL mode with immediate write transactions.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("DANGJIAN_SQLITE_PATH", str(DATA_DIR / "dangjian.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "dangjian.accounts.validators.CharacterClassesValidator"},
    {"NAME": "dangjian.accounts.validators.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "dangjian.accounts.validators.NotRecentlyUsedValidator"},
]

# Login security (issue #2): lock after 5 failures for 15 minutes; sessions idle out at 30 min.
LOGIN_MAX_FAILURES = env_int("DANGJIAN_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = env_int("DANGJIAN_LOGIN_LOCK_MINUTES", 15)
# failures from one source address (any accounts) within LOGIN_LOCK_MINUTES that refuse it;
# higher than per account, since an office's machines often share one address
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("DANGJIAN_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
# Password policy (issue #4, 等保 身份鉴别): a password expires after this many days (0: never)
# and may not repeat one of the last PASSWORD_HISTORY_COUNT.
PASSWORD_MAX_AGE_DAYS = env_int("DANGJIAN_PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_HISTORY_COUNT = env_int("DANGJIAN_PASSWORD_HISTORY_COUNT", 5)
# Dashboard figures over a whole scope (the home page's counts and findings) are computed once
# per scope and kept this many seconds (core/scope_cache.py); 0 computes them on every request.
SCOPE_SUMMARY_SECONDS = env_int("DANGJIAN_SCOPE_SUMMARY_SECONDS", 0 if TESTING else 300)

# Two-factor sign-in (TOTP): required for these roles (permissions.ADMIN_ROLES by default),
# optional for everyone else. DANGJIAN_OTP_REQUIRED=0 turns the requirement off (the demo).
OTP_REQUIRED = env_bool("DANGJIAN_OTP_REQUIRED", True)
OTP_REQUIRED_ROLES = env_list(
    "DANGJIAN_OTP_REQUIRED_ROLES",
    ["committee_admin", "unit_admin", "system_admin", "security_admin", "auditor"],
)
OTP_TOTP_ISSUER = "机关党建"
# The audit log is kept at least 180 days (网络安全法 第二十一条); nothing in the product
# deletes it. A shorter value is refused at start-up.
AUDIT_RETENTION_DAYS = env_int("DANGJIAN_AUDIT_RETENTION_DAYS", 180)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperSetting(
        "DANGJIAN_AUDIT_RETENTION_DAYS must be at least 180 (网络安全法 第二十一条)"
    )
# API calls per minute for one caller (token, account or address); over it: 429.
API_RATE_LIMIT_PER_MINUTE = env_int("DANGJIAN_API_RATE_LIMIT_PER_MINUTE", 300)

SESSION_COOKIE_AGE = env_int("DANGJIAN_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Served over HTTPS (production, behind a TLS-terminating proxy): secure cookies, HSTS and a
# redirect of plain HTTP. `dangjian check --deploy` reports anything left weak.
HTTPS = env_bool("DANGJIAN_HTTPS", env_bool("DANGJIAN_SECURE_COOKIES", False))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("DANGJIAN_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# the browsers' preload list is for public domains; an intranet host cannot be on it
SECURE_HSTS_PRELOAD = env_bool("DANGJIAN_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_SSL_REDIRECT = env_bool("DANGJIAN_SSL_REDIRECT", HTTPS)
if env_bool("DANGJIAN_BEHIND_PROXY", False):
    # the proxy terminates TLS and says so in this header (never trust it otherwise)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (Django's own): scripts and styles only from our origin, no inline
# script, no eval, no framing, forms post only here. Charts draw on canvas; images may be
# data: URIs (QR codes, Swagger's icons).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGES = [("zh-hans", "简体中文")]

STATIC_URL = "/static/"
# Our own static files (app.css/app.js live in core; the npm vendor copy lives here).
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DANGJIAN_STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = TESTING or DEBUG

# Long work (roster imports, large exports) runs as tasks. By default they are queued in the
# database for a worker (`dangjian serve` and `dangjian demo` start one beside the server;
# elsewhere run `dangjian db_worker`); tests run them inline at commit.
TASKS = {
    "default": {
        "BACKEND": env_str(
            "DANGJIAN_TASKS_BACKEND",
            "django.tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# The cache holds the API rate-limit counters (dangjian.core.ratelimit). The default is per
# process; with several app processes set DANGJIAN_CACHE_URL=redis://host:6379/0 so they share
# one count (Django's Redis backend needs `pip install redis`, not installed by default).
CACHE_URL = env_str("DANGJIAN_CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DANGJIAN_LOG_LEVEL", "WARNING")},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

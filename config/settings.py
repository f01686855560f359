"""Twiza settings: one file, every value from the environment (django-environ).

Defaults are for a laptop demo (DEBUG on, SQLite). With DEBUG off, SECRET_KEY,
FIELD_ENCRYPTION_KEYS and FIELD_INDEX_KEY are mandatory, and refused when they are the demo's or weak
(docs/security.md 30): there is no fallback secret in production.
"""

from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

from core.checks import DEMO_FIELD_ENCRYPTION_KEY, DEMO_FIELD_INDEX_KEY, DEMO_SECRET_KEY, weak_secrets

# Django's generic classes (ModelAdmin[Indicator], ModelChoiceField[Structure]…) subscriptable at run
# time, as django-stubs types them; until now only django_tasks's import did this, by chance.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# Mandatory in production (raises ImproperlyConfigured); a development-only fallback with DEBUG on.
SECRET_KEY = env("SECRET_KEY", default=DEMO_SECRET_KEY) if DEBUG else env("SECRET_KEY")

# docs/security.md 13: keys of the encrypted fields, independent of SECRET_KEY. Comma-separated Fernet
# keys (`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`);
# the first encrypts, all decrypt (rotation: see `manage.py rotate_field_keys`).
if DEBUG:
    # Development and demo only: fixed, public keys. Never used when DEBUG is off.
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[DEMO_FIELD_ENCRYPTION_KEY])
    FIELD_INDEX_KEY = env("FIELD_INDEX_KEY", default=DEMO_FIELD_INDEX_KEY)
else:
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")
    FIELD_INDEX_KEY = env("FIELD_INDEX_KEY")
    # docs/security.md 30: production never starts with the demo's keys or weak ones (the same rule is a
    # deploy check, core/checks.py, which says why even with DEBUG on).
    if problems := weak_secrets(SECRET_KEY, FIELD_ENCRYPTION_KEYS, FIELD_INDEX_KEY):
        raise ImproperlyConfigured("Refusing to start with DEBUG off: " + " ".join(problems))

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "axes",
    "ninja",
    "core",
    "accounts",
    "partnerships",
    "people",
    "programme",
    "indicators",
    "activities",
    "projects",  # R4: project cycle, budgets and spending, evaluations, surveys
    "participation",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # one-time backup codes, stored hashed (accounts/otp.py)
    "cases",
    "portal",
    "django_tasks",
    "django_tasks_db",
    "reports",
    "collect",  # offline collection: OpenRosa for ODK Collect, Kobo's push, the review queue
    "work",  # "Mon travail" and the daily digest: above every app it asks (docs/architecture.md)
    "demo",  # the top of the layer order: imports every app, imported by none (docs/architecture.md)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # docs/security.md 23: before anything parses a JSON body; after the language is chosen (its message).
    "core.middleware.JsonBodyGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.KeepTypedWorkMiddleware",  # after CSRF and the second factor (its docstring)
    "accounts.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.NoStoreForAuthenticatedMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.RetryOnConflictMiddleware",  # last: it calls the view (docs/security.md 28)
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Forms render through the project's templates: templates/django/forms/ puts each error right under
# its field, in plain words, and a required radio offers no empty choice (issue 14).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnerships.context_processors.current_partnership",
                "accounts.context_processors.session_warning",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # docs/security.md 28: writers queue instead of failing with "database is locked". Every transaction
    # takes the write lock when it begins (IMMEDIATE): a transaction that read first and tried to write
    # later would get SQLITE_BUSY at once, without waiting. A writer waits up to 20 s for the lock
    # (below gunicorn's 30 s timeout); WAL lets readers work meanwhile. Why: docs/decisions.md.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# docs/security.md 31: the throttles' counters live in the database (its table is made by a migration of
# core), so every gunicorn worker and every app server shares them; a per-process cache would give
# each worker its own budget. Why not Redis: docs/decisions.md.
# MAX_ENTRIES well above Django's 300: past it, the cache deletes live entries, throttle slots among them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "twiza_cache",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }
}

# Public pages served to visitors from each process's memory, invalidated by every write
# (core/pagecache.py); PAGE_CACHE_ENTRIES pages kept per process at most. Off in the tests that do
# not test it (config/testenv.py).
PAGE_CACHE = env.bool("PAGE_CACHE", default=True)
PAGE_CACHE_ENTRIES = env.int("PAGE_CACHE_ENTRIES", default=500)

# docs/security.md 31: addresses or networks of the reverse proxies in front of Twiza (comma-separated,
# e.g. `127.0.0.1,10.0.0.0/8`). Only they are believed about the client's address (X-Forwarded-For,
# right-most untrusted hop: core/proxies.py), for the throttles and the login lockout alike.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # throttling first (docs/security.md 16)
    "django.contrib.auth.backends.ModelBackend",
]

# docs/security.md 15: Argon2, at least 12 characters, no common password.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# docs/security.md 16: 5 failures per username + IP, then a 30-minute cool-off.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Attempts are rows in the database (axes' default handler, shared by every worker); the address is
# the client's behind TRUSTED_PROXIES, as for the throttles (docs/security.md 31).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "core.proxies.client_ip"
# The name her authenticator app shows beside the account (the QR code of accounts:otp_setup).
OTP_TOTP_ISSUER = "Twiza"

# docs/security.md 18: 30 minutes idle (renewed on every request), 8 hours absolute.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
# Issue 14: a form sent after the session ended is kept (encrypted) this many hours for its author to
# send after signing in again (accounts/kept.py); Django's technical CSRF page is never shown.
KEPT_SUBMISSION_HOURS = env.int("KEPT_SUBMISSION_HOURS", default=4)
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Languages: French is the source; Arabic is right to left.
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", "Français"),
    ("ar", "العربية"),
    ("nl", "Nederlands"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Africa/Casablanca"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Good-practice documents: outside static and media, served only by portal views after an access check.
UPLOAD_ROOT = env.path("UPLOAD_ROOT", default=BASE_DIR / "uploads")

# docs/security.md 19: CSP without inline script, no framing, nosniff, referrer policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# docs/security.md 25: the listening centre's cases closed more than this many months ago are anonymised by
# `manage.py anonymise_closed_cases` (run it monthly). Why 60: docs/decisions.md, "Retention".
CASE_RETENTION_MONTHS = env.int("CASE_RETENTION_MONTHS", default=60)

# A background job's files (its uploaded file, its output, encrypted at rest) are served and kept this
# many hours after it finished; `manage.py purge_job_files` deletes them (run it hourly). Why 24:
# docs/decisions.md, "Background exports".
JOB_FILES_HOURS = env.int("JOB_FILES_HOURS", default=24)
# An import's uploaded file, encrypted, waits here (not in the database, so a worker's memory does not
# grow with its size: docs/security.md 33) until the import ends. Shared by the web and task processes.
JOB_FILES_ROOT = env.path("JOB_FILES_ROOT", default=Path(str(UPLOAD_ROOT)) / "jobs")
# docs/security.md 29: a running job whose worker has not beaten for this many minutes is taken as dead:
# retried once, then failed (reports/tasks.py `recover_stale_jobs`). Workers beat every few seconds.
JOB_STALE_MINUTES = env.int("JOB_STALE_MINUTES", default=5)

# E-mail: invitations, password links (docs/security.md 26: nobody sets another person's password)
# and the daily digest, sent by background tasks (accounts/mail.py). EMAIL_URL, read by
# django-environ: `smtp://user:password@host:25`, `smtp+tls://…:587` (STARTTLS), `smtp+ssl://…:465`,
# `filemail://` (one file per e-mail in EMAIL_FILE_PATH), `consolemail://`. Unset: the demo (DEBUG)
# writes each e-mail as a file under var/mail/; production sends to an SMTP server on localhost:25.
# The tests read Django's in-memory outbox.
EMAIL_URL = env.str("EMAIL_URL", default="" if not DEBUG else "filemail://")
if EMAIL_URL:
    _email = env.email_url_config(EMAIL_URL)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
    EMAIL_PORT = _email.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
    EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="twiza@localhost")

# "Mon travail" (work/waiting.py): a case waits when it had no follow-up for this many days.
WORK_FOLLOW_UP_DAYS = env.int("WORK_FOLLOW_UP_DAYS", default=14)
# The address of the site, for the links in e-mails sent without a request (the daily digest).
TWIZA_SITE_URL = env("TWIZA_SITE_URL", default="http://localhost:8000")

# docs/security.md 32: a personal API token expires this many days after it was made (accounts/models.py).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
# Offline collection (collect/): a phone's device password expires this many days after it was made.
COLLECT_DEVICE_DAYS = env.int("COLLECT_DEVICE_DAYS", default=180)

# Demo: the password of the demo users (docs/api.md).
TWIZA_DEMO_PASSWORD = env("TWIZA_DEMO_PASSWORD", default="twiza-demo-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.middleware.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Background work (imports, big exports, PDFs): django-tasks with its database backend; `manage.py
# db_worker` runs them. The tests run every task immediately (config/testenv.py sets TASKS_BACKEND).
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

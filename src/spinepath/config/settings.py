"""Django settings, read from the environment.

DATABASE_URL     sqlite:///path or postgresql://user@host:port/db (default: SQLite in
                 SPINEPATH_DATA_DIR)
SECRET_KEY       required when SPINEPATH_ENV=production
SPINEPATH_ENV    development (default) | production | test
SPINEPATH_DATA_DIR   where the SQLite database and uploaded files live (default ./var)
SPINEPATH_ALLOWED_HOSTS  comma-separated host names (production)
SPINEPATH_EMAIL_URL      smtp://host:port (default localhost:25); SPINEPATH_EMAIL_FROM
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent

ENV = os.environ.get("SPINEPATH_ENV", "development").strip().lower()
if ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"SPINEPATH_ENV must be development, production or test, not {ENV!r}"
    )
PRODUCTION = ENV == "production"

DATA_DIR = Path(os.environ.get("SPINEPATH_DATA_DIR", Path.cwd() / "var")).resolve()

_INSECURE_DEV_KEY = "spinepath-development-key-not-for-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION:
    if len(SECRET_KEY) < 50 or SECRET_KEY == _INSECURE_DEV_KEY:
        raise ImproperlyConfigured(
            "SPINEPATH_ENV=production needs a real SECRET_KEY (at least 50 random characters); "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
elif not SECRET_KEY:
    SECRET_KEY = _INSECURE_DEV_KEY

DEBUG = not PRODUCTION and os.environ.get("SPINEPATH_DEBUG", "1") == "1" and ENV != "test"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get(
        "SPINEPATH_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
    ).split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "simple_history",
    "spinepath.accounts",
    "spinepath.audit",
    "spinepath.patients",
    "spinepath.intake",
    "spinepath.surgery",
    "spinepath.recovery",
    "spinepath.outcomes",
    "spinepath.registry",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "spinepath.audit.middleware.RequestContextMiddleware",
    "spinepath.accounts.middleware.SiteTimeZoneMiddleware",
    # axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "spinepath.config.urls"
WSGI_APPLICATION = "spinepath.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------

DEFAULT_SQLITE_PATH = DATA_DIR / "spinepath.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0 if ENV == "test" else 60)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue (busy timeout) instead of failing mid-transaction.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})
else:
    raise ImproperlyConfigured("DATABASE_URL must name SQLite or PostgreSQL")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and security -------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENV == "test":
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/home/"
LOGOUT_REDIRECT_URL = "/"

AXES_FAILURE_LIMIT = int(os.environ.get("SPINEPATH_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The sign-in form posts the e-mail address as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Usernames are e-mail addresses: the library default masks them in its logs; keep it.

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SPINEPATH_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [
        origin.strip()
        for origin in os.environ.get("SPINEPATH_CSRF_TRUSTED_ORIGINS", "").split(",")
        if origin.strip()
    ]

# --- static files and uploads ----------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Uploads (wound photos) live outside the web root and are served only through
# an access guard; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = DATA_DIR / "private"

# --- e-mail ----------------------------------------------------------------------------------

_email = urlparse(os.environ.get("SPINEPATH_EMAIL_URL", "smtp://localhost:25"))
# "console:" prints messages instead of sending them (the demo uses it).
EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if _email.scheme == "console"
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = _email.hostname or "localhost"
EMAIL_PORT = _email.port or 25
EMAIL_HOST_USER = _email.username or ""
EMAIL_HOST_PASSWORD = _email.password or ""
EMAIL_USE_TLS = _email.scheme == "smtp+tls"
EMAIL_USE_SSL = _email.scheme == "smtps"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("SPINEPATH_EMAIL_FROM", "spinepath <noreply@localhost>")

# --- i18n ------------------------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("SPINEPATH_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- logging: no personal data; ids only ----------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SPINEPATH_LOG_LEVEL", "INFO")},
    "loggers": {
        # django.request logs the full path; ours carry opaque ids only, so it is safe.
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- spinepath -------------------------------------------------------------------------------

SPINEPATH = {
    # [U] programme defaults: minutes an alert may stay unacknowledged before the next
    # person on the care team is told. Configurable per deployment.
    "ALERT_SLA_MINUTES": {"urgent": 30, "same_day": 240, "routine": 60 * 24 * 3},
    # Where people reach this site; links in e-mails are made from it.
    "BASE_URL": os.environ.get("SPINEPATH_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
    "WORKER_TICK_SECONDS": float(os.environ.get("SPINEPATH_WORKER_TICK_SECONDS", "5")),
    "NOTIFICATION_MAX_ATTEMPTS": 8,
    # EQ-5D wording is licensed by EuroQol: collect it only where the clinic holds a licence.
    "EQ5D_LICENSED": os.environ.get("SPINEPATH_EQ5D_LICENSED", "0") == "1",
    # Consultation requests from one address (hashed) per hour.
    "CONSULTATION_REQUESTS_PER_HOUR": int(
        os.environ.get("SPINEPATH_CONSULTATION_REQUESTS_PER_HOUR", "5")
    ),
    # [U] programme default: days after discharge with a daily check-in reminder and the
    # silent-patient rule; after them check-ins stay open, and one more reminder goes out
    # on the day persistent opioid use is checked (TriageSettings.persistent_opioid_from_day).
    "MONITORING_DAYS": int(os.environ.get("SPINEPATH_MONITORING_DAYS", "42")),
    # The pseudonymised registry dataset the dashboards read (spinepath registry extract,
    # or spinepath synth, write it).
    "REGISTRY_DATA_DIR": os.environ.get("SPINEPATH_REGISTRY_DATA_DIR", str(DATA_DIR / "registry")),
    # DuckDB's memory cap in each process that shows the registry. The dataset is read from
    # its analytics store (a file shared through the operating system's cache), so this
    # bounds the queries' working memory, not the dataset's size.
    "REGISTRY_MEMORY_LIMIT": os.environ.get("SPINEPATH_REGISTRY_MEMORY_LIMIT", "1GB"),
    # The registry extract's own secret: pseudonymous keys are HMAC-SHA256 under it, so the
    # same patient keeps the same key across extracts and nobody without it can link a key
    # back to a record. At least 32 characters; keep it apart from SECRET_KEY and never
    # change it (every key in the dataset would change). Required in production; in
    # development the extract derives one from SECRET_KEY and says so.
    "REGISTRY_KEY": os.environ.get("SPINEPATH_REGISTRY_KEY", ""),
    # Per-deployment overrides of clinical.triage.TriageSettings (see recovery/programme.py).
    "TRIAGE": {},
    # SMS: a dotted path to a spinepath.sms backend class. The console backend prints
    # messages (demo, development); spinepath.sms.WebhookSmsBackend POSTs {"to", "body"}
    # as JSON to SMS_WEBHOOK_URL (credentials, if any, as https://user:secret@host/path).
    # In production none is assumed: without SPINEPATH_SMS_BACKEND texts fail, recorded.
    "SMS_BACKEND": os.environ.get("SPINEPATH_SMS_BACKEND", "").strip()
    or ("spinepath.sms.DisabledSmsBackend" if PRODUCTION else "spinepath.sms.ConsoleSmsBackend"),
    "SMS_WEBHOOK_URL": os.environ.get("SPINEPATH_SMS_WEBHOOK_URL", ""),
    # [U] programme default: minutes a one-time sign-in link works for patients and
    # caregivers.
    "SIGN_IN_LINK_MINUTES": int(os.environ.get("SPINEPATH_SIGN_IN_LINK_MINUTES", "30")),
}

"""Settings, read from the environment (see README and .env.example).

One file with a production switch: DEBUG off means production, and then SECRET_KEY is required
and the secure cookie/HTTPS settings are on.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config import logs

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # bandit B105 accepted: a fixed key only with DEBUG on; production must set SECRET_KEY.
    SECRET_KEY = "insecure-development-key-only-for-debug"  # nosec B105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.admin.AdministratorsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "crispy_forms",
    "crispy_forms_gds",
    "simple_history",
    "core",
    "inspections",
    "actionplans",
    "reporting",
    "dashboards",
    "reminders",
    "importers",
    "django_tasks_db",
    "axes",  # failed sign-ins limited (see "Refused before it costs anything" below)
]

# Long jobs (rendering appendices ahead of the clerk) go on a queue kept in the database, so
# several app servers share it; `manage.py db_worker` runs them.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A large appendix is laid out in this many processes at once (default: one per core).
APPENDIX_RENDER_PROCESSES = int(os.environ.get("APPENDIX_RENDER_PROCESSES", "0")) or None
# Each render of an appendix runs in a child process, killed after this many seconds, its address
# space capped at this many MiB (reporting/limits.py); one that fails is recorded and shown.
RENDER_TIMEOUT_SECONDS = float(os.environ.get("RENDER_TIMEOUT_SECONDS", "60"))
RENDER_MEMORY_LIMIT_MB = int(os.environ.get("RENDER_MEMORY_LIMIT_MB", "1024"))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # A body bigger than any allowed upload is refused from its Content-Length, before the CSRF
    # check reads it (config/security.py).
    "config.security.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.security.SessionActivityMiddleware",  # idle sessions end (see SESSION_COOKIE_AGE)
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a signed-in user unless it opts out (the login page does).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Signed-in pages and downloads are never stored by browsers or proxies.
    "config.security.NoStoreWhenSignedInMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in with its own page.
    "axes.middleware.AxesMiddleware",
]
if DEBUG:
    # Outermost, so that even an address no view matches answers the service's own page.
    MIDDLEWARE.insert(0, "config.security.ServiceNotFoundPageMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# DATABASE_URL selects PostgreSQL (postgres://user@host:port/name, through psycopg 3);
# without it the app runs on an embedded SQLite file.
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A write transaction takes SQLite's lock when it starts, so what it read stays true until it
    # commits (PostgreSQL gets the same from the row locks in actionplans.workflow).
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
else:
    # PostgreSQL's JIT compiler spends 40 ms to 2 s compiling the rating rule's CASE for each
    # query it thinks is big (its estimates count every action) and then runs it in a few ms:
    # a loss on every page of an interactive app, so it is off for our connections.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # A select's choices (every ModelChoiceField) are read through QuerySet.iterator(), which on
    # PostgreSQL opens a server-side cursor: three round trips (declare, fetch, close) for a
    # few dozen rows, four selects on the action list. Read as any query is (issue 28).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Forms render as GOV.UK Design System components (crispy-forms-gds).
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# GOV.UK classes for widgets crispy-forms-gds does not style itself.
CRISPY_CLASS_CONVERTERS = {
    "numberinput": "govuk-input govuk-input--width-10",
    "multiplefileinput": "govuk-file-upload",
}

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# UK dates everywhere: "15 November 2011" on pages, 15/11/2011 accepted in forms.
FORMAT_MODULE_PATH = ["config.formats"]

# Pages are rendered once and reused (actionplans/page_cache.py). Their keys name everything a
# page depends on, so the cache need not be shared to be right: files under VAR_DIR serve every
# app server on one machine (PAGE_CACHE_DIR moves them). Entries are for one day.
PAGE_CACHE = "pages"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    PAGE_CACHE: {
        "BACKEND": "config.cache.PagesCache",
        "LOCATION": os.environ.get("PAGE_CACHE_DIR", str(VAR_DIR / "cache" / "pages")),
        "TIMEOUT": 60 * 60 * 25,
        # Past this many, the third read least recently are dropped (each is made again when next
        # asked for; config/cache.py).
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_MAX_ENTRIES", "2000"))},
    },
}

STATIC_URL = "static/"
# static-build/ holds GOV.UK Frontend compiled at setup (`make assets`), never committed.
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "static-build"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
# In production (STATIC_HASHED=1, with `collectstatic` run) pages link to copies of the static
# files named by their content, so the front end can let browsers keep them for a year and an
# upgrade is still seen at once. Off where files are served straight from the source folders.
if os.environ.get("STATIC_HASHED") == "1":
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

# Evidence files are private: kept outside the static tree and served only through a view that
# checks the reader may see the action.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "evidence"))
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Refused before it costs anything (issue 16) ---------------------------------------------

# The largest request body the app reads: five evidence files (actionplans.evidence.MAX_FILES) of
# EVIDENCE_MAX_BYTES and the form around them, which also covers a plan import (about 20 MB).
# Anything declaring more is refused with 413 before the body is read; nginx's
# client_max_body_size should match.
MAX_REQUEST_BODY = int(
    os.environ.get("MAX_REQUEST_BODY", str(5 * EVIDENCE_MAX_BYTES + 1024 * 1024))
)

# Only a proxy we run may say the request came over HTTPS: trusted only when configured.
if envbool("TRUST_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: nothing inline, everything from this site. GOV.UK Frontend's feature
# detection and initialisation are in static/js/init.js; pages styles are static CSS files.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Sessions end after SESSION_IDLE_MINUTES without a request, and when the browser closes unless
# the user ticked "Remember me" (then REMEMBER_ME_DAYS; see config/accounts.py). A signed-in
# session's expiry is moved on at most once a minute (config.security.SessionActivityMiddleware)
# rather than written on every request as SESSION_SAVE_EVERY_REQUEST would.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
REMEMBER_ME_AGE = int(os.environ.get("REMEMBER_ME_DAYS", "14")) * 24 * 60 * 60

# Failed sign-ins (the sign-in page and /admin/login/) are limited by django-axes: after
# AXES_FAILURE_LIMIT failures for one username from one address, that pair is refused until the
# cool-off passes, whether or not the username exists (the same page either way). By username
# and address together, so nobody can lock a colleague out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.auth_backend.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("SIGN_IN_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind nginx every request comes from the proxy: with PROXY_COUNT set, the client's address is
# read from X-Forwarded-For, as many hops back as there are proxies we run.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"

# --- end of issue 16 block ----------------------------------------------------------------------

# Errors are found afterwards: every process logs to stderr (the journal under systemd) and, when
# LOG_FILE is set (make serve: var/serve/errors.log), errors and worse to that file too, with the
# request's method, path and user id but never its cookies or body (config/logs.py).
LOGGING = logs.config(
    level=os.environ.get("LOG_LEVEL", "WARNING"), file=os.environ.get("LOG_FILE", "")
)

# --- Deployment (docs/deploy.md) ---
# A load balancer asks the app servers directly over plain HTTP whether the database is there;
# /healthz answers that (and nothing else) without being sent to HTTPS first.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Email (reminders/): the console by default; SMTP when EMAIL_HOST is set. SITE_URL makes the
# absolute links in emails.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "action-plans@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

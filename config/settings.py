"""Settings for Alliance Register.

Every deployment knob is read from the environment. A fresh checkout runs on SQLite with
DEBUG on; production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def envint(name: str, default: int) -> int:
    value = os.getenv(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


DEBUG = envbool("DEBUG", "1")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Only ever used with DEBUG on, so a leaked development key protects nothing real.
    SECRET_KEY = "django-insecure-development-only-alliance-register"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

# Where the curated dataset's source articles live (load_curated --sources overrides it).
SEEDS_DIR = Path(os.getenv("SEEDS_DIR", BASE_DIR.parent / "shared" / "seeds"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "sources",
    "alliances",
    "tools",  # development commands only (generate_synthetic, benchmark): see tools/__init__.py
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.database_unavailable.DatabaseUnavailableMiddleware",
    "alliances.admin.invalid_filters.InvalidRegexMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes: last, as its documentation asks (it turns a lockout into the 429 page).
    "axes.middleware.AxesMiddleware",
]

# A reviewer's comment, kept as the history's reason for the change, may be as long as needed.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's overrides of the admin's and DRF's own templates (their favicon): found
        # before any app's templates, whatever the order of INSTALLED_APPS.
        "DIRS": [BASE_DIR / "config" / "templates"],
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

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.getenv("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default takes concurrent writes from several workers: WAL lets readers run
    # beside the one writer, a write transaction takes the write lock when it begins
    # (IMMEDIATE: a read turning into a write cannot fail with "database is locked" at once)
    # and waits up to `timeout` seconds for it instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Without collectstatic (development, tests) WhiteNoise serves the apps' static files directly.
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
}

# REST API v1 (alliances/api). Anonymous callers are throttled per address; the counters live
# in the default cache, which must be shared by every worker: the database cache by default
# (migration alliances 0006 creates its table), or any backend given by CACHE_BACKEND.
CACHES = {
    "default": {
        "BACKEND": os.getenv("CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"),
        "LOCATION": os.getenv("CACHE_LOCATION", "django_cache"),
    }
}

# The largest request body taken (Django's default, 2.5 MB): the admin answers 400 beyond it,
# the API 413 (alliances.api.viewsets.StrictQueryMixin). A stored source text is well within it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous write then gets 401 with `WWW-Authenticate: Token`.
        "alliances.api.throttling.CountedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["alliances.api.permissions.ModelPermissionsOrReadOnly"],
    # JSON through sources.json_input (a depth limit, no lone surrogates).
    "DEFAULT_PARSER_CLASSES": [
        "alliances.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "alliances.api.pagination.KeysetCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["alliances.api.throttling.AnonymousRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.getenv("API_ANON_RATE", "1000/hour")},
    # The throttle's address: REMOTE_ADDR, or behind NUM_PROXIES proxies the address the
    # outermost of them put in X-Forwarded-For (what a client writes there itself is ignored).
    "NUM_PROXIES": envint("NUM_PROXIES", 0),
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # The browsable API's forms list related records in a <select>: never a whole table.
    "HTML_SELECT_CUTOFF": 100,
    "EXCEPTION_HANDLER": "alliances.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance Register API",
    "DESCRIPTION": "Curated interstate alliances with source-level provenance. "
    "Anonymous callers read published records; writes need a token or a session.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AgreementKindEnum": "alliances.models.Agreement.Kind",
        "ClaimKindEnum": "alliances.models.Claim.Kind",
        "OrganisationKindEnum": "alliances.models.Organisation.Kind",
        "SourceKindEnum": "sources.models.Source.Kind",
    },
    # The docs page works offline: Swagger UI and ReDoc come from drf-spectacular-sidecar.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Production ---------------------------------------------------------------------------------
# With DEBUG off every knob defaults to what `manage.py check --deploy` asks for: HTTPS only
# (redirect, secure cookies, HSTS). Each can be turned down from the environment, e.g.
# SECURE_SSL_REDIRECT=0 when the proxy in front already redirects. (cookiecutter-django
# config/settings/production.py.) Behind a TLS-terminating proxy on the same machine gunicorn
# already trusts its X-Forwarded-Proto (FORWARDED_ALLOW_IPS, loopback by default);
# SECURE_PROXY_SSL_HEADER=1 makes Django trust it from anywhere: only behind a proxy that
# overwrites the header.
PRODUCTION = not DEBUG
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
if envbool("SECURE_PROXY_SSL_HEADER", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(int(PRODUCTION)))
# An operator who sets SECURE_SSL_REDIRECT=0 says the proxy redirects: check --deploy's warning
# about it (W008) is then answered, and `make serve-prod` must not stop on it.
SSL_REDIRECT_LEFT_TO_PROXY = os.getenv("SECURE_SSL_REDIRECT") is not None and not SECURE_SSL_REDIRECT
SILENCED_SYSTEM_CHECKS = ["security.W008"] if SSL_REDIRECT_LEFT_TO_PROXY else []
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", str(int(PRODUCTION)))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", str(int(PRODUCTION)))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(int(PRODUCTION)))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(int(PRODUCTION)))
# Django's own defaults, stated because tests/test_production.py pins them.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


def static_file_headers(headers, path, url):
    # WhiteNoise answers static files before XFrameOptionsMiddleware runs (SecurityMiddleware,
    # before it, still adds its headers): the same header for them.
    headers["X-Frame-Options"] = X_FRAME_OPTIONS


WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers
SESSION_COOKIE_HTTPONLY = True

# Login attempts are counted by django-axes in the database (shared by every worker): after
# AXES_FAILURE_LIMIT failures for one username from one address, that pair is locked out (429)
# for AXES_COOLOFF_MINUTES; a successful login resets the count. The address is REMOTE_ADDR:
# behind a proxy that is the proxy's, so the lockout is then by username.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = envbool("AXES_ENABLED", "1")
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner on every manage.py command

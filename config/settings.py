"""Settings for the course's live project.

Everything that differs between a laptop and a deployment comes from the environment:

    DATABASE_URL          sqlite:///path (default: db.sqlite3 beside manage.py) or postgres://user@host:port/name
    DJANGO_DEBUG          1 (default) for local development, 0 for production mode
    DJANGO_SECRET_KEY     required when DJANGO_DEBUG=0
    DJANGO_ALLOWED_HOSTS  comma-separated; defaults to loopback names
    DJANGO_HTTPS          1 (default when DJANGO_DEBUG=0): HTTPS-only cookies, HSTS and redirects
    DJANGO_LOG_LEVEL      level of the project's own loggers (default INFO)
    UPSTREAM_URL          where pages' fan-out view sends its calls (default: this server's /upstream/)
    REDIS_URL             redis://host:port/db: Channels' layer and the server-sent events' broker on Redis, shared
                          by every worker process (default: in-memory, which reaches only the process it lives in)
    REDIS_PREFIX          starts every Redis key and channel name of this server (default: course)
    REALTIME_BUS          redis, postgres or empty: what carries server-sent events between worker processes
                          (default: redis when REDIS_URL is set, else each process on its own)

The notebooks start variants of this project (an extra sync-only middleware, DEBUG logging of
django.request, ATOMIC_REQUESTS on, ...) through `liveproject.LiveServer`, which writes a small
settings module that imports this one and overrides a few names; this file is never edited for a demo.
"""

import os
from pathlib import Path

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r}")


DEBUG = env_flag("DJANGO_DEBUG", True)

# A fixed key is acceptable only for local development; production mode refuses to start without one.
_DEV_SECRET_KEY = "django-insecure-local-development-only-not-a-secret"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "pages",
    "articles",
    "realtime",
    "rest_framework",
    "drf_spectacular",
    "api",
    "django_tasks_db",  # the tasks' database backend: its table holds each task, its state and its result
]
if django.VERSION < (6, 0):
    INSTALLED_APPS.append("django_tasks")  # the backport of Django 6's django.tasks (its checks and signals)

# Outermost first. The project's own middleware (config/middleware.py) is written once and runs natively
# in both modes, so it never costs a thread hop. Django's own middleware below it are MiddlewareMixin
# classes: under ASGI each of them calls its hooks through sync_to_async (chapter 05 measures that cost).
MIDDLEWARE = [
    "config.middleware.request_id_middleware",
    "config.middleware.AccessLogMiddleware",
    "config.middleware.timing_middleware",
    "config.middleware.JsonErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database ---------------------------------------------------------------------------------------
# CONN_MAX_AGE=0: under ASGI every request may run its sync parts on a different thread, and a persistent
# connection belongs to the thread that opened it, so CONN_MAX_AGE>0 leaks one connection per thread until
# the server refuses new clients (Django's docs: "When using ASGI, persistent connections should be
# disabled"). On PostgreSQL, psycopg 3's pool (OPTIONS["pool"]) reuses connections safely instead.
#
# No ATOMIC_REQUESTS: Django refuses to wrap an async view in a transaction (each such request fails
# with "You cannot use ATOMIC_REQUESTS with async views"). Writes that must be atomic own their
# transaction in a sync service function instead (articles/services.py), called through sync_to_async.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 1, "max_size": 8, "timeout": 10}}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # BEGIN IMMEDIATE takes SQLite's write lock when a transaction starts, so concurrent writers
        # queue (up to `timeout` seconds) instead of failing with "database is locked" halfway through.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # WAL lets readers carry on while one writer works.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Rejected CSRF checks answer with JSON like every other error of this API.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# The APIs of chapter 12 (api/). DRF and adrf: session authentication (the project's login), permissions decided
# by the views (api/publishing.py), JSON in and out only (no browsable API), and errors as {"error": message}.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",  # OpenAPI by drf-spectacular (api/urls.py)
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Articles (DRF and adrf)",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["api.schema.only_the_api"],  # /api/ only: not the labs' DRF views
}

# Work that outlives the request (chapter 12): articles/tasks.py. The database backend keeps every enqueued task in
# a table of the project's database until a worker process (`manage.py db_worker`) runs it and records the result.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Where pages.views.async_fan_out sends its calls. Empty means "this same server's /upstream/", which is
# safe on a single-worker ASGI server (the event loop serves the calls while the fan-out awaits them).
UPSTREAM_URL = os.environ.get("UPSTREAM_URL", "")

# A server-sent stream with nothing to send writes a comment this often, so proxies and load balancers that close
# idle connections (often after 60 s) keep it open (realtime/views.py).
REALTIME_HEARTBEAT_SECONDS = 15.0

# Channels' layer carries a group's messages to every WebSocket consumer in the group (realtime/consumers.py). On
# Redis (channels-redis) every worker process shares it; the in-memory layer reaches only its own process, which
# is enough for one worker and for tests, and which Channels' documentation rules out for production.
# With REDIS_URL set, realtime/broker.py sends server-sent events through Redis too, so that every worker process
# sees every event. REDIS_PREFIX starts every key and channel name: servers sharing one Redis keep apart.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_PREFIX = os.environ.get("REDIS_PREFIX", "course")
# What carries server-sent events between worker processes (realtime/broker.py): "redis" (REDIS_URL), "postgres"
# (LISTEN/NOTIFY on the project's PostgreSQL database), or "" for each process on its own.
REALTIME_BUS = os.environ.get("REALTIME_BUS", "redis" if REDIS_URL else "")
if REALTIME_BUS not in {"", "redis", "postgres"}:
    raise ImproperlyConfigured(f"REALTIME_BUS must be redis, postgres or empty, not {REALTIME_BUS!r}")
if REALTIME_BUS == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("REALTIME_BUS=redis needs REDIS_URL")
if REALTIME_BUS == "postgres" and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("REALTIME_BUS=postgres needs a PostgreSQL DATABASE_URL: SQLite has no LISTEN/NOTIFY")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{REDIS_PREFIX}:channels"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Production hardening ---------------------------------------------------------------------------
# DJANGO_HTTPS=1 assumes TLS in front of the app (a proxy or load balancer). The course's local servers
# speak plain HTTP on 127.0.0.1 and set DJANGO_HTTPS=0, or the browser/httpx would drop secure cookies.
HTTPS = env_flag("DJANGO_HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging ----------------------------------------------------------------------------------------
# One line per record on stderr; a server started by the notebooks writes stderr to its own log file.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # Replaces Django's default console handler for "django.*", which would print each line twice.
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "config": {"level": LOG_LEVEL},
        "pages": {"level": LOG_LEVEL},
        "articles": {"level": LOG_LEVEL},
        "realtime": {"level": LOG_LEVEL},
    },
}

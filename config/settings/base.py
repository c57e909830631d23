"""Settings shared by every environment; each value can be overridden by the environment."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Where the embedded database, the generated secret key and collected static files live.
VAR_DIR = Path(os.environ.get("COOPATLAS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Return SECRET_KEY from the environment, else one generated once and kept in var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("COOPATLAS_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "ninja",
    "corsheaders",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "coopatlas.core",
    "coopatlas.places",
    "coopatlas.accounts",
    "coopatlas.atlas",
    "coopatlas.search",
    "coopatlas.extraction",
    "coopatlas.jobs",
    "coopatlas.alerts",
    "coopatlas.web",
    "coopatlas.api",
]

MIDDLEWARE = [
    # First: every request gets its id (X-Request-ID) and, in production, one JSON log line.
    "coopatlas.web.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything that may answer: CORS headers on the API (CORS_* below).
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # French pages: non-breaking spaces before : ; ? ! and inside « » (after the view, before
    # CommonMiddleware counts the length).
    "coopatlas.web.typography.FrenchTypographyMiddleware",
    # A NUL byte in a query string is a 400 for every page and API route (PostgreSQL refuses it).
    "coopatlas.web.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "coopatlas.web.busy.WriteBusyMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The read API may be called from any site's pages: GET only, without cookies (so never as a
# signed-in user), and the caching headers readable.
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified")

# Scripts and styles from our own origin only: no inline script or style, no eval. Stored text that
# slips past an escape cannot run. Leaflet and ECharts set element.style from script (CSSOM), which
# style-src does not govern. The OpenStreetMap tiles are the only outside address (an optional layer).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https://tile.openstreetmap.org"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Widgets (web/widgets.py) are the only pages other sites may frame: by any site ("*"), or by the
# sites listed here (spaces or commas: "https://www.ville.fr https://*.agglo.fr"). How long a
# widget may be kept by browsers and caches, in seconds: a new publication shows after that.
WIDGET_FRAME_ANCESTORS = os.environ.get("COOPATLAS_WIDGET_FRAME_ANCESTORS", "*").replace(
    ",", " "
).split() or ["*"]
WIDGET_MAX_AGE = int(os.environ.get("COOPATLAS_WIDGET_MAX_AGE", "300"))

ROOT_URLCONF = "config.urls"
# A form posted without its token (a page left open past its session) gets the site's page.
CSRF_FAILURE_VIEW = "coopatlas.web.errors.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coopatlas.web.context.waiting_for_me",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'coopatlas.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
# How long a writer waits for SQLite's write lock held by another (an import, an undo) before it
# gives up with "another write is running" (ingest.errors.WriteBusy): web imports queue in the
# worker, so this is for the command line and the API meeting the worker.
SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("COOPATLAS_SQLITE_BUSY_TIMEOUT_MS", "30000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the public pages read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        f"PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS};"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Jobs and the task queue in a file of their own (coopatlas/jobs/router.py says why).
    JOBS_DATABASE_SHARED = False
    DATABASES["jobs"] = dj_database_url.parse(f"sqlite:///{VAR_DIR / 'jobs.sqlite3'}")
    DATABASES["jobs"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    # A second connection to the same database: a job's progress commits apart from its work.
    JOBS_DATABASE_SHARED = True
    DATABASES["jobs"] = dict(DATABASES["default"])
DATABASE_ROUTERS = ["coopatlas.jobs.router.JobsRouter"]

# Long work (imports, undo, reading long pages) runs in the worker (`coopatlas worker`, started by
# `coopatlas serve`), queued in the database with django-tasks.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# An API import of a larger file is queued for the worker (202 and a job to follow): about two
# seconds of importing.
IMPORT_ASYNC_BYTES = int(os.environ.get("COOPATLAS_IMPORT_ASYNC_BYTES", str(1024 * 1024)))
# An export of more partnerships than this runs in the worker (a job page, then a download);
# smaller ones are streamed in the request.
EXPORT_ASYNC_ROWS = int(os.environ.get("COOPATLAS_EXPORT_ASYNC_ROWS", "5000"))
# Files handed between the web servers and the worker (uploads to import, exports to download):
# one folder every server and worker reach (a shared volume when they run on several machines);
# var/uploads/ when empty.
UPLOADS_DIR = os.environ.get("COOPATLAS_UPLOADS_DIR", "")
# Uploads of previews never confirmed are removed after this many seconds.
UPLOAD_MAX_AGE = int(os.environ.get("COOPATLAS_UPLOAD_MAX_AGE", str(24 * 3600)))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Who publishes the atlas, named by the legal notice, the accessibility statement and the
# personal-data page that French public-sector sites must have (each page says what is missing).
SITE_PUBLISHER = os.environ.get("COOPATLAS_PUBLISHER", "")
SITE_PUBLICATION_DIRECTOR = os.environ.get("COOPATLAS_PUBLICATION_DIRECTOR", "")
SITE_HOSTING = os.environ.get("COOPATLAS_HOSTING", "")
SITE_CONTACT_EMAIL = os.environ.get("COOPATLAS_CONTACT_EMAIL", "")
# Mail (invitations, password resets): printed on the console unless an SMTP server is named.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "coopatlas <ne-pas-repondre@coopatlas.localhost>")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link works one day
# The site's address as its users reach it: the links of the alert e-mails (docs/alerts.md).
COOPATLAS_SITE_URL = os.environ.get("COOPATLAS_SITE_URL", "http://127.0.0.1:8000")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French first, English second; data stays as entered.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "src" / "coopatlas" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# JavaScript libraries installed from the npm registry by `make install` (never a CDN). Only the
# files the pages use are collected and served (config/finders.py), not whole packages: those held
# 70 MB (every build, every map resolution) that each fresh start copied and compressed for minutes.
# Static path -> file in node_modules. A file a listed one loads in turn (a stylesheet's images, a
# script's source map) is listed too: the manifest storage rewrites those references.
# axe-core (package.json devDependencies) is a test tool: never served.
NODE_MODULES = BASE_DIR / "node_modules"
NODE_MODULES_FILES = {
    "vendor/leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "vendor/leaflet/leaflet.js.map": "leaflet/dist/leaflet.js.map",
    "vendor/leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "vendor/leaflet/images/layers.png": "leaflet/dist/images/layers.png",
    "vendor/leaflet/images/layers-2x.png": "leaflet/dist/images/layers-2x.png",
    "vendor/leaflet/images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png": "leaflet/dist/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png": "leaflet/dist/images/marker-shadow.png",
    **{
        f"vendor/leaflet.markercluster/{name}": f"leaflet.markercluster/dist/{name}"
        for name in [
            "leaflet.markercluster.js",
            "leaflet.markercluster.js.map",
            "MarkerCluster.css",
            "MarkerCluster.Default.css",
        ]
    },
    "vendor/topojson-client/topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
    "vendor/world-atlas/countries-110m.json": "world-atlas/countries-110m.json",
    "vendor/htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.finders.NodeModulesFileFinder",
]
STATIC_ROOT = VAR_DIR / "static"
# Source maps (named by leaflet.js, swagger-ui's bundle…) are fetched by developer tools alone: not
# worth compressing at every fresh start (brotli over 6 MB of them took about a minute).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
# WhiteNoise's manifest storage with brotli at quality 9, not 11: 20 times faster (config/storage.py).
WHITENOISE_BROTLI_QUALITY = int(os.environ.get("WHITENOISE_BROTLI_QUALITY", "9"))
# Uploaded files (documents attached to partnerships): the media folder by default, never served
# as static files (web/documents.py checks who may open each). COOPATLAS_FILE_STORAGE names another
# Django storage backend, an S3-compatible store for instance ("storages.backends.s3.S3Storage",
# from django-storages, configured by its own AWS_* settings read from the environment).
MEDIA_ROOT = Path(os.environ.get("COOPATLAS_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never routed: documents are opened through /documents/<id>/
DOCUMENT_MAX_BYTES = int(os.environ.get("COOPATLAS_DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("COOPATLAS_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
}

# Every user signs in on the site's own page; the admin's sign-in refuses non-staff users.
LOGIN_URL = "web:sign_in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Password guessing (django-axes): django-axes' backend comes first so that every sign-in
# (/connexion/, /admin/login/) is counted. 5 failures for one username from one address lock that
# pair for 15 minutes (counted per username and address together, as django-axes recommends, so
# that a guesser cannot lock another person out from elsewhere); the lockout page answers 429.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The e-mail address is the login (accounts/backends.py); usernames still work.
    "coopatlas.accounts.backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Object permissions (accounts/permissions.py): user.has_perm("coopatlas.partnership_edit", p).
    "rules.permissions.ObjectPermissionBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "coopatlas.web.accounts.locked_out"
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True


def _caches(url: str) -> dict:
    """Django's cache from COOPATLAS_CACHE_URL: `redis://host:port/db` (shared by every process and
    machine), `db` (a table of the database), or nothing (each process's own memory)."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "coopatlas_cache"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            # a Redis server that does not answer is a miss, not a failed page (core/cache.py)
            "BACKEND": "coopatlas.core.cache.ForgivingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "coopatlas",
            # A Redis server that stopped answering costs a request one second, not a worker.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    raise RuntimeError(
        f"COOPATLAS_CACHE_URL « {url} » : attendu redis://hôte:port/base, db ou rien (unknown cache URL)"
    )


CACHES = {"default": _caches(os.environ.get("COOPATLAS_CACHE_URL", "").strip())}

# Readable lines in development, each naming the request it belongs to (X-Request-ID); the
# production settings write JSON lines instead, one per request (coopatlas.web.requestlog).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "coopatlas.web.requestlog.RequestIdFilter"}},
    "formatters": {"readable": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "readable"}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
# How many reverse proxies stand before the server and add their address to X-Forwarded-For: the
# visitor's address is the one the outermost of them saw (0: REMOTE_ADDR, no proxy).
TRUSTED_PROXIES = int(os.environ.get("COOPATLAS_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "coopatlas.web.requestlog.client_ip"

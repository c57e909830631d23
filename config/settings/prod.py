"""Production: every secret and host comes from the environment; HTTPS only.

`coopatlas manage check --deploy` with these settings prints no warning (tests/security)."""

import os

from config.settings.base import *  # noqa: F403

# What the environment must give: these settings never fall back on a generated secret or a file.
REQUIRED_ENVIRONMENT = ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS")
if missing := [name for name in REQUIRED_ENVIRONMENT if not os.environ.get(name)]:
    raise RuntimeError(
        f"Réglages de production : variable(s) d'environnement manquante(s) : {', '.join(missing)} "
        "(docs/deployment.md) — prod settings need them in the environment"
    )
DEBUG = False
# Behind a reverse proxy that terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
# One year of HTTPS-only remembered by browsers, for subdomains too, fit for the preload list.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
# The proxy's health checks reach each server over plain HTTP inside the network: /sante/ answers
# them there rather than redirecting to HTTPS (it holds no personal data and sets no cookie).
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
# One reverse proxy (compose.yaml's Caddy) stands before the servers unless said otherwise.
TRUSTED_PROXIES = int(os.environ.get("COOPATLAS_TRUSTED_PROXIES", "1"))

# One JSON line per request (coopatlas.web.requestlog) and per error, each with its request's id.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "coopatlas.web.requestlog.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "coopatlas.web.requestlog.JsonLineFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "json"}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"coopatlas.requests": {"level": os.environ.get("COOPATLAS_REQUEST_LOG_LEVEL", "INFO")}},
}

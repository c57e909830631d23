"""Production: every secret and host comes from the environment; HTTPS only.

`coopatlas manage check --deploy` with these settings prints no warning (tests/security)."""

import os

from config.settings.base import *  # noqa: F403

if "SECRET_KEY" not in os.environ or "DATABASE_URL" not in os.environ:
    raise RuntimeError("prod settings need SECRET_KEY and DATABASE_URL in the environment")
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

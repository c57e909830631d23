"""Production: every secret and host comes from the environment."""

import os

from config.settings.base import *  # noqa: F403

if "SECRET_KEY" not in os.environ or "DATABASE_URL" not in os.environ:
    raise RuntimeError("prod settings need SECRET_KEY and DATABASE_URL in the environment")
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

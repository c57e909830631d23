"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from coopatlas.core.memory import settle_heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()
# Load every page's code in each worker at start, then keep what start created out of the
# garbage collector's full passes (coopatlas.core.memory.settle_heap).
get_resolver().url_patterns  # noqa: B018
settle_heap()

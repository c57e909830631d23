"""The site's error pages (400, 403 for a stale form, 500) and its icon at /favicon.ico.

Django's own 400 and 500 handlers render their template without the request, so the page would
have no language switch that works; the 404 and 403 handlers render `404.html` and `403.html`
with it and need nothing from us.
"""

import logging
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.translation import get_language
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)
FAVICON = Path(__file__).resolve().parent / "static" / "web" / "favicon.ico"
# When even the plain error template cannot be rendered (a static manifest missing, a template
# error), both languages in one line of HTML.
LAST_RESORT = (
    "<!doctype html><html lang=fr><meta charset=utf-8><title>Erreur du serveur · Server error</title>"
    "<h1>Erreur du serveur · Server error</h1><p><a href=/recherche/>Rechercher · Search</a></p></html>"
)


def _render_without_database(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    """Render an error template with the request but no context processor: no session, user or
    message is read, so the page renders when the database is what failed."""
    context.update(
        request=request,
        csrf_token=get_token(request),
        LANGUAGE_CODE=get_language(),
    )
    try:
        body = loader.get_template(template).render(context)
    except Exception:  # the error page must never fail in its turn
        logger.exception("error page %s could not be rendered", template)
        body = LAST_RESORT
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 400 page; the exception is not shown (it may hold what was refused, e.g. a host)."""
    return _render_without_database(request, "400.html", 400)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 page."""
    return _render_without_database(request, "500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without its token, mostly a page left open too long: the site's 403 page
    saying to reload and send again."""
    return _render_without_database(request, "403_csrf.html", 403)


def favicon(request: HttpRequest) -> HttpResponse:
    """The site's icon where browsers look for it without a <link>."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response

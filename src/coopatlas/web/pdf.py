"""HTML pages printed to PDF with WeasyPrint, offline: the page's own static files (styles,
fonts, images) are read from disk, and nothing else is ever fetched."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest


def static_file(url: str) -> Path | None:
    """Return the file on disk that a /static/… address of ours serves, or None.

    A source file is found where the static-files finders look; a hashed name written in a page
    under the manifest storage (`atlas.a19c2991202a.css`, as `coopatlas serve` collects them) is
    found among the collected files. The prefix comes from STATIC_URL itself: `static("")` asks
    the manifest for an empty name and fails.
    """
    prefix = urljoin("/", settings.STATIC_URL)
    path = unquote(urlsplit(url).path)
    if not path.startswith(prefix):
        return None
    name = path[len(prefix) :]
    try:
        found = finders.find(name)
        # finders.find answers a list of the finders' misses when one of them answers None.
        if isinstance(found, list | tuple):
            found = next((match for match in found if match), None)
        if found:
            return Path(found)
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (SuspiciousFileOperation, NotImplementedError, ValueError):
        return None
    return None


def _offline_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OfflineFetcher(URLFetcher):
        """Serves /static/… from the project's static files; refuses every other address."""

        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            found = static_file(url)
            if found is None or not found.is_file():
                raise ValueError(f"hors ligne : {url} n'est pas chargé")
            kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=found.read_bytes(), headers={"Content-Type": kind})

    return OfflineFetcher()


def render_document(html: str, request: HttpRequest):
    """Lay the page out for print (a WeasyPrint Document: its `pages` can be counted)."""
    from weasyprint import HTML

    return HTML(
        string=html, base_url=request.build_absolute_uri("/"), url_fetcher=_offline_fetcher()
    ).render()


def html_to_pdf(html: str, request: HttpRequest) -> bytes:
    return render_document(html, request).write_pdf()

"""HTML pages printed to PDF with WeasyPrint, offline: the page's own static files (styles,
fonts, images) are read from disk, and nothing else is ever fetched."""

import mimetypes

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.templatetags.static import static


def _offline_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OfflineFetcher(URLFetcher):
        """Serves /static/… from the project's static folders; refuses every other address."""

        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            prefix = static("")
            path = url.split("://", 1)[-1]
            path = path[path.find("/") :] if "/" in path else path
            if path.startswith(prefix):
                found = finders.find(path[len(prefix) :].split("?")[0])
                if found:
                    with open(found, "rb") as handle:
                        body = handle.read()
                    kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body=body, headers={"Content-Type": kind})
            raise ValueError(f"hors ligne : {url} n'est pas chargé")

    return OfflineFetcher()


def render_document(html: str, request: HttpRequest):
    """Lay the page out for print (a WeasyPrint Document: its `pages` can be counted)."""
    from weasyprint import HTML

    return HTML(
        string=html, base_url=request.build_absolute_uri("/"), url_fetcher=_offline_fetcher()
    ).render()


def html_to_pdf(html: str, request: HttpRequest) -> bytes:
    return render_document(html, request).write_pdf()

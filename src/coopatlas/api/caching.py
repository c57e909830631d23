"""Conditional answers for the read API: an ETag and a Last-Modified from the search index's
version (moved by every write that reaches the atlas as searched), so that a client asking
again with If-None-Match or If-Modified-Since gets a 304 and no body while nothing changed."""

import hashlib

from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.translation import get_language

from coopatlas.search.index import version
from coopatlas.search.signals import apply_pending


def not_modified(request: HttpRequest, response: HttpResponse, *, visibility: str) -> HttpResponse | None:
    """Set ETag and Last-Modified on `response`; return a 304 when the client's copy is current.

    The tag covers the index's version, what the reader may see (`visibility`), the language of
    the labels and the whole query string."""
    apply_pending()  # this thread's own uncommitted edits first: they move the version
    number, changed_at = version()
    key = "\0".join([str(number), visibility, get_language() or "", request.get_full_path()])
    etag = quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Language, Cookie"}
    if changed_at is not None:
        headers["Last-Modified"] = http_date(changed_at.timestamp())
    for name, value in headers.items():
        response[name] = value
    if_none_match = request.headers.get("If-None-Match")
    fresh = False
    if if_none_match is not None:
        fresh = etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
    elif (since := parse_http_date_safe(request.headers.get("If-Modified-Since", ""))) and changed_at:
        fresh = int(changed_at.timestamp()) <= since
    if not fresh:
        return None
    answer = HttpResponse(status=304)
    for name, value in headers.items():
        answer[name] = value
    return answer

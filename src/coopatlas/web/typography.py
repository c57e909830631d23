"""French typography on every French page: non-breaking spaces before high punctuation.

French puts a space before ":", ";", "?", "!" and inside « »; an ordinary space lets a line start
with the mark. Rather than spell the space in each template, message and record, the finished
page's text is retouched once: text nodes and the attributes a reader is shown, never code,
form fields, addresses or data islands.
"""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

NBSP = "\u00a0"  # before ":" and inside guillemets
NNBSP = "\u202f"  # narrow, before ";", "?" and "!"

# Elements whose content is kept as is: code, styles, what a user types, preformatted text.
_KEPT = re.compile(r"<(script|style|textarea|pre|code)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_SHOWN_ATTRIBUTE = re.compile(r'(\s(?:title|aria-label|alt|placeholder)=")([^"]*)(")', re.I)

_BEFORE_COLON = re.compile(r"(?<!\s) +(?=:(?!//))")
_BEFORE_OTHERS = re.compile(r"(?<!\s) +(?=[;?!])")
_BEFORE_CLOSING = re.compile(r"(?<!\s) +(?=»)")
_AFTER_OPENING = re.compile(r"(?<=«) +(?=\S)")


def french_text(text: str) -> str:
    """Return `text` with its ordinary spaces before : ; ? ! » and after « made non-breaking."""
    if not any(mark in text for mark in ":;?!«»"):
        return text
    text = _BEFORE_COLON.sub(NBSP, text)
    text = _BEFORE_OTHERS.sub(NNBSP, text)
    text = _BEFORE_CLOSING.sub(NBSP, text)
    return _AFTER_OPENING.sub(NBSP, text)


def _tag(match: re.Match) -> str:
    return _SHOWN_ATTRIBUTE.sub(lambda m: m.group(1) + french_text(m.group(2)) + m.group(3), match.group())


def french_typography(html: str) -> str:
    """Return the page with French spacing in its text and shown attributes (title, aria-label,
    alt, placeholder); scripts, styles, text areas and other attributes are left alone."""
    pieces = []
    position = 0
    for kept in _KEPT.finditer(html):
        pieces.append(_retouch(html[position : kept.start()]))
        pieces.append(kept.group())
        position = kept.end()
    pieces.append(_retouch(html[position:]))
    return "".join(pieces)


def _retouch(html: str) -> str:
    pieces = []
    position = 0
    for tag in _TAG.finditer(html):
        pieces.append(french_text(html[position : tag.start()]))
        pieces.append(_tag(tag))
        position = tag.end()
    pieces.append(french_text(html[position:]))
    return "".join(pieces)


class FrenchTypographyMiddleware:
    """Retouch the French HTML pages (not files, JSON or streamed answers, nor a page its view
    retouched already and marked `typography_done`: one kept in a cache that way)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(request, "LANGUAGE_CODE", "fr").startswith("fr")
            and response.get("Content-Type", "").startswith("text/html")
            and not response.streaming
            and not response.has_header("Content-Encoding")
            and not getattr(response, "typography_done", False)
        ):
            charset = response.charset or "utf-8"
            response.content = french_typography(response.content.decode(charset)).encode(charset)
        return response

"""Refuse paths and query strings that carry control characters, for the whole site and the API.

No parameter of ours takes one, and PostgreSQL refuses a NUL byte in any text it is given
(`A string literal cannot contain NUL`): without this rule each parameter compared with the
database would be a server error. One rule here keeps every view, present and future, safe.
"""

import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import override

# C0 controls and DEL, but tab, line feed and carriage return (a pasted search text may hold them).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
API_PREFIX = "/api/"


def shown(text: str) -> str:
    """Return `text` with its control characters written as escapes (\\x00), to be named safely."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)[:200]


def first_control_character(request: HttpRequest) -> tuple[str | None, str] | None:
    """Return (parameter, value) of the first control character in the query string, (None, path)
    when the path holds one (`/pays/D%00/`), or None."""
    if CONTROL.search(request.path):
        return None, request.path
    for name, values in request.GET.lists():
        for value in [name, *values]:
            if CONTROL.search(value):
                return name, value
    return None


def refusal(name: str | None, value: str) -> str:
    """Return the reason of the refusal, in the active language, naming the parameter and value."""
    if name is None:
        return _("Caractère de contrôle refusé dans l'adresse : « %(value)s ».") % {"value": shown(value)}
    return _("Caractère de contrôle refusé dans le paramètre « %(name)s » : « %(value)s ».") % {
        "name": shown(name),
        "value": shown(value),
    }


class RefuseControlCharactersMiddleware:
    """Answer 400, naming the parameter, when a path or query string holds a control character."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = first_control_character(request)
        if found is None:
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            # The API speaks French and English in one message, as its other errors do.
            with override("fr"):
                french = refusal(*found)
            with override("en"):
                english = refusal(*found)
            return JsonResponse({"detail": f"{french} / {english}"}, status=400)
        return render(request, "400.html", {"message": refusal(*found)}, status=400)

"""Refuse query strings that carry control characters, for the whole site and the API.

No parameter of ours takes one, and PostgreSQL refuses a NUL byte in any text it is given
(`A string literal cannot contain NUL`): without this rule each parameter compared with the
database would be a server error. One rule here keeps every view, present and future, safe.
"""

import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# C0 controls and DEL, but tab, line feed and carriage return (a pasted search text may hold them).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
API_PREFIX = "/api/"


def shown(text: str) -> str:
    """Return `text` with its control characters written as escapes (\\x00), to be named safely."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)[:200]


def first_control_character(request: HttpRequest) -> tuple[str, str] | None:
    """Return (parameter, value) of the first query parameter with a control character, or None."""
    for name, values in request.GET.lists():
        for value in [name, *values]:
            if CONTROL.search(value):
                return name, value
    return None


class RefuseControlCharactersMiddleware:
    """Answer 400, naming the parameter, when a query string holds a control character."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = first_control_character(request)
        if found is None:
            return self.get_response(request)
        name, value = (shown(text) for text in found)
        if request.path.startswith(API_PREFIX):
            # The API speaks French and English in one message, as its other errors do.
            return JsonResponse(
                {
                    "detail": f"Caractère de contrôle refusé dans le paramètre « {name} » : « {value} ». "
                    f"/ Control character refused in the parameter “{name}”: “{value}”."
                },
                status=400,
            )
        message = _("Caractère de contrôle refusé dans le paramètre « %(name)s » : « %(value)s ».") % {
            "name": name,
            "value": value,
        }
        return render(request, "web/bad_request.html", {"message": message}, status=400)

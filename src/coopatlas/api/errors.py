"""How the API answers parameters that fail their schema.

A bad query parameter (a word where a number is due, an offset beyond its bound) is a 400 whose
`detail` names the parameter, the value and the rule, in French then English, like the API's
other 400s; a body that fails its schema keeps django-ninja's 422 with the list of errors.
"""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

# pydantic's error types → the rule in French (the English is pydantic's own message).
RULES_FR = {
    "int_parsing": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "float_parsing": "doit être un nombre",
    "bool_parsing": "doit être true ou false",
    "less_than_equal": "doit être au plus {le}",
    "greater_than_equal": "doit être au moins {ge}",
    "less_than": "doit être inférieur à {lt}",
    "greater_than": "doit être supérieur à {gt}",
    "missing": "est requis",
    "string_too_long": "dépasse {max_length} caractères",
}


def describe(request: HttpRequest, error: dict) -> str:
    """Return one error in words: the parameter, the value received, the rule in French / English."""
    name = str(error["loc"][-1])
    rule = RULES_FR.get(error.get("type", ""), "est invalide").format(**error.get("ctx", {}))
    values = request.GET.getlist(name)
    received = f" (reçu : « {', '.join(values)[:100]} »)" if values else ""
    return f"Le paramètre « {name} » {rule}{received}. / “{name}”: {error.get('msg', 'invalid')}."


def install(api: NinjaAPI) -> None:
    """Answer schema failures of query parameters with a 400 that names them; others with 422."""

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if exc.errors and all(e.get("loc", ("",))[0] == "query" for e in exc.errors):
            detail = " ".join(describe(request, e) for e in exc.errors)
            return api.create_response(request, {"detail": detail}, status=400)
        return api.create_response(request, {"detail": exc.errors}, status=422)

    api.add_exception_handler(ValidationError, on_validation_error)

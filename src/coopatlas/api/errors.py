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

    # The decorator, not add_exception_handler: ninja types the latter's handler as taking the
    # exception or its class, which no handler does.
    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if exc.errors and all(e.get("loc", ("",))[0] == "query" for e in exc.errors):
            detail = " ".join(describe(request, e) for e in exc.errors)
            return api.create_response(request, {"detail": detail}, status=400)
        return api.create_response(request, {"detail": exc.errors}, status=422)


ERROR_OUT = {
    "title": "ErrorOut",
    "type": "object",
    "properties": {"detail": {"title": "Detail", "type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_OUT = {
    "title": "ValidationErrorOut",
    "type": "object",
    "properties": {
        "detail": {
            "title": "Detail",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string"},
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                },
                "required": ["type", "loc", "msg"],
            },
        }
    },
    "required": ["detail"],
}


def _answer(description: str, schema: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def document(schema: dict) -> dict:
    """Add to each operation of an OpenAPI schema the answers given before its view runs.

    They come from this module and from django-ninja, not from the views, so the routes cannot
    declare them one by one and stay true: a 400 for a bad query parameter or a control character
    in the address, a 422 for a bad path
    parameter or body, a 401 where a session is required.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ERROR_OUT)
    components.setdefault("ValidationErrorOut", VALIDATION_ERROR_OUT)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            where = {parameter.get("in") for parameter in operation.get("parameters", [])}
            # A control character in the address is refused before routing (web.middleware).
            if where & {"query", "path"} and 400 not in responses:
                responses[400] = _answer(
                    "Bad Request: a query parameter or a control character in the address, named in `detail`",
                    "ErrorOut",
                )
            if ("path" in where or "requestBody" in operation) and 422 not in responses:
                responses[422] = _answer("Unprocessable Content: the failing values", "ValidationErrorOut")
            if operation.get("security") and 401 not in responses:
                responses[401] = _answer("Unauthorized: no signed-in session", "ErrorOut")
    return schema

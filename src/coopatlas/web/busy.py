"""Any request that meets SQLite's write lock held past the busy timeout (an import or an undo
writing meanwhile) gets a 503 saying so, with Retry-After, never a server error: the one place
where this is said for the web pages and the API alike (imports say it themselves, WriteBusy)."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from coopatlas.ingest.errors import WriteBusy, is_lock_error

RETRY_AFTER_SECONDS = 30


class WriteBusyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (isinstance(exception, OperationalError) and is_lock_error(exception)):
            return None
        busy = WriteBusy()
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": f"{busy.fr} / {busy.en}"}, status=503)
        else:
            english = getattr(request, "LANGUAGE_CODE", "fr") == "en"
            response = render(
                request, "web/busy.html", {"message": busy.en if english else busy.fr}, status=503
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

"""Each request's id, its log line, and the visitor's address behind the reverse proxy.

The id comes from the proxy's X-Request-ID when it is a sane token, else a new one; it is echoed
in the answer's X-Request-ID and attached to every log record written while the request runs
(an error's traceback names the same id as its request's line). In production one JSON line per
request says what was asked and how it went: the path without its query string (a search may
name a person), the user's id (never the e-mail), the status, the time and the worker's pid.
"""

import contextvars
import logging
import os
import re
import time
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

logger = logging.getLogger("coopatlas.requests")
HEADER = "X-Request-ID"
# A proxy's id (a UUID, a hex digest, Caddy's or nginx's $request_id): letters, digits, - _ . :
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,128}")
HEALTH_PATH = "/sante/"

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_from(value: str | None) -> str:
    """Return the proxy's id when it is a sane token, else a new one."""
    if value and _SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request under way ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class JsonLineFormatter(JsonFormatter):
    """python-json-logger's JSON lines, without the request object Django's error records carry
    (its text holds the query string)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time"])
        super().__init__(*args, **kwargs)


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id; the session is read only when the request carries its cookie."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES or not hasattr(request, "user"):
        return None
    return request.user.pk if request.user.is_authenticated else None


class RequestLogMiddleware:
    """Name each request (X-Request-ID, in and out) and log one line when it is answered."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            # Django logs an answer of 4xx or 5xx after every middleware is done, outside the
            # request's id: logged here, it carries it (and Django does not log it twice).
            if response.status_code >= 400:
                log_response(
                    "%s: %s", response.reason_phrase, request.path, response=response, request=request
                )
            # The proxy's health checks, every few seconds, are logged only when they fail.
            quiet = request.path == HEALTH_PATH and response.status_code == 200
            logger.log(
                logging.DEBUG if quiet else logging.INFO,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                    "pid": os.getpid(),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    """Return the visitor's address: behind TRUSTED_PROXIES reverse proxies, the one the outermost
    proxy wrote in X-Forwarded-For (django-axes counts failed sign-ins by it, not by the proxy's)."""
    proxies = settings.TRUSTED_PROXIES
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")

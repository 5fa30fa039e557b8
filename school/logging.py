"""Structured logs: one JSON object per line, for a log shipper (journald, Loki,
Elasticsearch) to read without parsing free text.

Every line holds `time` (ISO 8601 in UTC, alike in every process), `level`,
`logger`, `message`, `request_id` when one is known, `exception` (the whole
traceback) when there is one, and any `extra={...}` fields the call passed. Chinese stays Chinese
(`ensure_ascii=False`), so a line reads the same in the journal as in the page.

The request id is the `X-Request-ID` header the reverse proxy sets (nginx's
`$request_id`, deploy/nginx/gridschool.conf), so one id ties the proxy's line,
gunicorn's access line and the application's lines together. `RequestIdMiddleware`
keeps it for the length of the request; without the middleware the id is still
found on the records Django's own `django.request` logger writes (they carry the
request).
"""

import contextvars
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

__all__ = ["JsonFormatter", "RequestIdMiddleware", "current_request_id"]

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
# A proxy's id is hex or a UUID; anything else (a client's own header, too long, with
# quotes or newlines) is not trusted into the logs.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default=""
)

# The attributes every LogRecord has; whatever else a record carries came from
# `extra=` and goes into the line as its own field.
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__
) | {"message", "asctime", "request", "request_id", "taskName"}


def current_request_id() -> str:
    """The id of the request being served on this thread, or ""."""
    return _request_id.get()


def request_id_of(request: HttpRequest) -> str:
    value = request.META.get(REQUEST_ID_HEADER, "")
    return value if _REQUEST_ID.match(value) else ""


class RequestIdMiddleware:
    """Keeps the request's X-Request-ID for the logs written while serving it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_id.set(request_id_of(request))
        try:
            return self.get_response(request)
        finally:
            _request_id.reset(token)


def _jsonable(value):
    try:
        json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)
    return value


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = self._request_id(record)
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                entry.setdefault(key, _jsonable(value))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # json.dumps escapes newlines inside strings: a traceback stays on the line.
        return json.dumps(entry, ensure_ascii=False, default=str)

    @staticmethod
    def _request_id(record: logging.LogRecord) -> str:
        explicit = getattr(record, "request_id", "")
        if explicit:
            return str(explicit)
        if current := current_request_id():
            return current
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            return request_id_of(request)
        return ""

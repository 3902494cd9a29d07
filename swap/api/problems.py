"""The API's one error envelope: RFC 9457 problem details that keep the field reasons in `errors`.

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "This is a subaddress — use your wallet's primary address …",
     "errors": {"oxen_address": [{"code": "subaddress", "message": "This is a subaddress — …"}]}}

served as `application/problem+json`. `type` is `about:blank` (RFC 9457 §4.2.1): the status says
what kind of problem it is and `errors` says, per field, what to fix, each reason with a stable
`code`; problems that concern no single field are under `non_field_errors`. `errors` is always
there, so a client reads one shape whatever refused the request: a view, a service, DRF, Django's
resolver, a middleware, or an exception nobody expected (500, details only in the log).
A 429 also carries `retry_after` (seconds, as in the `Retry-After` header).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, Protocol

from django.http import Http404, HttpResponse
from rest_framework import exceptions
from rest_framework.views import set_rollback

PROBLEM_CONTENT_TYPE = "application/problem+json"
NON_FIELD = "non_field_errors"

# The reason code of each status when nothing more specific is known.
STATUS_CODES = {
    400: "invalid", 401: "not_authenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type", 429: "rate_limited",
    500: "server_error", 503: "unavailable",
}


class Reason(Protocol):
    """One reason a field was refused (`swap.registrations.exceptions.FieldProblem` is one)."""

    code: str
    message: str


def problem_body(status: int, errors: Mapping[str, Iterable[Reason]], *, detail: str = "",
                 **extra: Any) -> dict[str, Any]:
    """The envelope's dict. `detail` defaults to the one reason's message, or names the refused fields."""
    listed = {field: [{"code": reason.code, "message": reason.message} for reason in reasons]
              for field, reasons in errors.items()}
    if not detail:
        messages = [item["message"] for items in listed.values() for item in items]
        if len(messages) == 1:
            detail = messages[0]
        else:
            detail = "Refused: " + ", ".join(listed) + " (each reason is in errors)."
    return {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail,
            "errors": listed, **extra}


def problem_response(status: int, errors: Mapping[str, Iterable[Reason]], *, detail: str = "",
                     headers: Mapping[str, str] | None = None, **extra: Any) -> HttpResponse:
    """An `application/problem+json` response (a plain HttpResponse: no renderer may turn it into CSV)."""
    body = json.dumps(problem_body(status, errors, detail=detail, **extra), ensure_ascii=False)
    return HttpResponse(body.encode(), status=status, content_type=PROBLEM_CONTENT_TYPE, headers=headers)


class _Reason:
    __slots__ = ("code", "message")

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message


def single_problem(status: int, field: str, code: str, message: str, *,
                   headers: Mapping[str, str] | None = None, **extra: Any) -> HttpResponse:
    """A problem with one reason on one field (or on `non_field_errors`)."""
    return problem_response(status, {field: [_Reason(code, message)]}, headers=headers, **extra)


def status_problem(status: int, message: str, *, headers: Mapping[str, str] | None = None) -> HttpResponse:
    """A problem about the request as a whole, with the status's generic code."""
    return single_problem(status, NON_FIELD, STATUS_CODES.get(status, "error"), message, headers=headers)


class Problem(Exception):
    """Raised by API code to answer with one reason; the DRF hook and the middleware both render it."""

    def __init__(self, status: int, field: str, code: str, message: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.field, self.code, self.message = status, field, code, message
        self.headers = dict(headers or {})

    def response(self) -> HttpResponse:
        return single_problem(self.status, self.field, self.code, self.message, headers=self.headers)


def _validation_reasons(detail: Any, field: str = NON_FIELD) -> dict[str, list[Reason]]:
    """DRF's nested ValidationError detail, flattened to field -> reasons (nested fields dotted)."""
    reasons: dict[str, list[Reason]] = {}
    if isinstance(detail, Mapping):
        for name, inner in detail.items():
            inner_field = str(name) if field == NON_FIELD else f"{field}.{name}"
            for key, items in _validation_reasons(inner, inner_field).items():
                reasons.setdefault(key, []).extend(items)
    elif isinstance(detail, list):
        for inner in detail:
            for key, items in _validation_reasons(inner, field).items():
                reasons.setdefault(key, []).extend(items)
    else:
        reasons[field] = [_Reason(str(getattr(detail, "code", None) or "invalid"), str(detail))]
    return reasons


def api_exception_handler(exc: Exception, context: Mapping[str, Any]) -> HttpResponse | None:
    """DRF's `EXCEPTION_HANDLER`: every exception DRF knows becomes a problem; others propagate (500)."""
    if isinstance(exc, Problem):
        return exc.response()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, exceptions.ValidationError):
        set_rollback()
        return problem_response(exc.status_code, _validation_reasons(exc.detail))
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = str(getattr(exc, "auth_header"))  # noqa: B009 -- optional attribute
    extra: dict[str, Any] = {}
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = f"{int(wait)}"
        extra["retry_after"] = int(wait)
    set_rollback()
    code = getattr(exc.detail, "code", None) or STATUS_CODES.get(exc.status_code, "error")
    return single_problem(exc.status_code, NON_FIELD, str(code), _what_to_do(exc, context), headers=headers, **extra)


def _what_to_do(exc: exceptions.APIException, context: Mapping[str, Any]) -> str:
    """DRF's message, and for the two a client fixes by itself, how."""
    message = str(exc.detail)
    view = context.get("view")
    if isinstance(exc, exceptions.MethodNotAllowed) and view is not None:
        methods = ", ".join(method for method in view.allowed_methods if method != "OPTIONS")
        return f"{message} This path takes {methods}."
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return f"{message} Send the body as application/json."
    return message

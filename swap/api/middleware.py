"""Under /api/ an error is always the problem envelope, even when no API view made it.

API views answer their own errors (`problems`); this middleware covers the rest: Django's resolver
404 (an HTML page, with the URL list when DEBUG is on), the CSRF middleware's 403, a plain view's
bare 405, and any exception that escaped a view (a 500, logged with its traceback like Django
does, answered without it). It sits first in `MIDDLEWARE`, so it sees what every other layer
answered. Pages outside /api/ keep Django's own error pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse

from swap.api.problems import PROBLEM_CONTENT_TYPE, Problem, status_problem

API_PREFIX = "/api/"
# Headers of the replaced response that still hold: what to do next.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")
request_logger = logging.getLogger("django.request")


def is_api_path(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _generic_message(status: int, request: HttpRequest) -> str:
    if status == 404:
        return f"No API resource at {request.path_info}; the API's paths are in /api/v1/schema/."
    if status == 405:
        return f"{request.method} is not a method of {request.path_info}."
    if status >= 500:
        return "The server failed to answer this request; it has been logged."
    return f"{HTTPStatus(status).phrase}."


class ApiProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (not is_api_path(request) or response.status_code < 400
                or response.get("Content-Type") == PROBLEM_CONTENT_TYPE):
            return response
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        return status_problem(response.status_code, _generic_message(response.status_code, request), headers=headers)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request):
            return None
        if isinstance(exception, Problem):
            return exception.response()
        if isinstance(exception, Http404):
            return status_problem(404, str(exception) or _generic_message(404, request))
        if isinstance(exception, RequestDataTooBig):
            return status_problem(413, "The request body is too large.")
        if isinstance(exception, PermissionDenied | SuspiciousOperation):
            return None  # Django answers (and logs security events); __call__ wraps its answer
        request_logger.error("Internal Server Error: %s", request.path, exc_info=exception,
                             extra={"status_code": 500, "request": request})
        return status_problem(500, _generic_message(500, request))

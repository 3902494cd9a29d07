"""The API's one request parser: JSON, at most `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes, nesting bounded.

DRF reads the request stream itself, past Django's own size check, so the size is checked here:
every API body is a few short strings, anything large is abuse (413).

Python's JSON parser recurses once per nesting level: about 950 levels (2 KB of brackets) raised
`RecursionError`, which DRF does not catch (a 500). No API body nests at all, so anything deeper
than `MAX_JSON_DEPTH` is refused (400, code `too_deep`) by one linear scan of the text before the
parser sees it; a body of the maximum size costs a few milliseconds, whatever its shape.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32

# The only characters that open or close a level, or a string (inside which brackets do not count).
_STRUCTURE = re.compile(r'[\[\]{}"\\]')


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class NestedTooDeep(ParseError):
    default_code = "too_deep"


def nesting_exceeds(text: str, limit: int) -> bool:
    """True if arrays and objects in `text` (JSON, maybe malformed) nest deeper than `limit`."""
    depth = 0
    in_string = False
    skip_until = -1  # inside a string, the character after a backslash is escaped
    for match in _STRUCTURE.finditer(text):
        at = match.start()
        char = text[at]
        if in_string:
            if at < skip_until:
                continue
            if char == "\\":
                skip_until = at + 2
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


class ApiJSONParser(JSONParser):
    """JSON bodies only (anything else is a 415), bounded in size (413) and nesting (400)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes; an API request is a few short "
                                  "strings.")
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(f"JSON parse error - the body is not valid {encoding} text.") from None
        if nesting_exceeds(text, MAX_JSON_DEPTH):
            raise NestedTooDeep(f"JSON parse error - the body is nested deeper than {MAX_JSON_DEPTH} levels; "
                                "an API request is one flat object.")
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}.") from None

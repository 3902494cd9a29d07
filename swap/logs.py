"""Logs as one JSON object per line, carrying the ids that tie a line to what it is about.

Every line names its request (`request_id`: the client's `X-Request-ID` when it is sane, else a
new one, echoed in the response) or its Celery task (`task_id`, `task`), and the round, L2
transaction or claim it concerns (`round`, `transaction_id`, `claim_id`): from the task's
arguments (`round_id`), from `extra={...}`, or read from the message's own `round 3` / `l2tx:17`
/ `claim:<uuid>`. Secrets are masked before any handler writes (`swap.error_reports.CredentialLogFilter`
masks the known secrets; `SecretFieldFilter` below masks wallet signatures everywhere and fields
passed in `extra` named like a key or a signature). Production settings use `JsonFormatter`; the
embedded default keeps plain lines (`LOG_FORMAT`, docs/operations.md).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponse

from swap.error_reports import MASK, known_secrets, mask_text

# What a line is about (request_id, task_id, task, round_id…); set by the request middleware and
# the task signals (swap/task_events.py), cleared at each request's start and end.
_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("log_context", default={})  # noqa: B039
# Ids read from the message text of existing log lines ("round 3 frozen", "l2tx:17 failed").
_MESSAGE_IDS = (
    ("round", re.compile(r"\bround (\d+)\b")),
    ("transaction_id", re.compile(r"\bl2tx:(\d+)\b")),
    ("claim_id", re.compile(r"\bclaim:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)\b")),
)
# A request id from the client is echoed only if it is short and plain (it lands in every log line).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# `extra` fields never written, whatever their value: signatures and keys are not log material.
SECRET_FIELD = re.compile(r"signature|secret|password|private|key|token|authorization|cookie", re.IGNORECASE)
# Oxen wallet signatures (SigV1 + base58, docs in ../shared/oxen-crypto.md): masked wherever they appear.
SIGNATURE_TEXT = re.compile(r"SigV1[1-9A-HJ-NP-Za-km-z]{20,}")
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def current_context() -> dict[str, Any]:
    return dict(_context.get())


def bind(**fields: Any) -> contextvars.Token[dict[str, Any]]:
    """Add fields to every line logged from now on in this thread or task; undo with `unbind`."""
    return _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})


def unbind(token: contextvars.Token[dict[str, Any]]) -> None:
    _context.reset(token)


def mask_secrets(text: str) -> str:
    """`text` with every known secret (settings, environment) and every wallet signature masked."""
    return SIGNATURE_TEXT.sub(MASK, mask_text(text, known_secrets()))


class SecretFieldFilter(logging.Filter):
    """Mask signatures in the message and traceback, and secrets and signatures in `extra` fields.

    Runs after `CredentialLogFilter` (which masks the known secrets in the message): a signature is
    no setting, so only its shape finds it; a field named `signature`, `key`, `token`… is masked
    whatever it holds.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = SIGNATURE_TEXT.sub(MASK, message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_text:
            record.exc_text = SIGNATURE_TEXT.sub(MASK, record.exc_text)
        for name, value in list(vars(record).items()):
            if name in _STANDARD_ATTRIBUTES:
                continue
            # An `extra` field is written as it is (django.db.backends passes `sql` and `params`).
            setattr(record, name, MASK if SECRET_FIELD.search(name) else _masked_value(value))
        return True


def _masked_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, list | tuple):
        return [_masked_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _masked_value(item) for key, item in value.items()}
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context ids, extras, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        event: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        for field, pattern in _MESSAGE_IDS:
            found = pattern.search(message)
            if found:
                event[field] = int(found.group(1)) if found.group(1).isdigit() else found.group(1)
        event.update(_context.get())
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRIBUTES and not name.startswith("_"):
                event[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            event["exception"] = record.exc_text
        return json.dumps(event, default=str, ensure_ascii=False)


class RequestIdMiddleware:
    """Give each request an id (the client's sane `X-Request-ID`, else a new one) and echo it."""

    header = "X-Request-ID"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(self.header, "")
        request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Bound until the request is finished, not only inside the middleware: Django logs a 4xx/5xx
        # ("Forbidden: /metrics", a traceback) after the middleware chain returned.
        bind(request_id=request_id)
        response = self.get_response(request)
        response[self.header] = request_id
        return response


def _clear_context(**_: Any) -> None:
    _context.set({})


def connect_request_signals() -> None:
    """Start and end every request with no ids bound (a thread serves many requests)."""
    request_started.connect(_clear_context, dispatch_uid="swap.logs.request_started")
    request_finished.connect(_clear_context, dispatch_uid="swap.logs.request_finished")

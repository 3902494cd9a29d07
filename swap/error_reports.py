"""Error reports that never show a credential: the DEBUG page, its plain-text twin, and log lines.

Django's `SafeExceptionReporterFilter` hides a setting only when its *name* matches
API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE, and only while DEBUG is off. Here the wallet's
`OXEN_WALLET_RPC_LOGIN`, an L2 provider URL with its API key in the path, broker and cache URLs with
passwords, a Sentry DSN and the environment's `DATABASE_URL` (runserver copies the environment
into `request.META`) were all shown on the DEBUG page (issue 17, item 5). So, always, DEBUG or not:

- `CredentialFilter` hides every setting, `META` entry or dict key whose name says it may hold a
  credential (`CREDENTIAL_NAME`), and any value that contains a known secret;
- `CredentialReporter` replaces every known secret in everything the report shows — the
  exception's message, each frame's variables, the request's URI — with the mask;
- `CredentialLogFilter` does the same to log records (an exception logged with its traceback).

The known secrets are read from `CREDENTIAL_SETTINGS` and from credential-named environment
variables at report time: whole values, and the parts of URLs that carry a secret (the password,
query values, long path segments such as a provider's API key).
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import ItemsView, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeData, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

MASK = SafeExceptionReporterFilter.cleansed_substitute

# Settings that hold a credential or a URL/DSN that may carry one (the value is what is secret).
CREDENTIAL_SETTINGS = (
    "SECRET_KEY", "SECRET_KEY_FALLBACKS", "DATABASES", "CACHES", "REDIS_URL", "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND", "OXEND_RPC_URL", "OXEN_WALLET_RPC_URL", "OXEN_WALLET_RPC_LOGIN", "L2_RPC_URL",
    "L2_SIGNER_KEY", "L2_SIGNER_KEY_FILE", "SENTRY_DSN", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
    "METRICS_BEARER_TOKEN", "WATCHDOG_SIGNER_KEY", "L2_DEPLOYER_KEY",
)
# Names (settings, environment variables, dict keys) whose values are hidden whatever they hold.
CREDENTIAL_NAME = re.compile(
    r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|LOGIN|DSN|URL|URI|DATABASE|BROKER|CACHES|LOCATION"
    r"|REDIS|CREDENTIAL|PRIVATE",
    re.IGNORECASE,
)
# Shorter fragments are not treated as secrets: masking "admin" or "6379" everywhere helps nobody.
MIN_SECRET_CHARS = 6
MIN_PATH_SECRET_CHARS = 12


def _url_secrets(text: str) -> set[str]:
    """The parts of a URL that carry a credential: password, query values, long path segments."""
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:
        return set()
    if not parts.scheme or not parts.netloc:
        return set()
    found = {value for _, value in parse_qsl(parts.query, keep_blank_values=False)}
    found |= {segment for segment in parts.path.split("/") if len(segment) >= MIN_PATH_SECRET_CHARS}
    if password:
        found |= {password, f"{parts.username}:{password}"}
    if found:
        found.add(text)  # the whole URL, as printed by clients that quote it
    return found


def _secrets_in(value: Any) -> set[str]:
    if isinstance(value, str):
        found = _url_secrets(value) or {value}
        if ":" in value and "://" not in value:  # "user:password" logins
            found.add(value.partition(":")[2])
        return found
    if isinstance(value, dict):
        return set().union(*(_secrets_in(item) for item in value.values())) if value else set()
    if isinstance(value, list | tuple | set | frozenset):
        return set().union(*(_secrets_in(item) for item in value)) if value else set()
    return set()


def known_secrets() -> list[str]:
    """Every secret value in force now, longest first (so a URL is masked before its parts).

    Recomputed only when a credential setting changed (every log record asks); the environment's
    part once per process, since a process's environment is fixed when it starts.
    """
    values = tuple(getattr(settings, name, None) for name in CREDENTIAL_SETTINGS)
    key = repr(values)
    cached = _cache.get("secrets")
    if cached is not None and cached[0] == key:
        return cached[1]
    found = set(_environment_secrets())
    for name, value in zip(CREDENTIAL_SETTINGS, values, strict=True):
        if name in ("DATABASES", "CACHES"):  # only the parts under credential-looking keys are secret
            value = _credential_leaves(value)
        found |= _secrets_in(value)
    secrets = sorted((s for s in found if len(s) >= MIN_SECRET_CHARS), key=len, reverse=True)
    _cache["secrets"] = (key, secrets)
    return secrets


@functools.cache
def _environment_secrets() -> frozenset[str]:
    found: set[str] = set()
    for name, text in os.environ.items():
        if CREDENTIAL_NAME.search(name):
            found |= _secrets_in(text)
    return frozenset(found)


_cache: dict[str, tuple[object, list[str]]] = {}


def _credential_leaves(value: Any) -> list[Any]:
    if not isinstance(value, dict):
        return []
    leaves: list[Any] = []
    for key, item in value.items():
        if isinstance(item, dict):
            leaves.extend(_credential_leaves(item))
        elif isinstance(key, str) and CREDENTIAL_NAME.search(key):
            leaves.append(item)
    return leaves


def mask_text(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (and its HTML-escaped form) replaced by the mask."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
        escaped = escape(secret)
        if escaped != secret and escaped in text:
            text = text.replace(escaped, MASK)
    return text


def _masked(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, SafeData) and isinstance(value, str):
        return mark_safe(mask_text(str(value), secrets))  # noqa: S308 - escaped before, only masked here
    if isinstance(value, str):
        return mask_text(value, secrets)
    if isinstance(value, BaseException):
        return mask_text(str(value), secrets)
    if isinstance(value, dict):
        return {key: _masked(item, secrets) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(_masked(item, secrets) for item in value)
    if isinstance(value, list | ItemsView):
        return [_masked(item, secrets) for item in value]
    return value


class CredentialFilter(SafeExceptionReporterFilter):
    """Hide credential-named settings and any value holding a known secret, DEBUG or not."""

    hidden_settings = CREDENTIAL_NAME

    def is_active(self, request: Any) -> bool:
        return True  # Django turns its filter off under DEBUG: exactly when the page is shown to anyone

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str) and cleansed != MASK:
            masked = mask_text(cleansed, known_secrets())
            return MASK if masked != cleansed else cleansed
        return cleansed


class CredentialReporter(ExceptionReporter):
    """Django's reporter, with every known secret masked in what the page and the text report show."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        secrets = known_secrets()
        for key in ("exception_value", "exception_notes", "frames", "lastframe", "request_insecure_uri",
                    "request_GET_items", "filtered_POST_items", "request_COOKIES_items", "template_info",
                    "postmortem"):
            if key in data:
                data[key] = _masked(data[key], secrets)
        if "lastframe" in data and data.get("frames"):
            data["lastframe"] = data["frames"][-1]
        return data


class CredentialLogFilter(logging.Filter):
    """Mask known secrets in a log record's message and traceback before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = known_secrets()
        message = record.getMessage()
        masked = mask_text(message, secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text, secrets)
        return True

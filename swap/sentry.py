"""Optional error reports to Sentry: on only with `SENTRY_DSN`, and never with PII or a secret.

No PII option is set, so the SDK collects none (no cookies, user or client IP) and runs its own
scrubber; request bodies and frame locals are never collected; and `scrub_event` runs before
anything leaves: every value under a key named like a secret or a signature is masked, and every
string has the known secrets and wallet signatures masked (`swap.logs`), breadcrumbs (earlier
log lines) included. tests/monitoring/test_sentry.py reads what reaches a stand-in for Sentry.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from django.conf import settings

from swap.error_reports import MASK
from swap.logs import SECRET_FIELD, mask_secrets


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {key: MASK if isinstance(key, str) and SECRET_FIELD.search(key) else _scrub(item)
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry's `before_send`: the event with every secret masked, the request body and cookies dropped."""
    request = event.get("request")
    if isinstance(request, dict):
        for dropped in ("data", "cookies"):
            request.pop(dropped, None)
    scrubbed: dict[str, Any] = _scrub(event)
    return scrubbed


def init_from_settings() -> bool:
    """Start the Sentry client when `SENTRY_DSN` is set; return whether it did."""
    dsn = getattr(settings, "SENTRY_DSN", "")
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=settings.SENTRY_ENVIRONMENT,
        # Neither send_default_pii nor data_collection: the SDK then collects no PII and runs its own
        # EventScrubber (cookies, auth headers, key-named fields) before ours.
        include_local_variables=False,  # frame locals may hold a key or a signature
        max_request_body_size="never",  # a registration's body holds its signature
        before_send=scrub_event,  # type: ignore[arg-type]
        traces_sample_rate=0.0,
    )
    return True

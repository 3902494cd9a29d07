"""What production refuses to run with: DEBUG on, and a missing, default, short or weak SECRET_KEY.

Plain Python, read by `swap/settings.py` (production, i.e. `DATABASE_URL` set, stops at start with
one line naming the setting) and by `swap/checks.py` (`check --deploy` reports both as errors, on
any database). DEBUG shows settings, SQL and tracebacks to anyone who triggers an error; the
secret signs sessions, password-reset tokens and the audit trail's IP hashes, so a guessable one
lets anyone forge an admin session.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

# The embedded default's secret: fine on a laptop, refused in production and by `check --deploy`.
DEFAULT_SECRET_KEY = "embedded-default-insecure-secret-key-do-not-use-in-production"  # noqa: S105
# Django's own rule for a strong key (security.W009): at least 50 characters, at least 5 distinct.
MIN_SECRET_KEY_CHARS = 50
MIN_SECRET_KEY_DISTINCT_CHARS = 5
# Prefix of the keys `startproject` writes: published in every tutorial.
INSECURE_PREFIX = "django-insecure-"


class ProductionSettingsError(ImproperlyConfigured):
    """A production process was started with a setting that must never reach production."""


def secret_key_problem(secret_key: str) -> str | None:
    """Why this SECRET_KEY must not be used in production, in one line; None when it may."""
    if not secret_key:
        return "SECRET_KEY is not set"
    if secret_key == DEFAULT_SECRET_KEY:
        return "SECRET_KEY is the embedded default, published with the source"
    if secret_key.startswith(INSECURE_PREFIX):
        return f"SECRET_KEY starts with {INSECURE_PREFIX!r}: a development key"
    if len(secret_key) < MIN_SECRET_KEY_CHARS:
        return f"SECRET_KEY has {len(secret_key)} characters, fewer than {MIN_SECRET_KEY_CHARS}"
    if len(set(secret_key)) < MIN_SECRET_KEY_DISTINCT_CHARS:
        return f"SECRET_KEY has fewer than {MIN_SECRET_KEY_DISTINCT_CHARS} distinct characters"
    return None


def refuse_unsafe_production(*, secret_key: str, debug: bool) -> None:
    """Raise `ProductionSettingsError` naming the first setting production must not run with."""
    if debug:
        raise ProductionSettingsError(
            "DEBUG is on with DATABASE_URL set: production never runs with DEBUG=true (it shows settings and "
            "tracebacks to anyone)"
        )
    problem = secret_key_problem(secret_key)
    if problem is not None:
        raise ProductionSettingsError(
            f"{problem}: production (DATABASE_URL set) needs a long random SECRET_KEY, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )

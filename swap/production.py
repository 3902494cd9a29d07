"""What production refuses to run with: DEBUG on, and a missing, default, short or weak SECRET_KEY.

Plain Python, read by `swap/settings.py` (production, i.e. `DATABASE_URL` set, stops at start with
one line naming the setting) and by `swap/checks.py` (`check --deploy` reports both as errors, on
any database). DEBUG shows settings, SQL and tracebacks to anyone who triggers an error; the
secret signs sessions, password-reset tokens and the audit trail's IP hashes, so a guessable one
lets anyone forge an admin session.
"""

from __future__ import annotations

from collections.abc import Mapping

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


# --- What each deployed process cannot run without (issue 16; deploy/systemd/ sets SWAP_PROCESS) ------
# Every systemd unit names its process in SWAP_PROCESS. Without these settings the process would not
# fail, it would quietly do the wrong thing: tasks inside web requests (no broker), rate limits per
# process (no Redis), every client in one rate-limit bucket behind nginx (TRUSTED_PROXY_COUNT left at
# its default), an SSL redirect loop behind the TLS proxy, snapshots or deposits never read (no Oxen
# URL), no key to sign or veto with. `A | B` means either one. Empty counts as missing; "0" does not.
EVERY_PROCESS_REQUIRES = ("DATABASE_URL", "SECRET_KEY", "CELERY_BROKER_URL", "REDIS_URL")
PROCESS_REQUIRES: dict[str, tuple[str, ...]] = {
    "web": ("ALLOWED_HOSTS", "TRUSTED_PROXY_COUNT", "SECURE_PROXY_SSL_HEADER", "OXEN_WALLET_RPC_URL",
            "L2_DISTRIBUTOR_ADDRESS"),
    "worker": ("OXEND_RPC_URL", "OXEN_WALLET_RPC_URL"),
    "worker-l2": ("L2_RPC_URL", "L2_CHAIN_ID", "L2_DISTRIBUTOR_ADDRESS", "L2_DISTRIBUTOR_DEPLOY_BLOCK",
                  "L2_TOKEN_ADDRESS", "L2_SIGNER_KEY_FILE | L2_SIGNER_KEY"),
    "beat": (),
    "watchdog": ("WATCHDOG_RPC_URL | L2_RPC_URL", "L2_CHAIN_ID", "L2_DISTRIBUTOR_ADDRESS",
                 "L2_DISTRIBUTOR_DEPLOY_BLOCK", "WATCHDOG_SIGNER_KEY_FILE | WATCHDOG_SIGNER_KEY"),
}


def missing_process_setting(process: str, environ: Mapping[str, str]) -> str | None:
    """The first setting `process` (a SWAP_PROCESS value) needs and `environ` lacks, in one line; None if none."""
    if process not in PROCESS_REQUIRES:
        return f"SWAP_PROCESS is {process!r}, not one of {', '.join(sorted(PROCESS_REQUIRES))}"
    for requirement in EVERY_PROCESS_REQUIRES + PROCESS_REQUIRES[process]:
        names = [name.strip() for name in requirement.split("|")]
        if not any(environ.get(name, "").strip() for name in names):
            return f"{' or '.join(names)} is not set: the {process} process (SWAP_PROCESS={process}) needs it"
    return None


def refuse_incomplete_process(process: str, environ: Mapping[str, str]) -> None:
    """Raise `ProductionSettingsError` naming the first setting this deployed process lacks."""
    problem = missing_process_setting(process, environ)
    if problem is not None:
        raise ProductionSettingsError(problem)

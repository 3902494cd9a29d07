"""Deployment checks: `manage.py check --deploy` fails while production leans on an embedded default.

The embedded default (SQLite, in-process tasks, a per-process cache, a published secret, loopback
hosts, DEBUG) is right for a laptop and wrong for money: each of these is an Error, not a Warning,
so the command exits non-zero and a deploy script stops. Django's own checks only warn about a
weak SECRET_KEY (security.W009) and DEBUG (security.W018); E001 and E006 make them errors.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from swap.production import secret_key_problem

# The embedded default's hosts: a production site answering only to these serves nobody.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """Return one Error per production setting that still has its embedded default, or is unsafe."""
    errors: list[CheckMessage] = []
    secret_problem = secret_key_problem(settings.SECRET_KEY)
    if secret_problem is not None:
        errors.append(
            Error(f"{secret_problem}.", hint="Set SECRET_KEY to a long random value (50+ characters).", id="swap.E001")
        )
    if settings.DEBUG:
        errors.append(
            Error("DEBUG is on: error pages would show settings and tracebacks to anyone.", hint="Set DEBUG=false.",
                  id="swap.E006")
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(
            Error("The database is SQLite.", hint="Set DATABASE_URL to the PostgreSQL database.", id="swap.E002")
        )
    if not settings.CELERY_BROKER_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        errors.append(
            Error(
                "No Celery broker: tasks would run inside web requests.",
                hint="Set CELERY_BROKER_URL to the Redis broker.",
                id="swap.E003",
            )
        )
    if not set(settings.ALLOWED_HOSTS) - LOOPBACK_HOSTS or "*" in settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS is the embedded default (this machine only) or accepts any host.",
                hint="Set ALLOWED_HOSTS to the service's public host names.",
                id="swap.E005",
            )
        )
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        errors.append(
            Error(
                "The cache is per-process memory, so rate limits would not be shared between workers.",
                hint="Set REDIS_URL.",
                id="swap.E004",
            )
        )
    return errors

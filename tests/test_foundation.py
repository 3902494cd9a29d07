"""The foundation's promises: settings from the environment, deploy checks, the portal answers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from swap.audit import AuditOutsideTransactionError, hash_ip, record_event
from swap.models import AppendOnlyError, AuditEvent

REPO_ROOT = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/swap",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
    "SECRET_KEY": "a-long-random-production-secret-0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
    "ALLOWED_HOSTS": "swap.example.org",
}
SERVICE_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env={**base, **env},
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_fails_on_the_embedded_defaults():
    result = run_manage("check", "--deploy", env={})
    assert result.returncode != 0
    for code in ("swap.E001", "swap.E002", "swap.E003", "swap.E004", "swap.E005"):
        assert code in result.stderr


@pytest.mark.parametrize("dropped", ["SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "ALLOWED_HOSTS"])
def test_check_deploy_fails_when_one_production_variable_is_missing(dropped):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != dropped}
    result = run_manage("check", "--deploy", env=env)
    assert result.returncode != 0, result.stderr


def test_check_deploy_refuses_a_site_that_answers_to_any_host():
    result = run_manage("check", "--deploy", env={**PRODUCTION_ENV, "ALLOWED_HOSTS": "*"})
    assert result.returncode != 0 and "swap.E005" in result.stderr


def test_check_deploy_passes_with_production_variables():
    result = run_manage("check", "--deploy", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "ERRORS" not in result.stderr


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"DEBUG": "true"}, "DEBUG"),
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "embedded-default-insecure-secret-key-do-not-use-in-production"}, "SECRET_KEY"),
        ({"SECRET_KEY": "changeme"}, "SECRET_KEY"),
        ({"SECRET_KEY": "0123456789abcdef0123456789abcdef"}, "SECRET_KEY"),  # 32 characters: short
        ({"SECRET_KEY": "a" * 64}, "SECRET_KEY"),  # long, but one character
        ({"SECRET_KEY": "django-insecure-" + "x7Kp2QvL9mZr4TnB8wYc3HdF6sJg1Ae5Uo0Ni"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_with_debug_or_a_weak_secret(change, named):
    """Issue 17, item 4: with DATABASE_URL set, any command (and the web process) stops, one line why."""
    env = {**PRODUCTION_ENV, **{k: v for k, v in change.items() if v is not None}}
    env = {k: v for k, v in env.items() if change.get(k, "") is not None}
    result = run_manage("check", env=env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "Traceback" not in result.stderr, result.stderr
    web = subprocess.run([sys.executable, "-c", "import swap.wsgi"], cwd=REPO_ROOT, capture_output=True, text=True,
                         env={**{k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}, **env},
                         timeout=120)
    assert web.returncode != 0 and named in web.stderr.strip().splitlines()[-1]


def test_check_deploy_makes_debug_and_a_weak_secret_errors_not_warnings():
    result = run_manage("check", "--deploy", env={"DEBUG": "true", "SECRET_KEY": "changeme"})
    assert result.returncode != 0
    errors = result.stderr.split("WARNINGS:")[0]
    assert "swap.E001" in errors and "swap.E006" in errors, result.stderr


def test_a_long_random_secret_and_debug_off_start_in_production():
    result = run_manage("check", env={**PRODUCTION_ENV, "DEBUG": "false"})
    assert result.returncode == 0, result.stderr


def test_embedded_default_runs_tasks_in_process_on_sqlite():
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='swap.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'], s.DEBUG)"
    )
    base = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=base, capture_output=True, text=True)
    assert out.stdout.split() == [
        "django.db.backends.sqlite3", "True", "django.core.cache.backends.locmem.LocMemCache", "True"
    ], out.stderr


@pytest.mark.django_db
def test_the_portal_home_page_explains_both_programs(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Service Node Bonus" in body and "Oxen Coin Claims" in body
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_healthz_reports_a_reachable_database(client):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_the_openapi_schema_is_served(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"openapi" in response.content


@pytest.mark.django_db
def test_audit_events_are_append_only():
    with transaction.atomic():
        event = record_event("system:test:created", actor="system", subject="s", ip="203.0.113.9")
    assert event.ip_hash == hash_ip("203.0.113.9") and "203.0.113.9" not in event.ip_hash
    event.data = {"changed": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(tag="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).tag == "system:test:created"


@pytest.mark.django_db(transaction=True)
def test_an_audit_event_outside_a_transaction_is_refused():
    with pytest.raises(AuditOutsideTransactionError):
        record_event("system:test:created", actor="system")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_home_page_shows_the_rules_in_force_from_settings(client, settings):
    settings.SNB_FINAL_HEIGHT = 1_900_123
    settings.CLAIMS_CONFIRMATIONS = 12
    body = client.get("/").content.decode()
    assert "not including, block 1900123" in body
    assert "after 12 confirmations" in body
    assert "The multiplier is 1: no reduction is scheduled." in body
    assert "order of the lowercase Ethereum address" in body
    settings.CLAIMS_POOL_ATOMIC = 12_345 * 10**9 + 5
    settings.CLAIMS_REDUCED_MULTIPLIER_ENABLED = True
    settings.CLAIMS_TGE_TIME = "2025-05-21T02:00:00+02:00"
    body = client.get("/").content.decode()
    assert "12,345.000000005 SESH are swapped" in body
    assert "The multiplier is 1 at first; from 2025-11-21 00:00 UTC it is 0.7." in body

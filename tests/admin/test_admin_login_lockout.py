"""The admin login locks out guessing per client and per username, and audits every failure.

Issue 17, item 2: 60 wrong passwords in 30 s were all answered, then the right one worked, and
no failure was in the audit trail. Real HTTP through Django's test client, the admin's own form.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from swap.audit import hash_ip
from swap.models import AuditEvent

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"
PASSWORD = "a-correct-horse-battery-staple"


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser("root", password=PASSWORD)


@pytest.fixture(autouse=True)
def _limits(settings):
    # A fast hasher: the guard is under test here, not PBKDF2's million rounds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ADMIN_LOGIN_RATE_LIMIT_IP = "5/hour"
    settings.ADMIN_LOGIN_RATE_LIMIT_USERNAME = "5/hour"


def log_in(username: str, password: str, ip: str) -> tuple[Client, object]:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip)
    return client, response


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_works_at_once_and_writes_no_failure(admin_user):
    client, response = log_in("root", PASSWORD, "198.51.100.1")
    assert response.status_code == 302 and logged_in(client)
    assert not AuditEvent.objects.filter(tag__startswith="admin:login").exists()


def test_guessing_from_one_client_locks_it_out_even_with_the_right_password(admin_user):
    for _ in range(5):
        client, response = log_in("root", "wrong", "198.51.100.1")
        assert response.status_code == 200 and not logged_in(client)
    client, locked = log_in("root", PASSWORD, "198.51.100.1")
    assert locked.status_code == 429 and not logged_in(client)
    assert 0 < int(locked["Retry-After"]) <= 3600
    assert "Too many failed login attempts" in locked.content.decode()
    failed = AuditEvent.objects.filter(tag="admin:login_failed").order_by("id")
    assert failed.count() == 5
    assert failed[0].subject == "user:root" and failed[0].ip_hash == hash_ip("198.51.100.1")
    assert AuditEvent.objects.filter(tag="admin:login_locked", subject="user:root").count() == 1


def test_guessing_many_usernames_from_one_client_locks_that_client_only(admin_user):
    for name in ("admin", "administrator", "operator", "auditor", "demo"):
        assert log_in(name, "wrong", "2001:db8:7:7::1")[1].status_code == 200
    # Another address of the same /64 is the same client.
    assert log_in("root", PASSWORD, "2001:db8:7:7::99")[1].status_code == 429
    client, response = log_in("root", PASSWORD, "203.0.113.9")
    assert response.status_code == 302 and logged_in(client)


def test_guessing_one_username_from_many_clients_locks_the_username(admin_user):
    for host in range(1, 6):
        assert log_in("Root ", "wrong", f"198.51.100.{host}")[1].status_code == 200
    client, response = log_in("root", PASSWORD, "203.0.113.9")
    assert response.status_code == 429 and not logged_in(client)
    # Other staff are not affected.
    User.objects.create_user("auditor", password=PASSWORD, is_staff=True)
    client, response = log_in("auditor", PASSWORD, "203.0.113.9")
    assert response.status_code == 302 and logged_in(client)


def test_a_locked_attempt_does_not_check_the_password(admin_user, django_assert_max_num_queries):
    for _ in range(5):
        log_in("root", "wrong", "198.51.100.1")
    # No user lookup, no session write: one insert for the audit event (plus its savepoint).
    with django_assert_max_num_queries(3):
        assert log_in("root", PASSWORD, "198.51.100.1")[1].status_code == 429


def test_an_operator_lifts_a_lockout_with_the_command(admin_user, capsys):
    for host in range(1, 6):
        log_in("root", "wrong", f"2001:db8:9:9::{host}")
    assert log_in("root", PASSWORD, "203.0.113.9")[1].status_code == 429
    call_command("unlock_admin_login", "--username", "ROOT")
    assert log_in("root", PASSWORD, "203.0.113.9")[1].status_code == 302
    assert log_in("someone", PASSWORD, "2001:db8:9:9::77")[1].status_code == 429  # the client is still locked
    call_command("unlock_admin_login", "--ip", "2001:db8:9:9::1")
    assert log_in("root", PASSWORD, "2001:db8:9:9::77")[1].status_code == 302
    assert "unlocked ip 2001:db8:9:9::1" in capsys.readouterr().out
    assert AuditEvent.objects.filter(tag="admin:login_unlocked").count() == 2
    with pytest.raises(CommandError, match="--username or the --ip"):
        call_command("unlock_admin_login")

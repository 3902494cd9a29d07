"""Concurrent submissions for one Oxen address on PostgreSQL: one current row, one linear history."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from swap.registrations import services
from swap.registrations.exceptions import RegistrationConflict
from swap.registrations.models import Registration
from swap.registrations.services import Submission, submit_registration
from tests.registrations.wallets import Wallet, new_eth_address, registration

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 8


def run_together(submissions: list[Submission]) -> list[str]:
    """Submit all at once from separate threads (separate connections); return each outcome."""
    barrier = threading.Barrier(len(submissions))

    def one(submission: Submission) -> str:
        try:
            barrier.wait()
            return submit_registration(submission, ip="192.0.2.1").outcome
        except RegistrationConflict:
            return "conflict"
        finally:
            connection.close()

    with ThreadPoolExecutor(len(submissions)) as pool:
        return list(pool.map(one, submissions))


def assert_consistent_history(oxen_address: str) -> list[Registration]:
    rows = list(Registration.objects.filter(oxen_address=oxen_address).order_by("created_at", "id"))
    assert sum(row.is_current for row in rows) == 1
    assert rows[-1].is_current
    assert rows[0].replaces is None
    for older, newer in zip(rows, rows[1:], strict=False):
        assert newer.replaces_id == older.pk
        assert not older.is_current and older.superseded_at == newer.created_at
    return rows


def test_concurrent_submissions_of_different_eth_addresses_leave_one_current_row():
    wallet = Wallet()
    submissions = []
    for _ in range(THREADS):
        eth = new_eth_address()
        submissions.append(Submission(wallet.address, eth, wallet.sign(eth)))
    outcomes = Counter(run_together(submissions))
    assert outcomes == {"created": 1, "replaced": THREADS - 1}
    assert len(assert_consistent_history(wallet.address)) == THREADS


def test_concurrent_submissions_of_the_same_pair_store_one_row():
    wallet = Wallet()
    eth = new_eth_address()
    outcomes = Counter(run_together([Submission(wallet.address, eth, wallet.sign(eth)) for _ in range(THREADS)]))
    assert outcomes == {"created": 1, "unchanged": THREADS - 1}
    assert Registration.objects.filter(oxen_address=wallet.address).count() == 1


def test_without_the_lock_the_unique_constraint_still_keeps_one_current_row(monkeypatch):
    """Fault injection: switch the advisory lock off; the database constraint is the last guard."""
    monkeypatch.setattr(services, "_lock_address", lambda oxen_address: None)
    wallet = Wallet()
    submissions = []
    for _ in range(THREADS):
        eth = new_eth_address()
        submissions.append(Submission(wallet.address, eth, wallet.sign(eth)))
    outcomes = Counter(run_together(submissions))
    assert set(outcomes) <= {"created", "replaced", "conflict"} and outcomes["created"] == 1
    rows = assert_consistent_history(wallet.address)
    assert len(rows) == outcomes["created"] + outcomes["replaced"]


def test_concurrent_http_posts_for_one_address_answer_201_once_per_stored_row(live_server):
    wallet = Wallet()
    payloads = [registration(wallet) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def post(payload: dict) -> int:
        barrier.wait()
        return requests.post(f"{live_server.url}/api/v1/registrations/", json=payload, timeout=30).status_code

    with ThreadPoolExecutor(THREADS) as pool:
        codes = Counter(pool.map(post, payloads))
    assert codes == {201: THREADS}
    assert len(assert_consistent_history(wallet.address)) == THREADS

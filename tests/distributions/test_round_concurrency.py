"""Two workers at once, on PostgreSQL (real row locks, real commits): exactly one of them wins."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from swap.chain import outbox
from swap.chain.models import L2Transaction
from swap.chain.tracking import track_transactions
from swap.distributions.models import DistributionEntry, RoundStatus
from swap.distributions.services.rounds import create_round, freeze_round
from swap.distributions.tasks import freeze_round_task, publish_round_task
from swap.models import AuditEvent
from tests.distributions.conftest import SESH

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ACCOUNTS = [f"0x{i:040x}" for i in range(1, 301)]


def run_together(*functions):
    """Start the functions in threads at the same instant; return the exceptions they raised."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(function):
        try:
            barrier.wait()
            function()
        except Exception as error:  # collected and asserted by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_two_workers_freezing_the_same_round_freeze_it_once(entitlements):
    entitlements.set(bonus={a: i + 1 for i, a in enumerate(ACCOUNTS)})
    round_ = create_round(cutoff=timezone.now(), actor="test")
    errors = run_together(*[lambda: freeze_round_task.apply(args=[round_.pk])] * 2)
    assert errors == []
    round_.refresh_from_db()
    assert round_.status == RoundStatus.FROZEN
    assert DistributionEntry.objects.count() == len(ACCOUNTS)
    assert AuditEvent.objects.filter(tag="round:frozen").count() == 1


@pytest.mark.chain
def test_two_workers_publishing_the_same_round_send_one_transaction(deployed, entitlements, l2):
    entitlements.set(bonus={ACCOUNTS[0]: 2 * SESH, ACCOUNTS[1]: 3 * SESH})
    round_ = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    errors = run_together(*[lambda: publish_round_task.apply(args=[round_.pk])] * 2)
    assert errors == []
    assert L2Transaction.objects.filter(purpose="propose_root").count() == 1
    assert AuditEvent.objects.filter(tag="round:proposed").count() == 1
    l2.settle()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PENDING


@pytest.mark.chain
def test_two_trackers_at_once_sign_each_transaction_once_with_distinct_nonces(l2, transfers_to):
    receiver = "0x000000000000000000000000000000000000bEEF"
    transfers_to.add(receiver)  # plain transfers: see tests/conftest.py
    with transaction.atomic():
        txs = [
            outbox.enqueue(purpose="other", subject="test", to=receiver, data="0x", value_wei=v, actor="test",
                           gas_limit=21000)
            for v in (1, 2, 4, 8, 16)
        ]

    def tracker():
        deadline = time.monotonic() + 60
        while L2Transaction.objects.filter(status__in=L2Transaction.OPEN_STATUSES).exists():
            assert time.monotonic() < deadline
            track_transactions()
            l2.mine()

    assert run_together(tracker, tracker) == []
    nonces = sorted(L2Transaction.objects.filter(pk__in=[t.pk for t in txs]).values_list("nonce", flat=True))
    assert nonces == [0, 1, 2, 3, 4]
    assert all(t.attempts.count() == 1 for t in L2Transaction.objects.all())
    assert l2.eth_balance(receiver) == 31
    assert AuditEvent.objects.filter(tag="l2tx:confirmed").count() == 5

"""The business figures of /metrics against the database and the peers, on real flows.

Deposits come from the Oxen simulator's wallet through the real watcher, registrations and
refusals through the API with real signatures; the tallies behind the big-table figures must
equal a GROUP BY of the tables after inserts, bulk inserts, updates and deletes.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, Sum

from bonuses.services.capture import capture_snapshot
from claims.models import Deposit, DepositState
from swap.chain.models import ChainAccount, L2Transaction
from swap.distributions.models import DistributionRound
from swap.distributions.tasks import publish_round_task
from swap.oxend import OxendClient
from swap.ratelimit import SCOPES, Limiter, parse_rate
from swap.tallies import triggers
from swap.tallies.models import Tally
from tests.claims.claims_world import OXEN, World
from tests.distributions.conftest import SESH
from tests.distributions.l2 import SERVICE_ADDRESS
from tests.monitoring.scrape import scrape, value
from tests.registrations.wallets import Wallet, new_eth_address

pytestmark = pytest.mark.django_db
SENDER = "0x" + "1" * 40


def _tx(**fields):
    return L2Transaction(chain_id=31337, sender=SENDER, purpose=fields.pop("purpose", "payout_batch"), **fields)


def test_outbox_tallies_follow_inserts_bulk_inserts_updates_and_deletes(client):
    L2Transaction.objects.bulk_create([_tx() for _ in range(5)] + [_tx(purpose="propose_root")])
    first = _tx()
    first.save()
    L2Transaction.objects.filter(pk=first.pk).update(status="failed", error="given up")
    L2Transaction.objects.filter(status="queued", purpose="payout_batch").exclude(pk=first.pk)[:1].get().delete()
    L2Transaction.objects.filter(pk=first.pk).update(error="edited, status unchanged")

    samples = scrape(client)
    live = {(r["purpose"], r["status"]): r["n"] for r in L2Transaction.objects.values("purpose", "status")
            .annotate(n=Count("id"))}
    assert live == {("payout_batch", "queued"): 4, ("propose_root", "queued"): 1, ("payout_batch", "failed"): 1}
    for (purpose, status), count in live.items():
        assert value(samples, "sesh_outbox_transactions", purpose=purpose, status=status) == count
    assert value(samples, "sesh_outbox_transactions", purpose="activate_root", status="confirmed") == 0
    assert value(samples, "sesh_outbox_oldest_unconfirmed_age_seconds") >= 0


def test_reinstalling_the_triggers_recounts_a_source_whose_triggers_were_lost(client):
    L2Transaction.objects.bulk_create([_tx() for _ in range(3)])
    Tally.objects.filter(source="outbox").update(row_count=99)  # as if counts had drifted
    with connection.cursor() as cursor:  # as SQLite does when a migration rebuilds the table
        for name in triggers._expected_triggers(triggers.SOURCES[0], connection.vendor):
            cursor.execute(f"DROP TRIGGER {name}" + (" ON chain_l2transaction" if connection.vendor == "postgresql"
                                                       else ""))
    assert triggers.install() == ["outbox"]
    assert triggers.install() == []
    assert value(scrape(client), "sesh_outbox_transactions", purpose="payout_batch", status="queued") == 3


def test_a_flush_recounts_every_source_and_a_migrate_only_the_broken_ones(client):
    L2Transaction.objects.bulk_create([_tx() for _ in range(2)])
    Tally.objects.filter(source="outbox").update(row_count=-5)  # what SQLite's row-by-row flush can leave
    triggers.install_after_migrate(using="default", plan=[])  # after a migrate: triggers are all there
    assert Tally.objects.get(source="outbox", key1="payout_batch", key2="queued").row_count == -5
    triggers.install_after_migrate(using="default")  # after a flush: no plan
    assert value(scrape(client), "sesh_outbox_transactions", purpose="payout_batch", status="queued") == 2


def test_deposits_by_state_and_the_oldest_waiting_come_from_the_watcher(client, world: World):
    world.snapshot()
    claim = world.open()
    waiting = world.pay(claim, 2 * OXEN, blink=True)
    credited = world.pay(claim, 3 * OXEN)
    world.mine(10)
    world.sim.wallet.mine_transfer(credited)
    world.mine(10)
    world.poll()
    assert world.deposit(credited).state == DepositState.CREDITED
    assert world.deposit(waiting).state == DepositState.SEEN

    samples = scrape(client)
    live = dict(Deposit.objects.values_list("state").annotate(n=Count("id")))
    for state in DepositState.values:
        assert value(samples, "sesh_deposits", state=state) == live.get(state, 0)
    assert value(samples, "sesh_deposits_oldest_waiting_age_seconds") >= 0
    credited_sesh = Tally.objects.get(source="deposits", key1="credited").amount_sum
    assert credited_sesh == Deposit.objects.filter(state="credited").aggregate(s=Sum("amount_atomic"))["s"]
    remaining = value(samples, "sesh_pool_remaining_atomic", program="claims")
    assert remaining < value(samples, "sesh_pool_atomic", program="claims")
    assert value(samples, "sesh_wallet_up") == 1
    assert value(samples, "sesh_wallet_height") == world.sim.chain.length


def test_registrations_refusals_by_reason_and_rate_limit_hits(client, settings):
    settings.REGISTRATION_RATE_LIMIT_IP = "2/hour"
    settings.REGISTRATION_RATE_LIMIT_ADDRESS = "1000/hour"
    wallet, eth = Wallet(), new_eth_address()
    url, kind = "/api/v1/registrations/", "application/json"
    ok = {"oxen_address": wallet.address, "eth_address": eth, "signature": wallet.sign(eth)}
    assert client.post(url, json.dumps(ok), content_type=kind).status_code == 201
    bad = {**ok, "signature": Wallet().sign(eth)}  # a real signature, by another wallet
    assert client.post(url, json.dumps(bad), content_type=kind).status_code == 400
    assert client.post(url, json.dumps(bad), content_type=kind).status_code == 400
    assert client.post(url, json.dumps(bad), content_type=kind).status_code == 429

    samples = scrape(client)
    assert value(samples, "sesh_registrations_total") == 1
    refusals = {labels: v for (name, labels), v in samples.items() if name == "sesh_registration_refusals_total"}
    assert sum(refusals.values()) == 3
    assert refusals[(("reason", "rate_limited"),)] == 1
    assert value(samples, "sesh_rate_limit_hits_total", limit="ip") == 1


def test_a_peer_that_is_down_gives_up_0_and_the_scrape_still_answers(client, settings):
    settings.OXEND_RPC_URL = "http://127.0.0.1:9/"  # discard port: nothing listens
    settings.OXEN_WALLET_RPC_URL = "http://127.0.0.1:9/"
    settings.L2_RPC_URL = "http://127.0.0.1:9/"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    settings.METRICS_PROBE_TIMEOUT_SECONDS = 0.5
    samples = scrape(client)
    for up in ("sesh_oxend_up", "sesh_wallet_up", "sesh_l2_up", "sesh_celery_broker_up"):
        assert value(samples, up) == 0
    assert not any(name == "sesh_oxend_height" for name, _ in samples)


def test_oxend_height_snapshot_age_and_lag_from_a_real_capture(client, settings, sim):
    settings.SNB_START_HEIGHT, settings.SNB_FINAL_HEIGHT = 1, 10_000
    settings.OXEND_RPC_URL = sim.oxend_url
    settings.OXEN_WALLET_RPC_URL = sim.wallet_url
    sim.chain.register_node([(Wallet().address, 15_000 * OXEN)])
    assert capture_snapshot(OxendClient(sim.oxend_url)).status == "stored"
    samples = scrape(client)
    assert value(samples, "sesh_oxend_up") == 1
    assert value(samples, "sesh_oxend_height") == sim.chain.length
    assert value(samples, "sesh_snapshot_latest_height") == sim.chain.top_height
    assert value(samples, "sesh_snapshot_lag_blocks") == 0
    assert 0 <= value(samples, "sesh_snapshot_latest_age_seconds") < 60
    sim.chain.add_blocks(5)
    samples = scrape(client)
    assert value(samples, "sesh_snapshot_lag_blocks") == 5
    assert value(samples, "sesh_wallet_lag_blocks") == 0


@pytest.mark.chain
def test_signer_and_distributor_figures_from_the_local_l2(client, deployed, l2, settings):
    ChainAccount.objects.create(chain_id=settings.L2_CHAIN_ID, address=SERVICE_ADDRESS, next_nonce=0)
    settings.METRICS_PAYOUT_BATCH_GAS = 1_000_000
    settings.L2_MAX_FEE_PER_GAS = 10**9
    samples = scrape(client)
    assert value(samples, "sesh_l2_up") == 1
    assert value(samples, "sesh_l2_block_height") == l2.client.block_number()
    assert value(samples, "sesh_distributor_balance_atomic") == 1_000 * SESH  # what the fixture funded
    balance = l2.eth_balance(SERVICE_ADDRESS)
    assert value(samples, "sesh_signer_balance_wei") == float(balance)
    assert value(samples, "sesh_signer_payouts_covered") == float(balance // (1_000_000 * 10**9))
    assert value(samples, "sesh_distributor_outstanding_atomic") == 0  # no round proposed yet


def test_every_limiter_in_the_code_is_counted_on_metrics():
    """A new `Limiter("scope", …)` must join `swap.ratelimit.SCOPES`, or its hits would never be exported."""
    repo = Path(__file__).resolve().parents[2]
    found = set()
    for path in [*repo.glob("swap/**/*.py"), *repo.glob("bonuses/**/*.py"), *repo.glob("claims/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Limiter" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    assert found and found <= set(SCOPES), sorted(found - set(SCOPES))


def test_rate_limit_hits_survive_in_the_cache_and_a_cache_outage_does_not_break_the_scrape(client, settings):
    limiter = Limiter("claims-ip", parse_rate("1/hour"))
    limiter.count_failure("198.51.100.1")
    assert limiter.retry_after("198.51.100.1") is not None
    assert limiter.retry_after("198.51.100.1") is not None
    assert value(scrape(client), "sesh_rate_limit_hits_total", limit="claims-ip") == 2
    # Django's test signals give the new cache setting a new cache: a Redis where nothing listens.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/0"}}
    samples = scrape(client)
    assert not any(name == "sesh_rate_limit_hits_total" for name, _ in samples)
    assert value(samples, "sesh_registrations_total") == 0


def test_a_failed_task_is_counted_by_name(client):
    # As a worker runs it: the failure is recorded, not raised into the caller (throw=False).
    for missing in (987654, 987655):  # no such round: fails for good, no retry
        result = publish_round_task.apply(args=[missing], throw=False)
        assert isinstance(result.result, DistributionRound.DoesNotExist)
    samples = scrape(client)
    assert value(samples, "sesh_task_failures_total", task="swap.distributions.tasks.publish_round_task") == 2

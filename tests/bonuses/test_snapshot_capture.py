"""Live capture against the simulated oxend over real HTTP: polling, finality, reorgs, faults, the task."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery.exceptions import Retry
from django.core.cache import cache
from snb_scenarios import OXEN, node, result

from bonuses.models import ServiceNodeSnapshot, StakeInterval
from bonuses.services.capture import capture_snapshot
from bonuses.services.ingest import ingest_snapshot
from bonuses.tasks import CAPTURE_LOCK_KEY, capture_snapshot_task
from swap.models import AuditEvent
from swap.oxen_rpc import RetryPolicy
from swap.oxend import OxendClient
from swap.oxend_errors import OxendNetworkMismatch, OxendTransientError
from swap.simulator import OxenSimulator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("snb")]
FAST_RETRY = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.02)


@pytest.fixture
def sim() -> Iterator[OxenSimulator]:
    with OxenSimulator(length=1001) as simulator:  # top block 1000, immutable 990
        simulator.chain.register_node([("La", 15_000 * OXEN)])
        yield simulator


@pytest.fixture
def client(sim: OxenSimulator) -> OxendClient:
    return OxendClient(sim.oxend_url, retry=FAST_RETRY, read_timeout=0.5)


def stored() -> list[tuple[int, str, bool]]:
    return list(ServiceNodeSnapshot.objects.order_by("height").values_list("height", "block_hash", "provisional"))


def test_an_unchanged_chain_writes_nothing(sim, client):
    assert capture_snapshot(client).status == "stored"
    events = AuditEvent.objects.count()
    outcome = capture_snapshot(client)
    assert (outcome.status, outcome.height) == ("unchanged", 1000)
    assert AuditEvent.objects.count() == events and ServiceNodeSnapshot.objects.count() == 1
    assert sim.oxend.requests.count("get_service_nodes") == 2


def test_snapshots_become_final_once_the_immutable_height_passes_them(sim, client):
    capture_snapshot(client)
    sim.chain.add_blocks(5)
    capture_snapshot(client)
    assert [row[2] for row in stored()] == [True, True]
    sim.chain.add_blocks(6)  # top 1011, immutable 1001: 1000 is settled, 1005 not yet
    outcome = capture_snapshot(client)
    assert outcome.finalized == 1
    assert [(height, provisional) for height, _, provisional in stored()] == [(1000, False), (1005, True),
                                                                              (1011, True)]


def test_a_reorg_at_the_same_height_replaces_the_provisional_snapshot(sim, client):
    capture_snapshot(client)
    old_hash = sim.chain.block_hash(1000)
    sim.chain.reorg(1000, new_length=1001)
    outcome = capture_snapshot(client)
    assert outcome.discarded == (1000,)
    assert stored() == [(1000, sim.chain.block_hash(1000), True)] and sim.chain.block_hash(1000) != old_hash


def test_a_reorg_to_a_longer_chain_discards_the_orphaned_snapshots(sim, client):
    capture_snapshot(client)
    sim.chain.add_blocks(2)
    capture_snapshot(client)  # 1002
    sim.chain.reorg(1001, new_length=1006)  # 1001 and 1002 replaced; top 1005
    outcome = capture_snapshot(client)
    assert outcome.discarded == (1002,) and outcome.height == 1005
    assert [height for height, _, _ in stored()] == [1000, 1005]
    assert AuditEvent.objects.filter(tag="snapshot:discarded").count() == 1


def test_a_chain_that_got_shorter_discards_what_is_beyond_its_top(sim, client):
    sim.chain.add_blocks(4)
    capture_snapshot(client)  # 1004
    sim.chain.reorg(1002, new_length=1003)  # top 1002
    outcome = capture_snapshot(client)
    assert outcome.discarded == (1004,) and outcome.height == 1002
    assert [height for height, _, _ in stored()] == [1002]


def test_a_hash_mismatch_below_the_immutable_height_is_reported_not_repaired(sim, client):
    ingest_snapshot(result(900, node("n1", ("La", 15_000)), fork="elsewhere"), source="import")
    outcome = capture_snapshot(client)
    assert outcome.problems and "not a reorg" in outcome.problems[0]
    assert outcome.status == "stored" and stored()[0][0] == 900 and stored()[0][2] is True
    assert not AuditEvent.objects.filter(tag="snapshot:discarded").exists()


def test_an_imported_snapshot_on_the_chain_is_verified_and_finalized(sim, client):
    ingest_snapshot({**result(950, node("n1", ("La", 15_000))), "block_hash": sim.chain.block_hash(950)},
                    source="import")
    outcome = capture_snapshot(client)
    assert outcome.finalized == 1 and stored()[0] == (950, sim.chain.block_hash(950), False)


@pytest.mark.parametrize("fault", [{"kind": "error", "code": -32003}, {"kind": "status", "status": "BUSY"},
                                   {"kind": "untrusted"}, {"kind": "drop"}])
def test_transient_faults_are_retried_by_the_client(sim, client, fault):
    sim.oxend.faults.add(method="get_service_nodes", times=2, **fault)
    assert capture_snapshot(client).status == "stored"


def test_a_slow_oxend_times_out_as_a_transient_error_and_nothing_is_stored(sim):
    client = OxendClient(sim.oxend_url, retry=RetryPolicy(attempts=1), read_timeout=0.1)
    sim.oxend.faults.add("delay", seconds=0.5, times=None, method="get_height")
    with pytest.raises(OxendTransientError):
        capture_snapshot(client)
    assert not ServiceNodeSnapshot.objects.exists()


def test_the_wrong_network_is_refused_before_anything_is_stored():
    with OxenSimulator(nettype="testnet", length=10) as testnet:
        with pytest.raises(OxendNetworkMismatch):
            capture_snapshot(OxendClient(testnet.oxend_url, retry=FAST_RETRY))
    assert not ServiceNodeSnapshot.objects.exists()


def test_the_task_does_nothing_without_a_url(settings):
    settings.OXEND_RPC_URL = ""
    assert capture_snapshot_task.apply().get() is None
    assert not ServiceNodeSnapshot.objects.exists()


def test_the_task_is_single_flight_and_releases_its_lock(sim, settings):
    settings.OXEND_RPC_URL = sim.oxend_url
    cache.add(CAPTURE_LOCK_KEY, "another-run", timeout=60)
    assert capture_snapshot_task.apply().get() is None
    assert not sim.oxend.requests
    cache.delete(CAPTURE_LOCK_KEY)
    assert capture_snapshot_task.apply().get()["status"] == "stored"
    assert cache.get(CAPTURE_LOCK_KEY) is None
    assert StakeInterval.objects.get().amount_atomic == 15_000 * OXEN


def test_the_task_retries_a_transient_failure(sim, settings):
    settings.OXEND_RPC_URL = sim.oxend_url
    sim.oxend.go_down()
    with pytest.raises(Retry, match="OxendTransientError"):  # in-process (eager) tasks raise their retry
        capture_snapshot_task.apply()
    assert cache.get(CAPTURE_LOCK_KEY) is None and not ServiceNodeSnapshot.objects.exists()

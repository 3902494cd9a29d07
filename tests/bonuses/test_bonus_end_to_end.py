"""A scripted chain, captured over real HTTP from the simulated oxend, then the commands' output.

The expectations are computed by hand in the comments of `test_commands_print_the_hand_computed_bonus`.

Program: heights [1000, 1100) earn; backdating cut-off = block time of height 1000 (simulated
chain time: 1_525_000_000 + 120 s × height). Wallets A, B → ETH_1 and E → ETH_3 registered before
the cut-off; C → ETH_2 registered at the block time of height 1035, after it; D never registers.

| snapshot | chain state |
| --- | --- |
| 990  | N1 active: A 5,000, B 10,000 OXEN. N2 awaiting: C 3,751 |
| 1010 | D contributes 11,249 to N2: N2 funded, active |
| 1030 | N1 decommissioned |
| 1040 | N1 recommissioned; N2 asks to unlock at 1060 (keeps earning) |
| 1060 | N2 left the list (unlocked); N3 registered by A alone, 15,000 |
| 1120 | (60 blocks later: a flagged gap) |
| 1131 | (makes 1120 final) |
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from snb_scenarios import ETH_1, ETH_2, ETH_3, OXEN, Wallet

from bonuses.models import ServiceNodeSnapshot, SnapshotGap
from bonuses.services.capture import capture_snapshot
from bonuses.services.entitlements import bonus_entitlements
from bonuses.tasks import capture_snapshot_task
from swap.oxen_rpc import RetryPolicy
from swap.oxend import OxendClient
from swap.simulator import OxenSimulator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("snb")]
FAST_RETRY = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.02)


def chain_time(height: int) -> datetime:
    return datetime.fromtimestamp(1_525_000_000 + 120 * height, UTC)


@pytest.fixture
def wallets():  # type: ignore[no-untyped-def]
    return {name: Wallet(name) for name in "abcde"}


@pytest.fixture
def history(settings, wallets):  # type: ignore[no-untyped-def]
    """Run the scripted chain through live capture; yields the simulator (stopped afterwards)."""
    settings.SNB_FINAL_HEIGHT = 1100
    settings.SNB_BACKDATE_CUTOFF = chain_time(1000)
    a, b, c, d, e = (wallets[name] for name in "abcde")
    a.register(ETH_1, at=chain_time(500))
    b.register(ETH_1, at=chain_time(600))
    e.register(ETH_3, at=chain_time(700))
    c.register(ETH_2, at=chain_time(1035))
    with OxenSimulator(length=991) as sim:
        client = OxendClient(sim.oxend_url, retry=FAST_RETRY)
        chain = sim.chain
        n1 = chain.register_node([(a.address, 5_000 * OXEN), (b.address, 10_000 * OXEN)])
        n2 = chain.register_node([(c.address, 3_751 * OXEN)])
        assert capture_snapshot(client).height == 990
        assert capture_snapshot(client).status == "unchanged"
        chain.add_blocks(20)
        chain.contribute(n2, d.address, 11_249 * OXEN)
        assert capture_snapshot(client).height == 1010
        chain.add_blocks(20)
        chain.decommission(n1)
        assert capture_snapshot(client).height == 1030
        chain.add_blocks(10)
        chain.recommission(n1)
        assert chain.request_unlock(n2, delay=20) == 1060
        assert capture_snapshot(client).height == 1040
        chain.add_blocks(20)
        chain.register_node([(a.address, 15_000 * OXEN)])
        assert capture_snapshot(client).height == 1060
        chain.add_blocks(60)
        outcome = capture_snapshot(client)
        assert (outcome.height, outcome.gap_blocks) == (1120, 60)
        chain.add_blocks(11)
        settings.OXEND_RPC_URL = sim.oxend_url  # the last capture goes through the Celery task
        assert capture_snapshot_task.apply().get()["height"] == 1131
        yield sim


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_capture_stored_each_state_and_made_the_settled_ones_final(history):
    assert list(ServiceNodeSnapshot.objects.order_by("height").values_list("height", "provisional")) == [
        (990, False), (1010, False), (1030, False), (1040, False), (1060, False), (1120, False), (1131, True)]
    snapshot = ServiceNodeSnapshot.objects.get(height=1040)
    assert snapshot.block_hash == history.chain.block_hash(1040)
    assert snapshot.block_timestamp == int(chain_time(1040).timestamp())
    assert list(SnapshotGap.objects.values_list("from_height", "to_height", "blocks")) == [(1060, 1120, 60)]


def test_commands_print_the_hand_computed_bonus(history, wallets):
    # Stake-blocks in OXEN × blocks, window [1000, 1100):
    #   A on N1: 5,000 × ([1000,1030) + [1040,1100)) = 5,000 × 90 = 450,000
    #   A on N3: 15,000 × [1060,1100) = 15,000 × 40            = 600,000  → A 1,050,000 = 70 points
    #   B on N1: 10,000 × 90                                   = 900,000  → B 60 points
    #   C on N2: earns from snapshot 1040 (first block time ≥ its registration), N2 leaves at 1060:
    #            3,751 × [1040,1060) = 3,751 × 20              =  75,020  → 5.001333… points
    #   D: not registered. E: registered, no stake.
    #   ETH_1 = A + B = 1,950,000; ETH_2 = 75,020; total 2,025,020.
    # Split of P = 30,000,000 × 10^9 atomic:
    #   ETH_1: P × 1,950,000 / 2,025,020 = 28,888,603,569,347,463 remainder 475,740 (/2,025,020)
    #   ETH_2: P × 75,020 / 2,025,020    =  1,111,396,430,652,536 remainder 1,549,280
    #   floors sum to P − 1: the one leftover unit goes to the larger remainder, ETH_2.
    out, err = run("bonus_allocations")
    assert out == (
        "eth_address,stake_blocks,points,sesh_atomic\n"
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed,1950000000000000,130.000000,28888603569347463\n"
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359,75020000000000,5.001333,1111396430652537\n"
    )
    assert "total stake_blocks 2025020000000000" in err and "sesh_atomic 30000000000000000 of pool" in err

    out, _ = run("bonus_points")
    a, b, c, e = (wallets[name].address for name in "abce")
    expected = sorted([
        (a, ETH_1, "1050000000000000", "70.000000"),
        (b, ETH_1, "900000000000000", "60.000000"),
        (c, ETH_2, "75020000000000", "5.001333"),
        (e, ETH_3, "0", "0.000000"),
    ])
    assert out.splitlines() == ["oxen_address,eth_address,stake_blocks,points", *map(",".join, expected)]


def test_at_height_counts_only_the_heights_below_it(history):
    # Window [1000, 1050): A 5,000 × (30 + 10) = 200,000; B 10,000 × 40 = 400,000 → ETH_1 600,000 (40 points);
    # C 3,751 × [1040,1050) = 37,510 → ETH_2 (2.500666… points). Total 637,510.
    # ETH_1: P × 600,000 / 637,510 = 28,234,851,218,020,109 r 311,410; ETH_2: 1,765,148,781,979,890 r 326,100
    # → the leftover unit goes to ETH_2.
    out, _ = run("bonus_allocations", "--at-height", "1050", "--format", "json")
    assert json.loads(out) == [
        {"eth_address": ETH_1, "stake_blocks": "600000000000000", "points": "40.000000",
         "sesh_atomic": "28234851218020109"},
        {"eth_address": ETH_2, "stake_blocks": "37510000000000", "points": "2.500666",
         "sesh_atomic": "1765148781979891"},
    ]
    with pytest.raises(CommandError, match="beyond the latest snapshot 1131"):
        run("bonus_allocations", "--at-height", "1132")


def test_entitlements_are_the_allocation_at_the_latest_final_snapshot(history):
    out, _ = run("bonus_allocations", "--at-height", "1120")
    from_command = {line.split(",")[0]: int(line.split(",")[3]) for line in out.splitlines()[1:]}
    entitlements = bonus_entitlements()
    assert entitlements == from_command == {ETH_1: 28_888_603_569_347_463, ETH_2: 1_111_396_430_652_537}
    assert sum(entitlements.values()) == 30_000_000 * 10**9
    assert bonus_entitlements(cutoff=chain_time(0)) == {}


def test_no_bonus_enters_a_round_before_the_program_end_is_final(history, settings):
    # Shares of a fixed pool can still fall while the program runs; a cumulative round must not.
    settings.SNB_FINAL_HEIGHT = 1121  # one past the latest final snapshot (1120)
    assert bonus_entitlements() == {}
    settings.SNB_FINAL_HEIGHT = 1120
    assert sum(bonus_entitlements().values()) == 30_000_000 * 10**9


def test_the_published_inputs_and_digests_reproduce_the_split(history, client):
    """SPEC §6: anyone can download the bonus inputs and snapshot digests and recompute the split."""
    import csv

    from swap.core.bonus_allocation import DEFAULT_POOL_ATOMIC
    from swap.core.split import split_pool

    inputs = list(csv.DictReader(io.StringIO(client.get("/api/v1/bonus-inputs.csv").content.decode())))
    weights: dict[str, int] = {}
    for row in inputs:
        weights[row["eth_address"].lower()] = weights.get(row["eth_address"].lower(), 0) + int(row["stake_blocks"])
    recomputed = split_pool(DEFAULT_POOL_ATOMIC, {eth: w for eth, w in weights.items() if w})
    assert {eth.lower(): amount for eth, amount in bonus_entitlements().items()} == {
        eth: amount for eth, amount in recomputed.items() if amount
    }
    digests = list(csv.DictReader(io.StringIO(client.get("/api/v1/bonus-snapshots.csv").content.decode())))
    stored = ServiceNodeSnapshot.objects.order_by("height")
    assert [(int(d["height"]), d["block_hash"], d["sha256"]) for d in digests] == [
        (s.height, s.block_hash, s.sha256) for s in stored
    ]
    assert {d["final"] for d in digests if int(d["height"]) <= 1120} == {"true"}


def test_a_new_eth_address_after_the_bonus_round_leaves_the_bonus_where_it_was_frozen(history, wallets, client):
    """Once a round holds the bonus, registrations no longer move it: the old ETH address may have
    claimed already, and a round may never lower anyone's cumulative amount."""
    import csv

    from django.utils import timezone

    from bonuses.services.allocations import compute_bonus
    from swap.core.bonus_allocation import DEFAULT_POOL_ATOMIC
    from swap.core.split import split_pool
    from swap.distributions.services.rounds import create_round, freeze_round

    def frozen_round():  # type: ignore[no-untyped-def]
        round_ = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
        return round_, dict(round_.entries.values_list("eth_address", "bonus_atomic"))

    first, first_bonus = frozen_round()
    assert first_bonus == {ETH_1: 28_888_603_569_347_463, ETH_2: 1_111_396_430_652_537}

    eth_4 = "0x52908400098527886E0F7030069857D2E4169EE7"
    wallets["a"].register(eth_4)  # A's 70 of ETH_1's 130 points would follow it
    live = compute_bonus(final_only=True).allocation.sesh_by_eth
    assert live[eth_4.lower()] > 0 and live[ETH_1.lower()] < first_bonus[ETH_1], "the live mapping did move"

    second, second_bonus = frozen_round()
    assert second.number == 2 and second_bonus == first_bonus
    assert second.bonus_total_atomic == first.bonus_total_atomic == DEFAULT_POOL_ATOMIC

    inputs = list(csv.DictReader(io.StringIO(client.get("/api/v1/bonus-inputs.csv").content.decode())))
    assert {row["eth_address"] for row in inputs if row["oxen_address"] == wallets["a"].address} == {ETH_1}
    weights: dict[str, int] = {}
    for row in inputs:
        weights[row["eth_address"]] = weights.get(row["eth_address"], 0) + int(row["stake_blocks"])
    recomputed = split_pool(DEFAULT_POOL_ATOMIC, {eth: w for eth, w in weights.items() if w})
    assert {eth: amount for eth, amount in recomputed.items() if amount} == first_bonus

    # Per round (SPEC §6): each round's bonus inputs are the pinned ones; its snapshot digests are
    # those stored at its cut-off.
    live = client.get("/api/v1/bonus-inputs.csv")
    for round_ in (first, second):
        per_round = client.get(f"/api/v1/rounds/{round_.number}/bonus-inputs.csv")
        assert per_round.status_code == 200 and per_round.content == live.content
        assert f'filename="round-{round_.number}.bonus-inputs.csv"' in per_round["Content-Disposition"]
    digests = list(csv.DictReader(io.StringIO(client.get("/api/v1/rounds/1/bonus-snapshots.csv").content.decode())))
    stored = ServiceNodeSnapshot.objects.filter(captured_at__lte=first.cutoff_at).order_by("height")
    assert [(int(d["height"]), d["sha256"]) for d in digests] == [(s.height, s.sha256) for s in stored]
    assert len(digests) == 7
    assert client.get("/api/v1/rounds/3/bonus-inputs.csv").status_code == 404

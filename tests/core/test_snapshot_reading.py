"""`read_stakes` reads a snapshot's canonical JSON exactly as ingestion's `read_snapshot` does, only faster.

Generated results mix well-formed nodes with every kind of field ingestion checks, given a wrong
value or left out; both readers must accept the same results with the same stakes, and refuse the
same ones.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from swap.core.snapshot_format import SnapshotFormatError, canonical_json, read_snapshot
from swap.core.snapshot_reading import read_stakes

MISSING = object()
PUBKEYS = [f"{n:064x}" for n in range(1, 5)]
# Every JSON type, and values ingestion refuses.
wrong = st.sampled_from([None, -1, 1.5, "", "x", True, False, [], {}, 2**70, "A" * 111])
odd = st.one_of(st.just(MISSING), wrong)  # a field left out, or wrong


def present(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not MISSING}


heights = st.one_of(st.sampled_from([None, 0, 7, 2**64 + 3]), odd)
amounts = st.one_of(st.integers(min_value=0, max_value=15_000 * 10**9), odd)
addresses = st.one_of(st.sampled_from(["La", "Lb", "0xabc", "L" * 110]), odd)
locked = st.just([{"amount": 1, "key_image": "ab"}])
contributor = st.one_of(
    st.fixed_dictionaries({"address": addresses, "amount": amounts, "locked_contributions": locked}).map(present),
    wrong)


def node() -> st.SearchStrategy[dict[str, Any]]:
    fields = {
        "service_node_pubkey": st.one_of(st.sampled_from(PUBKEYS), odd, st.just("AB" * 32)),
        "active": st.one_of(st.booleans(), odd), "funded": st.one_of(st.booleans(), odd),
        "operator_address": st.one_of(addresses, st.just("")), "registration_height": heights,
        "state_height": heights, "requested_unlock_height": heights,
        "contributors": st.one_of(st.lists(contributor, max_size=3), odd),
        "swarm_id": st.integers(min_value=0, max_value=2**64 - 1),
    }
    return st.fixed_dictionaries(fields).map(present)


results = st.fixed_dictionaries({
    "height": st.one_of(st.sampled_from([0, 1_000, 2**63]), odd),
    "block_hash": st.one_of(st.just("ab" * 32), odd),
    "status": st.one_of(st.just("OK"), odd, st.just("BUSY")),
    "unchanged": st.one_of(st.booleans(), odd),
    "service_node_states": st.one_of(st.lists(st.one_of(node(), wrong), max_size=4), odd),
}).map(present)


def outcome(read: Any, data: bytes) -> Any:
    try:
        content = read(data)
    except SnapshotFormatError:
        return "refused"
    return content.height, content.block_hash, content.stakes


@settings(max_examples=1500, deadline=None)
@given(results)
def test_both_readers_accept_and_refuse_the_same_results_with_the_same_stakes(result: dict[str, Any]) -> None:
    data = canonical_json(result)
    assert outcome(read_stakes, data) == outcome(lambda raw: read_snapshot(json.loads(raw)), data)


def test_a_well_formed_result_takes_the_fast_path_and_sums_a_wallet_contributing_twice() -> None:
    entry = {"service_node_pubkey": PUBKEYS[0], "active": True, "operator_address": "La",
             "contributors": [{"address": "La", "amount": 5}, {"address": "La", "amount": 7},
                              {"address": "Lb", "amount": 0}]}
    resting = {"service_node_pubkey": PUBKEYS[1], "active": False, "funded": True,
               "contributors": [{"address": "Lc", "amount": 9}]}
    result = {"height": 9, "block_hash": "cd" * 32, "service_node_states": [entry, resting]}
    content = read_stakes(canonical_json(result))
    assert (content.height, content.stakes) == (9, {("La", PUBKEYS[0]): 12})

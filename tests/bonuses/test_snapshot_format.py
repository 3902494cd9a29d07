"""The snapshot format: orjson's canonical bytes are the reference bytes, and the digests decide right.

No database: `swap/core/snapshot_format.py` is pure. The published sha256 of a snapshot is over
`reference_canonical_json`; `canonical_json` must give the same bytes for every value a JSON parser
can produce, or fall back to the reference (or raise as it does).
"""

from __future__ import annotations

import hashlib
import json
import random

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from snb_scenarios import OXEN, node, pubkey, result

from swap.core.bonus_allocation import earning_stakes
from swap.core.snapshot_format import (
    SnapshotFormatError,
    _may_differ,
    canonical_json,
    parse_snapshot,
    reference_canonical_json,
)

# Integers around every boundary orjson cares about (2^53, signed/unsigned 64 bits) and far past them.
BOUNDARY_INTS = [2**53 - 1, 2**53, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 4, 2**64 - 1, 2**64, 2**64 + 1,
                 -(2**63), -(2**63) - 1, 10**40, -(10**40)]
integers = st.one_of(st.integers(), st.sampled_from(BOUNDARY_INTS), st.integers(min_value=-(2**70), max_value=2**70))
# Any code point, lone surrogates included (json.loads makes them from "\ud800"); the reference refuses those.
texts = st.text(st.characters(exclude_categories=()), max_size=12)
keys = st.one_of(texts, st.sampled_from(["a", "b", "é", "e", "\U0001f600", "\u2028", "Z", "\x00", "\x7f"]))
scalars = st.one_of(st.none(), st.booleans(), integers, st.floats(allow_nan=True, allow_infinity=True), texts)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=5).map(tuple),
        st.dictionaries(keys, children, max_size=5),
        st.dictionaries(st.one_of(keys, integers), children, max_size=3),  # non-string keys: orjson refuses
    ),
    max_leaves=40,
)


def outcome(serialize, value):  # type: ignore[no-untyped-def]
    """The bytes, or the kind of refusal (NaN, a lone surrogate, a circular or unknown value)."""
    try:
        return serialize(value)
    except (ValueError, TypeError) as error:
        return type(error)


@settings(max_examples=600, deadline=None)
@given(json_values)
def test_canonical_json_is_byte_for_byte_the_reference_for_every_json_value(value):
    assert outcome(canonical_json, value) == outcome(reference_canonical_json, value)


@settings(max_examples=3000, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_every_float_orjson_writes_is_caught_by_the_guard(number):
    """The fast path relies on this: orjson writes a float with "." or "e+"/"e-", or as null."""
    assert _may_differ(orjson.dumps([number]))


@pytest.mark.parametrize("number", [0.0, -0.0, 1.0, 1e15, 1e16, 1e22, 1e-5, 1e-7, 5e-324, 1.7976931348623157e308,
                                    float(2**53), float(2**64), 0.1, 123456789.0])
def test_floats_orjson_would_write_its_own_way_go_through_the_reference(number):
    value = {"portions": number, "id": "x"}
    assert canonical_json(value) == reference_canonical_json(value)


def test_integers_beyond_64_bits_non_ascii_and_key_order_stay_exact():
    value = {"portions_for_operator": 2**64 - 4, "swarm_id": 2**64 + 7, "z": -(2**70), "é": "ünïcödé ✓ \U0001f600",
             "e": "\u2028\x7f\x1f\"\\", "\U0001f600": [2**53 + 1, True, None], "E": {"b": 1, "a": [{}, []]}}
    assert canonical_json(value) == reference_canonical_json(value)
    assert canonical_json(value).index(b'"E"') < canonical_json(value).index(b'"e"')


def test_nan_a_lone_surrogate_and_unknown_types_are_refused_as_before():
    for value in ({"a": float("nan")}, {"a": float("inf")}, {"a": "\ud800"}):
        with pytest.raises(ValueError):
            canonical_json(value)
    with pytest.raises(TypeError):
        canonical_json({"a": {1, 2}})


# --- what ingestion derives -------------------------------------------------------------------


def shuffled(raw, seed: int):  # type: ignore[no-untyped-def]
    states = list(raw["service_node_states"])
    random.Random(seed).shuffle(states)
    return {**raw, "service_node_states": states}


contributor_lists = st.lists(
    st.tuples(st.sampled_from(["La", "Lb", "Lc", "0xabc"]), st.integers(min_value=0, max_value=15_000)),
    min_size=0, max_size=4,
)
node_lists = st.lists(
    st.tuples(st.sampled_from(["n1", "n2", "n3", "n4", "n5"]), contributor_lists, st.booleans(), st.booleans()),
    max_size=5, unique_by=lambda row: row[0],
)


@settings(max_examples=300, deadline=None)
@given(node_lists, st.integers(min_value=0, max_value=1000))
def test_stakes_are_what_earning_stakes_counts_and_digests_ignore_the_listing_order(rows, seed):
    raw = result(1000, *(node(name, *people, active=active, funded=funded or active)
                         for name, people, active, funded in rows))
    parsed = parse_snapshot(raw)
    assert parsed.stakes == earning_stakes(raw)
    assert len(parsed.nodes) == len(rows)
    again = parse_snapshot(shuffled(raw, seed))
    assert (again.stakes_digest, again.nodes_digest) == (parsed.stakes_digest, parsed.nodes_digest)
    assert again.sha256 == parsed.sha256 or again.canonical != parsed.canonical


def test_an_address_holding_a_newline_cannot_pass_for_two_stakes():
    """The old digest joined sorted "address pubkey amount" lines: these two results had the same one."""

    def old_digest(stakes):  # type: ignore[no-untyped-def]
        lines = sorted(f"{address} {node_key} {amount}" for (address, node_key), amount in stakes.items())
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    two = parse_snapshot(result(1000, node("n1", ("A", 5)), node("n2", ("B", 7))))
    one = parse_snapshot(result(1000, node("n2", (f"A {pubkey('n1')} {5 * OXEN}\nB", 7))))
    assert one.stakes != two.stakes and old_digest(one.stakes) == old_digest(two.stakes)
    assert one.stakes_digest != two.stakes_digest


def test_a_malformed_entry_is_refused_with_its_reason():
    raw = result(1000, node("n1", ("La", 1)))
    raw["service_node_states"][0]["contributors"] = "not a list of objects"
    with pytest.raises(SnapshotFormatError, match="contributors is not a list of objects"):
        parse_snapshot(raw)
    duplicate = result(1000, node("n1", ("La", 1)), node("n1", ("Lb", 1)))
    with pytest.raises(SnapshotFormatError, match="listed twice"):
        parse_snapshot(duplicate)
    raw = result(1000, node("n1", ("La", 1)))
    raw["service_node_states"][0]["state_height"] = -1
    with pytest.raises(SnapshotFormatError, match="state_height is not a non-negative integer"):
        parse_snapshot(raw)


def test_the_canonical_bytes_of_a_result_are_the_reference_bytes():
    raw = result(1000, node("n1", ("La", 15_000), ("Lé", 1)), node("n2", ("Lb", 3)))
    raw["service_node_states"][0]["portions_for_operator"] = 2**64 - 4
    raw["service_node_states"][1]["swarm_id"] = 2**64 + 1
    assert parse_snapshot(raw).canonical == json.dumps(
        raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()

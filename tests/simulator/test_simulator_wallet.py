"""The simulated oxen-wallet-rpc answers as oxen-wallet-rpc.md documents, over real HTTP."""

from collections.abc import Callable
from typing import Any

import pytest

from swap.core.oxen_address import AddressKind, Network, decode_address
from swap.simulator import OxenSimulator
from swap.simulator.chain import SimulationError

OXEN = 10**9
Rpc = Callable[..., dict[str, Any]]
ONLY_IN = {"in": True, "out": False, "stake": False, "pending": False, "failed": False, "pool": False}


def result(sim: OxenSimulator, rpc: Rpc, method: str, params: Any = None) -> dict[str, Any]:
    reply = rpc(sim.wallet_url, method, params)
    assert "error" not in reply, reply
    return reply["result"]


def test_create_address_issues_sequential_real_subaddresses(sim: OxenSimulator, rpc: Rpc) -> None:
    first = result(sim, rpc, "create_address", {"account_index": 1, "label": "claim:1"})
    batch = result(sim, rpc, "create_address", {"account_index": 1, "label": "claim:2", "count": 3})
    assert (first["address_index"], first["address_indices"]) == (1, [1])
    assert first["addresses"] == [first["address"]]
    assert (batch["address_index"], batch["address_indices"]) == (2, [2, 3, 4])
    addresses = [first["address"], *batch["addresses"]]
    decoded = [decode_address(a) for a in addresses]
    assert {(d.network, d.kind) for d in decoded} == {(Network.MAINNET, AddressKind.SUBADDRESS)}
    assert len({d.spend_public_key for d in decoded}) == 4
    primary = result(sim, rpc, "get_address", {"account_index": 0})["address"]
    assert decode_address(primary).kind is AddressKind.STANDARD
    listed = result(sim, rpc, "get_address", {"account_index": 1, "address_index": [2]})["addresses"]
    assert listed == [{"address": batch["addresses"][0], "label": "claim:2", "address_index": 2, "used": False}]


def test_create_address_refuses_bad_counts_and_accounts(sim: OxenSimulator, rpc: Rpc) -> None:
    for count in (0, 65):
        reply = rpc(sim.wallet_url, "create_address", {"account_index": 1, "count": count})
        assert reply["error"] == {"code": -1, "message": "Count must be between 1 and 64."}
    assert rpc(sim.wallet_url, "create_address", {"account_index": 9})["error"]["code"] == -14
    assert rpc(sim.wallet_url, "get_address", {"account_index": 1, "address_index": [5]})["error"]["code"] == -15
    assert rpc(sim.wallet_url, "create_address", {"account_index": "1"})["error"]["code"] == -32602


def test_transfers_have_one_entry_per_output_and_confirmations_from_the_wallet_height(
    sim: OxenSimulator, rpc: Rpc
) -> None:
    sim.wallet.create_address(1, "claims", 2)
    txid = sim.wallet.add_transfer([(1, 1, 2_500_000_000), (1, 1, 1_000_000_000), (1, 2, 7 * OXEN)], height=95)
    entries = result(sim, rpc, "get_transfers", {**ONLY_IN, "account_index": 1})["in"]
    assert [(e["txid"], e["subaddr_index"]["minor"], e["amount"]) for e in entries] == [
        (txid, 1, 2_500_000_000),
        (txid, 1, 1_000_000_000),
        (txid, 2, 7 * OXEN),
    ]
    assert {e["confirmations"] for e in entries} == {5}  # wallet height 100 − tx height 95
    assert entries[0]["address"] == sim.wallet.address(1, 1).address
    assert entries[0]["subaddr_indices"] == [{"major": 1, "minor": 1}] and entries[0]["type"] == "in"
    assert result(sim, rpc, "get_height") == {"height": 100, "immutable_height": 89}


def test_a_blink_is_listed_unmined_with_height_0_then_mined(sim: OxenSimulator, rpc: Rpc) -> None:
    sim.wallet.create_address(1)
    txid = sim.wallet.add_transfer([(1, 1, 4 * OXEN)], blink=True)
    [pending] = result(sim, rpc, "get_transfers", {**ONLY_IN, "account_index": 1})["in"]
    assert (pending["height"], pending["blink_mempool"], pending["was_blink"], pending["checkpointed"]) == (
        0,
        True,
        True,
        0,
    )
    assert "confirmations" not in pending and "suggested_confirmations_threshold" not in pending
    assert "in" not in result(sim, rpc, "get_transfers", {**ONLY_IN, "account_index": 1, "min_height": 1})
    sim.chain.add_blocks(1)
    sim.wallet.mine_transfer(txid)
    [mined] = result(sim, rpc, "get_transfers", {**ONLY_IN, "account_index": 1})["in"]
    assert (mined["height"], mined["blink_mempool"], mined["confirmations"]) == (100, False, 1)
    assert mined["timestamp"] == pending["timestamp"]  # a mined blink keeps its first-seen time


def test_height_window_is_inclusive_and_subaddress_filter_applies(sim: OxenSimulator, rpc: Rpc) -> None:
    sim.wallet.create_address(1, count=2)
    for height, minor in ((90, 1), (91, 2), (92, 1)):
        sim.wallet.add_transfer([(1, minor, OXEN)], height=height)
    window = result(sim, rpc, "get_transfers", {**ONLY_IN, "account_index": 1, "min_height": 90, "max_height": 91})
    assert [e["height"] for e in window["in"]] == [90, 91]
    only_1 = result(sim, rpc, "get_transfers", {**ONLY_IN, "account_index": 1, "subaddr_indices": [1]})
    assert [e["height"] for e in only_1["in"]] == [90, 92]
    assert result(sim, rpc, "get_transfers", {**ONLY_IN, "account_index": 0}) == {}  # `in` absent when empty


def test_type_flags_default_to_true(sim: OxenSimulator, rpc: Rpc) -> None:
    sim.wallet.create_address(1)
    sim.wallet.add_transfer([(1, 1, OXEN)])
    assert len(result(sim, rpc, "get_transfers", {"account_index": 1})["in"]) == 1
    assert len(result(sim, rpc, "get_transfers", {"account_index": 1, "in": False, "out": True})) == 0


def test_a_reorg_makes_transfers_mined_at_or_above_the_fork_vanish(sim: OxenSimulator, rpc: Rpc) -> None:
    sim.wallet.create_address(1)
    kept = sim.wallet.add_transfer([(1, 1, OXEN)], height=95)
    sim.wallet.add_transfer([(1, 1, 2 * OXEN)], height=97)
    blink = sim.wallet.add_transfer([(1, 1, 3 * OXEN)], blink=True)
    sim.chain.reorg(97)
    txids = [e["txid"] for e in result(sim, rpc, "get_transfers", {**ONLY_IN, "account_index": 1})["in"]]
    assert txids == [kept, blink]  # the unmined blink is untouched


def test_subaddresses_not_stored_are_lost_in_a_crash(sim: OxenSimulator, rpc: Rpc) -> None:
    stored = result(sim, rpc, "create_address", {"account_index": 1})
    assert result(sim, rpc, "store") == {}
    lost = result(sim, rpc, "create_address", {"account_index": 1})
    sim.wallet.crash()
    again = result(sim, rpc, "create_address", {"account_index": 1})
    assert (stored["address_index"], lost["address_index"], again["address_index"]) == (1, 2, 2)
    assert again["address"] == lost["address"]  # the same index is issued twice


def test_version_and_the_unechoed_id_of_method_errors(sim: OxenSimulator, rpc: Rpc) -> None:
    assert result(sim, rpc, "get_version") == {"version": 65553}
    reply = rpc(sim.wallet_url, "no_such_method", request_id="w-9")
    assert reply == {"jsonrpc": "2.0", "id": 0, "error": {"code": -32601, "message": "Method not found"}}
    assert rpc(sim.wallet_url, "get_height", request_id="w-10")["id"] == "w-10"


def test_send_to_pays_an_address_without_its_index_and_refuses_a_stranger(sim: OxenSimulator, rpc: Rpc) -> None:
    sim.wallet.create_address(1, "claims", 3)
    deposit = sim.wallet.address(1, 2).address
    txid = sim.control("send_to", {"address": deposit, "amount": 5 * OXEN})
    entries = result(sim, rpc, "get_transfers", {**ONLY_IN, "account_index": 1})["in"]
    assert [(e["txid"], e["subaddr_index"], e["amount"]) for e in entries] == [
        (txid, {"major": 1, "minor": 2}, 5 * OXEN)]
    with pytest.raises(SimulationError, match="no such address"):
        sim.wallet.send_to(sim.wallet.address(0, 0).address[:-1] + "x", OXEN)

"""The simulated oxend answers as oxend-rpc.md documents, over real HTTP on loopback."""

from collections.abc import Callable
from typing import Any

import pytest

from swap.simulator import OxenSimulator
from swap.simulator.chain import BLOCK_REWARD, SimulationError

OXEN = 10**9
Rpc = Callable[..., dict[str, Any]]
ALL_NODE_FIELDS = {"service_node_pubkey": True, "active": True, "funded": True, "contributors": True}


def nodes(sim: OxenSimulator, rpc: Rpc, **params: Any) -> dict[str, Any]:
    return rpc(sim.oxend_url, "get_service_nodes", params)["result"]


def test_heights_follow_oxends_off_by_one(sim: OxenSimulator, rpc: Rpc) -> None:
    info = rpc(sim.oxend_url, "get_info")["result"]
    height = rpc(sim.oxend_url, "get_height")["result"]
    snapshot = nodes(sim, rpc)
    assert info["height"] == height["height"] == 100  # chain length
    assert snapshot["height"] == 99  # top block height
    assert info["top_block_hash"] == height["hash"] == snapshot["block_hash"] == sim.chain.block_hash(99)
    assert info["immutable_height"] == height["immutable_height"] == 89
    assert info["immutable_block_hash"] == height["immutable_hash"] == sim.chain.block_hash(89)
    assert (info["nettype"], info["target"], info["status"], info["untrusted"]) == ("mainnet", 120, "OK", False)


def test_a_node_goes_through_awaiting_active_decommissioned_and_leaves(sim: OxenSimulator, rpc: Rpc) -> None:
    pubkey = sim.chain.register_node([("Lop", 3_750 * OXEN)], reserved=[("Lc", 11_250 * OXEN)])
    [awaiting] = nodes(sim, rpc)["service_node_states"]
    assert (awaiting["funded"], awaiting["active"]) == (False, False)
    assert awaiting["total_contributed"] == 3_750 * OXEN
    assert awaiting["total_reserved"] == 15_000 * OXEN
    assert awaiting["contributors"][1] == {
        "amount": 0,
        "reserved": 11_250 * OXEN,
        "address": "Lc",
        "locked_contributions": [],
    }

    assert sim.chain.contribute(pubkey, "Lc", 11_250 * OXEN) is True
    [active] = nodes(sim, rpc)["service_node_states"]
    assert (active["funded"], active["active"], active["state_height"]) == (True, True, 99)
    assert [c["amount"] for c in active["contributors"]] == [3_750 * OXEN, 11_250 * OXEN]

    sim.chain.add_blocks(5)
    sim.chain.decommission(pubkey)
    [decommissioned] = nodes(sim, rpc)["service_node_states"]
    assert (decommissioned["funded"], decommissioned["active"], decommissioned["decommission_count"]) == (
        True,
        False,
        1,
    )
    assert nodes(sim, rpc, active_only=True)["service_node_states"] == []

    sim.chain.recommission(pubkey)
    assert sim.chain.request_unlock(pubkey, delay=3) == 107
    sim.chain.add_blocks(2)
    [unlocking] = nodes(sim, rpc)["service_node_states"]
    assert (unlocking["active"], unlocking["requested_unlock_height"]) == (True, 107)
    sim.chain.add_blocks(1)
    assert nodes(sim, rpc)["service_node_states"] == []  # gone at the unlock height


def test_impossible_scripted_changes_are_refused(sim: OxenSimulator) -> None:
    pubkey = sim.chain.register_node([("Lop", 15_000 * OXEN)])
    with pytest.raises(SimulationError):
        sim.chain.contribute(pubkey, "Lc", 1)  # already full
    with pytest.raises(SimulationError):
        sim.chain.recommission(pubkey)
    sim.chain.deregister(pubkey)
    with pytest.raises(SimulationError):
        sim.chain.decommission(pubkey)


def test_fields_select_entry_and_top_level_fields(sim: OxenSimulator, rpc: Rpc) -> None:
    sim.chain.register_node([("Lop", 15_000 * OXEN)])
    only = nodes(sim, rpc, fields={"service_node_pubkey": True, "active": True})
    assert set(only) == {"service_node_states", "status"}  # no height/block_hash unless asked for
    assert set(only["service_node_states"][0]) == {"service_node_pubkey", "active"}
    asked = nodes(sim, rpc, fields={"height": True, "block_hash": True, "funded": True, "active": False})
    assert (asked["height"], set(asked["service_node_states"][0])) == (99, {"funded"})
    everything = nodes(sim, rpc, fields={"all": True})
    assert "portions_for_operator" in everything["service_node_states"][0] and "hardfork" in everything
    as_list = nodes(sim, rpc, fields=["all", "-contributors"])  # Oxen 11's list form
    assert "contributors" not in as_list["service_node_states"][0] and "active" in as_list["service_node_states"][0]


def test_the_oxen_11_dialect_omits_defaults_and_needs_locked_contributions_by_name(rpc: Rpc) -> None:
    with OxenSimulator(dialect="v11") as sim:
        sim.chain.register_node([("Lop", 15_000 * OXEN)])
        [full] = nodes(sim, rpc)["service_node_states"]
        assert "total_reserved" not in full and "reserved" not in full["contributors"][0]
        assert full["operator_fee"] == 100_000  # 10% in millionths
        [bare] = nodes(sim, rpc, fields={"contributors": True})["service_node_states"]
        assert "locked_contributions" not in bare["contributors"][0]
        [named] = nodes(sim, rpc, fields={"contributors": True, "locked_contributions": True})["service_node_states"]
        assert named["contributors"][0]["locked_contributions"][0]["amount"] == 15_000 * OXEN


def test_poll_block_hash_answers_unchanged_until_a_new_block(sim: OxenSimulator, rpc: Rpc) -> None:
    top = sim.chain.block_hash(99)
    unchanged = nodes(sim, rpc, poll_block_hash=top, fields={"height": True, "block_hash": True})
    assert unchanged == {"height": 99, "block_hash": top, "unchanged": True, "status": "OK"}
    sim.chain.add_blocks(1)
    changed = nodes(sim, rpc, poll_block_hash=top, fields={"height": True, "block_hash": True})
    assert (changed["unchanged"], changed["height"], changed["service_node_states"]) == (False, 100, [])
    assert changed["block_hash"] == sim.chain.block_hash(100) != top


def test_pubkey_filter_checks_hex(sim: OxenSimulator, rpc: Rpc) -> None:
    a = sim.chain.register_node([("La", 15_000 * OXEN)])
    sim.chain.register_node([("Lb", 15_000 * OXEN)])
    [only] = nodes(sim, rpc, service_node_pubkeys=[a])["service_node_states"]
    assert only["service_node_pubkey"] == a
    reply = rpc(sim.oxend_url, "get_service_nodes", {"service_node_pubkeys": ["xyz"]})
    assert reply["error"]["code"] == -1


def test_block_headers_by_height_single_batched_and_too_big(sim: OxenSimulator, rpc: Rpc) -> None:
    sim.chain.add_blocks(2, timestamps=[1_700_000_000, 1_700_000_130])
    header = rpc(sim.oxend_url, "get_block_header_by_height", {"height": 101})["result"]["block_header"]
    assert (header["height"], header["timestamp"], header["depth"]) == (101, 1_700_000_130, 0)
    assert header["hash"] == sim.chain.block_hash(101) and header["prev_hash"] == sim.chain.block_hash(100)
    batch = rpc(sim.oxend_url, "get_block_header_by_height", {"heights": [0, 100]})["result"]["block_headers"]
    assert [h["height"] for h in batch] == [0, 100] and batch[0]["prev_hash"] == "0" * 64
    too_big = rpc(sim.oxend_url, "get_block_header_by_height", {"height": 102})
    assert too_big["error"]["code"] == -2
    last = rpc(sim.oxend_url, "get_last_block_header")["result"]["block_header"]
    assert last["hash"] == header["hash"]


def test_a_reorg_replaces_hashes_from_the_fork_and_never_below_the_immutable_height(sim: OxenSimulator) -> None:
    before = [sim.chain.block_hash(h) for h in range(95, 100)]
    sim.chain.reorg(97, new_length=101)
    after = [sim.chain.block_hash(h) for h in range(95, 100)]
    assert after[:2] == before[:2] and all(a != b for a, b in zip(after[2:], before[2:], strict=True))
    assert sim.chain.length == 101
    with pytest.raises(SimulationError):
        sim.chain.reorg(sim.chain.immutable_height)


def test_coinbase_sums_default_scripted_and_per_block(sim: OxenSimulator, rpc: Rpc) -> None:
    whole = rpc(sim.oxend_url, "get_coinbase_tx_sum", {"height": 0, "count": 2**31 - 1})["result"]
    assert whole == {"emission_amount": 100 * BLOCK_REWARD, "fee_amount": 0, "burn_amount": 0, "status": "OK"}
    sim.chain.set_block_economics(50, emission=BLOCK_REWARD + 7, fee=3, burn=1_000)
    part = rpc(sim.oxend_url, "get_coinbase_tx_sum", {"height": 50, "count": 10})["result"]
    assert (part["emission_amount"], part["fee_amount"], part["burn_amount"]) == (10 * BLOCK_REWARD + 7, 3, 1_000)
    sim.chain.script_coinbase_sum(
        0, 100, emission=59_537_648_307_402_880, fee=80_671_056_941_541, burn=720_279_959_424_405
    )
    scripted = rpc(sim.oxend_url, "get_coinbase_tx_sum", {"height": 0, "count": 100})["result"]
    assert scripted["emission_amount"] == 59_537_648_307_402_880  # above 2^53: exact through JSON


def test_a_restricted_node_refuses_admin_commands(rpc: Rpc) -> None:
    with OxenSimulator(restricted=True) as sim:
        assert rpc(sim.oxend_url, "get_coinbase_tx_sum", {"height": 0, "count": 1})["error"]["code"] == 403
        assert rpc(sim.oxend_url, "get_info")["result"]["status"] == "OK"


@pytest.mark.parametrize(
    ("method", "params", "code"),
    [
        ("no_such_method", {}, -32601),
        ("get_block_header_by_height", {"height": "5"}, -32602),
        ("get_block_header_by_height", {"height": True}, -32602),
        ("get_coinbase_tx_sum", {"height": -1, "count": 1}, -32602),
        ("get_service_nodes", {"fields": {"active": 1}}, -32602),
        ("get_info", [], -32602),
    ],
)
def test_errors_come_in_the_envelope_with_the_request_id(
    sim: OxenSimulator, rpc: Rpc, method: str, params: Any, code: int
) -> None:
    reply = rpc(sim.oxend_url, method, params, request_id="req-7")
    assert reply["id"] == "req-7" and reply["error"]["code"] == code and "result" not in reply


def test_a_simulated_testnet_reports_its_nettype_and_requirement(rpc: Rpc) -> None:
    with OxenSimulator(nettype="testnet") as sim:
        sim.chain.register_node([("T6op", 100 * OXEN)])
        assert rpc(sim.oxend_url, "get_info")["result"]["nettype"] == "testnet"
        assert nodes(sim, rpc)["service_node_states"][0]["staking_requirement"] == 100 * OXEN

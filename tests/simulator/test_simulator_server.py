"""The simulator's HTTP behaviour: paths, auth, faults, the control API, history replay, the command."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from swap.simulator import OxenSimulator
from swap.simulator.history import HistoryError, load_history

Rpc = Callable[..., dict[str, Any]]
ROOT = Path(__file__).resolve().parents[2]
BODY = {"jsonrpc": "2.0", "id": "x", "method": "get_info"}


def test_only_post_json_rpc_is_served(sim: OxenSimulator) -> None:
    assert requests.get(f"{sim.oxend_url}/json_rpc", timeout=5).status_code == 404
    assert requests.post(f"{sim.oxend_url}/get_info", json={}, timeout=5).status_code == 404
    assert requests.post(f"{sim.wallet_url}/", json=BODY, timeout=5).status_code == 404


def test_malformed_requests_get_json_rpc_errors(sim: OxenSimulator) -> None:
    def post(data: bytes) -> dict[str, Any]:
        response = requests.post(f"{sim.oxend_url}/json_rpc", data=data, timeout=5)
        assert response.status_code == 200
        return response.json()

    assert post(b"{not json")["error"]["code"] == -32700
    assert post(b'{"jsonrpc":"2.0","id":"a"}')["error"]["code"] == -32600
    assert post(b'{"jsonrpc":"2.0","id":"a","method":"get_info"}')["result"]["status"] == "OK"  # params optional


def test_basic_auth_is_enforced_when_configured() -> None:
    with OxenSimulator(wallet_auth=("oxen", "s3cret")) as sim:
        refused = requests.post(f"{sim.wallet_url}/json_rpc", json=BODY, timeout=5)
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic")
        wrong = requests.post(f"{sim.wallet_url}/json_rpc", json=BODY, auth=("oxen", "nope"), timeout=5)
        assert wrong.status_code == 401
        body = {"jsonrpc": "2.0", "id": "x", "method": "get_version"}
        allowed = requests.post(f"{sim.wallet_url}/json_rpc", json=body, auth=("oxen", "s3cret"), timeout=5)
        assert allowed.json()["result"] == {"version": 65553}


def test_error_and_status_faults_are_used_up_in_order(sim: OxenSimulator, rpc: Rpc) -> None:
    sim.oxend.faults.add("error", times=2, method="get_info")
    sim.oxend.faults.add("status", method="get_coinbase_tx_sum")
    assert rpc(sim.oxend_url, "get_height")["result"]["status"] == "OK"  # other methods unaffected
    assert rpc(sim.oxend_url, "get_info")["error"] == {"code": -32003, "message": "Server busy, try again later"}
    assert rpc(sim.oxend_url, "get_info")["error"]["code"] == -32003
    assert rpc(sim.oxend_url, "get_info")["result"]["status"] == "OK"
    assert rpc(sim.oxend_url, "get_coinbase_tx_sum", {"height": 0, "count": 5})["result"] == {"status": "BUSY"}
    assert rpc(sim.oxend_url, "get_coinbase_tx_sum", {"height": 0, "count": 5})["result"]["status"] == "OK"
    assert sim.oxend.faults.triggered == 3


def test_untrusted_http_drop_and_delay_faults(sim: OxenSimulator, rpc: Rpc) -> None:
    sim.oxend.faults.add("untrusted")
    assert rpc(sim.oxend_url, "get_info")["result"]["untrusted"] is True
    sim.oxend.faults.add("http")
    assert requests.post(f"{sim.oxend_url}/json_rpc", json=BODY, timeout=5).status_code == 500
    sim.oxend.faults.add("drop")
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{sim.oxend_url}/json_rpc", json=BODY, timeout=5)
    sim.oxend.faults.add("delay", seconds=0.5)
    with pytest.raises(requests.ReadTimeout):
        requests.post(f"{sim.oxend_url}/json_rpc", json=BODY, timeout=(1, 0.1))
    sim.oxend.faults.add("delay", seconds=0.2)
    started = time.monotonic()
    assert rpc(sim.oxend_url, "get_info")["result"]["status"] == "OK"
    assert time.monotonic() - started >= 0.2


def test_a_server_that_goes_down_refuses_connections_and_comes_back_on_its_port(sim: OxenSimulator) -> None:
    url = sim.wallet_url
    sim.wallet_rpc.go_down()
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{url}/json_rpc", json=BODY, timeout=5)
    sim.wallet_rpc.go_up()
    assert sim.wallet_url == url
    assert requests.post(f"{url}/json_rpc", json=BODY | {"method": "get_version"}, timeout=5).json()["result"]


def test_the_control_api_scripts_chain_wallet_and_faults_over_http(sim: OxenSimulator, rpc: Rpc) -> None:
    def control(command: str, **arguments: Any) -> Any:
        response = requests.post(f"{sim.oxend_url}/sim/{command}", json=arguments, timeout=5)
        assert response.status_code == 200, response.text
        return response.json()["result"]

    assert control("add_blocks", count=5) == 104
    pubkey = control("register_node", contributions=[["Lop", 15_000 * 10**9]])
    control("decommission", pubkey=pubkey)
    [node] = rpc(sim.oxend_url, "get_service_nodes")["result"]["service_node_states"]
    assert (node["service_node_pubkey"], node["active"]) == (pubkey, False)
    sim.wallet.create_address(1)
    txid = control("add_transfer", outputs=[[1, 1, 10**9]], blink=True)
    control("mine_transfer", txid=txid)
    control("fault", target="wallet", kind="error", code=-38, message="No connection to daemon")
    assert rpc(sim.wallet_url, "get_height")["error"]["code"] == -38
    control("down", target="wallet")
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{sim.wallet_url}/json_rpc", json=BODY, timeout=5)
    control("up", target="wallet")
    assert control("state")["wallet_outputs"] == 1
    bad = requests.post(f"{sim.oxend_url}/sim/recommission", json={"pubkey": "nope"}, timeout=5)
    assert bad.status_code == 400 and "no service node" in bad.json()["error"]
    assert requests.post(f"{sim.oxend_url}/sim/shutdown", json={}, timeout=5).status_code == 400


def test_the_control_api_is_off_unless_asked_for() -> None:
    with OxenSimulator() as sim:
        assert requests.post(f"{sim.oxend_url}/sim/state", json={}, timeout=5).status_code == 404


def recorded(height: int, *pubkeys: str) -> dict[str, Any]:
    states = [
        {"service_node_pubkey": p, "active": True, "funded": True, "contributors": [{"address": "L1", "amount": 5}]}
        for p in pubkeys
    ]
    return {"height": height, "block_hash": f"{height:064x}", "service_node_states": states, "status": "OK"}


def test_recorded_history_is_replayed_block_by_block(tmp_path: Path, rpc: Rpc) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"jsonrpc": "2.0", "id": "s", "result": recorded(1000, "aa")}))
    (tmp_path / "b.json").write_text(json.dumps([recorded(1003, "aa", "bb"), {"unchanged": True, "height": 1003}]))
    history = load_history(tmp_path)
    assert [r["height"] for r in history] == [1000, 1003]
    with OxenSimulator(history=history) as sim:
        first = rpc(sim.oxend_url, "get_service_nodes")["result"]
        assert (first["height"], first["block_hash"]) == (1000, f"{1000:064x}")
        assert [n["service_node_pubkey"] for n in first["service_node_states"]] == ["aa"]
        sim.chain.add_blocks(2)
        between = rpc(sim.oxend_url, "get_service_nodes")["result"]
        assert between["height"] == 1002 and len(between["service_node_states"]) == 1
        sim.chain.add_blocks(1)
        last = rpc(sim.oxend_url, "get_service_nodes")["result"]
        assert (last["height"], last["block_hash"]) == (1003, f"{1003:064x}")
        assert [n["service_node_pubkey"] for n in last["service_node_states"]] == ["aa", "bb"]
        assert rpc(sim.oxend_url, "get_info")["result"]["height"] == 1004


def test_replay_jumps_to_the_latest_recording_and_a_reorg_rewinds_it() -> None:
    history = [recorded(1000, "aa"), recorded(1002, "bb"), recorded(1003, "cc")]
    with OxenSimulator(history=history) as sim:
        sim.chain.add_blocks(3)  # past 1002 and 1003 in one call
        assert [n["service_node_pubkey"] for n in sim.chain.service_node_entries()] == ["cc"]
        assert sim.chain.block_hash(1002) == f"{1002:064x}"
        sim.chain.reorg(1003, new_length=1003)  # top back to 1002
        assert [n["service_node_pubkey"] for n in sim.chain.service_node_entries()] == ["bb"]


def test_a_bad_recording_is_refused_with_the_file_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"height": "1000", "block_hash": "ab", "service_node_states": []}))
    with pytest.raises(HistoryError, match="bad.json"):
        load_history(bad)


def test_the_management_command_prints_its_url_first_and_serves(tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps([recorded(1000, "aa")]))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_oxen_simulator", "--port", "0", "--history", str(history)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("listening on http://127.0.0.1:")
        url = first.removeprefix("listening on ")
        wallet_url = process.stdout.readline().strip().removeprefix("wallet listening on ")
        info = requests.post(f"{url}/json_rpc", json=BODY, timeout=5).json()["result"]
        assert info["height"] == 1001
        body = {"jsonrpc": "2.0", "id": "w", "method": "get_version"}
        assert requests.post(f"{wallet_url}/json_rpc", json=body, timeout=5).json()["result"]["version"] == 65553
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0

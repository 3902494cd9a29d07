"""OxendClient against the simulated oxend over real HTTP on loopback: no mocks."""

from collections.abc import Iterator

import pytest

from swap.core.bonus_allocation import earning_stakes
from swap.oxen_rpc import RetryPolicy
from swap.oxend import OxendClient
from swap.oxend_errors import OxendNetworkMismatch, OxendPermanentError, OxendTransientError
from swap.simulator import OxenSimulator

OXEN = 10**9
FAST_RETRY = RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.02)


@pytest.fixture
def sim() -> Iterator[OxenSimulator]:
    with OxenSimulator(length=100) as simulator:
        yield simulator


def client_for(sim: OxenSimulator, **options: object) -> OxendClient:
    options.setdefault("retry", FAST_RETRY)
    return OxendClient(sim.oxend_url, **options)  # type: ignore[arg-type]


def test_it_reads_heights_headers_and_supply(sim: OxenSimulator) -> None:
    client = client_for(sim)
    assert client.get_info()["height"] == 100
    height = client.get_height()
    assert (height["height"], height["hash"]) == (100, sim.chain.block_hash(99))
    header = client.get_block_header_by_height(42)
    assert (header["height"], header["hash"], header["timestamp"]) == (
        42,
        sim.chain.block_hash(42),
        sim.chain.timestamp(42),
    )
    sim.chain.script_coinbase_sum(0, 2**31 - 1, emission=59_537_648_307_402_880, fee=1, burn=720_279_959_424_405)
    supply = client.get_coinbase_tx_sum(0, 2**31 - 1)
    assert (supply["emission_amount"], supply["burn_amount"]) == (59_537_648_307_402_880, 720_279_959_424_405)


def test_a_snapshot_carries_height_block_hash_and_the_earning_stakes(sim: OxenSimulator) -> None:
    pubkey = sim.chain.register_node([("Lop", 3_750 * OXEN), ("Lc", 11_250 * OXEN)])
    snapshot = OxendClient(sim.oxend_url).get_service_nodes()
    assert (snapshot["height"], snapshot["block_hash"]) == (99, sim.chain.block_hash(99))
    assert earning_stakes(snapshot) == {("Lop", pubkey): 3_750 * OXEN, ("Lc", pubkey): 11_250 * OXEN}
    contributor = snapshot["service_node_states"][0]["contributors"][0]
    assert contributor["locked_contributions"][0]["amount"] == 3_750 * OXEN


def test_polling_with_the_last_block_hash_answers_unchanged(sim: OxenSimulator) -> None:
    client = client_for(sim)
    first = client.get_service_nodes()
    polled = client.get_service_nodes(poll_block_hash=first["block_hash"])
    assert polled["unchanged"] is True and "service_node_states" not in polled
    assert (polled["height"], polled["block_hash"]) == (first["height"], first["block_hash"])
    sim.chain.add_blocks(1)
    assert client.get_service_nodes(poll_block_hash=first["block_hash"])["unchanged"] is False


def test_it_checks_the_network_once_before_the_first_call() -> None:
    with OxenSimulator(nettype="testnet") as sim:
        with pytest.raises(OxendNetworkMismatch, match="testnet"):
            client_for(sim).get_height()
        client = client_for(sim, network="testnet")
        client.get_height()
        client.get_service_nodes()
        assert list(sim.oxend.requests) == ["get_info", "get_info", "get_height", "get_service_nodes"]


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "error", "code": -32003},
        {"kind": "error", "code": -9, "message": "Core is busy"},
        {"kind": "status", "status": "BUSY"},
        {"kind": "untrusted"},
        {"kind": "http", "http_status": 503},
        {"kind": "drop"},
    ],
)
def test_transient_failures_are_retried_until_an_answer(sim: OxenSimulator, fault: dict) -> None:
    client = client_for(sim)
    client.get_info()
    sim.oxend.faults.add(times=2, method="get_coinbase_tx_sum", **fault)
    assert client.get_coinbase_tx_sum(0, 10)["status"] == "OK"
    assert sim.oxend.requests.count("get_coinbase_tx_sum") == 3


def test_it_gives_up_with_a_transient_error_after_its_attempts(sim: OxenSimulator) -> None:
    client = client_for(sim)
    sim.oxend.faults.add("status", times=None, method="get_coinbase_tx_sum")
    with pytest.raises(OxendTransientError, match="BUSY"):
        client.get_coinbase_tx_sum(0, 10)
    assert sim.oxend.requests.count("get_coinbase_tx_sum") == FAST_RETRY.attempts


def test_a_read_timeout_is_transient_and_the_slow_calls_get_a_longer_one(sim: OxenSimulator) -> None:
    client = client_for(sim, read_timeout=0.1, long_read_timeout=2.0, retry=RetryPolicy(attempts=1))
    client.get_info()
    sim.oxend.faults.add("delay", seconds=0.4, times=None)
    with pytest.raises(OxendTransientError, match="ReadTimeout"):
        client.get_height()
    assert client.get_service_nodes()["status"] == "OK"  # 0.4 s fits the long read timeout


def test_a_refused_connection_is_transient(sim: OxenSimulator) -> None:
    client = client_for(sim)
    sim.oxend.go_down()
    with pytest.raises(OxendTransientError, match="ConnectionError"):
        client.get_info()


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"kind": "error", "code": -32601, "message": "Method not found"}, -32601),
        ({"kind": "error", "code": -32602, "message": "Invalid params"}, -32602),
        ({"kind": "error", "code": -1, "message": "WRONG_PARAM"}, -1),
        ({"kind": "error", "code": 403, "message": "Forbidden"}, 403),
        ({"kind": "http", "http_status": 403}, None),
        ({"kind": "status", "status": "Failed"}, None),
    ],
)
def test_permanent_failures_are_not_retried(sim: OxenSimulator, fault: dict, code: int | None) -> None:
    client = client_for(sim)
    client.get_info()
    sim.oxend.faults.add(method="get_height", **fault)
    with pytest.raises(OxendPermanentError) as raised:
        client.get_height()
    assert raised.value.code == code
    assert sim.oxend.requests.count("get_height") == 1


def test_a_height_beyond_the_chain_is_a_permanent_too_big_height(sim: OxenSimulator) -> None:
    with pytest.raises(OxendPermanentError) as raised:
        client_for(sim).get_block_header_by_height(100)
    assert raised.value.code == -2


def test_supply_on_a_restricted_node_is_refused_permanently() -> None:
    with OxenSimulator(restricted=True) as sim:
        with pytest.raises(OxendPermanentError) as raised:
            client_for(sim).get_coinbase_tx_sum(0, 1)
        assert raised.value.code == 403


def test_http_basic_auth_is_sent_when_configured() -> None:
    with OxenSimulator(oxend_auth=("rpc", "pw")) as sim:
        assert client_for(sim, auth=("rpc", "pw")).get_info()["status"] == "OK"
        with pytest.raises(OxendPermanentError, match="401"):
            client_for(sim).get_info()

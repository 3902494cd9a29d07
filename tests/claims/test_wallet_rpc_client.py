"""WalletRpcClient against the simulated oxen-wallet-rpc over real HTTP on loopback: no mocks."""

from collections.abc import Iterator

import pytest

from claims.exceptions import WalletRpcPermanentError, WalletRpcTransientError
from claims.wallet_rpc import WalletRpcClient
from swap.core.oxen_address import AddressKind, decode_address
from swap.oxen_rpc import RetryPolicy
from swap.simulator import OxenSimulator

OXEN = 10**9
FAST_RETRY = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.02)


@pytest.fixture
def sim() -> Iterator[OxenSimulator]:
    with OxenSimulator(length=100, wallet_auth=("oxen", "pw")) as simulator:
        yield simulator


@pytest.fixture
def client(sim: OxenSimulator) -> WalletRpcClient:
    return WalletRpcClient(sim.wallet_url, auth=("oxen", "pw"), retry=FAST_RETRY)


def test_it_creates_subaddresses_and_stores_them(sim: OxenSimulator, client: WalletRpcClient) -> None:
    created = client.create_address(1, "claim:7", count=2)
    assert (created.account_index, created.indices) == (1, [1, 2])
    assert all(decode_address(a).kind is AddressKind.SUBADDRESS for a in created.addresses)
    client.store()
    sim.wallet.crash()
    assert client.create_address(1).indices == [3]  # stored before the crash, so never reissued


def test_it_refuses_counts_the_wallet_would_refuse(client: WalletRpcClient) -> None:
    for count in (0, 65, True):
        with pytest.raises(ValueError):
            client.create_address(1, count=count)


def test_incoming_transfers_only_and_every_category_present(sim: OxenSimulator, client: WalletRpcClient) -> None:
    created = client.create_address(1)
    txid = sim.wallet.add_transfer([(1, created.indices[0], 3 * OXEN)], height=95)
    assert client.get_transfers(account_index=0) == {"in": []}
    transfers = client.get_transfers(account_index=1, subaddr_indices=created.indices, categories=("in", "pool"))
    assert transfers["pool"] == []
    [entry] = transfers["in"]
    assert (entry["txid"], entry["amount"], entry["confirmations"]) == (txid, 3 * OXEN, 5)
    assert client.get_transfers(account_index=1, min_height=96) == {"in": []}
    assert client.get_height() == {"height": 100, "immutable_height": 89}
    with pytest.raises(ValueError):
        client.get_transfers(categories=())


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "error", "code": -3, "message": "daemon is busy"},
        {"kind": "error", "code": -38, "message": "No connection to daemon"},
        {"kind": "http", "http_status": 500},
        {"kind": "drop"},
    ],
)
def test_transient_failures_are_retried(sim: OxenSimulator, client: WalletRpcClient, fault: dict) -> None:
    sim.wallet_rpc.faults.add(times=2, method="get_height", **fault)
    assert client.get_height()["height"] == 100
    assert sim.wallet_rpc.requests.count("get_height") == 3


def test_a_wallet_that_stays_down_raises_a_transient_error(sim: OxenSimulator, client: WalletRpcClient) -> None:
    sim.wallet_rpc.go_down()
    with pytest.raises(WalletRpcTransientError, match="ConnectionError"):
        client.get_height()


def test_a_slow_wallet_times_out_as_transient(sim: OxenSimulator) -> None:
    client = WalletRpcClient(sim.wallet_url, auth=("oxen", "pw"), read_timeout=0.1, retry=RetryPolicy(attempts=1))
    sim.wallet_rpc.faults.add("delay", seconds=0.4)
    with pytest.raises(WalletRpcTransientError, match="ReadTimeout"):
        client.get_height()


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"kind": "error", "code": -13, "message": "No wallet file"}, -13),
        ({"kind": "error", "code": -32601, "message": "Method not found"}, -32601),
        ({"kind": "error", "code": -1, "message": "boom"}, -1),
    ],
)
def test_other_errors_are_permanent_and_not_retried(
    sim: OxenSimulator, client: WalletRpcClient, fault: dict, code: int
) -> None:
    sim.wallet_rpc.faults.add(method="create_address", **fault)
    with pytest.raises(WalletRpcPermanentError) as raised:
        client.create_address(1)
    assert raised.value.code == code
    assert sim.wallet_rpc.requests.count("create_address") == 1


def test_a_wrong_account_is_a_permanent_error(client: WalletRpcClient) -> None:
    with pytest.raises(WalletRpcPermanentError) as raised:
        client.create_address(7)
    assert raised.value.code == -14


def test_a_missing_login_is_permanent(sim: OxenSimulator) -> None:
    with pytest.raises(WalletRpcPermanentError, match="401"):
        WalletRpcClient(sim.wallet_url, retry=FAST_RETRY).get_height()

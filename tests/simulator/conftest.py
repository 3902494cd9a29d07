"""A simulator on free loopback ports, and a bare JSON-RPC caller that checks the HTTP envelope."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from swap.simulator import OxenSimulator

Rpc = Callable[..., dict[str, Any]]


@pytest.fixture
def sim() -> Iterator[OxenSimulator]:
    with OxenSimulator(length=100, control_api=True) as simulator:
        yield simulator


@pytest.fixture
def rpc() -> Rpc:
    """`rpc(url, method, params)` → the whole JSON-RPC reply, asserting HTTP 200 and the echo."""

    def call(url: str, method: str, params: Any = None, *, request_id: Any = "t-1") -> dict[str, Any]:
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            body["params"] = params
        response = requests.post(f"{url}/json_rpc", json=body, timeout=5)
        assert response.status_code == 200  # errors too arrive with HTTP 200
        reply = response.json()
        assert reply["jsonrpc"] == "2.0"
        return reply

    return call

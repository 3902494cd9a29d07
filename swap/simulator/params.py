"""JSON-RPC errors and strict parameter reading for the simulated Oxen RPC servers.

oxend and oxen-wallet-rpc load params with epee's typed serializer: a wrong type or an
out-of-range integer fails the whole request with -32602, unknown keys are ignored. The simulator
does the same, so a client that sends `"1"` for a height or `true` for an index finds out in
tests rather than in production.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_BUSY = -32003

UINT32_MAX = 2**32 - 1
UINT64_MAX = 2**64 - 1


class RpcError(Exception):
    """An error answered in the JSON-RPC `error` envelope (always with HTTP 200)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def invalid_params(detail: str) -> RpcError:
    return RpcError(INVALID_PARAMS, f"Invalid params: {detail}")


class Params:
    """Typed access to a request's `params` object; every getter raises -32602 on a bad value."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return name in self.raw

    def uint(self, name: str, default: int, maximum: int = UINT64_MAX) -> int:
        value = self.raw.get(name, default)
        if type(value) is not int or not 0 <= value <= maximum:
            raise invalid_params(f"{name} must be an unsigned integer <= {maximum}")
        return value

    def uint32(self, name: str, default: int) -> int:
        return self.uint(name, default, UINT32_MAX)

    def int_(self, name: str, default: int) -> int:
        value = self.raw.get(name, default)
        if type(value) is not int:
            raise invalid_params(f"{name} must be an integer")
        return value

    def bool_(self, name: str, default: bool) -> bool:
        value = self.raw.get(name, default)
        if type(value) is not bool:
            raise invalid_params(f"{name} must be a boolean")
        return value

    def str_(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name, default)
        if value is not None and type(value) is not str:
            raise invalid_params(f"{name} must be a string")
        return value

    def uint_list(self, name: str, maximum: int = UINT64_MAX) -> list[int]:
        value = self.raw.get(name, [])
        if type(value) is not list or any(type(v) is not int or not 0 <= v <= maximum for v in value):
            raise invalid_params(f"{name} must be a list of unsigned integers")
        return value

    def str_list(self, name: str) -> list[str]:
        value = self.raw.get(name, [])
        if type(value) is not list or any(type(v) is not str for v in value):
            raise invalid_params(f"{name} must be a list of strings")
        return value

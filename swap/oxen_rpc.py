"""One HTTP JSON-RPC transport for the Oxen programs' peers: oxend and oxen-wallet-rpc.

Both speak JSON-RPC 2.0 over `POST /json_rpc` and both report errors inside an HTTP 200 reply,
so the mechanics are shared here and each client (`swap.oxend`, `claims.wallet_rpc`) only says
which failures are worth retrying and how a result must look:

- explicit (connect, read) timeouts on every request, a longer read timeout per call when asked;
- string ids (the wallet cannot handle numeric ones), checked against the reply on success;
- transient failures (connection refused or dropped, timeouts, HTTP 5xx, and the error codes the
  client names) are retried with capped exponential backoff, then raised as the client's
  transient exception so a Celery task can retry later; anything else raises its permanent one
  at once;
- replies are parsed with the stdlib `json`, so amounts stay exact integers.

Retrying a non-idempotent call (the wallet's `create_address`) after a timeout may perform it
twice; for subaddresses that only skips an index nobody was shown, which the claims code must
tolerate (it records the index it was given and checks indices only ever grow).
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import requests

logger = logging.getLogger(__name__)

ResultCheck = Callable[[str, dict[str, Any]], None]


class RpcError(Exception):
    """A call to an Oxen RPC peer failed. `code` is the JSON-RPC error code, when there was one."""

    def __init__(self, message: str, *, method: str = "", code: int | None = None) -> None:
        super().__init__(f"{method}: {message}" if method else message)
        self.method = method
        self.code = code


class RpcTransientError(RpcError):
    """Worth retrying as is: the peer was unreachable, slow or busy."""


class RpcPermanentError(RpcError):
    """Retrying the same request cannot succeed: bad request, refused, or a reply we cannot trust."""


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries in all; waits `backoff`, 2×, 4×… seconds between them, at most `max_backoff`."""

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0

    def delays(self) -> Iterator[float]:
        for retry in range(self.attempts - 1):
            yield min(self.max_backoff, self.backoff * 2**retry)


@dataclass(frozen=True)
class ErrorTypes:
    """The exceptions one client raises, and the JSON-RPC error codes it retries."""

    transient: type[RpcTransientError]
    permanent: type[RpcPermanentError]
    transient_codes: frozenset[int]


class JsonRpcHttp:
    """Calls `<url>/json_rpc` with a `requests.Session`; see the module docstring for the rules."""

    def __init__(
        self,
        url: str,
        errors: ErrorTypes,
        *,
        auth: tuple[str, str] | None = None,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        id_prefix: str = "swap",
    ) -> None:
        self.endpoint = url.rstrip("/") + "/json_rpc"
        self.errors = errors
        self.auth = auth
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.retry = retry or RetryPolicy()
        self.session = session or requests.Session()
        self._ids = itertools.count(1)
        self._id_prefix = id_prefix

    def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        read_timeout: float | None = None,
        check_result: ResultCheck | None = None,
    ) -> dict[str, Any]:
        """The `result` object of `method`, after retrying transient failures."""
        delays = self.retry.delays()
        while True:
            try:
                return self._attempt(method, params, read_timeout or self.read_timeout, check_result)
            except RpcTransientError as error:
                delay = next(delays, None)
                if delay is None:
                    raise
                logger.warning("retrying %s in %.2fs after: %s", method, delay, error)
                time.sleep(delay)

    def _attempt(
        self, method: str, params: Mapping[str, Any] | None, read_timeout: float, check_result: ResultCheck | None
    ) -> dict[str, Any]:
        transient, permanent = self.errors.transient, self.errors.permanent
        request_id = f"{self._id_prefix}-{next(self._ids)}"
        body = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": dict(params or {})}
        try:
            response = self.session.post(
                self.endpoint, json=body, auth=self.auth, timeout=(self.connect_timeout, read_timeout)
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            raise transient(f"{type(error).__name__}: {error}", method=method) from error
        except requests.RequestException as error:  # invalid URL, too many redirects, …
            raise permanent(f"{type(error).__name__}: {error}", method=method) from error

        if response.status_code >= 500:
            raise transient(f"HTTP {response.status_code}", method=method)
        if response.status_code != 200:
            raise permanent(f"HTTP {response.status_code}: {response.text[:200]}", method=method)
        try:
            envelope = json.loads(response.content)
        except ValueError:
            raise permanent(f"reply is not JSON: {response.text[:200]!r}", method=method) from None
        if not isinstance(envelope, dict):
            raise permanent("reply is not a JSON-RPC object", method=method)

        rpc_error = envelope.get("error")
        if rpc_error is not None:
            code = rpc_error.get("code") if isinstance(rpc_error, dict) else None
            code = code if type(code) is int else None
            message = rpc_error.get("message", "") if isinstance(rpc_error, dict) else str(rpc_error)
            kind = transient if code in self.errors.transient_codes else permanent
            raise kind(f"error {code}: {message}", method=method, code=code)
        if envelope.get("id") != request_id:
            raise permanent(f"reply id {envelope.get('id')!r} does not match {request_id!r}", method=method)
        result = envelope.get("result")
        if not isinstance(result, dict):
            raise permanent("reply has no result object", method=method)
        if check_result is not None:
            check_result(method, result)
        return result

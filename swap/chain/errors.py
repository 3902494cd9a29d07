"""What a node's error means for us: retry later, give up, or count it as success.

Nodes report failures as free text inside a JSON-RPC error ("nonce too low", "already known"), and
each client words them slightly differently. Callers must not parse that text themselves: the table
below maps it once to a typed exception, so the outbox can decide with `except` clauses. Anything
not in the table is treated as transient, because retrying an unknown error costs a little time
while giving up on it could lose a job.
"""

from __future__ import annotations

from typing import Any

import requests


class ChainError(Exception):
    """A call to the L2 node failed. `rpc_message` is the node's own text, when there was one."""

    def __init__(self, message: str, *, rpc_message: str = "") -> None:
        super().__init__(message)
        self.rpc_message = rpc_message


class TransientChainError(ChainError):
    """Worth retrying as is: the node was unreachable, busy, or the fee was momentarily too low."""


class PermanentChainError(ChainError):
    """Retrying the same request can never succeed; a person or another code path must act."""


class AlreadyKnownError(ChainError):
    """The node already holds this exact transaction: for a rebroadcast, that is success."""


class NonceTooLowError(PermanentChainError):
    """The nonce is used on chain: by this very transaction (mined already) or by another one."""


class NonceTooHighError(TransientChainError):
    """An earlier nonce of the sender is not known to the node yet; send that one first."""


class UnderpricedError(TransientChainError):
    """The fee is below what the node accepts now, or too close to the transaction it replaces."""


class InsufficientFundsError(TransientChainError):
    """The signer cannot pay for gas. Transient: an operator tops the account up and we go on."""


class ExecutionRevertedError(PermanentChainError):
    """The contract refused the call (estimate or eth_call): the same call will revert again."""


class ChainIdMismatchError(PermanentChainError):
    """The node serves another chain than `L2_CHAIN_ID`: nothing may be signed or sent to it."""


class ChainNotConfiguredError(PermanentChainError):
    """No `L2_RPC_URL` (or no contract address) is configured, so there is no chain to talk to."""


# Matched in order against the lower-cased node message; the first substring found wins, so the
# more specific texts ("replacement transaction underpriced") come before the general ones.
ERROR_TABLE: tuple[tuple[str, type[ChainError]], ...] = (
    ("already known", AlreadyKnownError),
    ("known transaction", AlreadyKnownError),
    ("already imported", AlreadyKnownError),
    ("transaction already exists", AlreadyKnownError),
    ("nonce too low", NonceTooLowError),
    ("nonce has already been used", NonceTooLowError),
    ("nonce too high", NonceTooHighError),
    ("replacement transaction underpriced", UnderpricedError),
    ("transaction underpriced", UnderpricedError),
    ("max fee per gas less than block base fee", UnderpricedError),
    ("fee cap less than block base fee", UnderpricedError),
    ("insufficient funds", InsufficientFundsError),
    ("execution reverted", ExecutionRevertedError),
    ("revert", ExecutionRevertedError),
    ("intrinsic gas too low", PermanentChainError),
    ("exceeds block gas limit", PermanentChainError),
    ("invalid sender", PermanentChainError),
    ("invalid chain id", PermanentChainError),
    ("only replay-protected", PermanentChainError),
    ("header not found", TransientChainError),
    ("rate limit", TransientChainError),
    ("too many requests", TransientChainError),
    ("timeout", TransientChainError),
)


def classify_rpc_error(method: str, error: Any) -> ChainError:
    """Turn a JSON-RPC `error` member into the typed exception the table gives for its message."""
    if isinstance(error, dict):
        message = str(error.get("message", "")) or str(error)
        data = error.get("data")
        if isinstance(data, str) and data and data not in message:
            message = f"{message} ({data})"
    else:
        message = str(error)
    lowered = message.lower()
    for needle, exception_type in ERROR_TABLE:
        if needle in lowered:
            return exception_type(f"{method}: {message}", rpc_message=message)
    return TransientChainError(f"{method}: {message} (not in the error table; retried)", rpc_message=message)


def classify_transport_error(method: str, error: Exception) -> ChainError:
    """A request that never got a JSON-RPC answer (refused, timed out, HTTP 5xx) is transient."""
    if isinstance(error, requests.RequestException | OSError | ValueError):
        return TransientChainError(f"{method}: node unreachable or garbled answer ({type(error).__name__})")
    return TransientChainError(f"{method}: {type(error).__name__}")

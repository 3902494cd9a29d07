"""Exceptions of the Oxen Coin Claims app.

Wallet RPC failures are transient (retry later: the wallet is busy refreshing, has lost its
daemon, or cannot be reached) or permanent (a person must look). Both are also `swap.oxen_rpc`
errors, so code that handles any Oxen peer can catch the shared bases.
"""

from typing import Any

from swap.oxen_rpc import RpcError, RpcPermanentError, RpcTransientError


class WalletRpcError(RpcError):
    """A call to oxen-wallet-rpc failed."""


class WalletRpcTransientError(WalletRpcError, RpcTransientError):
    """Unreachable, timed out, HTTP 5xx, -3 daemon busy or -38 no daemon connection."""


class WalletRpcPermanentError(WalletRpcError, RpcPermanentError):
    """Any other wallet error (-13 no wallet file, -14 bad account, 401 login, …) or a malformed reply."""


class ClaimsNotConfigured(RuntimeError):
    """`OXEN_WALLET_RPC_URL` is empty, or a claims setting is invalid: claims are switched off."""


class ClaimRefused(Exception):
    """Opening a claim was refused; `problems` maps a field (or `non_field_errors`) to reasons.

    Each reason is a `swap.registrations.exceptions.FieldProblem` (a code and a message for people).
    """

    def __init__(self, problems: dict[str, list[Any]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {p.code}" for field, items in problems.items() for p in items))

    @property
    def codes(self) -> list[str]:
        return [problem.code for items in self.problems.values() for problem in items]


class ClaimRateLimited(Exception):
    """Too many claims opened (or refused) from this client; try again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, -(-retry_after // 60))
        self.message = f"Too many claims opened from your network address. Please wait {minutes} minute(s)."
        super().__init__(self.message)


class ClaimsWalletUnavailable(Exception):
    """The claims wallet could not give a new subaddress now; nothing was stored. Answer 503."""

    message = (
        "The claims wallet is not reachable right now, so no deposit address could be created. "
        "Nothing was saved; please try again in a few minutes."
    )


class SnapshotLocked(Exception):
    """A deposit was credited at the active supply snapshot's rate: no other snapshot may replace it."""


class LedgerInconsistent(RuntimeError):
    """The ledger row's running totals disagree with the sum of the credits: stop and investigate."""

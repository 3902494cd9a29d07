"""Exceptions of the Oxen Coin Claims app.

Wallet RPC failures are transient (retry later: the wallet is busy refreshing, has lost its
daemon, or cannot be reached) or permanent (a person must look). Both are also `swap.oxen_rpc`
errors, so code that handles any Oxen peer can catch the shared bases.
"""

from swap.oxen_rpc import RpcError, RpcPermanentError, RpcTransientError


class WalletRpcError(RpcError):
    """A call to oxen-wallet-rpc failed."""


class WalletRpcTransientError(WalletRpcError, RpcTransientError):
    """Unreachable, timed out, HTTP 5xx, -3 daemon busy or -38 no daemon connection."""


class WalletRpcPermanentError(WalletRpcError, RpcPermanentError):
    """Any other wallet error (-13 no wallet file, -14 bad account, 401 login, …) or a malformed reply."""

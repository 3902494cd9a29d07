"""Exceptions of the oxend client (`swap.oxend`), shared by both programs.

Calls to oxend fail in two ways that callers must tell apart with `except` alone: transient
(retry the task later) and permanent (a person must look). Both are also `swap.oxen_rpc`
errors, so code that handles any Oxen peer can catch the shared bases.
"""

from swap.oxen_rpc import RpcError, RpcPermanentError, RpcTransientError


class OxendError(RpcError):
    """A call to oxend failed."""


class OxendTransientError(OxendError, RpcTransientError):
    """oxend was unreachable, slow, busy (-32003, -9, `status: "BUSY"`) or answered untrusted."""


class OxendPermanentError(OxendError, RpcPermanentError):
    """oxend refused the request (-32601, -32602, -1, -2, 403, …) or answered something unusable."""


class OxendNetworkMismatch(OxendPermanentError):
    """oxend runs on another network (mainnet/testnet/…) than the service is configured for."""

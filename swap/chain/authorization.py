"""What the outbox may sign: only a call it can re-derive from the row's owner, to an allowed target.

The outbox's rows live in the same database the web tier can write to. Signing whatever `to`,
`data` and `value` a row holds would let one inserted row get a root signed that no round ever
froze. So, at every signature (the first one and every fee bump), the outbox asks:

1. is the purpose one the publisher has any business sending (`SIGNABLE_PURPOSES`), with value 0,
   to the configured distributor, with that purpose's function selector (the allowlist)?
2. does the row's owner, looked up from its subject and rebuilt from frozen data, imply exactly
   this call data (`register_deriver`: the owning app says how; swap.chain knows no owner)?

Anything else is refused (`RefusedToSign`) and never signed; the outbox fails the row with an
`l2tx:refused` audit event. Cancel attempts (a 0-value transfer to the signer itself, no data)
are built by the outbox from nothing but the nonce and need no owner.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from swap.chain import contracts
from swap.chain.errors import PermanentChainError
from swap.chain.models import SIGNABLE_PURPOSES, L2Transaction, L2TxPurpose
from swap.core.eth_address import EthAddressError, normalize_eth_address

# The one function each signable purpose may call on the distributor.
FUNCTION_OF_PURPOSE = {
    L2TxPurpose.PROPOSE_ROOT: "proposeRoot",
    L2TxPurpose.ACTIVATE_ROOT: "activateRoot",
    L2TxPurpose.PAYOUT_BATCH: "claimMany",
    L2TxPurpose.WITHDRAW_REMAINDER: "execTransaction",  # on the Safe, carrying the owners' signatures
}
# Purposes whose target is the admin Safe, not the distributor (the Safe then calls the distributor).
SAFE_PURPOSES = (L2TxPurpose.WITHDRAW_REMAINDER,)

# purpose -> callable(transaction) returning the call data its owner implies (or raising).
Deriver = Callable[[L2Transaction], str]
_DERIVERS: dict[str, Deriver] = {}


class RefusedToSign(PermanentChainError):
    """The row asks for a call the outbox cannot re-derive from its owner, or to a target not allowed."""


def register_deriver(purpose: str, deriver: Deriver) -> None:
    """Say how to rebuild the call data of `purpose` from its owner (an app's `ready()` calls this)."""
    if purpose not in SIGNABLE_PURPOSES:
        raise ValueError(f"{purpose!r} is not a purpose the outbox signs")
    _DERIVERS[purpose] = deriver


def allowed_target(purpose: str = L2TxPurpose.PROPOSE_ROOT) -> str:
    """The contract the publisher calls: the configured distributor, or the Safe for a Safe-signed call."""
    name = "L2_SAFE_ADDRESS" if purpose in SAFE_PURPOSES else "L2_DISTRIBUTOR_ADDRESS"
    try:
        return normalize_eth_address(getattr(settings, name))
    except EthAddressError:
        raise RefusedToSign(f"{name} is not set to a valid address: nothing may be signed") from None


def check_allowlist(*, purpose: str, to: str, data: str, value_wei: int) -> None:
    """Refuse anything but (distributor, the purpose's selector) with value 0."""
    if purpose not in SIGNABLE_PURPOSES:
        raise RefusedToSign(f"the outbox signs only {', '.join(SIGNABLE_PURPOSES)}, not {purpose!r}")
    if value_wei != 0:
        raise RefusedToSign(f"a {purpose} transaction carries no ETH, not {value_wei} wei")
    target = allowed_target(purpose)
    if not to or normalize_eth_address(to) != target:
        raise RefusedToSign(f"a {purpose} transaction goes to {target}, not {to or 'a new contract'}")
    artifact = contracts.SAFE if purpose in SAFE_PURPOSES else contracts.DISTRIBUTOR
    selector = contracts.load_artifact(artifact).selector(FUNCTION_OF_PURPOSE[purpose])
    if data[:10].lower() != selector:
        raise RefusedToSign(f"a {purpose} transaction calls {FUNCTION_OF_PURPOSE[purpose]} ({selector}), "
                            f"not {data[:10]}")


def authorize(tx: L2Transaction) -> None:
    """Refuse unless the row is allowlisted and its owner implies exactly its call data."""
    check_allowlist(purpose=tx.purpose, to=tx.to_address, data=tx.data, value_wei=tx.value_wei)
    deriver = _DERIVERS.get(tx.purpose)
    if deriver is None:
        raise RefusedToSign(f"no owner is registered to re-derive {tx.purpose} transactions")
    expected = deriver(tx)
    if expected.lower() != tx.data.lower():
        raise RefusedToSign(f"l2tx:{tx.pk} ({tx.subject}) holds call data its owner does not imply")

"""The distributor's admin actions, as Safe transactions: what the runbook asks the Safe's owners to sign.

The admin of `SwapDistributor` is a Safe; no single key can unpause, move the end, withdraw the
remainder, or grant and revoke roles. Each action here is checked against the chain first (so the
owners are never asked to sign something that would revert: an end too soon, a withdrawal before
the end, a role that does not exist) and built as a `SafeTransaction` at the Safe's next nonce.
"""

from __future__ import annotations

from dataclasses import dataclass

from swap.chain import contracts, safe
from swap.chain.client import ChainClient
from swap.core.eth_address import EthAddressError, normalize_eth_address
from swap.core.program_end import end_refusal

GRANTABLE_ROLES = ("publisher", "pauser", "guardian")


class AdminActionError(ValueError):
    """The action would revert on chain, or its arguments are wrong; the message says which."""


@dataclass(frozen=True)
class AdminAction:
    """One call of the distributor, described for people, ready to become a Safe transaction."""

    description: str
    data: str


def _address(value: str, what: str) -> str:
    try:
        return normalize_eth_address(value)
    except EthAddressError as error:
        raise AdminActionError(f"{what}: {error}") from None


def _role(name: str) -> str:
    if name not in GRANTABLE_ROLES:
        raise AdminActionError(f"role must be one of {', '.join(GRANTABLE_ROLES)}, not {name!r}")
    return contracts.ROLES[name]


def chain_time(client: ChainClient) -> int:
    return int((client.get_block("latest") or {}).get("timestamp", "0x0"), 16)


def unpause(client: ChainClient, distributor: str) -> AdminAction:
    if not contracts.is_paused(client, distributor):
        raise AdminActionError("the distributor is not paused")
    return AdminAction("unpause the distributor", contracts.unpause_data())


def set_end_time(client: ChainClient, distributor: str, end_time: int) -> AdminAction:
    state = contracts.distributor_state(client, distributor)
    refusal = end_refusal(now=chain_time(client), new_end=end_time, current_end=state.end_time or None)
    if refusal:
        raise AdminActionError(refusal)
    return AdminAction(f"set the program end to unix time {end_time}", contracts.set_end_time_data(end_time))


def withdraw_remainder(client: ChainClient, distributor: str, to: str) -> AdminAction:
    recipient = _address(to, "recipient")
    state = contracts.distributor_state(client, distributor)
    if state.closed:
        raise AdminActionError("the remainder was already withdrawn: the program is closed")
    if state.paused:
        raise AdminActionError("the distributor is paused: while paused no SESH leaves it; unpause first "
                               "(one Safe MultiSend can unpause and withdraw together)")
    if not state.end_time or chain_time(client) < state.end_time:
        raise AdminActionError(f"the program has not ended (end: {state.end_time or 'not set'}); "
                               "the remainder can only be withdrawn after it")
    return AdminAction(f"withdraw the remainder to {recipient}", contracts.withdraw_remainder_data(recipient))


def grant_role(client: ChainClient, distributor: str, role: str, account: str) -> AdminAction:
    address = _address(account, "account")
    if contracts.has_role(client, distributor, _role(role), address):
        raise AdminActionError(f"{address} already holds the {role} role")
    return AdminAction(f"grant the {role} role to {address}", contracts.grant_role_data(_role(role), address))


def revoke_role(client: ChainClient, distributor: str, role: str, account: str) -> AdminAction:
    address = _address(account, "account")
    if not contracts.has_role(client, distributor, _role(role), address):
        raise AdminActionError(f"{address} does not hold the {role} role")
    return AdminAction(f"revoke the {role} role from {address}", contracts.revoke_role_data(_role(role), address))


def as_safe_transaction(client: ChainClient, safe_address: str, distributor: str, action: AdminAction,
                        *, nonce_offset: int = 0) -> safe.SafeTransaction:
    """The Safe transaction carrying `action` (at the Safe's next nonce, plus `nonce_offset`)."""
    return safe.build(client, safe_address, to=distributor, data=action.data, nonce_offset=nonce_offset)

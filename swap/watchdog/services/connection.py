"""The watchdog's own way to the chain: its own node, its own key, checked at every pass.

The watchdog must still see the truth when the service's node or worker is the thing that was
taken over, so it reads through `WATCHDOG_RPC_URL` (falling back to `L2_RPC_URL` only when no
separate node is configured) with a client object of its own, never the cached client the
publisher uses. The same chain-id guard applies: a node serving another chain is refused before
anything is read from it or signed for it. The key is `WATCHDOG_SIGNER_KEY`(`_FILE`), loaded into
a `Signer` that never shows it; each pass also checks on chain that it can do its two jobs (veto
and pause) and holds nothing more, since a watchdog that cannot veto is as good as none.
"""

from __future__ import annotations

from django.conf import settings

from swap.chain import contracts
from swap.chain.client import ChainClient
from swap.chain.errors import ChainNotConfiguredError
from swap.chain.signer import Signer, load_guardian
from swap.watchdog.exceptions import GuardianRoleError, WatchdogNotConfiguredError

NEEDED_ROLES = {"guardian", "pauser"}


def watchdog_client() -> ChainClient:
    """A fresh client for the watchdog's node, after the node has answered with `L2_CHAIN_ID`."""
    url = settings.WATCHDOG_RPC_URL or settings.L2_RPC_URL
    if not url:
        raise ChainNotConfiguredError("neither WATCHDOG_RPC_URL nor L2_RPC_URL is set: no node to watch through")
    client = ChainClient(url, chain_id=int(settings.L2_CHAIN_ID), timeout=float(settings.L2_RPC_TIMEOUT_SECONDS))
    client.assert_chain_id()
    return client


def watched_distributor() -> str:
    if not settings.L2_DISTRIBUTOR_ADDRESS:
        raise WatchdogNotConfiguredError("L2_DISTRIBUTOR_ADDRESS is not set: no distributor to watch")
    return str(settings.L2_DISTRIBUTOR_ADDRESS)


def guardian_for(client: ChainClient, distributor: str) -> Signer:
    """The watchdog's key, once the chain confirms it may veto and pause and do nothing else."""
    guardian = load_guardian()
    held = set(contracts.roles_of(client, distributor, guardian.address))
    missing = NEEDED_ROLES - held
    if missing:
        raise GuardianRoleError(
            f"the watchdog key {guardian.address} lacks {sorted(missing)} on {distributor}: it could not veto or pause"
        )
    extra = held - NEEDED_ROLES
    if extra:
        raise GuardianRoleError(
            f"the watchdog key {guardian.address} also holds {sorted(extra)} on {distributor}; it may hold only "
            f"{sorted(NEEDED_ROLES)}"
        )
    return guardian

"""Each key holds exactly its job on the distributor; a worker refuses to start otherwise.

The worker's hot key is the one most exposed (it signs every day, on a machine that also runs
the service): it must hold `PUBLISHER_ROLE` and nothing else, so its thief can only propose a root
that the watchdog vetoes during the delay. The watchdog's key may hold `GUARDIAN_ROLE` and
`PAUSER_ROLE`, never the publisher's or the admin's. Checked on chain with `hasRole`.
"""

from __future__ import annotations

from django.conf import settings

from swap.chain import contracts
from swap.chain.client import ChainClient
from swap.chain.signer import SignerKeyError, load_guardian, load_signer

PUBLISHER_MAY_HOLD = {"publisher"}
GUARDIAN_MAY_HOLD = {"guardian", "pauser"}


def key_role_problems(client: ChainClient, distributor: str) -> list[str]:
    """What is wrong with the configured keys' roles on `distributor` (empty when nothing is)."""
    problems = []
    keys = {}
    for what, load, allowed in (("signer", load_signer, PUBLISHER_MAY_HOLD),
                                ("watchdog", load_guardian, GUARDIAN_MAY_HOLD)):
        try:
            address = load().address
        except SignerKeyError:
            continue  # not configured in this process: nothing of it to check
        keys[what] = address
        extra = set(contracts.roles_of(client, distributor, address)) - allowed
        if extra:
            problems.append(f"the {what} key {address} holds {sorted(extra)} on {distributor}; it may hold only "
                            f"{sorted(allowed)}")
    if len(keys) == 2 and keys["signer"] == keys["watchdog"]:
        problems.append(f"the signer and the watchdog use the same key {keys['signer']}: one thief would hold both")
    return problems


def configured_distributor() -> str | None:
    return str(settings.L2_DISTRIBUTOR_ADDRESS) if settings.L2_DISTRIBUTOR_ADDRESS else None

"""Deploying SwapDistributor on a real chain: three keys, three jobs, checked before anything is sent.

On any chain but anvil's, `deploy_contracts` refuses a plan in which one stolen key could move
SESH: the admin must be a contract (the Safe), the guardian must not be the publisher, and no key
may hold two of the three jobs (admin, publisher, watchdog), nor be the deployer. The deployer
only pays for the deployment; the admin is the Safe from the constructor on, so the roles are
granted by Safe transactions the owners sign (printed by the command, as `safe_admin` does).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from swap.chain import contracts, safe
from swap.chain.client import ChainClient
from swap.chain.direct import SentTransaction, send_and_wait
from swap.chain.errors import PermanentChainError
from swap.chain.signer import ANVIL_CHAIN_ID, Signer
from swap.core.eth_address import normalize_eth_address


class UnsafeRolePlanError(PermanentChainError):
    """The planned roles would let one key move SESH; the message names the problem."""


@dataclass(frozen=True)
class RolePlan:
    """Who gets which job on the distributor."""

    admin: str  # a Safe: DEFAULT_ADMIN_ROLE
    publisher: str  # the worker's hot key: PUBLISHER_ROLE only
    guardian: str  # the watchdog's key: GUARDIAN_ROLE and PAUSER_ROLE

    def grants(self) -> list[tuple[str, str]]:
        """(role, account) pairs the Safe grants after deployment."""
        return [(contracts.PUBLISHER_ROLE, self.publisher), (contracts.GUARDIAN_ROLE, self.guardian),
                (contracts.PAUSER_ROLE, self.guardian)]


def role_plan_problems(client: ChainClient, plan: RolePlan, *, deployer: str) -> list[str]:
    """Why `plan` is unsafe on this chain (nothing is refused on anvil's 31337)."""
    if client.chain_id == ANVIL_CHAIN_ID:
        return []
    problems = []
    if client.request("eth_getCode", [plan.admin, "latest"]) in ("0x", "0x0", None):
        problems.append(f"the admin {plan.admin} is not a contract: it must be a Safe multisig, never one key")
    if plan.guardian == plan.publisher:
        problems.append(f"the guardian {plan.guardian} is the publisher: the key that proposes cannot veto its roots")
    jobs = [("admin", plan.admin), ("publisher", plan.publisher), ("guardian", plan.guardian), ("deployer", deployer)]
    for (job, address), (other_job, other) in itertools.combinations(jobs, 2):
        if address == other and {job, other_job} != {"publisher", "guardian"}:  # that pair is said above
            problems.append(f"{address} would be both {job} and {other_job}: give every job its own key")
    return problems


def deploy_distributor(client: ChainClient, deployer: Signer, *, token: str, plan: RolePlan, end_time: int,
                       activation_delay: int) -> SentTransaction:
    """Check the plan, then deploy SwapDistributor with the Safe as its admin."""
    problems = role_plan_problems(client, plan, deployer=deployer.address)
    if problems:
        raise UnsafeRolePlanError("; ".join(problems))
    data = contracts.load_artifact(contracts.DISTRIBUTOR).deploy_data(
        normalize_eth_address(token), plan.admin, end_time, activation_delay
    )
    sent = send_and_wait(client, deployer, to=None, data=data)
    if not sent.contract_address:
        raise PermanentChainError("the deployment created no contract")
    return sent


def grant_transactions(client: ChainClient, plan: RolePlan, distributor: str) -> list[safe.SafeTransaction]:
    """The Safe transactions granting the plan's roles, at the Safe's next nonces, for its owners to sign."""
    return [
        safe.build(client, plan.admin, to=distributor, data=contracts.grant_role_data(role, account), nonce_offset=i)
        for i, (role, account) in enumerate(plan.grants())
    ]

"""Playing the thief and the watchdog on the session's anvil.

The thief holds the service's publisher key (`SERVICE_KEY`, anvil #1: it has `PUBLISHER_ROLE`
only) and sends `proposeRoot` with it straight to the node, as anyone who copied the key would,
for a tree of their own making. Claims and activations are sent from anvil #0, which holds no
role: anyone may send them. The watchdog runs exactly as the task and the command run it.
"""

from __future__ import annotations

from django.conf import settings

from swap.chain import contracts
from swap.chain.client import get_client
from swap.chain.direct import SentTransaction, send_and_wait
from swap.chain.local import DEPLOYER_INDEX, dev_signer
from swap.chain.signer import key_from_text
from swap.core.eth_address import normalize_eth_address
from swap.core.merkle import StandardMerkleTree
from swap.models import AuditEvent
from swap.watchdog.models import Alert, ClaimCheck, ProposalCheck
from swap.watchdog.services.passes import PassReport, watch_distributor
from tests.distributions.conftest import SESH
from tests.distributions.l2 import SERVICE_KEY
from tests.distributions.test_distribution_flow import send_from_helper

FUNDED = 1_000 * SESH
THIEF = "0x7417417417417417417417417417417417417417"
MALLORY = normalize_eth_address("0x" + "4d" * 20)


def tree(amounts: dict[str, int]) -> StandardMerkleTree:
    return StandardMerkleTree.of(amounts.items())


def propose_with_stolen_key(root: str, round_id: int, total: int, accounts: int) -> SentTransaction:
    """`proposeRoot` signed with the publisher's key by someone who is not the service."""
    thief = key_from_text(SERVICE_KEY, chain_id=settings.L2_CHAIN_ID)
    return send_and_wait(get_client(), thief, to=settings.L2_DISTRIBUTOR_ADDRESS,
                         data=contracts.propose_root_data(root, round_id, total, accounts))


def propose_tree_with_stolen_key(stolen: StandardMerkleTree, round_id: int = 1) -> SentTransaction:
    return propose_with_stolen_key(stolen.root_hex, round_id, stolen.total, len(stolen))


def claim(l2, claimed: StandardMerkleTree, account: str) -> dict:
    """A claim of `account`'s amount in `claimed`, sent by someone holding no role; the receipt."""
    data = contracts.claim_data(account, claimed.amount_of(account), claimed.proof(account))
    return send_from_helper(l2, settings.L2_DISTRIBUTOR_ADDRESS, data)


def send_as_anyone(data: str) -> SentTransaction:
    """A transaction from anvil #0 (no role), raising `DirectTransactionReverted` with the named error."""
    return send_and_wait(get_client(), dev_signer(DEPLOYER_INDEX), to=settings.L2_DISTRIBUTOR_ADDRESS, data=data)


def balance(address: str) -> int:
    return contracts.token_balance(get_client(), settings.L2_TOKEN_ADDRESS, address)


def state() -> contracts.DistributorState:
    return contracts.distributor_state(get_client(), settings.L2_DISTRIBUTOR_ADDRESS)


def watch() -> PassReport:
    return watch_distributor(actor="test:watchdog")


def records() -> tuple[int, int, int, int, int]:
    """Counts of everything a pass writes: audit events, alerts, proposal and claim checks, the head."""
    return (AuditEvent.objects.count(), Alert.objects.count(), ProposalCheck.objects.count(),
            ClaimCheck.objects.count(), get_client().block_number())

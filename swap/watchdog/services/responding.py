"""The watchdog's answer to a mismatch: veto the root if it is still pending, pause, write it down.

Chain first, then the database: a veto or a pause cannot sit inside a database transaction, so
each is sent (straight from the guardian's key, outside the publisher's outbox — see
`swap.chain.direct`) and then recorded by compare-and-swap on the finding's `responded_at`, with
its audit event, in one transaction. A crash in between is repaired by the next pass, because
both actions are decided from the chain's state, not from memory: a root no longer pending is not
vetoed again (a veto that lost a race to an activation or another veto, `NotPending`, is fine —
the pause then stops the claims), and a paused contract is not paused again. After the admin
unpauses, an answered finding does not pause again; only a new finding does. A root that was
already vetoed on chain when the watchdog judged it (a person's veto, or history read again after
the watchdog's tables were reset) can never become claimable: it is alerted, not answered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from swap.audit import record_event
from swap.chain import contracts
from swap.chain.client import ChainClient
from swap.chain.direct import DirectTransactionReverted, send_and_wait
from swap.chain.signer import Signer
from swap.watchdog.models import ClaimCheck, ProposalCheck, Verdict

logger = logging.getLogger(__name__)


@dataclass
class Response:
    vetoed: list[str] = field(default_factory=list)  # roots vetoed by this pass
    paused_tx_hash: str = ""  # this pass's pause, if it sent one
    answered: int = 0  # findings marked answered by this pass


def _unanswered(chain_id: int, distributor: str) -> tuple[list[ProposalCheck], list[ClaimCheck]]:
    where = {"chain_id": chain_id, "distributor": distributor, "verdict": Verdict.MISMATCH,
             "responded_at__isnull": True}
    return list(ProposalCheck.objects.filter(**where).order_by("pk")), list(ClaimCheck.objects.filter(**where))


def _veto(client: ChainClient, guardian: Signer, distributor: str, root: str) -> str:
    """Send `vetoRoot(root)`; its hash, or "" when the root was no longer pending (a lost race)."""
    try:
        return send_and_wait(client, guardian, to=distributor, data=contracts.veto_root_data(root)).tx_hash
    except DirectTransactionReverted as error:
        if str(error).startswith("NotPending("):
            return ""
        raise


def _pause(client: ChainClient, guardian: Signer, distributor: str) -> str:
    """Send `pause()`; its hash, or "" when someone paused first (`EnforcedPause`)."""
    try:
        return send_and_wait(client, guardian, to=distributor, data=contracts.pause_data()).tx_hash
    except DirectTransactionReverted as error:
        if str(error).startswith("EnforcedPause("):
            return ""
        raise


def _pause_once(client: ChainClient, guardian: Signer, distributor: str, response: Response) -> str:
    """Pause unless paused; what happened, in words."""
    if contracts.is_paused(client, distributor):
        return "the distributor was already paused"
    response.paused_tx_hash = _pause(client, guardian, distributor)
    if not response.paused_tx_hash:
        return "paused by someone else"
    logger.critical("watchdog paused the distributor %s in %s", distributor, response.paused_tx_hash)
    return f"paused in {response.paused_tx_hash}"


def respond_to_mismatches(client: ChainClient, guardian: Signer, distributor: str, *, actor: str) -> Response:
    """Veto every unanswered mismatched root still pending, pause once, and record both."""
    response = Response()
    roots, claims = _unanswered(client.chain_id, distributor)
    if not roots and not claims:
        return response
    notes: dict[int, str] = {}
    for check in roots:
        if check.figures.get("vetoed_on_chain"):
            notes[check.pk] = "vetoed on chain before the watchdog judged it: nothing to do"
            continue
        state = contracts.distributor_state(client, distributor)
        if state.pending_root != check.root.lower():
            notes[check.pk] = "not pending any more: nothing to veto"
            continue
        tx_hash = _veto(client, guardian, distributor, check.root)
        notes[check.pk] = f"vetoed in {tx_hash}" if tx_hash else "the veto lost a race: it was no longer pending"
        with transaction.atomic():
            if tx_hash:
                ProposalCheck.objects.filter(pk=check.pk).update(vetoed_tx_hash=tx_hash)
            record_event("watchdog:root_vetoed" if tx_hash else "watchdog:veto_lost_race", actor=actor,
                         subject=f"round:{check.round_id}",
                         data={"check": check.pk, "root": check.root, "tx_hash": tx_hash})
        if tx_hash:
            response.vetoed.append(check.root)
            logger.critical("watchdog vetoed root %s of round %s in %s", check.root, check.round_id, tx_hash)
    pause_note = ""
    if claims or any(not check.figures.get("vetoed_on_chain") for check in roots):
        pause_note = _pause_once(client, guardian, distributor, response)
    with transaction.atomic():
        if response.paused_tx_hash:
            record_event("watchdog:distributor_paused", actor=actor, subject=f"distributor:{distributor}",
                         data={"tx_hash": response.paused_tx_hash,
                               "proposal_checks": [c.pk for c in roots], "claim_checks": [c.pk for c in claims]})
        now = timezone.now()
        for check in [*roots, *claims]:
            text = "; ".join(filter(None, [notes.get(check.pk) if isinstance(check, ProposalCheck) else "",
                                           pause_note]))
            model = type(check)
            if model.objects.filter(pk=check.pk, responded_at__isnull=True).update(responded_at=now,
                                                                                 response=text[:300]):
                response.answered += 1
                record_event("watchdog:mismatch_answered", actor=actor,
                             subject=f"{model._meta.model_name}:{check.pk}", data={"response": text})
    return response

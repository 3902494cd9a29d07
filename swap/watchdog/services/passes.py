"""One pass of the watchdog: read, judge, answer, then beat.

1. Connect through the watchdog's own node (chain-id guard) and check its key's roles on chain.
2. Read every `RootProposed`, `RootPublished` and `Claimed` from the cursor to the final block
   (claims are judged as they are read: `scanning.py`).
3. Read the contract's pending root at the head too, so a proposal too recent to be final, or one
   the log scan missed, is judged in this very pass.
4. Judge every proposal not judged yet (`judging.py`): round id, root, total, account count
   against the database's frozen round and the published dump; coverage by balance + paid.
5. Answer every unanswered mismatch (`responding.py`): veto if still pending, pause if not paused.
6. Only then write the heartbeat: a pass that failed anywhere leaves it old, so a watchdog that
   cannot do its job shows up as stale on the admin home page.

Everything is idempotent: events are stored once, verdicts move once from `unchecked`, answers
are recorded once and decided from the chain's state, so running a pass twice does nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from swap.audit import record_event
from swap.chain import contracts
from swap.chain.client import ChainClient
from swap.watchdog.models import ProposalCheck, Verdict, WatchCursor
from swap.watchdog.services.connection import guardian_for, watchdog_client, watched_distributor
from swap.watchdog.services.judging import judge_proposal, record_verdict
from swap.watchdog.services.responding import respond_to_mismatches
from swap.watchdog.services.scanning import cursor_of, scan_events


@dataclass(frozen=True)
class PassReport:
    """What one pass saw and did (for the command's output and the task's log line)."""

    head_block: int
    final_block: int
    proposals_judged: int
    root_mismatches: int
    claims_checked: int
    claim_mismatches: int
    vetoed: tuple[str, ...]
    paused_tx_hash: str

    def summary(self) -> str:
        parts = [f"head {self.head_block}, read to {self.final_block}",
                 f"{self.proposals_judged} proposal(s) judged ({self.root_mismatches} mismatched)",
                 f"{self.claims_checked} claim(s) checked ({self.claim_mismatches} mismatched)"]
        if self.vetoed:
            parts.append(f"vetoed {', '.join(self.vetoed)}")
        if self.paused_tx_hash:
            parts.append(f"paused in {self.paused_tx_hash}")
        return "; ".join(parts)


def record_pending_root(client: ChainClient, distributor: str, *, block: int, actor: str) -> ProposalCheck | None:
    """Make sure the root pending on chain at `block` has a proposal check (inside the caller's transaction)."""
    state = contracts.distributor_state(client, distributor, block=block)
    if not state.has_pending:
        return None
    total = int(contracts.read(client, contracts.DISTRIBUTOR, distributor, "pendingTotal", block=block))
    accounts = int(contracts.read(client, contracts.DISTRIBUTOR, distributor, "pendingAccounts", block=block))
    check, created = ProposalCheck.objects.get_or_create(
        chain_id=client.chain_id, distributor=distributor, round_id=state.pending_round_id,
        root=state.pending_root.lower(), activates_at=state.pending_activates_at,
        defaults={"declared_total": str(total), "declared_accounts": str(accounts),
                  "source": ProposalCheck.Source.STATE},
    )
    if created:
        record_event("watchdog:pending_root_seen", actor=actor, subject=f"round:{check.round_id}",
                     data={"check": check.pk, "root": check.root, "at_block": block})
    return check


def watch_distributor(*, actor: str) -> PassReport:
    """Run one full pass over the configured distributor (see the module docstring)."""
    distributor = watched_distributor()
    client = watchdog_client()
    guardian = guardian_for(client, distributor)
    scan = scan_events(client, distributor, actor=actor)
    head = client.block_number()
    with transaction.atomic():
        record_pending_root(client, distributor, block=head, actor=actor)
    judged = mismatched = 0
    unchecked = ProposalCheck.objects.filter(chain_id=client.chain_id, distributor=distributor,
                                             verdict=Verdict.UNCHECKED).order_by("pk")
    for check in unchecked:
        verdict = record_verdict(check, judge_proposal(check, client, at_block=scan.final_block), actor=actor)
        judged += 1
        mismatched += verdict.verdict == Verdict.MISMATCH
    response = respond_to_mismatches(client, guardian, distributor, actor=actor)
    cursor = cursor_of(client, distributor)
    WatchCursor.objects.filter(pk=cursor.pk).update(last_pass_at=timezone.now(), last_pass_head=head,
                                                    passes=F("passes") + 1)
    return PassReport(
        head_block=head, final_block=scan.final_block, proposals_judged=judged, root_mismatches=mismatched,
        claims_checked=scan.claims, claim_mismatches=len(scan.claim_mismatches), vetoed=tuple(response.vetoed),
        paused_tx_hash=response.paused_tx_hash,
    )

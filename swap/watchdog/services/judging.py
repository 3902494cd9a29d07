"""Judging a proposed root: rebuild it from the database's frozen round and from the published dump.

The round is the database's round whose number is the proposal's round id, frozen or further on
(not a draft, not a vetoed round). Three independent accounts of it are held to the proposal's
root, total and account count: the round record (what `freeze_round` wrote), its frozen entries
hashed again (`frozen_tree`), and the published dump loaded and fully re-verified
(`StandardMerkleTree.load`), whose sha256 must also be the one frozen. Then the money: the
distributor's SESH balance plus everything it has paid, both at the watchdog's final block,
must cover the declared total (a cumulative total: what was paid is part of it).

The verdict is written by compare-and-swap from `unchecked`, with its audit event and, for a
mismatch, its alert, in one transaction: judged once, alerted once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from swap.audit import record_event
from swap.chain import contracts
from swap.chain.client import ChainClient
from swap.core.merkle import MerkleDumpError, StandardMerkleTree
from swap.distributions.exceptions import RoundStateError
from swap.distributions.models import DistributionRound, RoundDump
from swap.distributions.services.trees import frozen_tree
from swap.watchdog.findings import Declared, Rebuilt, coverage_finding, figure_findings
from swap.watchdog.models import AlertKind, ProposalCheck, Verdict
from swap.watchdog.services.alerts import raise_alert
from swap.watchdog.services.scanning import frozen_round_numbered, paid_up_to


@dataclass(frozen=True)
class Judgement:
    findings: list[str]
    figures: dict[str, Any]


def rebuild_round(round_: DistributionRound) -> tuple[list[Rebuilt], list[str]]:
    """The round's three accounts of its tree, and whatever kept one of them from being rebuilt."""
    rebuilt = [Rebuilt("the round record", round_.root, round_.total_atomic, round_.count)]
    problems = []
    try:
        tree = frozen_tree(round_)
        rebuilt.append(Rebuilt("the frozen entries", tree.root_hex, tree.total, len(tree)))
    except RoundStateError as error:
        problems.append(f"the frozen entries: {error}")
    dump = RoundDump.objects.filter(round=round_).first()
    if dump is None:
        problems.append(f"round {round_.number} has no published dump")
        return rebuilt, problems
    digest = hashlib.sha256(dump.text.encode("utf-8")).hexdigest()
    if digest != round_.dump_sha256 or digest != dump.sha256:
        problems.append(f"the published dump hashes to sha256 {digest}, but round {round_.number} froze "
                        f"{round_.dump_sha256}")
    try:
        loaded = StandardMerkleTree.load(dump.text)
        rebuilt.append(Rebuilt("the published dump", loaded.root_hex, loaded.total, len(loaded)))
    except MerkleDumpError as error:
        problems.append(f"the published dump does not load: {error}")
    return rebuilt, problems


def judge_proposal(check: ProposalCheck, client: ChainClient, *, at_block: int) -> Judgement:
    """Every finding against one proposal (empty: it is exactly a round the database froze, and covered)."""
    declared = Declared(check.round_id, check.root, int(check.declared_total), int(check.declared_accounts))
    findings: list[str] = []
    figures: dict[str, Any] = {"at_block": at_block}
    round_ = frozen_round_numbered(check.round_id)
    if round_ is None:
        findings.append(f"no frozen round {check.round_id} in the database: the service never decided this root")
    else:
        figures.update(round_pk=round_.pk, round_status=round_.status)
        rebuilt, problems = rebuild_round(round_)
        figures["rebuilt"] = [{"source": r.source, "root": r.root, "total": str(r.total), "accounts": r.accounts}
                              for r in rebuilt]
        findings += problems + figure_findings(declared, rebuilt)
    # A root vetoed before anyone here judged it (catching up on history, or a person's veto) can
    # never become claimable: it is still judged and alerted, but needs no veto and no pause.
    figures["vetoed_on_chain"] = contracts.is_vetoed(client, check.distributor, check.root)
    token = contracts.read(client, contracts.DISTRIBUTOR, check.distributor, "token", block=at_block)
    balance = contracts.token_balance(client, str(token), check.distributor, block=at_block)
    paid = paid_up_to(check.chain_id, check.distributor, at_block)
    figures.update(balance_atomic=str(balance), paid_atomic=str(paid))
    short = coverage_finding(declared.total, balance=balance, paid=paid, block=at_block)
    if short:
        findings.append(short)
    return Judgement(findings, figures)


def record_verdict(check: ProposalCheck, judgement: Judgement, *, actor: str) -> ProposalCheck:
    """Write the verdict once, with its audit event, and its alert when it is a mismatch."""
    verdict = Verdict.MISMATCH if judgement.findings else Verdict.OK
    subject = f"round:{check.round_id}"
    with transaction.atomic():
        changed = ProposalCheck.objects.filter(pk=check.pk, verdict=Verdict.UNCHECKED).update(
            verdict=verdict, reasons=judgement.findings, figures=judgement.figures, checked_at=timezone.now()
        )
        if not changed:
            return ProposalCheck.objects.get(pk=check.pk)
        data = {"check": check.pk, "root": check.root, "round_id": check.round_id, "tx_hash": check.tx_hash,
                "activates_at": check.activates_at, "findings": judgement.findings, **judgement.figures}
        if verdict == Verdict.OK:
            record_event("watchdog:root_checked", actor=actor, subject=subject, data=data)
        else:
            record_event("watchdog:root_mismatch", actor=actor, subject=subject, data=data)
            raise_alert(
                AlertKind.ROOT_MISMATCH, subject=f"proposal-check:{check.pk}", actor=actor,
                message=f"round {check.round_id} root {check.root}: {judgement.findings[0]}"
                        + (f" (+{len(judgement.findings) - 1} more)" if len(judgement.findings) > 1 else ""),
                data={"root": check.root, "round_id": check.round_id, "findings": judgement.findings},
            )
    return ProposalCheck.objects.get(pk=check.pk)

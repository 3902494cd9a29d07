"""Applying one poll of the claims wallet: deposits recorded, vanished or restored, credits written.

`apply_poll` runs in ONE transaction holding the ledger row lock (`locks.locked_ledger`):

0. quarantine the entries the parser refused (`transfers.sort_transfers`): each (txid, major,
   minor) once, with a `malformed_transfer` flag; nothing of theirs is credited, and a known
   deposit among them is neither updated nor taken for vanished;
1. record the observed deposits: new ones are `seen`, or `orphaned` (no claim owns the
   subaddress), or `held` (unlock_time ≠ 0, or a type other than a plain incoming transfer);
   known ones get their new height and confirmations, and come back if they had vanished;
2. every deposit the poll should have seen (mined at or above the window start, or unmined) but
   did not is marked vanished; a CREDITED one vanishing raises an alert flag;
3. candidates: deposits seen in THIS poll, `seen` or `pending_minimum`, mined, with at least
   `CLAIMS_CONFIRMATIONS` confirmations and type `in`. A claim whose credited plus candidate OXEN
   is below `CLAIMS_MIN_DEPOSIT_ATOMIC` keeps its candidates `pending_minimum`; otherwise each is
   credited, oldest first (height, txid, minor), `floor(amount × rate × multiplier)`, the
   multiplier taken at the deposit's timestamp, capped by what is left of the pool;
   Once the program end is announced, a deposit sent at or after the close (its block time), or
   first seen after the close was recorded, is held `after_end` and flagged instead: never
   credited, its OXEN returned by the runbook (docs/operations.md);
4. the credits, the compare-and-swap state changes (`seen|pending_minimum → credited`, counted),
   the ledger totals (checked by the database: credited ≤ pool) and one audit event per change.

Any failure rolls everything back: nothing is half-credited, and the next poll starts over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from claims.exceptions import LedgerInconsistent
from claims.models import (
    Claim,
    ClaimCredit,
    ClaimsLedger,
    Deposit,
    DepositState,
    FlagKind,
    HoldReason,
    Subaddress,
    SubaddressUse,
)
from claims.models.deposits import UNCREDITED_WATCHED
from claims.models.quarantine import QuarantinedTransfer
from claims.services.config import ClaimRules
from claims.services.events import EventBatch
from claims.services.flags import raise_flag
from claims.services.locks import locked_ledger
from claims.services.supply import active_snapshot
from claims.transfers import DepositKey, Observed, RefusedTransfer
from swap.chain.program_end import ProgramEnd, program_end
from swap.core.claims_allocation import capped, credit_atomic

CHUNK = 500  # ids per IN (...) list
BATCH = 500  # rows per bulk INSERT (larger batches were slower: longer statements to build)
T = TypeVar("T")
PLAIN_TYPES = frozenset({"in", "pool"})


class ConcurrentChange(RuntimeError):
    """A deposit changed state under us; the transaction rolls back and the next poll retries."""


@dataclass
class PollOutcome:
    status: str = "applied"
    wallet_height: int = 0
    window_from: int = 0
    observed: int = 0
    new: int = 0
    credited: int = 0
    credited_sesh_atomic: int = 0
    pending_minimum: int = 0
    held: int = 0
    orphaned: int = 0
    vanished: int = 0
    restored: int = 0
    alerts: int = 0
    quarantined: int = 0
    flags: list[str] = field(default_factory=list)


def _chunks(items: list[T], size: int = CHUNK) -> Iterable[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _claims_by_index(account: int, minors: set[int]) -> dict[int, tuple[Subaddress, Claim | None]]:
    found: dict[int, tuple[Subaddress, Claim | None]] = {}
    for chunk in _chunks(sorted(minors)):
        subs = {s.pk: s for s in Subaddress.objects.filter(account_index=account, address_index__in=chunk)}
        claims = {c.subaddress_id: c for c in Claim.objects.filter(subaddress_id__in=list(subs))}
        for sub in subs.values():
            found[sub.address_index] = (sub, claims.get(sub.pk) if sub.use == SubaddressUse.CLAIM else None)
    return found


def _known_deposits(
    keys: list[DepositKey], account: int, window_from: int
) -> tuple[dict[DepositKey, Deposit], list[Deposit]]:
    """(deposits by key for the observed keys, every deposit this poll was expected to see)."""
    expected = list(
        Deposit.objects.filter(account_index=account).filter(Q(height__gte=max(window_from, 1)) | Q(height=0))
    )
    by_key = {(d.txid, d.account_index, d.address_index): d for d in expected}
    missing = sorted({key[0] for key in keys if key not in by_key})
    for chunk in _chunks(missing):
        for deposit in Deposit.objects.filter(account_index=account, txid__in=chunk):
            by_key[(deposit.txid, deposit.account_index, deposit.address_index)] = deposit
    return by_key, expected


def _new_deposit(item: Observed, subs: Mapping[int, tuple[Subaddress, Claim | None]], wallet_height: int) -> Deposit:
    sub, claim = subs.get(item.minor, (None, None))
    if claim is None:
        state, reason = DepositState.ORPHANED, HoldReason.NONE
    elif not item.types <= PLAIN_TYPES:
        state, reason = DepositState.HELD, HoldReason.NOT_INCOMING
    elif item.unlock_time != 0:
        state, reason = DepositState.HELD, HoldReason.UNLOCK_TIME
    else:
        state, reason = DepositState.SEEN, HoldReason.NONE
    return Deposit(
        txid=item.txid,
        account_index=item.major,
        address_index=item.minor,
        subaddress=sub,
        claim=claim,
        amount_atomic=item.amount_atomic,
        output_count=item.output_count,
        height=item.height,
        timestamp=item.timestamp,
        unlock_time=str(item.unlock_time),
        transfer_type=item.type_text,
        confirmations=item.confirmations,
        state=state,
        hold_reason=reason,
        first_seen_wallet_height=wallet_height,
    )


@dataclass
class _Apply:
    rules: ClaimRules
    wallet_height: int
    window_from: int
    actor: str
    now: datetime
    outcome: PollOutcome
    events: EventBatch

    def flag(self, kind: FlagKind, deposit: Deposit, message: str) -> None:
        data = {"txid": deposit.txid, "major": deposit.account_index, "minor": deposit.address_index,
                "amount_atomic": deposit.amount_atomic}
        if raise_flag(kind, f"deposit:{deposit.pk}", message, actor=self.actor, deposit=deposit,
                      claim=deposit.claim, data=data):
            self.outcome.flags.append(str(kind))

    def event(self, tag: str, deposit: Deposit, **extra: object) -> None:
        subject = f"claim:{deposit.claim_id}" if deposit.claim_id else f"deposit:{deposit.pk}"
        self.events.add(tag, subject, {"deposit_id": deposit.pk, "txid": deposit.txid, "major": deposit.account_index,
                                       "minor": deposit.address_index, "amount_atomic": deposit.amount_atomic, **extra})


def apply_poll(
    observed: Mapping[DepositKey, Observed],
    *,
    rules: ClaimRules,
    wallet_height: int,
    window_from: int,
    actor: str,
    now: datetime | None = None,
    refused: Sequence[RefusedTransfer] = (),
) -> PollOutcome:
    """Record one poll and credit what it allows; see the module docstring. One transaction."""
    outcome = PollOutcome(wallet_height=wallet_height, window_from=window_from, observed=len(observed))
    with transaction.atomic():
        ledger = locked_ledger()
        closing = program_end()
        work = _Apply(rules, wallet_height, window_from, actor, now or timezone.now(), outcome, EventBatch(actor))
        _quarantine(work, refused)
        unreadable = {(r.txid, r.major, r.minor) for r in refused if r.major is not None and r.minor is not None}
        present = _record(work, {k: v for k, v in observed.items() if k not in unreadable}, unreadable)
        candidates = [d for d in present if _creditable(d, rules)]
        late = [d for d in present if _after_close(d, closing) and d.state in UNCREDITED_WATCHED]
        _hold(work, late, HoldReason.AFTER_END, FlagKind.AFTER_END,
              "Arrived after claims closed at the program end: never credited; return the OXEN to the sender.")
        candidates = [d for d in candidates if d not in late]
        if candidates:
            _credit(work, ledger, candidates)
        ClaimsLedger.objects.filter(pk=1).update(last_poll_height=wallet_height, last_poll_at=work.now)
        work.events.flush()
    return outcome


def _quarantine(work: _Apply, refused: Sequence[RefusedTransfer]) -> None:
    """Step 0: record each refused (txid, major, minor) once, flagged for review."""
    for refusal in refused:
        row, created = QuarantinedTransfer.objects.get_or_create(identity=refusal.identity, defaults={
            "txid": refusal.txid, "account_index": refusal.major, "address_index": refusal.minor,
            "reason": refusal.reason[:2000], "entries": refusal.entries, "first_seen_at": work.now,
            "first_seen_wallet_height": work.wallet_height})
        if not created:
            continue
        work.outcome.quarantined += 1
        data = {"quarantine_id": row.pk, "txid": row.txid, "major": row.account_index, "minor": row.address_index,
                "reason": row.reason}
        work.events.add("claim:transfer_quarantined", f"transfer:{row.txid or row.identity}", data)
        if raise_flag(FlagKind.MALFORMED_TRANSFER, f"transfer:{row.identity}"[:200],
                      f"The wallet reported an entry the watcher cannot read ({row.reason}). Nothing of it was "
                      "credited; check the transaction in the wallet and on the chain.",
                      actor=work.actor, data=data):
            work.outcome.flags.append(str(FlagKind.MALFORMED_TRANSFER))


def _record(
    work: _Apply, observed: Mapping[DepositKey, Observed], unreadable: set[DepositKey] | None = None
) -> list[Deposit]:
    """Steps 1 and 2: store what the poll saw and what it missed; returns the present deposits.

    A deposit whose entries were refused (`unreadable`) was seen, just not understood: it is left
    as it is, neither updated nor taken for vanished.
    """
    account = work.rules.account_index
    by_key, expected = _known_deposits(list(observed), account, work.window_from)
    unseen = [item for key, item in observed.items() if key not in by_key]
    subs = _claims_by_index(account, {item.minor for item in unseen})
    new = [_new_deposit(item, subs, work.wallet_height) for item in unseen]
    Deposit.objects.bulk_create(new, batch_size=BATCH)
    for deposit in new:
        work.outcome.new += 1
        work.event("claim:deposit_seen", deposit, state=deposit.state, height=deposit.height)
        if deposit.state == DepositState.ORPHANED:
            work.outcome.orphaned += 1
            work.flag(FlagKind.ORPHAN_DEPOSIT, deposit, "OXEN arrived on a subaddress that no claim owns.")
        elif deposit.state == DepositState.HELD:
            work.outcome.held += 1
            kind = FlagKind.UNLOCK_TIME if deposit.hold_reason == HoldReason.UNLOCK_TIME else FlagKind.NOT_INCOMING
            work.flag(kind, deposit, f"Held for review: {deposit.get_hold_reason_display()}.")

    present: list[Deposit] = []
    changed: list[Deposit] = []
    for key, item in observed.items():
        deposit = by_key.get(key)
        if deposit is None:
            continue
        present.append(deposit)
        if _observe_again(work, deposit, item):
            changed.append(deposit)
    # Observation fields only: states change solely by compare-and-swap updates.
    Deposit.objects.bulk_update(
        changed, ["height", "timestamp", "confirmations", "transfer_type", "last_seen_at", "vanished_at"],
        batch_size=CHUNK,
    )
    unreadable = unreadable or set()
    _mark_vanished(work, [d for d in expected if (d.txid, d.account_index, d.address_index) not in observed
                          and (d.txid, d.account_index, d.address_index) not in unreadable])
    return new + present


def _observe_again(work: _Apply, deposit: Deposit, item: Observed) -> bool:
    """Update a known deposit from this poll; True if its row must be written.

    A deposit no longer waited on (credited, held, orphaned) whose height, time and type are
    unchanged is not rewritten just because its confirmation count grew: a steady-state poll
    that re-reads thousands of credited deposits then writes nothing.
    """
    same = (deposit.height, deposit.timestamp, deposit.transfer_type) == (item.height, item.timestamp, item.type_text)
    if same and deposit.vanished_at is None and deposit.state not in UNCREDITED_WATCHED:
        if (deposit.amount_atomic, deposit.output_count) == (item.amount_atomic, item.output_count):
            return False
    if deposit.vanished_at is not None:
        deposit.vanished_at = None
        work.outcome.restored += 1
        work.event("claim:deposit_restored", deposit, height=item.height)
    if (deposit.amount_atomic, deposit.output_count) != (item.amount_atomic, item.output_count):
        before = deposit.amount_atomic
        if deposit.state in UNCREDITED_WATCHED:
            held = Deposit.objects.filter(pk=deposit.pk, state__in=UNCREDITED_WATCHED).update(
                amount_atomic=item.amount_atomic, output_count=item.output_count, state=DepositState.HELD,
                hold_reason=HoldReason.AMOUNT_CHANGED)
            if held != 1:
                raise ConcurrentChange("a deposit left its state while being held")
            deposit.amount_atomic, deposit.output_count = item.amount_atomic, item.output_count
            deposit.state, deposit.hold_reason = DepositState.HELD, HoldReason.AMOUNT_CHANGED
            work.outcome.held += 1
        work.event("claim:deposit_amount_changed", deposit, before=before, reported=item.amount_atomic)
        work.flag(FlagKind.AMOUNT_CHANGED, deposit,
                  f"The wallet now reports {item.amount_atomic} atomic OXEN for a deposit first seen as {before}.")
    deposit.height, deposit.timestamp, deposit.confirmations = item.height, item.timestamp, item.confirmations
    deposit.transfer_type = item.type_text
    deposit.last_seen_at = work.now
    return True


def _mark_vanished(work: _Apply, missing: list[Deposit]) -> None:
    gone = [d for d in missing if d.vanished_at is None]
    for deposit in gone:
        deposit.vanished_at = work.now
        work.outcome.vanished += 1
        work.event("claim:deposit_vanished", deposit, state=deposit.state, height=deposit.height)
        if deposit.state == DepositState.CREDITED:
            work.outcome.alerts += 1
            work.event("claim:credited_deposit_vanished", deposit, height=deposit.height)
            work.flag(FlagKind.CREDITED_VANISHED, deposit,
                      "A credited deposit is no longer in the wallet (deep reorg or double spend). Its credit stands "
                      "until a person decides; check the transaction on the chain.")
    Deposit.objects.bulk_update(gone, ["vanished_at"], batch_size=CHUNK)


def _after_close(deposit: Deposit, end: ProgramEnd | None) -> bool:
    """Sent at or after the close (its block time), or first seen only after the close was recorded."""
    if end is None:
        return False
    return deposit.timestamp >= end.closes_at or (end.closed_at is not None and deposit.first_seen_at >= end.closed_at)


def _creditable(deposit: Deposit, rules: ClaimRules) -> bool:
    return (
        deposit.state in (DepositState.SEEN, DepositState.PENDING_MINIMUM)
        and deposit.claim_id is not None
        and deposit.height > 0
        and deposit.confirmations >= rules.confirmations
        and deposit.transfer_type == "in"
        and deposit.vanished_at is None
    )


def _credit(work: _Apply, ledger: ClaimsLedger, candidates: list[Deposit]) -> None:
    """Steps 3 and 4: the minimum, the budget guard, the credits and the ledger totals."""
    snapshot = ledger.snapshot if ledger.snapshot_id else active_snapshot()
    if snapshot is None:
        work.outcome.status = "no_snapshot"
        return
    claim_ids = sorted({d.claim_id for d in candidates}, key=str)
    credited_oxen: dict[object, int] = defaultdict(int)
    for chunk in _chunks(claim_ids):
        rows = (ClaimCredit.objects.filter(claim_id__in=chunk).values("claim_id")
                .annotate(total=Sum("amount_oxen_atomic")).values_list("claim_id", "total"))
        credited_oxen.update(dict(rows))
    confirmed = defaultdict(int, credited_oxen)
    for deposit in candidates:
        confirmed[deposit.claim_id] += deposit.amount_atomic
    waiting = [d for d in candidates if confirmed[d.claim_id] < work.rules.min_deposit_atomic]
    ready = sorted((d for d in candidates if confirmed[d.claim_id] >= work.rules.min_deposit_atomic),
                   key=lambda d: (d.height, d.txid, d.address_index))
    _mark_pending_minimum(work, waiting)
    if not ready:
        return
    if ledger.snapshot_id is None:
        ledger.snapshot, ledger.pool_atomic = snapshot, snapshot.pool_atomic
        ClaimsLedger.objects.filter(pk=ledger.pk).update(snapshot=snapshot, pool_atomic=snapshot.pool_atomic)
        locked = {"rate_num": snapshot.rate_num, "rate_den": snapshot.rate_den, "pool_atomic": snapshot.pool_atomic}
        work.events.add("claims:supply_snapshot_locked", f"supply:{snapshot.pk}", locked)
    _check_ledger(ledger)
    claims = {c.pk: c for chunk in _chunks(claim_ids) for c in Claim.objects.filter(pk__in=chunk)}
    remaining = ledger.pool_atomic - ledger.credited_sesh_atomic
    credits, exhausted = [], []
    for deposit in ready:
        multiplier = work.rules.multiplier_at(datetime.fromtimestamp(deposit.timestamp, UTC))
        wanted = credit_atomic(deposit.amount_atomic, snapshot.rate, multiplier)
        if remaining == 0 and wanted > 0:
            exhausted.append(deposit)
            continue
        sesh, was_capped = capped(wanted, remaining)
        remaining -= sesh
        claim = claims[deposit.claim_id]
        credits.append(ClaimCredit(
            deposit=deposit, claim=claim, eth_address=claim.eth_address, txid=deposit.txid,
            account_index=deposit.account_index, address_index=deposit.address_index,
            output_count=deposit.output_count, amount_oxen_atomic=deposit.amount_atomic, snapshot=snapshot,
            rate_num=snapshot.rate_num, rate_den=snapshot.rate_den, multiplier_num=multiplier.numerator,
            multiplier_den=multiplier.denominator, wanted_sesh_atomic=wanted, sesh_atomic=sesh, capped=was_capped,
            block_height=deposit.height, block_timestamp=deposit.timestamp,
            credited_height=deposit.height + deposit.confirmations, created_at=work.now,
        ))
    _write_credits(work, credits)
    _hold(work, exhausted, HoldReason.BUDGET_EXHAUSTED, FlagKind.BUDGET_EXHAUSTED,
          "Not credited: the claims pool is exhausted.")


def _check_ledger(ledger: ClaimsLedger) -> None:
    totals = ClaimCredit.objects.aggregate(sesh=Sum("sesh_atomic"), oxen=Sum("amount_oxen_atomic"))
    if (totals["sesh"] or 0, totals["oxen"] or 0) != (ledger.credited_sesh_atomic, ledger.credited_oxen_atomic):
        raise LedgerInconsistent(
            f"ledger row says {ledger.credited_sesh_atomic} SESH / {ledger.credited_oxen_atomic} OXEN credited, "
            f"the credits sum to {totals['sesh']} / {totals['oxen']}"
        )


def _mark_pending_minimum(work: _Apply, waiting: list[Deposit]) -> None:
    fresh = [d for d in waiting if d.state == DepositState.SEEN]
    ids = [d.pk for d in fresh]
    changed = sum(Deposit.objects.filter(pk__in=chunk, state=DepositState.SEEN)
                  .update(state=DepositState.PENDING_MINIMUM) for chunk in _chunks(ids))
    if changed != len(ids):
        raise ConcurrentChange("a deposit left `seen` while being marked pending_minimum")
    for deposit in fresh:
        deposit.state = DepositState.PENDING_MINIMUM
        work.event("claim:deposit_pending_minimum", deposit, minimum_atomic=work.rules.min_deposit_atomic)
    work.outcome.pending_minimum += len(waiting)


def _write_credits(work: _Apply, credits: list[ClaimCredit]) -> None:
    if not credits:
        return
    ids = [credit.deposit.pk for credit in credits]
    changed = sum(Deposit.objects.filter(pk__in=chunk, state__in=[DepositState.SEEN, DepositState.PENDING_MINIMUM])
                  .update(state=DepositState.CREDITED) for chunk in _chunks(ids))
    if changed != len(ids):
        raise ConcurrentChange(f"{len(ids) - changed} deposit(s) were no longer creditable")
    ClaimCredit.objects.bulk_create(credits, batch_size=BATCH)
    total_sesh = sum(c.sesh_atomic for c in credits)
    total_oxen = sum(c.amount_oxen_atomic for c in credits)
    ClaimsLedger.objects.filter(pk=1).update(
        credited_sesh_atomic=F("credited_sesh_atomic") + total_sesh,
        credited_oxen_atomic=F("credited_oxen_atomic") + total_oxen,
        credit_count=F("credit_count") + len(credits),
        updated_at=work.now,
    )
    for credit in credits:
        credit.deposit.state = DepositState.CREDITED
        work.events.add("claim:credited", f"claim:{credit.claim_id}", {
            "deposit_id": credit.deposit.pk, "txid": credit.txid, "major": credit.account_index,
            "minor": credit.address_index, "eth_address": credit.eth_address,
            "amount_oxen_atomic": credit.amount_oxen_atomic, "rate_num": credit.rate_num, "rate_den": credit.rate_den,
            "multiplier_num": credit.multiplier_num, "multiplier_den": credit.multiplier_den,
            "wanted_sesh_atomic": credit.wanted_sesh_atomic, "sesh_atomic": credit.sesh_atomic,
            "capped": credit.capped, "credited_height": credit.credited_height})
        if credit.capped:
            work.flag(FlagKind.BUDGET_CAPPED, credit.deposit,
                      f"Credited {credit.sesh_atomic} of {credit.wanted_sesh_atomic} atomic SESH: the pool ran out.")
    work.outcome.credited += len(credits)
    work.outcome.credited_sesh_atomic += total_sesh


def _hold(work: _Apply, deposits: list[Deposit], reason: HoldReason, kind: FlagKind, message: str) -> None:
    """Hold uncredited deposits for good (compare-and-swap), each flagged and audited."""
    for deposit in deposits:
        updated = Deposit.objects.filter(
            pk=deposit.pk, state__in=[DepositState.SEEN, DepositState.PENDING_MINIMUM]
        ).update(state=DepositState.HELD, hold_reason=reason)
        if updated != 1:
            raise ConcurrentChange("a deposit left its state while being held")
        deposit.state, deposit.hold_reason = DepositState.HELD, reason
        work.outcome.held += 1
        work.event("claim:deposit_held", deposit, reason=reason.value)
        work.flag(kind, deposit, message)

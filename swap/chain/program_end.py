"""The program's end in the service: the announced end, the close of claims, the remainder withdrawal.

- **Announce.** The Safe sets `endTime` on the distributor (`program_end announce` prints the Safe
  transaction; the rules are `swap.core.program_end.end_refusal`). `record_announcement` then
  reads the end *from the chain* and records it once, with an audit event: pages, the API and the
  Atom feed show only an end the contract holds.
- **Close.** `closes_at` = end − activation delay − margin: the last moment a final round proposed
  then becomes claimable before the end. From then on claims neither open nor credit, and
  registrations are refused. `close_program` records the close once the chain's clock passed it
  (so the local chain, whose clock the demo moves, closes the service too).
- **Remainder.** `prepare_withdrawal` fixes the Safe transaction `withdrawRemainder(reward pool)`
  at the Safe's next nonce (one row, audited; a rerun returns the same row). `queue_withdrawal`
  takes the owners' signatures, checks each against the Safe's owners, and queues the
  `execTransaction` through the outbox, which re-derives it from the row before signing
  (`derive_withdrawal`). Its final status lands in the row (`on_withdrawal_finalized`).

Every step is one database transaction with its audit event; a crash leaves the previous step's
state, and the step can simply be run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from eth_account import Account

from swap.audit import record_event
from swap.chain import admin_actions, contracts, outbox, safe
from swap.chain.authorization import RefusedToSign
from swap.chain.client import ChainClient
from swap.chain.models import L2Transaction, L2TxPurpose, ProgramClosure, ProgramEndAnnouncement, RemainderWithdrawal
from swap.core.eth_address import EthAddressError, normalize_eth_address
from swap.core.program_end import closing_time, end_refusal

Withdrawal = RemainderWithdrawal.Status


class ProgramEndError(ValueError):
    """A program-end step refused: the message is the one line the command prints."""


def distributor() -> str:
    try:
        return normalize_eth_address(settings.L2_DISTRIBUTOR_ADDRESS)
    except EthAddressError:
        raise ProgramEndError("L2_DISTRIBUTOR_ADDRESS is not set to a valid address") from None


def _safe() -> str:
    try:
        return normalize_eth_address(settings.L2_SAFE_ADDRESS)
    except EthAddressError:
        raise ProgramEndError("L2_SAFE_ADDRESS is not set to the Safe that administers the distributor") from None


def reward_pool() -> str:
    try:
        return normalize_eth_address(settings.PROGRAM_REWARD_POOL_ADDRESS)
    except EthAddressError:
        raise ProgramEndError("PROGRAM_REWARD_POOL_ADDRESS is not set to the Staking Reward Pool's address") from None


def _mine() -> dict[str, Any]:
    """The filter selecting this deployment's rows (nothing when no distributor is configured)."""
    try:
        return {"chain_id": settings.L2_CHAIN_ID, "distributor": normalize_eth_address(settings.L2_DISTRIBUTOR_ADDRESS)}
    except EthAddressError:
        return {"chain_id": settings.L2_CHAIN_ID, "distributor": ""}


# -- where the program is ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramEnd:
    """The end in force and what follows from it, as pages and the API show it."""

    end_time: int
    closes_at: int
    closed: bool
    announced_at: datetime
    closed_at: datetime | None = None  # when `close_program` recorded the close, if it did
    ended: bool = False  # the end passed (wall clock), or the remainder was withdrawn (the chain's clock)

    @property
    def end(self) -> datetime:
        return datetime.fromtimestamp(self.end_time, UTC)

    @property
    def closes(self) -> datetime:
        return datetime.fromtimestamp(self.closes_at, UTC)

    def as_json(self) -> dict[str, Any]:
        return {"end_time": self.end.isoformat().replace("+00:00", "Z"),
                "closes_at": self.closes.isoformat().replace("+00:00", "Z"), "closed": self.closed,
                "ended": self.ended}


def announcements() -> list[ProgramEndAnnouncement]:
    """Every announced end of this deployment, latest first."""
    return list(ProgramEndAnnouncement.objects.filter(**_mine()).order_by("-end_time"))


def closes_at(end_time: int) -> int:
    return closing_time(end_time, activation_delay=settings.L2_ACTIVATION_DELAY_SECONDS,
                        margin=settings.PROGRAM_FINAL_ROUND_MARGIN_SECONDS)


def program_end(now: datetime | None = None) -> ProgramEnd | None:
    """The announced end, or None while none is; `closed` once the close was recorded or its time passed."""
    latest = ProgramEndAnnouncement.objects.filter(**_mine()).order_by("-end_time").first()
    if latest is None:
        return None
    moment = int((now or timezone.now()).timestamp())
    closing = closes_at(latest.end_time)
    closure = ProgramClosure.objects.filter(**_mine()).first()
    withdrawn = RemainderWithdrawal.objects.filter(**_mine(), status=Withdrawal.CONFIRMED).exists()
    ended = moment >= latest.end_time or withdrawn
    closed = moment >= closing or closure is not None or ended
    return ProgramEnd(latest.end_time, closing, closed, latest.announced_at, closure.closed_at if closure else None,
                      ended)


def is_closed(now: datetime | None = None) -> bool:
    """Claims and registrations are closed (the program is in its final stretch, or over)."""
    end = program_end(now)
    return end is not None and end.closed


def template_context(request: Any) -> dict[str, Any]:
    """`program_end` for every page (the banner in templates/swap/_program_end_banner.html).

    Lazy: read from the database only by a template that uses it, so pages without the banner
    (the admin's, a locked login) cost no query."""
    return {"program_end": SimpleLazyObject(program_end)}


# -- announce ------------------------------------------------------------------------------------


def check_new_end(client: ChainClient, end_time: int) -> admin_actions.AdminAction:
    """The Safe action setting `end_time`, refused (one line) if the chain or an earlier announcement forbids it."""
    latest = ProgramEndAnnouncement.objects.filter(**_mine()).order_by("-end_time").first()
    if latest is not None:
        refusal = end_refusal(now=admin_actions.chain_time(client), new_end=end_time, current_end=latest.end_time)
        if refusal:
            raise ProgramEndError(refusal)
    try:
        return admin_actions.set_end_time(client, distributor(), end_time)
    except admin_actions.AdminActionError as error:
        raise ProgramEndError(str(error)) from None


def record_announcement(client: ChainClient, *, actor: str) -> tuple[ProgramEndAnnouncement, bool]:
    """Record the distributor's `endTime` as announced (once); (row, created)."""
    end_time = int(contracts.read(client, contracts.DISTRIBUTOR, distributor(), "endTime"))
    if end_time == 0:
        raise ProgramEndError("the distributor has no end set: have the Safe execute `program_end announce` first")
    with transaction.atomic():
        latest = ProgramEndAnnouncement.objects.select_for_update().filter(**_mine()).order_by("-end_time").first()
        if latest is not None and latest.end_time == end_time:
            return latest, False
        if latest is not None and end_time < latest.end_time:
            raise ProgramEndError(f"the chain's end {end_time} is earlier than the announced {latest.end_time}: "
                                  "refusing to announce it (check the distributor address)")
        row = ProgramEndAnnouncement.objects.create(**_mine(), end_time=end_time, actor=actor)
        record_event("program:end_announced", actor=actor, subject=f"eth:{row.distributor}", data={
            "end_time": end_time, "closes_at": closes_at(end_time),
            "previous_end_time": latest.end_time if latest else None})
    return row, True


def close_program(client: ChainClient, *, actor: str) -> tuple[ProgramClosure, bool]:
    """Record that claims and registrations are closed, once the chain's clock passed `closes_at`."""
    end = program_end()
    if end is None:
        raise ProgramEndError("no program end is announced: nothing to close")
    now = admin_actions.chain_time(client)
    if now < end.closes_at:
        raise ProgramEndError(f"claims close at unix time {end.closes_at} (the chain says {now}); not before")
    with transaction.atomic():
        closure, created = ProgramClosure.objects.get_or_create(
            **_mine(), defaults={"end_time": end.end_time, "chain_time": now, "actor": actor})
        if created:
            record_event("program:closed", actor=actor, subject=f"eth:{closure.distributor}",
                         data={"end_time": end.end_time, "closes_at": end.closes_at, "chain_time": now})
    return closure, created


def sync_program_end(client: ChainClient, *, actor: str) -> str:
    """What beat does every minute: record an end the Safe set (or moved), and the close once the
    chain's clock passed it; so the pages follow the chain even if nobody ran the commands."""
    if int(contracts.read(client, contracts.DISTRIBUTOR, distributor(), "endTime")) == 0:
        return "no end set"
    row, created = record_announcement(client, actor=actor)
    end = program_end()
    if end is not None and end.closed_at is None and admin_actions.chain_time(client) >= end.closes_at:
        close_program(client, actor=actor)
        return "closed"
    return "announced" if created else "unchanged"


# -- the remainder -------------------------------------------------------------------------------


def live_withdrawal() -> RemainderWithdrawal | None:
    return RemainderWithdrawal.objects.filter(**_mine()).exclude(status=Withdrawal.FAILED).first()


def withdrawal_under_way() -> bool:
    """The remainder's withdrawal is queued or done: a payout batch now would revert (`ProgramClosed`)."""
    return RemainderWithdrawal.objects.filter(**_mine(), status__in=[Withdrawal.QUEUED, Withdrawal.CONFIRMED]).exists()


def _safe_transaction(row: RemainderWithdrawal) -> safe.SafeTransaction:
    return safe.SafeTransaction(safe=row.safe, chain_id=row.chain_id, to=row.distributor, data=row.data,
                                nonce=row.safe_nonce)


def prepare_withdrawal(client: ChainClient, *, actor: str) -> tuple[RemainderWithdrawal, bool]:
    """The Safe transaction withdrawing the remainder to the reward pool; (row, created).

    Refused before the end, while paused, once withdrawn (on chain or here), or while one is
    queued. A prepared row is returned again, unchanged: its hash is what the owners sign.
    """
    existing = live_withdrawal()
    if existing is not None and existing.status != Withdrawal.PREPARED:
        raise ProgramEndError(f"the remainder withdrawal is already {existing.get_status_display()} "
                              f"(safe tx {existing.safe_tx_hash}): it happens once")
    if existing is not None:
        return existing, False
    recipient, target, safe_address = reward_pool(), distributor(), _safe()
    try:
        action = admin_actions.withdraw_remainder(client, target, recipient)
    except admin_actions.AdminActionError as error:
        raise ProgramEndError(str(error)) from None
    tx = admin_actions.as_safe_transaction(client, safe_address, target, action)
    with transaction.atomic():
        row = RemainderWithdrawal.objects.create(
            **_mine(), safe=tx.safe, recipient=recipient, safe_nonce=tx.nonce, safe_tx_hash=tx.safe_tx_hash,
            data=tx.data, actor=actor)
        record_event("program:remainder_prepared", actor=actor, subject=f"remainder:{row.pk}", data={
            "recipient": recipient, "safe": tx.safe, "safe_nonce": tx.nonce, "safe_tx_hash": tx.safe_tx_hash})
    return row, True


def _overtaken(client: ChainClient, row: RemainderWithdrawal) -> bool:
    """The Safe's nonce moved past the prepared one: the signed hash can never execute."""
    return safe.build(client, row.safe, to=row.distributor, data=row.data).safe_tx_hash != row.safe_tx_hash


def _checked_signatures(client: ChainClient, row: RemainderWithdrawal, given: dict[str, bytes]) -> dict[str, bytes]:
    digest = bytes.fromhex(row.safe_tx_hash[2:])
    owners = set(safe.owners(client, row.safe))
    checked: dict[str, bytes] = {}
    for claimed, signature in given.items():
        if len(signature) != 65:
            raise ProgramEndError(f"the signature of {claimed} is {len(signature)} bytes, not 65")
        signer = normalize_eth_address(Account._recover_hash(digest, signature=signature))
        if signer != normalize_eth_address(claimed) or signer not in owners:
            raise ProgramEndError(f"the signature given for {claimed} is by {signer}, not an owner of the Safe "
                                  f"signing {row.safe_tx_hash}")
        checked[signer] = signature
    needed = safe.threshold(client, row.safe)
    if len(checked) < needed:
        raise ProgramEndError(f"{len(checked)} owner signature(s) given, the Safe needs {needed}")
    return checked


def queue_withdrawal(client: ChainClient, signatures: dict[str, bytes], *, actor: str) -> RemainderWithdrawal:
    """Put the signed Safe transaction's `execTransaction` in the outbox (once)."""
    row = live_withdrawal()
    if row is None:
        raise ProgramEndError("no remainder withdrawal is prepared: run `withdraw_remainder` without signatures first")
    if row.status != Withdrawal.PREPARED:
        raise ProgramEndError(f"the remainder withdrawal is already {row.get_status_display()}: it happens once")
    if _overtaken(client, row):
        raise ProgramEndError(f"the Safe's nonce moved past {row.safe_nonce}: run `withdraw_remainder --abandon`, "
                              "then prepare the withdrawal again")
    checked = _checked_signatures(client, row, signatures)
    with transaction.atomic():
        locked = RemainderWithdrawal.objects.select_for_update().get(pk=row.pk)
        if locked.status != Withdrawal.PREPARED:
            raise ProgramEndError(f"the remainder withdrawal is already {locked.get_status_display()}")
        locked.signatures = {owner: "0x" + sig.hex() for owner, sig in checked.items()}
        tx = outbox.enqueue(purpose=L2TxPurpose.WITHDRAW_REMAINDER, subject=f"remainder:{locked.pk}", to=locked.safe,
                            data=safe.exec_transaction_data(_safe_transaction(locked), checked), actor=actor)
        locked.transaction, locked.status = tx, Withdrawal.QUEUED
        locked.save(update_fields=["signatures", "transaction", "status"])
        record_event("program:remainder_queued", actor=actor, subject=f"remainder:{locked.pk}",
                     data={"l2tx": tx.pk, "owners": sorted(checked), "safe_tx_hash": locked.safe_tx_hash})
    return locked


def abandon_withdrawal(client: ChainClient, *, actor: str) -> RemainderWithdrawal:
    """Mark a prepared withdrawal failed once the Safe's nonce moved past it, with an audit event.

    Its hash can then never execute (the Safe signs per nonce), so nothing is lost; a preparation that
    could still execute is refused, so a stale-looking row is never dropped while owners sign it."""
    row = live_withdrawal()
    if row is None or row.status != Withdrawal.PREPARED:
        raise ProgramEndError("no prepared remainder withdrawal to abandon (queued and confirmed ones never are)")
    if not _overtaken(client, row):
        raise ProgramEndError(f"the Safe's next nonce is still {row.safe_nonce}: the prepared withdrawal can "
                              f"execute, have the owners sign {row.safe_tx_hash}")
    with transaction.atomic():
        locked = RemainderWithdrawal.objects.select_for_update().get(pk=row.pk)
        if locked.status != Withdrawal.PREPARED:
            raise ProgramEndError(f"the remainder withdrawal is already {locked.get_status_display()}")
        locked.status = Withdrawal.FAILED
        locked.save(update_fields=["status"])
        record_event("program:remainder_abandoned", actor=actor, subject=f"remainder:{locked.pk}",
                     data={"safe_nonce": locked.safe_nonce, "safe_tx_hash": locked.safe_tx_hash})
    return locked


def derive_withdrawal(tx: L2Transaction) -> str:
    """The outbox's re-derivation: the queued row's Safe transaction, to the configured reward pool."""
    prefix, _, number = tx.subject.partition(":")
    row = RemainderWithdrawal.objects.filter(pk=int(number) if number.isdigit() else -1).first()
    if prefix != "remainder" or row is None:
        raise RefusedToSign(f"l2tx:{tx.pk}: subject {tx.subject!r} names no remainder withdrawal")
    if row.transaction_id != tx.pk or row.status != Withdrawal.QUEUED:
        raise RefusedToSign(f"l2tx:{tx.pk}: remainder withdrawal {row.pk} is not waiting for this transaction")
    if row.data.lower() != contracts.withdraw_remainder_data(settings.PROGRAM_REWARD_POOL_ADDRESS).lower():
        raise RefusedToSign(f"l2tx:{tx.pk}: the withdrawal does not pay PROGRAM_REWARD_POOL_ADDRESS")
    if row.distributor != distributor():
        raise RefusedToSign(f"l2tx:{tx.pk}: the withdrawal is for another distributor")
    signatures = {owner: bytes.fromhex(sig[2:]) for owner, sig in row.signatures.items()}
    return safe.exec_transaction_data(_safe_transaction(row), signatures)


def on_withdrawal_finalized(client: ChainClient, tx: L2Transaction, *, actor: str) -> RemainderWithdrawal | None:
    """Record the outbox's final word on the withdrawal (inside the tracker's transaction)."""
    row = RemainderWithdrawal.objects.select_for_update().filter(transaction=tx).first()
    if row is None or row.status != Withdrawal.QUEUED:
        return row
    withdrawn = []
    if tx.status == L2Transaction.Status.CONFIRMED and tx.block_number is not None:
        withdrawn = [w for w in contracts.remainder_withdrawals(client, row.distributor, from_block=tx.block_number,
                                                                to_block=tx.block_number)
                     if w[2].lower() == tx.tx_hash.lower()]
    if withdrawn:
        row.status, row.amount_atomic = Withdrawal.CONFIRMED, withdrawn[0][1]
    else:
        row.status = Withdrawal.FAILED
    row.save(update_fields=["status", "amount_atomic"])
    record_event(f"program:remainder_{row.status}", actor=actor, subject=f"remainder:{row.pk}",
                 data={"l2tx": tx.pk, "tx_hash": tx.tx_hash, "amount_atomic": row.amount_atomic,
                       "recipient": row.recipient})
    return row

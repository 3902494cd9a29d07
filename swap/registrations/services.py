"""Registration use cases: submit one, read the current one and its history (SPEC §2).

Other apps read registrations only through `current_registration`, `registration_history`,
`registrations_for_eth` and `registered_addresses`. Pages and the API submit through
`submit_registration`, which runs, in order:

1. rate limits, checked before any work (they count failures only). Both are keyed by the
   sender's client bucket (`ratelimit.client_bucket`: the IPv4 address, the IPv6 /64): the IP
   limit alone, the address limit per (client, Oxen address). Failures for an address count only
   against the client that sent them, so nobody can fill a limit that refuses the owner's valid
   signature from elsewhere (issue 17, item 1; Oxen addresses of stakers are public);
2. shape and cryptography, outside any transaction (CPU only): address network and kind, ETH
   address checksum, `SigV1` over one of the textual forms of the ETH address, optional node proof;
3. storage, in one transaction: a first registration is a bare insert guarded by the
   one-current-row constraint; otherwise, under a per-address lock: idempotent re-submission,
   the replay rule, superseding the current row, inserting the new one; always with its audit event.
A refusal at step 2 or 3 is audited in a transaction of its own and counted against both limits
of its sender.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, NoReturn

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from swap.audit import hash_ip, record_event
from swap.chain.program_end import is_closed
from swap.core import registration_text
from swap.core.oxen_address import Network
from swap.ratelimit import Limiter, client_bucket, parse_rate
from swap.registrations import proof
from swap.registrations.exceptions import (
    FieldProblem,
    RegistrationConflict,
    RegistrationRateLimited,
    RegistrationRefused,
)
from swap.registrations.models import Registration
from swap.tallies.counters import REGISTRATION_REFUSALS, count_event

# Longer than any valid value (a 108-character testnet integrated address, a 93-character
# signature): refuse before parsing, so pasted novels cost nothing.
MAX_FIELD_CHARS = 200
# The ETH address as typed may be part of the stored signed text (`Registration.signed_message`,
# 120 characters with a signed time): 42 characters plus room for pasted whitespace.
MAX_ETH_CHARS = 100
_HEX = frozenset("0123456789abcdefABCDEF")
_STORE_ATTEMPTS = 2

Outcome = Literal["created", "replaced", "unchanged"]


@dataclass(frozen=True)
class Submission:
    """What a person submits; strings exactly as received (the service trims what it may)."""

    oxen_address: str
    eth_address: str
    signature: str
    signed_at: int | None = None
    node_pubkey: str = ""
    node_signature: str = ""


@dataclass(frozen=True)
class SubmissionResult:
    registration: Registration
    outcome: Outcome
    replaced: Registration | None = None


@dataclass(frozen=True)
class RegisteredAddress:
    """A currently registered Oxen address: its current ETH address and when it FIRST registered."""

    oxen_address: str
    eth_address: str
    first_registered_at: datetime
    registered_at: datetime


@dataclass(frozen=True)
class _Verified:
    oxen_address: str
    eth_address: str
    signature: str
    signed: proof.SignedForm
    signed_at: int | None
    node_pubkey: str
    node_signature: str


def configured_network() -> Network:
    return Network(settings.OXEN_NETWORK)


def _limiters(ip: str, oxen_address: str) -> list[tuple[Limiter, str]]:
    """The IP limit per client bucket, the address limit per (client bucket, address): see step 1."""
    bucket = client_bucket(ip)
    per_address = f"{bucket} {oxen_address}" if oxen_address else ""
    return [
        (Limiter("ip", parse_rate(settings.REGISTRATION_RATE_LIMIT_IP)), bucket),
        (Limiter("address", parse_rate(settings.REGISTRATION_RATE_LIMIT_ADDRESS)), per_address),
    ]


def submit_registration(
    submission: Submission, *, ip: str, actor: str = "web", now: datetime | None = None
) -> SubmissionResult:
    """Verify and store one registration, or raise a `RegistrationError` saying why not.

    Returns `created` (first registration of this Oxen address), `replaced` (a new ETH address
    or node key for it) or `unchanged` (the same pair again: no new row).
    """
    address_key = submission.oxen_address.strip()[:MAX_FIELD_CHARS]
    limiters = _limiters(ip, address_key)
    _check_rate_limits(limiters, submission, ip=ip, actor=actor)
    try:
        if is_closed(now):
            raise RegistrationRefused.single("non_field_errors", "program_closed",
                                             "Registrations are closed: the program has reached its end.")
        verified = verify_submission(submission, now=now or timezone.now())
        return _store(verified, ip=ip, actor=actor, now=now)
    except RegistrationRefused as refused:
        _record_refusal(submission, refused.problems, ip=ip, actor=actor)
        for limiter, subject in limiters:
            limiter.count_failure(subject)
        raise
    except RegistrationConflict:
        conflict = {"non_field_errors": [FieldProblem("conflict", RegistrationConflict.message)]}
        _record_refusal(submission, conflict, ip=ip, actor=actor)
        raise


def refuse_malformed(
    submission: Submission, problems: dict[str, list[FieldProblem]], *, ip: str, actor: str = "web"
) -> NoReturn:
    """Refuse a submission whose shape the form or serializer already refused.

    It is rate limited, audited and counted like any other refusal, and the fields that had the
    right shape are still checked, so the person sees every problem at once instead of one per try.
    """
    address_key = submission.oxen_address.strip()[:MAX_FIELD_CHARS]
    limiters = _limiters(ip, address_key)
    _check_rate_limits(limiters, submission, ip=ip, actor=actor)
    merged = dict(problems)
    if "signed_at" not in problems:
        try:
            verify_submission(submission, now=timezone.now())
        except RegistrationRefused as refused:
            for field, items in refused.problems.items():
                merged.setdefault(field, items)
    _record_refusal(submission, merged, ip=ip, actor=actor)
    for limiter, subject in limiters:
        limiter.count_failure(subject)
    raise RegistrationRefused(merged)


def _check_rate_limits(limiters: list[tuple[Limiter, str]], submission: Submission, *, ip: str, actor: str) -> None:
    for limiter, subject in limiters:
        retry_after = limiter.retry_after(subject)
        if retry_after is None:
            continue
        # Every refused submission is audited (issue 4), this one too: one insert, no other work.
        # Floods are for the proxy in front to absorb (docs/operations.md).
        problem = FieldProblem("rate_limited", f"too many failed attempts per {limiter.scope}")
        _record_refusal(submission, {"non_field_errors": [problem]}, ip=ip, actor=actor)
        raise RegistrationRateLimited(limiter.scope, retry_after)


def verify_submission(submission: Submission, *, now: datetime) -> _Verified:
    """Everything that needs no database: shapes, networks, checksums, signatures."""
    problems: dict[str, list[FieldProblem]] = {}

    def refuse(field: str, problem: FieldProblem | None) -> None:
        if problem is not None:
            problems.setdefault(field, []).append(problem)

    texts = {
        "oxen_address": submission.oxen_address,
        "eth_address": submission.eth_address,
        "signature": submission.signature,
        "node_pubkey": submission.node_pubkey,
        "node_signature": submission.node_signature,
    }
    for field, text in texts.items():
        if len(text) > (MAX_ETH_CHARS if field == "eth_address" else MAX_FIELD_CHARS):
            refuse(field, FieldProblem("too_long", f"This is {len(text)} characters long, far more than this "
                                       "field ever holds; paste only the value itself."))
    if problems:
        raise RegistrationRefused(problems)

    address, problem = proof.check_oxen_address(submission.oxen_address.strip(), configured_network())
    refuse("oxen_address", problem)
    eth, problem = proof.check_eth_address(submission.eth_address)
    refuse("eth_address", problem)
    signature, problem = proof.check_signature_text(submission.signature)
    refuse("signature", problem)
    refuse("signed_at", _signed_at_problem(submission.signed_at, now))
    node_pubkey, node_signature = submission.node_pubkey.strip().lower(), submission.node_signature.strip().lower()
    refuse("node_pubkey", _hex_problem(node_pubkey, 32, "service node public key", required=bool(node_signature)))
    refuse("node_signature", _hex_problem(node_signature, 64, "service node signature", required=bool(node_pubkey)))
    if problems:
        raise RegistrationRefused(problems)
    assert address is not None and eth is not None and signature is not None

    checksummed = eth[1]
    forms = proof.message_forms(submission.eth_address, checksummed, submission.signed_at)
    signed = proof.find_signed_form(address.spend_public_key, signature, forms)
    if signed is None:
        command = f"sign_value {checksummed}" + ("" if submission.signed_at is None else f" {submission.signed_at}")
        raise RegistrationRefused.single(
            "signature",
            "mismatch",
            "This signature does not match this Oxen address and this Ethereum address. In the wallet of this "
            f"Oxen address run `{command}` and paste the whole SigV1… line it prints. A signature made by "
            "another wallet, a subaddress, or for other text does not work.",
        )
    if node_pubkey:
        refuse("node_signature", proof.check_node_proof(node_pubkey, node_signature, signed.message))
        if problems:
            raise RegistrationRefused(problems)
    return _Verified(
        oxen_address=submission.oxen_address.strip(),
        eth_address=checksummed,
        signature=submission.signature.strip(),
        signed=signed,
        signed_at=submission.signed_at,
        node_pubkey=node_pubkey,
        node_signature=node_signature,
    )


def _hex_problem(text: str, size: int, what: str, *, required: bool) -> FieldProblem | None:
    if not text:
        return FieldProblem("required", f"Enter the {what} too, or leave both node fields empty.") if required else None
    if len(text) != 2 * size or not _HEX.issuperset(text):
        return FieldProblem("invalid", f"The {what} is {2 * size} hexadecimal characters.")
    return None


def _signed_at_problem(signed_at: int | None, now: datetime) -> FieldProblem | None:
    """The signed time must be recent: within the replay window, and not in the future."""
    now_unix = int(now.timestamp())
    problem = registration_text.signed_at_problem(
        signed_at, now_unix, window_seconds=settings.REGISTRATION_REPLAY_WINDOW_SECONDS,
        skew_seconds=settings.REGISTRATION_CLOCK_SKEW_SECONDS,
    )
    if problem == registration_text.FUTURE:
        return FieldProblem(
            "future", f"{signed_at} is in the future. Sign with the current unix time (now about {now_unix})."
        )
    if problem == registration_text.EXPIRED:
        hours = settings.REGISTRATION_REPLAY_WINDOW_SECONDS // 3600
        return FieldProblem(
            "expired", f"{signed_at} is more than {hours} hours ago. Sign again with the current unix time "
            f"(now about {now_unix})."
        )
    return None


def _store(verified: _Verified, *, ip: str, actor: str, now: datetime | None) -> SubmissionResult:
    """Store a verified submission; the one-current-row constraint is the last guard.

    The common case, a first registration, is tried first as a bare insert: no lock and no read
    (four round trips instead of six). If the address already has a current registration, or
    one is being stored at this moment, the constraint refuses the insert and the locked path
    decides: idempotence, the replay rule, replacement. That path is retried once if the
    constraint still fires, then answered with a conflict.
    """
    try:
        with transaction.atomic():
            return _insert(verified, None, ip=ip, actor=actor, at=now or timezone.now())
    except IntegrityError:
        pass
    for _ in range(_STORE_ATTEMPTS):
        try:
            with transaction.atomic():
                return _store_locked(verified, ip=ip, actor=actor, now=now)
        except IntegrityError:
            continue
    raise RegistrationConflict()


def _lock_address(oxen_address: str) -> None:
    """Serialise submissions for one Oxen address until the transaction ends (PostgreSQL).

    An advisory lock also covers the moment a current row is being replaced, when
    `select_for_update` alone would let a waiting transaction read "no current row" and collide.
    SQLite (the embedded default) already lets one writer in at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"registration:{oxen_address}"])


def _store_locked(verified: _Verified, *, ip: str, actor: str, now: datetime | None) -> SubmissionResult:
    address = verified.oxen_address
    _lock_address(address)
    current = next(iter(Registration.objects.select_for_update().filter(oxen_address=address, is_current=True)), None)
    at = now or timezone.now()
    if current is None:
        return _insert(verified, None, ip=ip, actor=actor, at=at)
    at = max(at, current.created_at)  # history stays in order whatever the clocks did
    same_node = not verified.node_pubkey or verified.node_pubkey == current.node_pubkey
    if current.eth_address == verified.eth_address and same_node:
        record_event("registration:unchanged", actor=actor, subject=address, ip=ip,
                     data={**_event_data(verified), "registration_id": current.pk})
        return SubmissionResult(current, "unchanged")
    _check_replay(verified, current)
    if Registration.objects.supersede(current.pk, at) != 1:
        raise RegistrationConflict()
    return _insert(verified, current, ip=ip, actor=actor, at=at)


def _event_data(verified: _Verified) -> dict[str, str]:
    return {"eth_address": verified.eth_address, "matched_form": verified.signed.form.value}


def _insert(
    verified: _Verified, replaces: Registration | None, *, ip: str, actor: str, at: datetime
) -> SubmissionResult:
    """Insert the new current row (after `replaces` was superseded) and its audit event."""
    row = Registration.objects.create(
        oxen_address=verified.oxen_address,
        eth_address=verified.eth_address,
        signature=verified.signature,
        signed_message=verified.signed.message,
        matched_form=verified.signed.form,
        signed_at=None if verified.signed_at is None else datetime.fromtimestamp(verified.signed_at, UTC),
        node_pubkey=verified.node_pubkey,
        node_signature=verified.node_signature,
        created_at=at,
        replaces=replaces,
        ip_hash=hash_ip(ip),
    )
    data = {**_event_data(verified), "registration_id": row.pk}
    if replaces is None:
        record_event("registration:created", actor=actor, subject=row.oxen_address, ip=ip, data=data)
        return SubmissionResult(row, "created")
    data.update(replaced_id=replaces.pk, previous_eth_address=replaces.eth_address)
    record_event("registration:replaced", actor=actor, subject=row.oxen_address, ip=ip, data=data)
    return SubmissionResult(row, "replaced", replaced=replaces)


def _check_replay(verified: _Verified, current: Registration) -> None:
    """SPEC §2 replay rule: going back to a superseded ETH address needs a fresh signed time.

    The signed text has no nonce, so an old `(oxen, eth_old, sig_old)` could undo a change. A
    signature over `"<eth> <unix time>"` with a time after the last change cannot be an old one.
    A time, when given, must be after the last change even where the rule does not demand one.
    """
    superseded = set(Registration.objects.filter(oxen_address=verified.oxen_address, is_current=False)
                     .values_list("eth_address", flat=True))
    last_change = current.created_at
    now_unix = int(timezone.now().timestamp())
    command = f"sign_value {verified.eth_address} {now_unix}"
    problem = registration_text.replay_problem(
        superseded, verified.eth_address, verified.signed_at, last_change.timestamp()
    )
    if problem == registration_text.REPLAY_NEEDS_TIME:
        raise RegistrationRefused.single(
            "signed_at",
            "replay_needs_time",
            f"This Oxen address was registered to {verified.eth_address} before and changed on "
            f"{last_change:%Y-%m-%d %H:%M} UTC. To switch back, sign it together with the current time: run "
            f"`{command}`, paste the new signature, and enter {now_unix} as the signed time.",
        )
    if problem == registration_text.STALE_TIME:
        raise RegistrationRefused.single(
            "signed_at",
            "stale_time",
            f"The signed time {verified.signed_at} is not after this address's last change "
            f"({last_change:%Y-%m-%d %H:%M:%S} UTC). Sign again with the current time: `{command}`.",
        )


def _record_refusal(
    submission: Submission, problems: dict[str, list[FieldProblem]], *, ip: str, actor: str
) -> None:
    """Audit a refusal in its own transaction: nothing else was written."""
    oxen = submission.oxen_address.strip()[:MAX_FIELD_CHARS]
    with transaction.atomic():
        record_event(
            "registration:refused",
            actor=actor,
            subject=oxen,
            ip=ip,
            data={
                "oxen_address": oxen,
                "eth_address": submission.eth_address.strip()[:MAX_FIELD_CHARS],
                "problems": {field: [{"code": p.code, "message": p.message} for p in items]
                             for field, items in problems.items()},
            },
        )
        for code in sorted({problem.code for items in problems.values() for problem in items}):
            count_event(REGISTRATION_REFUSALS, code)  # /metrics: refusals by reason, with their audit row


# --- Reading -----------------------------------------------------------------------------------

def current_registration(oxen_address: str) -> Registration | None:
    """The current registration of an Oxen address, or None."""
    return Registration.objects.filter(oxen_address=oxen_address.strip(), is_current=True).first()


def registration_history(oxen_address: str) -> list[Registration]:
    """The superseded registrations of an Oxen address, newest first (never deleted)."""
    return list(Registration.objects.filter(oxen_address=oxen_address.strip(), is_current=False)
                .order_by("-created_at", "-id"))


def registrations_for_eth(eth_address: str) -> list[Registration]:
    """Current registrations pointing at an ETH address (EIP-55 form): several Oxen addresses may."""
    return list(Registration.objects.filter(eth_address=eth_address, is_current=True).order_by("created_at", "id"))


def registered_addresses(as_of: datetime | None = None) -> list[RegisteredAddress]:
    """Every registered Oxen address with its ETH address and FIRST registration time.

    The Service Node Bonus backdates by the first registration; it pays to the current mapping,
    or with `as_of` to the mapping in force at that time: the row created at or before it and not
    superseded by then (a replacement's `created_at` equals the old row's `superseded_at`, so
    exactly one row per address qualifies).
    """
    first = (Registration.objects.filter(oxen_address=OuterRef("oxen_address"))
             .order_by("created_at", "id").values("created_at")[:1])
    if as_of is None:
        in_force = Registration.objects.filter(is_current=True)
    else:
        in_force = Registration.objects.filter(created_at__lte=as_of).exclude(superseded_at__lte=as_of)
    rows = (in_force.annotate(first_registered_at=Subquery(first))
            .order_by("oxen_address").values_list("oxen_address", "eth_address", "first_registered_at", "created_at"))
    return [RegisteredAddress(*row) for row in rows]

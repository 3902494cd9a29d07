"""What a holder needs to claim: their entry, its proof, and the call data, from the database only.

Used by the proofs API and by the claim partial (`templates/distributions/claim.html`) through
`claim_context`. Nothing here calls the chain: "already claimed" comes from the claim index (as of
the block it reached), and the call data is plain ABI encoding of frozen values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from swap.chain import contracts
from swap.chain.program_end import program_end
from swap.core.amounts import format_coins
from swap.core.durations import format_wait
from swap.core.eth_address import EthAddressError, normalize_eth_address
from swap.distributions.models import DistributionEntry, DistributionRound, RoundStatus
from swap.distributions.services.claim_index import claimed_of
from swap.distributions.services.payout_queue import DeliveryStatus, delivery_status_of
from swap.distributions.wallet import explorer_link, messages, widget_config


@dataclass(frozen=True)
class ClaimInfo:
    """One account's claim under one round. Amounts are atomic SESH as decimal strings (JSON-safe)."""

    eth_address: str
    round: int
    round_status: str
    root: str
    cumulative_atomic: str
    bonus_atomic: str
    claims_atomic: str
    claimed_atomic: str
    claimed_as_of_block: int | None
    claimable_atomic: str
    claimable: bool
    proof: list[str]
    distributor: str
    chain_id: int
    claim_calldata: str
    activates_at: str | None = None  # ISO 8601 UTC, while the round waits for its activation
    next_round: int | None = None  # a newer round not active yet that raises this account's amount
    next_round_status: str | None = None
    next_cumulative_atomic: str | None = None
    next_activates_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


UPCOMING_STATUSES = (RoundStatus.FROZEN, RoundStatus.PROPOSED, RoundStatus.PENDING)


def _entries_for(eth_address: str) -> tuple[DistributionEntry | None, DistributionEntry | None]:
    """(entry under the active root, entry of the newest round after it that is not active yet).

    Only the active root is claimable; the upcoming entry is shown, with its activation time.
    Frozen rounds older than the active one were superseded and vetoed rounds never count.
    """
    entries = DistributionEntry.objects.select_related("round").filter(eth_address=eth_address)
    live = DistributionRound.objects.filter(status=RoundStatus.ACTIVE).order_by("-number").first()
    active = entries.filter(round=live).first() if live is not None else None
    upcoming = entries.filter(round__status__in=UPCOMING_STATUSES)
    if live is not None:
        upcoming = upcoming.filter(round__number__gt=live.number)
    return active, upcoming.order_by("-round__number").first()


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def claim_info(eth_address: str) -> ClaimInfo | None:
    """The claim of an EIP-55 (or any valid) address, or None when no frozen round has it."""
    address = normalize_eth_address(eth_address)
    active, upcoming = _entries_for(address)
    entry = active or upcoming
    if entry is None:
        return None
    following = upcoming if active is not None else None
    round_ = entry.round
    claimed, as_of = claimed_of(address)
    claimable = round_.status == RoundStatus.ACTIVE
    distributor = round_.distributor_address or settings.L2_DISTRIBUTOR_ADDRESS
    proof = entry.proof_hex
    calldata = contracts.claim_data(address, entry.cumulative_atomic, proof) if distributor else ""
    return ClaimInfo(
        eth_address=address, round=round_.number, round_status=round_.status, root=round_.root,
        cumulative_atomic=str(entry.cumulative_atomic), bonus_atomic=str(entry.bonus_atomic),
        claims_atomic=str(entry.claims_atomic), claimed_atomic=str(claimed), claimed_as_of_block=as_of,
        claimable_atomic=str(max(0, entry.cumulative_atomic - claimed)),
        claimable=claimable and entry.cumulative_atomic > claimed, proof=proof, distributor=distributor,
        chain_id=settings.L2_CHAIN_ID, claim_calldata=calldata,
        activates_at=_iso(round_.activates_at) if round_.status == RoundStatus.PENDING else None,
        next_round=following.round.number if following else None,
        next_round_status=following.round.status if following else None,
        next_cumulative_atomic=str(following.cumulative_atomic) if following else None,
        next_activates_at=_iso(following.round.activates_at) if following else None,
    )


def pending_notice(round_number: int, status: str, activates_at: str | None) -> str:
    """"Round 3 is pending: claimable from 2026-12-08 14:00 UTC (in 23 h 10 min)"."""
    if status == RoundStatus.FROZEN:
        return f"Round {round_number} is frozen and not yet proposed on chain."
    if activates_at is None:
        return f"Round {round_number} is being proposed on chain: its claimable time is known once that is final."
    moment = datetime.fromisoformat(activates_at)
    wait = int((moment - timezone.now()).total_seconds())
    return (f"Round {round_number} is pending: claimable from {moment:%Y-%m-%d %H:%M} UTC "
            f"(in {format_wait(wait)})" if wait > 0 else
            f"Round {round_number} is pending: claimable from {moment:%Y-%m-%d %H:%M} UTC (activation is due now)")


def deadline_notice(info: ClaimInfo) -> str | None:
    """"Claim 12.5 SESH before 2027-03-08 12:00 UTC" once an end is announced and something is unclaimed."""
    end = program_end()
    owed = int(info.next_cumulative_atomic or info.cumulative_atomic) - int(info.claimed_atomic)
    if end is None or end.ended or owed <= 0:
        return None
    return (f"Claim {format_coins(owed)} SESH before {end.end:%Y-%m-%d %H:%M} UTC, the program's end: "
            "afterwards what is unclaimed goes to the Staking Reward Pool.")


def claim_context(eth_address: str) -> dict[str, Any]:
    """Context for `{% include "distributions/claim.html" with ctx=… %}`.

    `claim` (the proof API's dict, or None), `eth_address`, and for a valid address `wallet` (the
    script's configuration), `delivery` and `delivery_text` (the payout request, if any); with a
    claim also `notices`, `figures` (ints for the amount filter) and `distributor_link`. Never
    raises for an address it does not know or cannot parse; the partial then says so.
    """
    try:
        info = claim_info(eth_address)
    except EthAddressError:
        return {"claim": None, "eth_address": eth_address}
    delivery = delivery_status_of(info.eth_address if info else normalize_eth_address(eth_address))
    base = {"eth_address": eth_address, "wallet": widget_config(),
            "delivery": delivery.as_dict() if delivery else None,
            "delivery_text": delivery_text(delivery) if delivery else ""}
    if info is None:
        return {"claim": None, **base}
    notices = []
    if info.round_status != RoundStatus.ACTIVE:
        notices.append(pending_notice(info.round, info.round_status, info.activates_at))
    if info.next_round is not None and info.next_round_status is not None:
        notices.append(pending_notice(info.next_round, info.next_round_status, info.next_activates_at))
    deadline = deadline_notice(info)
    if deadline:
        notices.append(deadline)
    figures = {"cumulative": int(info.cumulative_atomic), "claimed": int(info.claimed_atomic),
               "claimable": int(info.claimable_atomic)}
    return {"claim": info.as_dict(), "notices": notices, "figures": figures,
            "distributor_link": explorer_link("address", info.distributor), **base}


def delivery_text(status: DeliveryStatus) -> str:
    """The sentence the page shows for a delivery request (the script fills the same messages)."""
    moment = datetime.fromisoformat(status.requested_at)
    values = {**status.as_dict(), "date": f"{moment:%Y-%m-%d %H:%M} UTC"}
    return messages()[f"delivery_{status.state}"].format(**values)


def status_section_context(eth_addresses: list[str]) -> dict[str, Any]:
    """Context of `distributions/status_section.html`: one claim block per address."""
    return {"claims": [claim_context(address) for address in eth_addresses]}

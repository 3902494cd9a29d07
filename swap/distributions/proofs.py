"""What a holder needs to claim: their entry, its proof, and the call data, from the database only.

Used by the proofs API and by the claim partial (`templates/distributions/claim.html`) through
`claim_context`. Nothing here calls the chain: "already claimed" comes from the claim index (as of
the block it reached), and the call data is plain ABI encoding of frozen values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings

from swap.chain import contracts
from swap.core.eth_address import EthAddressError, normalize_eth_address
from swap.distributions.models import DistributionEntry, DistributionRound, RoundStatus
from swap.distributions.services.claim_index import claimed_of


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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _entry_for(eth_address: str) -> DistributionEntry | None:
    """The entry to serve: from the newest confirmed round (its root is the live one), else from
    the newest frozen or published round after it (shown, not claimable until confirmed)."""
    entries = DistributionEntry.objects.select_related("round").filter(eth_address=eth_address)
    live = DistributionRound.objects.filter(status=RoundStatus.CONFIRMED).order_by("-number").first()
    if live is not None:
        entry = entries.filter(round=live).first()
        if entry is not None:
            return entry
    upcoming = entries.filter(round__status__in=(RoundStatus.FROZEN, RoundStatus.PUBLISHED))
    if live is not None:
        upcoming = upcoming.filter(round__number__gt=live.number)  # older frozen rounds were superseded
    return upcoming.order_by("-round__number").first()


def claim_info(eth_address: str) -> ClaimInfo | None:
    """The claim of an EIP-55 (or any valid) address, or None when no frozen round has it."""
    address = normalize_eth_address(eth_address)
    entry = _entry_for(address)
    if entry is None:
        return None
    round_ = entry.round
    claimed, as_of = claimed_of(address)
    claimable = round_.status == RoundStatus.CONFIRMED
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
    )


def claim_context(eth_address: str) -> dict[str, Any]:
    """Context for `{% include "distributions/claim.html" %}`: `{"claim": dict or None, "eth_address": …}`.

    Never raises for an address it does not know or cannot parse; the partial then says so.
    """
    try:
        info = claim_info(eth_address)
    except EthAddressError:
        return {"claim": None, "eth_address": eth_address}
    return {"claim": info.as_dict() if info else None, "eth_address": eth_address}


def status_section_context(eth_addresses: list[str]) -> dict[str, Any]:
    """Context of `distributions/status_section.html`: one claim block per address."""
    return {"claims": [claim_context(address) for address in eth_addresses]}

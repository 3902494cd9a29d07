"""The status page's dashboard of one ETH address: both programs side by side, and the account's timeline.

Reads both programs (hence `swap.overview`, the composition layer) and the distribution rounds,
from the database only. Amounts are atomic integers; templates format them (`{% load portal %}`).

Per program: what is in the newest frozen round (claimable once it is active), and what accrued
since its cut-off and waits for the next round (the coin claims' credits after the cut-off; the
bonus's current estimate while no round holds it). Claimable and claimed are one on-chain figure
per account (the distributor pays `cumulative − claimed`), so they are shown once, for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Min, Sum
from django.utils.translation import gettext_lazy as _

from bonuses.services.leaderboard import current_leaderboard
from claims.models import ClaimCredit
from swap.distributions.models import ClaimEvent, DistributionRound, RoundStatus
from swap.distributions.proofs import ClaimInfo, claim_info
from swap.registrations.models import Registration
from swap.registrations.status import StatusLookup, StatusSection


@dataclass(frozen=True)
class ProgramFigures:
    in_round_atomic: int  # in the newest frozen round that holds this account (0: none)
    pending_atomic: int  # accrued after that round's cut-off, for the next round
    pending_is_estimate: bool  # the bonus before the program ends: a share of points so far


@dataclass(frozen=True)
class Step:
    """One state of the timeline: `state` is "done", "now" or "next"."""

    label: str
    state: str
    when: datetime | None = None
    detail: str = ""
    tx_hash: str = ""


@dataclass(frozen=True)
class AccountDashboard:
    eth_address: str
    bonus: ProgramFigures
    claims: ProgramFigures
    round: int | None
    round_status: str
    activates_at: datetime | None
    cumulative_atomic: int
    claimable_atomic: int
    claimed_atomic: int
    next_round_at: datetime | None
    timeline: list[Step] = field(default_factory=list)

    @property
    def pending_atomic(self) -> int:
        return self.bonus.pending_atomic + self.claims.pending_atomic


def _bonus_estimate(eth_address: str) -> int:
    board = current_leaderboard()
    if board is None:
        return 0
    return sum(entry.estimated_sesh_atomic for entry in board.entries if entry.eth_address == eth_address)


def _round_of(info: ClaimInfo | None) -> DistributionRound | None:
    if info is None:
        return None
    return DistributionRound.objects.exclude(status=RoundStatus.VETOED).filter(number=info.round).first()


def _timeline(eth_address: str, info: ClaimInfo | None, round_: DistributionRound | None, accruing: bool,
              claimed: int) -> list[Step]:
    registered = Registration.objects.filter(eth_address=eth_address).aggregate(first=Min("created_at"))["first"]
    last_claim = (ClaimEvent.objects.filter(chain_id=settings.L2_CHAIN_ID, eth_address=eth_address)
                  .order_by("-block_number", "-log_index").first())
    cumulative = int(info.cumulative_atomic) if info else 0
    active = info is not None and info.round_status == RoundStatus.ACTIVE
    fully_claimed = info is not None and cumulative > 0 and claimed >= cumulative
    steps = [
        Step("registered", "done" if registered else "now", registered),
        Step("accruing", "done" if info else ("now" if accruing else "next")),
        Step("in_round", "done" if info else "next", round_.frozen_at if round_ else None,
             detail=str(info.round) if info else ""),
        Step("pending_activation", "done" if active else ("now" if info else "next"),
             round_.activates_at if round_ else None,
             tx_hash=(round_.propose_tx.tx_hash if round_ and round_.propose_tx else "")),
        Step("claimable", "done" if fully_claimed else ("now" if active else "next"),
             tx_hash=round_.activated_tx_hash if round_ else ""),
        Step("claimed", "done" if fully_claimed else "next", None,
             tx_hash=last_claim.tx_hash if last_claim else ""),
    ]
    return steps


def account_dashboard(eth_address: str) -> AccountDashboard:
    """The figures and timeline of one EIP-55 address (it need not be in any round yet)."""
    info = claim_info(eth_address)
    round_ = _round_of(info)
    credited = ClaimCredit.objects.filter(eth_address=eth_address).aggregate(s=Sum("sesh_atomic"))["s"] or 0
    in_bonus = int(info.bonus_atomic) if info else 0
    in_claims = int(info.claims_atomic) if info else 0
    bonus_pending = 0 if in_bonus else _bonus_estimate(eth_address)
    claims = ProgramFigures(in_claims, max(0, int(credited) - in_claims), False)
    bonus = ProgramFigures(in_bonus, bonus_pending, bonus_pending > 0)
    claimed = int(info.claimed_atomic) if info else 0
    return AccountDashboard(
        eth_address=eth_address, bonus=bonus, claims=claims,
        round=info.round if info else None, round_status=info.round_status if info else "",
        activates_at=round_.activates_at if round_ else None,
        cumulative_atomic=int(info.cumulative_atomic) if info else 0,
        claimable_atomic=int(info.claimable_atomic) if info and info.claimable else 0,
        claimed_atomic=claimed,
        next_round_at=settings.PORTAL_NEXT_ROUND_AT,
        timeline=_timeline(eth_address, info, round_, bool(bonus_pending or credited), claimed),
    )


def dashboard_section(lookup: StatusLookup) -> StatusSection | None:
    """The status page's first section: one dashboard per ETH address behind the query."""
    if not lookup.eth_addresses:
        return None
    boards = [account_dashboard(address) for address in lookup.eth_addresses]
    return StatusSection(_("Your SESH"), "swap/dashboard.html", {"dashboards": boards}, order=0)

"""The TGE supply snapshot: entering it, reading the active one, filling it from oxend, locking it.

Entering a snapshot supersedes the active one in the same transaction, under the ledger lock
that crediting takes, so a snapshot can never change between the first credit and the next: once
`ClaimsLedger.snapshot` is set (the first credit) every later entry raises `SnapshotLocked`.

Filling from oxend (`fetch_supply`) reads `get_coinbase_tx_sum` as oxend-rpc.md §3.4 advises for
a past height H: the cached total from 0 to the top minus the blocks above H, both with counts
fixed at the start, then checks that the top block it counted is still the chain's (no reorg
slipped in between the calls). H must be at or below oxend's immutable height.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims.exceptions import SnapshotLocked
from claims.models import ClaimCredit, SnapshotSource, SupplySnapshot
from claims.services.config import claim_rules
from claims.services.locks import locked_ledger
from swap.audit import record_event
from swap.core.claims_allocation import RateError, Supply, claims_rate
from swap.core.oxen_address import InvalidAddress, Network, decode_address
from swap.oxend import OxendClient
from swap.oxend_errors import OxendTransientError

_HASH = re.compile(r"[0-9a-f]{64}")


class SupplyRefused(ValueError):
    """The figures cannot make a snapshot; `problems` maps a field to its reasons."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {' '.join(items)}" for field, items in problems.items()))


@dataclass(frozen=True)
class ExcludedHolding:
    address: str
    amount_atomic: int
    note: str = ""

    def as_json(self) -> dict[str, object]:
        return {"address": self.address, "amount_atomic": self.amount_atomic, "note": self.note}


@dataclass(frozen=True)
class FetchedSupply:
    height: int
    block_hash: str
    emission_atomic: int
    burned_atomic: int


def parse_excluded(text: str) -> list[ExcludedHolding]:
    """One holding per line: `<Oxen address> <amount in atomic OXEN> [note…]` (like every amount here)."""
    holdings, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 2:
            problems.append(f"line {number}: write the address, then the amount in atomic units")
            continue
        if not parts[1].isascii() or not parts[1].isdigit():
            problems.append(f"line {number}: {parts[1]!r} is not a whole number of atomic units")
            continue
        amount = int(parts[1])
        holdings.append(ExcludedHolding(parts[0], amount, parts[2].strip() if len(parts) > 2 else ""))
    if problems:
        raise SupplyRefused({"excluded": problems})
    return holdings


def check_figures(
    height: int, block_hash: str, emission_atomic: int, burned_atomic: int, excluded: list[ExcludedHolding]
) -> dict[str, list[str]]:
    """Every problem with the figures, by field (empty when they make a valid snapshot)."""
    problems: dict[str, list[str]] = {}
    if not _HASH.fullmatch(block_hash):
        problems.setdefault("block_hash", []).append("64 lowercase hexadecimal characters")
    for name, value in (("height", height), ("emission_atomic", emission_atomic), ("burned_atomic", burned_atomic)):
        if type(value) is not int or value < 0:
            problems.setdefault(name, []).append("a whole number, 0 or more")
    network = Network(settings.OXEN_NETWORK)
    seen: set[str] = set()
    for holding in excluded:
        try:
            decoded = decode_address(holding.address)
        except InvalidAddress as error:
            problems.setdefault("excluded", []).append(f"{holding.address[:12]}…: {error}")
            continue
        if decoded.network is not network:
            problems.setdefault("excluded", []).append(f"{holding.address[:12]}… is not a {network.value} address")
        if holding.address in seen:
            problems.setdefault("excluded", []).append(f"{holding.address[:12]}… is listed twice")
        if holding.amount_atomic <= 0:
            problems.setdefault("excluded", []).append(f"{holding.address[:12]}… needs a positive amount")
        seen.add(holding.address)
    if not problems:
        supply = Supply(emission_atomic, burned_atomic, tuple(h.amount_atomic for h in excluded))
        try:
            claims_rate(claim_rules().pool_atomic, supply)
        except RateError as error:
            problems.setdefault("emission_atomic", []).append(str(error))
    return problems


def active_snapshot() -> SupplySnapshot | None:
    return SupplySnapshot.objects.filter(is_active=True).first()


def is_locked() -> bool:
    """True once a deposit has been credited: the rate may never change again."""
    return ClaimCredit.objects.exists()


def enter_supply_snapshot(
    *,
    height: int,
    block_hash: str,
    emission_atomic: int,
    burned_atomic: int,
    excluded: list[ExcludedHolding],
    entered_by: str,
    source: SnapshotSource = SnapshotSource.MANUAL,
    notes: str = "",
) -> SupplySnapshot:
    """Store a new active snapshot (superseding the active one), unless the rate is locked."""
    problems = check_figures(height, block_hash, emission_atomic, burned_atomic, excluded)
    if problems:
        raise SupplyRefused(problems)
    pool = claim_rules().pool_atomic
    amounts = tuple(h.amount_atomic for h in excluded)
    supply = Supply(emission_atomic, burned_atomic, amounts)
    rate = claims_rate(pool, supply)
    with transaction.atomic():
        ledger = locked_ledger()
        if ledger.snapshot_id is not None or is_locked():
            raise SnapshotLocked("deposits were credited at the active snapshot's rate; it can no longer change")
        now = timezone.now()
        previous = active_snapshot()
        if previous is not None and SupplySnapshot.objects.supersede(previous.pk, now) != 1:
            raise SnapshotLocked("the active snapshot changed meanwhile; try again")
        snapshot = SupplySnapshot.objects.create(
            height=height,
            block_hash=block_hash,
            emission_atomic=emission_atomic,
            burned_atomic=burned_atomic,
            excluded=[h.as_json() for h in excluded],
            excluded_total_atomic=supply.excluded_total,
            circulating_atomic=supply.circulating_atomic,
            pool_atomic=pool,
            rate_num=rate.numerator,
            rate_den=rate.denominator,
            source=source,
            entered_by=entered_by,
            notes=notes,
            created_at=now,
        )
        record_event(
            "claims:supply_snapshot_entered",
            actor=entered_by,
            subject=f"supply:{snapshot.pk}",
            data={
                "height": height,
                "block_hash": block_hash,
                "emission_atomic": emission_atomic,
                "burned_atomic": burned_atomic,
                "excluded": snapshot.excluded,
                "pool_atomic": pool,
                "rate_num": rate.numerator,
                "rate_den": rate.denominator,
                "source": str(source),
                "superseded": previous.pk if previous else None,
            },
        )
    return snapshot


def oxend_client() -> OxendClient:
    return OxendClient(settings.OXEND_RPC_URL, network=settings.OXEN_NETWORK)


def fetch_supply(client: OxendClient, height: int) -> FetchedSupply:
    """Emission and burn over blocks 0…height (inclusive) and that block's hash, from oxend."""
    top = client.get_height()
    length, top_hash = top["height"], top.get("hash")
    if height > top["immutable_height"]:
        raise SupplyRefused({"height": [f"block {height} is above oxend's immutable height {top['immutable_height']}"]})
    total = client.get_coinbase_tx_sum(0, length)
    above = length - 1 - height
    tail = client.get_coinbase_tx_sum(height + 1, above) if above > 0 else {"emission_amount": 0, "burn_amount": 0}
    block_hash = client.get_block_header_by_height(height)["hash"]
    if client.get_block_header_by_height(length - 1)["hash"] != top_hash:
        raise OxendTransientError("the chain reorganized while the supply was read", method="get_coinbase_tx_sum")
    return FetchedSupply(
        height=height,
        block_hash=block_hash,
        emission_atomic=total["emission_amount"] - tail["emission_amount"],
        burned_atomic=total["burn_amount"] - tail["burn_amount"],
    )


def fill_from_oxend(
    height: int, excluded: list[ExcludedHolding], *, entered_by: str, client: OxendClient | None = None
) -> SupplySnapshot:
    """Fetch the figures at `height` from oxend and enter them as the new active snapshot."""
    fetched = fetch_supply(client or oxend_client(), height)
    return enter_supply_snapshot(
        height=fetched.height,
        block_hash=fetched.block_hash,
        emission_atomic=fetched.emission_atomic,
        burned_atomic=fetched.burned_atomic,
        excluded=excluded,
        entered_by=entered_by,
        source=SnapshotSource.OXEND,
        notes="emission and burn from oxend get_coinbase_tx_sum (total to the top minus the blocks above)",
    )

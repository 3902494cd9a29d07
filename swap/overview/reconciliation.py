"""Do the books balance? Per program: pool, allocated, frozen in rounds, claimed on chain, outstanding, residual.

The reconciliation page (SPEC §7) shows what this module computes; nothing here writes, and
nothing calls a chain or a wallet: on-chain claims are the `Claimed` events the claim index task
(`swap.distributions.services.claim_index.sync_claims`, on the beat schedule) stored.

Figures, per program (atomic SESH):
- pool: the program's fixed pool (`SNB_POOL_ATOMIC`; the claims ledger's locked pool, else
  `CLAIMS_POOL_ATOMIC`);
- allocated: what the program's own records entitle people to now — the bonus split at the
  latest final snapshot (`bonuses.services.allocations.compute_bonus`; an interim figure until
  the program's end is final, when rounds start to take it), the credited claims
  (`claims.services.reconciliation.claims_summary`);
- frozen: that program's part of the latest frozen round (rounds are cumulative, so the latest
  one holds everything frozen so far);
- claimed on chain: what the distributor paid out, per account the highest cumulative `claimed`
  seen in its events. SESH is one token and an account claims one cumulative amount, so per
  program an account's claimed amount is split in proportion to its entry in the latest frozen
  round (the bonus part rounded down, the claims part gets the rest); the combined figure is exact;
- outstanding = frozen − claimed (owed once the root is on chain); residual = pool − allocated.

Every check says ok or mismatch with a reason, and names the rows behind it (`Rows`), so the page
can link each number to the admin list it comes from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Sum

from bonuses.services.allocations import BonusUnavailable, compute_bonus
from claims.services.reconciliation import ClaimsSummary, claims_summary
from swap.distributions.models import ClaimIndexCursor, DistributionEntry, DistributionRound, RoundDump, RoundStatus
from swap.distributions.services.claim_index import claimed_by_account

SHOWN_OFFENDERS = 5


@dataclass(frozen=True)
class Rows:
    """The admin list a figure comes from: `app_label.model_name` and changelist filters."""

    model: str
    filters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Figure:
    value: int
    rows: Rows | None = None


@dataclass(frozen=True)
class Check:
    """One thing that must add up; `detail` says what was compared (and by how much it is off)."""

    name: str
    ok: bool
    detail: str
    rows: Rows | None = None
    about: tuple[str, ...] = ()  # the program figures it compares ("pool", "allocated", "frozen", "claimed")


def _at_most(name: str, small: int, large: int, rows: Rows | None = None, about: tuple[str, ...] = ()) -> Check:
    if small <= large:
        return Check(name, True, f"{small} ≤ {large}", rows, about)
    return Check(name, False, f"{small} > {large} by {small - large}", rows, about)


def _equal(name: str, left: int, right: int, rows: Rows | None = None) -> Check:
    if left == right:
        return Check(name, True, f"{left} = {right}", rows)
    return Check(name, False, f"{left} ≠ {right} (off by {left - right})", rows)


@dataclass(frozen=True)
class ProgramLine:
    program: str
    title: str
    pool: Figure
    allocated: Figure
    frozen: Figure
    claimed: Figure
    checks: list[Check]
    note: str = ""

    @property
    def outstanding(self) -> int:
        return self.frozen.value - self.claimed.value

    @property
    def residual(self) -> int:
        return self.pool.value - self.allocated.value

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


@dataclass(frozen=True)
class RoundLine:
    """A round's own totals beside the sums of its entries."""

    id: int
    number: int
    status: str
    cutoff_at: object
    count: int
    total: int
    bonus_total: int
    claims_total: int
    entry_count: int
    entries_total: int
    checks: list[Check]

    @property
    def rows(self) -> Rows:
        return entry_rows(self.id)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


@dataclass(frozen=True)
class OnChain:
    """What the claim index holds: per-account claimed totals and how far it has read."""

    claimed_total: int
    accounts: int
    indexed_to_block: int | None
    distributor: str
    by_program: dict[str, int]
    checks: list[Check]


@dataclass(frozen=True)
class Reconciliation:
    programs: list[ProgramLine]
    rounds: list[RoundLine]
    on_chain: OnChain
    claims: ClaimsSummary
    claims_checks: list[Check]
    combined: dict[str, int] = field(default_factory=dict)

    @property
    def checks(self) -> list[Check]:
        found = [check for line in self.programs for check in line.checks]
        found += [check for line in self.rounds for check in line.checks]
        return found + self.on_chain.checks + self.claims_checks

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def mismatches(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


# --- rounds --------------------------------------------------------------------------------------


def entry_rows(round_id: int) -> Rows:
    return Rows("distributions.distributionentry", (("round__id__exact", str(round_id)),))


def dump_rows(round_id: int) -> Rows:
    return Rows("distributions.rounddump", (("round__id__exact", str(round_id)),))


def round_lines() -> list[RoundLine]:
    """Every round, newest first, with its entries summed by the database and checked against it."""
    sums = {
        row["round_id"]: row
        for row in DistributionEntry.objects.values("round_id").order_by().annotate(
            n=Count("id"), total=Sum("cumulative_atomic"), bonus=Sum("bonus_atomic"), claims=Sum("claims_atomic")
        )
    }
    dumps = dict(RoundDump.objects.values_list("round_id", "sha256"))
    lines: list[RoundLine] = []
    for round_ in DistributionRound.objects.order_by("-number", "-id"):
        row = sums.get(round_.pk, {})
        n, total = int(row.get("n") or 0), int(row.get("total") or 0)
        bonus, claims = int(row.get("bonus") or 0), int(row.get("claims") or 0)
        entries = entry_rows(round_.pk)
        checks: list[Check] = []
        if round_.status != RoundStatus.DRAFT:
            label = f"round {round_.number}"
            checks = [
                _equal(f"{label}: entries counted = round count", n, round_.count, entries),
                _equal(f"{label}: Σ entries = round total", total, round_.total_atomic, entries),
                _equal(f"{label}: Σ bonus entries = round bonus total", bonus, round_.bonus_total_atomic, entries),
                _equal(f"{label}: Σ claims entries = round claims total", claims, round_.claims_total_atomic, entries),
                Check(f"{label}: stored dump digest = round digest", dumps.get(round_.pk) == round_.dump_sha256,
                      f"{dumps.get(round_.pk, 'no dump')} vs {round_.dump_sha256}",
                      dump_rows(round_.pk)),
            ]
            if not any(line.checks for line in lines):  # the newest frozen round: hash its text again too
                checks.append(dump_text_check(round_.pk))
        lines.append(RoundLine(
            id=round_.pk, number=round_.number, status=round_.status, cutoff_at=round_.cutoff_at, count=round_.count,
            total=round_.total_atomic, bonus_total=round_.bonus_total_atomic, claims_total=round_.claims_total_atomic,
            entry_count=n, entries_total=total, checks=checks,
        ))
    return lines


def dump_text_check(round_id: int) -> Check:
    """Hash the stored dump text again: the published digest must be the digest of the stored bytes."""
    dump = RoundDump.objects.filter(round_id=round_id).first()
    rows = dump_rows(round_id)
    if dump is None:
        return Check("latest round: dump text hashes to its digest", False, "no dump stored", rows)
    digest = hashlib.sha256(dump.text.encode("ascii")).hexdigest()
    return Check("latest round: dump text hashes to its digest", digest == dump.sha256,
                 f"sha256(text) {digest} vs stored {dump.sha256}", rows)


# --- on chain ------------------------------------------------------------------------------------


def split_claimed(claimed: int, bonus: int, claims: int) -> tuple[int, int]:
    """An account's claimed amount split over the programs in proportion to its entry (bonus rounded down)."""
    cumulative = bonus + claims
    bonus_part = claimed * bonus // cumulative
    return bonus_part, claimed - bonus_part


def on_chain_figures(latest: RoundLine | None) -> OnChain:
    """Claimed per account (the claim index) against the latest frozen round's entries."""
    claimed = claimed_by_account()
    entries: dict[str, tuple[int, int]] = {}
    if latest is not None:
        rows = DistributionEntry.objects.filter(round_id=latest.id).values_list("eth_address", "bonus_atomic",
                                                                                "claims_atomic")
        entries = {eth: (bonus, claims) for eth, bonus, claims in rows}
    by_program = {"bonus": 0, "claims": 0}
    over: list[tuple[str, int, int]] = []
    unknown: list[str] = []
    for account, amount in sorted(claimed.items()):
        if account not in entries:
            unknown.append(account)
            continue
        bonus, claims = entries[account]
        if amount > bonus + claims:
            over.append((account, amount, bonus + claims))
        bonus_part, claims_part = split_claimed(amount, bonus, claims)
        by_program["bonus"] += bonus_part
        by_program["claims"] += claims_part
    events = Rows("distributions.claimevent")
    where = "no frozen round" if latest is None else f"round {latest.number}"
    checks = [
        _offenders("no account claimed more than its latest frozen cumulative amount",
                   {a: f"{a} claimed {c} > {f}" for a, c, f in over}, events),
        _offenders("every account that claimed is in the latest frozen round",
                   {a: f"{a} is not in {where}" for a in unknown}, events),
    ]
    cursor = ClaimIndexCursor.objects.filter(
        chain_id=settings.L2_CHAIN_ID, distributor=settings.L2_DISTRIBUTOR_ADDRESS
    ).first()
    return OnChain(
        claimed_total=sum(claimed.values()), accounts=len(claimed),
        indexed_to_block=cursor.next_block - 1 if cursor else None, distributor=settings.L2_DISTRIBUTOR_ADDRESS,
        by_program=by_program, checks=checks,
    )


def _offenders(name: str, problems: dict[str, str], rows: Rows) -> Check:
    """A check over accounts: ok when `problems` ({account: why}) is empty; one account links to its rows."""
    if not problems:
        return Check(name, True, "none", rows)
    shown = "; ".join(list(problems.values())[:SHOWN_OFFENDERS])
    more = f" and {len(problems) - SHOWN_OFFENDERS} more" if len(problems) > SHOWN_OFFENDERS else ""
    if len(problems) == 1:
        rows = Rows(rows.model, (("eth_address", next(iter(problems))),))
    return Check(name, False, f"{len(problems)}: {shown}{more}", rows)


# --- programs ------------------------------------------------------------------------------------


def bonus_allocated() -> tuple[int, int | None]:
    """(SESH allocated by the bonus at the latest final snapshot, that height); (0, None) before one exists."""
    try:
        report = compute_bonus(final_only=True)
    except BonusUnavailable:
        return 0, None
    return sum(report.allocation.sesh_by_eth.values()), report.at_height


def bonus_note(height: int | None) -> str:
    """Which split "allocated" is: rounds take the bonus only once the program's end is final."""
    if height is None:
        return "no final snapshot yet"
    if height < settings.SNB_FINAL_HEIGHT:
        return f"interim split at final snapshot {height}; rounds take the bonus once the program end is final"
    return f"final split at snapshot {height}"


def _program_checks(label: str, pool: int, allocated: int, frozen: int, claimed: int,
                    rows: dict[str, Rows | None]) -> list[Check]:
    return [
        _at_most(f"{label}: allocated ≤ pool", allocated, pool, rows["allocated"], ("allocated", "pool")),
        _at_most(f"{label}: frozen ≤ allocated", frozen, allocated, rows["frozen"], ("frozen", "allocated")),
        _at_most(f"{label}: claimed on chain ≤ frozen", claimed, frozen, rows["claimed"], ("claimed", "frozen")),
    ]


def reconcile() -> Reconciliation:
    """Everything the reconciliation page shows, from the database alone."""
    rounds = round_lines()
    # A vetoed round never paid anyone and its number was taken again: the books follow the others.
    latest_line = next((line for line in rounds if line.status not in (RoundStatus.DRAFT, RoundStatus.VETOED)), None)
    on_chain = on_chain_figures(latest_line)
    summary = claims_summary()
    bonus_value, bonus_height = bonus_allocated()

    frozen_rows = latest_line.rows if latest_line else None
    claimed_rows = Rows("distributions.claimevent")
    bonus_rows = {"allocated": Rows("bonuses.stakeinterval"), "frozen": frozen_rows, "claimed": claimed_rows}
    bonus_pool = int(settings.SNB_POOL_ATOMIC)
    bonus_frozen = latest_line.bonus_total if latest_line else 0
    bonus_checks = _program_checks("Service Node Bonus", bonus_pool, bonus_value, bonus_frozen,
                                   on_chain.by_program["bonus"], bonus_rows)
    bonus_checks.append(Check(
        "Service Node Bonus: the split hands out the whole pool or nothing",
        bonus_value in (0, bonus_pool), f"{bonus_value} of {bonus_pool}", bonus_rows["allocated"], ("allocated",),
    ))
    bonus = ProgramLine(
        "bonus", "Service Node Bonus", Figure(bonus_pool), Figure(bonus_value, bonus_rows["allocated"]),
        Figure(bonus_frozen, frozen_rows), Figure(on_chain.by_program["bonus"], claimed_rows), bonus_checks,
        note=bonus_note(bonus_height),
    )

    credits = Rows("claims.claimcredit")
    claims_rows = {"allocated": credits, "frozen": frozen_rows, "claimed": claimed_rows}
    claims_frozen = latest_line.claims_total if latest_line else 0
    claims_checks = _program_checks("Oxen Coin Claims", summary.pool_sesh_atomic, summary.credited_sesh_atomic,
                                    claims_frozen, on_chain.by_program["claims"], claims_rows)
    claims = ProgramLine(
        "claims", "Oxen Coin Claims", Figure(summary.pool_sesh_atomic),
        Figure(summary.credited_sesh_atomic, credits), Figure(claims_frozen, frozen_rows),
        Figure(on_chain.by_program["claims"], claimed_rows), claims_checks,
        note=f"{summary.credit_count} credits",
    )
    programs = [bonus, claims]
    combined = {
        "pool": sum(p.pool.value for p in programs),
        "allocated": sum(p.allocated.value for p in programs),
        "frozen": sum(p.frozen.value for p in programs),
        "claimed": on_chain.claimed_total,
    }
    combined["outstanding"] = combined["frozen"] - combined["claimed"]
    combined["residual"] = combined["pool"] - combined["allocated"]
    return Reconciliation(
        programs=programs, rounds=rounds, on_chain=on_chain, claims=summary,
        claims_checks=claims_ledger_checks(summary), combined=combined,
    )


def claims_ledger_checks(summary: ClaimsSummary) -> list[Check]:
    """The OXEN side of claims: credits against the ledger row, deposits received, burns."""
    deposits, burns = Rows("claims.deposit"), Rows("claims.burn")
    return [
        Check("Oxen Coin Claims: ledger row = Σ credits", summary.ledger_matches,
              "running totals agree with the credits" if summary.ledger_matches
              else "the ledger row's running totals differ from the sum of the credits", Rows("claims.claimsledger")),
        _at_most("Oxen Coin Claims: credited OXEN ≤ received OXEN", summary.credited_oxen_atomic,
                 summary.received_oxen_atomic, deposits),
        _at_most("Oxen Coin Claims: burned OXEN ≤ received OXEN", summary.burned_oxen_atomic,
                 summary.received_oxen_atomic, burns),
    ]


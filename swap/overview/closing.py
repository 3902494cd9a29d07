"""Closing the books at the program's end: pool = paid + withheld + remainder, and who never claimed.

Every figure names its source. From the chain (read here, not from the claim index, so an auditor
repeats it with a node and nothing else): `paid` is `claimed[account]` summed from the
distributor's `Claimed` events, `withdrawn` the `RemainderWithdrawn` event's amount (before the
withdrawal: the distributor's token balance, what it would send). From the public round files:
each account's entitlement (the latest round's `standard-v1` dump, whose sha256 is published).
From the database: the pools (the programs' settings) and `withheld`, what the late-claim
multiplier kept back from the credits (reserved for node rewards; it leaves with the remainder).

    remainder = withdrawn − withheld            pool = paid + withheld + remainder

A difference is a red line on the pages and a `false` in the JSON, never hidden.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Max

from claims.models import ClaimCredit, Deposit, DepositState, HoldReason
from claims.services.reconciliation import claims_summary, withheld_sesh_atomic
from swap.chain import contracts, program_end
from swap.chain.client import ChainClient
from swap.chain.models import RemainderWithdrawal
from swap.core.program_end import ClosingFigures, UnclaimedRow, unclaimed_rows
from swap.distributions.models import DistributionRound, RoundStatus
from swap.distributions.services.claim_index import claimed_by_account
from swap.overview.reconciliation import bonus_allocated, split_claimed
from swap.registrations.models import Registration

PAID_ROUNDS = (RoundStatus.PENDING, RoundStatus.ACTIVE)
PROGRAMS = ("bonus", "claims")
UNCLAIMED_HEADER = ("eth_address", "entitled_atomic", "paid_atomic", "unclaimed_atomic", "bonus_unclaimed_atomic",
                    "claims_unclaimed_atomic", "last_activity")


@dataclass(frozen=True)
class Closing:
    figures: ClosingFigures
    by_program: dict[str, dict[str, int]]
    withdrawal: dict[str, Any] | None
    sources: dict[str, str]

    @property
    def ok(self) -> bool:
        return self.figures.balanced


def paid_on_chain(client: ChainClient, distributor: str) -> dict[str, int]:
    """claimed[account] from the `Claimed` events: the highest cumulative amount each account reached."""
    paid: dict[str, int] = {}
    last, start = client.block_number(), settings.L2_DISTRIBUTOR_DEPLOY_BLOCK
    while start <= last:
        end = min(last, start + settings.L2_LOG_CHUNK_BLOCKS - 1)
        for log in client.get_logs(address=distributor, topics=[contracts.CLAIMED_TOPIC], from_block=start,
                                   to_block=end):
            account, _, cumulative = contracts.decode_claimed_log(log)
            paid[account] = max(paid.get(account, 0), cumulative)
        start = end + 1
    return paid


def latest_round() -> DistributionRound | None:
    """The latest round that went on chain (pending or active): what holders can claim."""
    return DistributionRound.objects.numbered().filter(status__in=PAID_ROUNDS).order_by("-number").first()


def entitled_by_dump(round_: DistributionRound | None) -> dict[str, int]:
    """{account: cumulative} read back from the round's published `standard-v1` dump."""
    if round_ is None:
        return {}
    dump = json.loads(round_.dump.text)
    return {value["value"][0]: int(value["value"][1]) for value in dump["values"]}


def _entries(round_: DistributionRound | None) -> dict[str, tuple[int, int]]:
    if round_ is None:
        return {}
    rows = round_.entries.values_list("eth_address", "bonus_atomic", "claims_atomic")
    return {eth: (bonus, claims) for eth, bonus, claims in rows}


def _closing(paid: dict[str, int], withdrawn: int | None, withdrawal: dict[str, Any] | None,
             sources: dict[str, str]) -> Closing:
    """The figures from `paid` per account and the withdrawn amount (None: not withdrawn yet, so the
    remainder is what the books expect, pool − paid − withheld, and `sources` says so)."""
    entries = _entries(latest_round())
    paid_bonus = sum(split_claimed(amount, *entries[a])[0] for a, amount in paid.items() if a in entries)
    withheld = withheld_sesh_atomic()
    pools = {"bonus": int(settings.SNB_POOL_ATOMIC), "claims": claims_summary().pool_sesh_atomic}
    total_paid = sum(paid.values())
    by_paid = {"bonus": paid_bonus, "claims": total_paid - paid_bonus}
    by_withheld = {"bonus": 0, "claims": withheld}
    by_program = {name: {"pool_atomic": pools[name], "paid_atomic": by_paid[name],
                         "withheld_atomic": by_withheld[name],
                         "remainder_atomic": pools[name] - by_paid[name] - by_withheld[name]} for name in pools}
    pool = sum(pools.values())
    figures = ClosingFigures(pool=pool, paid=total_paid, withheld=withheld,
                             withdrawn=pool - total_paid if withdrawn is None else withdrawn)
    return Closing(figures, by_program, withdrawal, {
        "pool": "database: SNB_POOL_ATOMIC + the claims ledger's pool",
        "withheld": "database: the claims credits (floor(OXEN × rate) − credited at the multiplier)",
        "per program": "paid split by each account's latest round entry; remainder = pool − paid − withheld",
        **sources})


def closing(client: ChainClient, paid: dict[str, int]) -> Closing:
    """The books from the chain: `paid` from `paid_on_chain`, the `RemainderWithdrawn` event or the balance."""
    distributor = program_end.distributor()
    withdrawals = contracts.remainder_withdrawals(client, distributor, from_block=settings.L2_DISTRIBUTOR_DEPLOY_BLOCK)
    if withdrawals:
        recipient, withdrawn, tx_hash = withdrawals[0]
        withdrawal: dict[str, Any] | None = {"recipient": recipient, "amount_atomic": withdrawn, "tx_hash": tx_hash}
        source = "chain: the RemainderWithdrawn event"
    else:
        withdrawn = contracts.token_balance(client, settings.L2_TOKEN_ADDRESS, distributor)
        withdrawal, source = None, "chain: the distributor's SESH balance (not withdrawn yet)"
    return _closing(paid, withdrawn, withdrawal, {
        "paid": "chain: Claimed events (claimed[account])", "remainder": f"{source}, less withheld"})


def closing_from_records() -> Closing:
    """The same books from the database alone (for the admin pages: no chain call in a request):
    the claim index's `Claimed` events and the withdrawal's recorded `RemainderWithdrawn` amount."""
    row = program_end.live_withdrawal()
    done = row is not None and row.status == RemainderWithdrawal.Status.CONFIRMED and row.amount_atomic is not None
    withdrawal = None
    if done and row is not None and row.transaction is not None:
        withdrawal = {"recipient": row.recipient, "amount_atomic": row.amount_atomic,
                      "tx_hash": row.transaction.tx_hash}
    source = ("database: the RemainderWithdrawn amount the outbox recorded, less withheld" if done
              else "expected: pool − paid − withheld (not withdrawn yet)")
    return _closing(claimed_by_account(), row.amount_atomic if done and row is not None else None, withdrawal, {
        "paid": "database: the claim index of Claimed events (final blocks)", "remainder": source})


@dataclass(frozen=True)
class UnclaimedLine:
    """One account: its totals (`row`), each program's unclaimed part, and its last activity (ISO time)."""

    row: UnclaimedRow
    by_program: dict[str, tuple[int, int]]  # program -> (entitled, paid)
    last_activity: str

    def unclaimed_of(self, program: str) -> int:
        entitled, paid = self.by_program[program]
        return entitled - paid

    def csv_row(self) -> list[object]:
        return [self.row.eth_address, self.row.entitled, self.row.paid, self.row.unclaimed,
                *(self.unclaimed_of(program) for program in PROGRAMS), self.last_activity]


def unclaimed(paid: dict[str, int]) -> list[UnclaimedLine]:
    """Per account: entitled (latest round's dump), paid, unclaimed, each program's part (the paid
    amount split by the account's entry, as reconciliation splits it), last activity."""
    round_ = latest_round()
    rows = unclaimed_rows(entitled_by_dump(round_), paid)
    entries = _entries(round_)
    addresses = [row.eth_address for row in rows]
    seen = dict(Registration.objects.filter(eth_address__in=addresses).values("eth_address")
                .annotate(at=Max("created_at")).values_list("eth_address", "at"))
    credited = dict(ClaimCredit.objects.filter(eth_address__in=addresses).values("eth_address")
                    .annotate(at=Max("created_at")).values_list("eth_address", "at"))
    result = []
    for row in rows:
        bonus, claims = entries.get(row.eth_address, (0, 0))
        paid_bonus, paid_claims = split_claimed(row.paid, bonus, claims) if bonus + claims else (0, row.paid)
        moments = [m for m in (seen.get(row.eth_address), credited.get(row.eth_address)) if m is not None]
        result.append(UnclaimedLine(row, {"bonus": (bonus, paid_bonus), "claims": (claims, paid_claims)},
                                    max(moments).isoformat() if moments else ""))
    return result


def chain_report(client: ChainClient) -> dict[str, Any]:
    """The closing report from the chain and the round files (`manage.py program_report`)."""
    paid = paid_on_chain(client, program_end.distributor())
    return program_report(closing(client, paid), paid)


def records_report() -> dict[str, Any]:
    """The same report from the database alone (the admin page)."""
    return program_report(closing_from_records(), claimed_by_account())


def program_report(books: Closing, paid: dict[str, int]) -> dict[str, Any]:
    """Every figure an auditor signs, as JSON-ready data (integers as strings, like the ledgers)."""
    end = program_end.program_end()
    rounds = [{
        "number": r.number, "status": r.status, "cutoff_at": r.cutoff_at.isoformat(), "root": r.root,
        "count": r.count, "total_atomic": str(r.total_atomic), "bonus_total_atomic": str(r.bonus_total_atomic),
        "claims_total_atomic": str(r.claims_total_atomic), "dump_sha256": r.dump_sha256,
        "propose_tx": r.propose_tx.tx_hash if r.propose_tx_id and r.propose_tx else "",
        "activate_tx": r.activate_tx.tx_hash if r.activate_tx_id and r.activate_tx else "",
    } for r in DistributionRound.objects.numbered().select_related("propose_tx", "activate_tx").order_by("number")]
    refused = Deposit.objects.filter(state__in=[DepositState.HELD, DepositState.ORPHANED])
    accounts = unclaimed(paid)
    figures = books.figures
    return {
        "format": "program-report-v1", "chain_id": settings.L2_CHAIN_ID, "distributor": settings.L2_DISTRIBUTOR_ADDRESS,
        "program_end": end.as_json() if end else None,
        "closing": {"pool_atomic": str(figures.pool), "paid_atomic": str(figures.paid),
                    "withheld_atomic": str(figures.withheld), "remainder_atomic": str(figures.remainder),
                    "withdrawn_atomic": str(figures.withdrawn), "difference_atomic": str(figures.difference),
                    "balanced": books.ok, "withdrawal": books.withdrawal, "sources": books.sources},
        "programs": {name: {k: str(v) for k, v in line.items()} for name, line in books.by_program.items()},
        "allocated": {"bonus_atomic": str(bonus_allocated()[0]),
                      "claims_atomic": str(claims_summary().credited_sesh_atomic)},
        "rounds": rounds,
        "deposits": {
            "credited": Deposit.objects.filter(state=DepositState.CREDITED).count(),
            "refused": refused.count(),
            "after_end": refused.filter(hold_reason=HoldReason.AFTER_END).count(),
        },
        "unclaimed": {
            "accounts": sum(1 for line in accounts if line.row.unclaimed > 0),
            "total_atomic": str(sum(line.row.unclaimed for line in accounts)),
            "paid_atomic": str(sum(line.row.paid for line in accounts)),
            "paid_matches": sum(line.row.paid for line in accounts) == figures.paid,
            "by_program": {program: {
                "entitled_atomic": str(sum(line.by_program[program][0] for line in accounts)),
                "paid_atomic": str(sum(line.by_program[program][1] for line in accounts)),
                "unclaimed_atomic": str(sum(line.unclaimed_of(program) for line in accounts)),
            } for program in PROGRAMS},
            "header": list(UNCLAIMED_HEADER),
            "rows": [[str(value) for value in line.csv_row()] for line in accounts],
        },
    }

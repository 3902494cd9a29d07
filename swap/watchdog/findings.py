"""What the watchdog compares, as plain functions (no Django, no chain): each returns readable findings.

A proposed root passes only if every independent rebuild of its round — the round record, its
frozen entries, its published dump — yields the proposal's root, total and account count, and if
the distributor's SESH plus what it has already paid covers the declared total. A claim passes
only if the account's new cumulative total stays within its frozen cumulative entitlement.
An empty list of findings is the only "ok".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Declared:
    """What a `RootProposed` declares (uint256 figures as Python ints: a thief may pick any)."""

    round_id: int
    root: str
    total: int
    accounts: int


@dataclass(frozen=True)
class Rebuilt:
    """One independent account of a round: where it comes from, and the tree it gives."""

    source: str  # "the round record", "the frozen entries", "the published dump"
    root: str
    total: int
    accounts: int


def figure_findings(declared: Declared, rebuilt: list[Rebuilt]) -> list[str]:
    """Every figure of every rebuild that differs from the proposal's."""
    findings = []
    for tree in rebuilt:
        if tree.root.lower() != declared.root.lower():
            findings.append(f"root of {tree.source}: {tree.root}; the proposal says {declared.root}")
        if tree.total != declared.total:
            findings.append(f"total of {tree.source}: {tree.total}; the proposal says {declared.total}")
        if tree.accounts != declared.accounts:
            findings.append(f"accounts of {tree.source}: {tree.accounts}; the proposal says {declared.accounts}")
    return findings


def coverage_finding(declared_total: int, *, balance: int, paid: int, block: int) -> str | None:
    """The distributor must be able to pay the whole cumulative total: what it holds plus what it paid."""
    if balance + paid >= declared_total:
        return None
    return (f"coverage: at block {block} the distributor holds {balance} and has paid {paid}, "
            f"{balance + paid} in all, less than the declared total {declared_total} "
            f"(short by {declared_total - balance - paid})")


def claim_finding(account: str, cumulative: int, *, round_id: int | None, entitled: int | None,
                  round_known: bool) -> str | None:
    """A `Claimed` that brought `account` to `cumulative` while round `round_id` was active."""
    if round_id is None:
        return f"{account} was paid up to {cumulative} while no root was active"
    if not round_known:
        return f"{account} was paid up to {cumulative} under round {round_id}, which the database never froze"
    if entitled is None:
        return f"{account} was paid up to {cumulative} but has no entry in round {round_id}"
    if cumulative > entitled:
        return (f"{account} was paid up to {cumulative}, above its frozen entitlement {entitled} in round "
                f"{round_id} (by {cumulative - entitled})")
    return None

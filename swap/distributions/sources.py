"""Where entitlements come from: the two programs, plugged in by dotted path.

`DISTRIBUTION_SOURCES` maps a program ("bonus", "claims") to a callable that takes the round's
cut-off as the keyword `cutoff` and returns `{eth_address: atomic SESH}` — the account's
*cumulative* entitlement in that program up to the cut-off. Loading by path keeps distributions
independent of the programs' apps (they import nothing from here), and lets a test plug in a small
real source of its own instead of mocking the core.

Everything a source returns is checked before it can reach a tree: EIP-55 addresses (normalized,
no account twice), integer amounts only (a float or Decimal is refused, never rounded), each
program's total within its pool: the settings `SNB_POOL_ATOMIC` and `CLAIMS_POOL_ATOMIC`, the same
ones the programs split and cap with (SPEC §1: 30,000,000 SESH each by default).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from swap.core.eth_address import EthAddressError, normalize_eth_address
from swap.distributions.exceptions import DistributionSourceError, PoolExceededError

PROGRAMS = ("bonus", "claims")
POOL_SETTINGS = {"bonus": "SNB_POOL_ATOMIC", "claims": "CLAIMS_POOL_ATOMIC"}


def pool_atomic(program: str) -> int:
    """The program's pool in atomic SESH, from its setting (read at each call: one source of truth)."""
    return int(getattr(settings, POOL_SETTINGS[program]))

Source = Callable[..., Mapping[str, int]]


@dataclass(frozen=True)
class Entitlement:
    """One account's cumulative amounts per program; `cumulative` is what goes into the tree."""

    eth_address: str
    bonus_atomic: int
    claims_atomic: int

    @property
    def cumulative_atomic(self) -> int:
        return self.bonus_atomic + self.claims_atomic


def load_sources() -> dict[str, Source]:
    """Import every configured source, or fail naming the one that is missing."""
    configured: dict[str, str] = dict(settings.DISTRIBUTION_SOURCES)
    unknown = set(configured) - set(PROGRAMS)
    if unknown:
        raise DistributionSourceError(f"DISTRIBUTION_SOURCES has unknown programs {sorted(unknown)}; known: {PROGRAMS}")
    if not configured:
        raise DistributionSourceError("DISTRIBUTION_SOURCES is empty: nothing to distribute")
    sources: dict[str, Source] = {}
    for program, path in configured.items():
        try:
            sources[program] = import_string(path)
        except ImportError as error:
            raise DistributionSourceError(
                f"entitlement source for {program!r} ({path}) cannot be imported: {error}. "
                "Is that program's app finished, or should DISTRIBUTION_SOURCES point elsewhere?"
            ) from None
    return sources


def _checked(program: str, path: str, result: Any) -> dict[str, int]:
    if not isinstance(result, Mapping):
        raise DistributionSourceError(f"{program} source {path} returned {type(result).__name__}, not a mapping")
    amounts: dict[str, int] = {}
    for address, amount in result.items():
        try:
            canonical = normalize_eth_address(address)
        except EthAddressError as error:
            raise DistributionSourceError(f"{program} source: {error}") from None
        if type(amount) is not int:
            raise DistributionSourceError(
                f"{program} source: amount of {canonical} is {type(amount).__name__}, not int (atomic units)"
            )
        if amount < 0:
            raise DistributionSourceError(f"{program} source: amount of {canonical} is negative ({amount})")
        if canonical in amounts:
            raise DistributionSourceError(f"{program} source: {canonical} appears twice (in two spellings)")
        amounts[canonical] = amount
    total = sum(amounts.values())
    pool = pool_atomic(program)
    if total > pool:
        raise PoolExceededError(f"{program} entitlements total {total} atomic, above the pool of {pool}")
    return amounts


def collect_entitlements(cutoff: datetime) -> list[Entitlement]:
    """Ask every source for its cumulative amounts up to `cutoff`; one entry per account with > 0.

    Sorted by address so that the entries, the tree's value order and the dump are the same
    whoever freezes the round.
    """
    per_program: dict[str, dict[str, int]] = {}
    for program, source in load_sources().items():
        path = settings.DISTRIBUTION_SOURCES[program]
        per_program[program] = _checked(program, path, source(cutoff=cutoff))
    bonus, claims = per_program.get("bonus", {}), per_program.get("claims", {})
    accounts = sorted(set(bonus) | set(claims), key=str.lower)
    entitlements = [Entitlement(a, bonus.get(a, 0), claims.get(a, 0)) for a in accounts]
    return [e for e in entitlements if e.cumulative_atomic > 0]

"""A real entitlement source for tests: `DISTRIBUTION_SOURCES` points here instead of at the programs.

Tests set `AMOUNTS[program]` (through the `entitlements` fixture) to the cumulative amounts the
program would report; the functions below are what `freeze_round` calls, with the round's cut-off.
"""

from datetime import datetime

AMOUNTS: dict[str, dict] = {"bonus": {}, "claims": {}}
CALLS: list[tuple[str, datetime]] = []


def bonus(*, cutoff: datetime) -> dict:
    CALLS.append(("bonus", cutoff))
    return dict(AMOUNTS["bonus"])


def claims(*, cutoff: datetime) -> dict:
    CALLS.append(("claims", cutoff))
    return dict(AMOUNTS["claims"])

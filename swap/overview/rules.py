"""The rules in force, read from settings, for the public home page (SPEC: every (ours) value is shown).

Each text is built from the setting the service actually uses, so the page never claims a value
the service does not apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from fractions import Fraction

from django.conf import settings

from claims.exceptions import ClaimsNotConfigured
from claims.services.config import multiplier_schedule
from swap.core.amounts import format_coins
from swap.core.claims_allocation import format_ratio


@dataclass(frozen=True)
class Rule:
    topic: str
    text: str


def _registration_rules() -> list[Rule]:
    network = settings.OXEN_NETWORK
    hours = settings.REGISTRATION_REPLAY_WINDOW_SECONDS // 3600
    return [
        Rule("Registration", f"Only primary {network} Oxen addresses are accepted; subaddresses and integrated "
                             "addresses are refused."),
        Rule("Registration", "The signature is the Oxen wallet's SigV1 signature (spend key) of your Ethereum "
                             "address. It is accepted for any letter case of the same address, with or without 0x."),
        Rule("Registration", "Registering again with another Ethereum address replaces the previous one; the "
                             "history is kept."),
        Rule("Registration", "Going back to an Ethereum address you used before needs a signature of "
                             f"\"<eth address> <unix time>\" made within the last {hours} hours and after your "
                             "last change."),
        Rule("Registration", f"Failed attempts are limited to {settings.REGISTRATION_RATE_LIMIT_IP} per network "
                             f"address and {settings.REGISTRATION_RATE_LIMIT_ADDRESS} per Oxen address."),
    ]


def _bonus_rules() -> list[Rule]:
    cutoff = settings.SNB_BACKDATE_CUTOFF.strftime("%Y-%m-%d %H:%M UTC")
    pool = format_coins(settings.SNB_POOL_ATOMIC)
    return [
        Rule("Service Node Bonus", f"{pool} SESH are split in proportion to Staking "
                                   "Points, exactly (largest remainder, to the billionth of a SESH; equal remainders "
                                   "go in order of the lowercase Ethereum address)."),
        Rule("Service Node Bonus", "Every Oxen block, each contributor of a funded, active service node earns its "
                                   "staked amount in stake-blocks; a full 15,000 OXEN node earns 1 point a block. "
                                   "Decommissioned nodes earn nothing; an unlock request keeps earning until the "
                                   "node leaves."),
        Rule("Service Node Bonus", f"Blocks {settings.SNB_START_HEIGHT} up to, but not including, block "
                                   f"{settings.SNB_FINAL_HEIGHT} count."),
        Rule("Service Node Bonus", f"Wallets registered before {cutoff} earn from the start; later registrations "
                                   "earn from their first snapshot after registering."),
        Rule("Service Node Bonus", f"Gaps of more than {settings.SNB_GAP_BLOCKS} blocks between snapshots are "
                                   "flagged for review."),
    ]


def _claims_rules() -> list[Rule]:
    minimum = format_coins(settings.CLAIMS_MIN_DEPOSIT_ATOMIC)  # OXEN has the same 9 decimals
    pool = format_coins(settings.CLAIMS_POOL_ATOMIC)
    return [
        Rule("Oxen Coin Claims", f"{pool} SESH are swapped for OXEN at the exact rate "
                                 "fixed by the circulating supply at the snapshot; no claim is credited beyond "
                                 "the pool."),
        Rule("Oxen Coin Claims", f"A deposit is credited once, after {settings.CLAIMS_CONFIRMATIONS} confirmations: "
                                 "floor(OXEN × rate × multiplier) SESH to the claim's Ethereum address."),
        Rule("Oxen Coin Claims", f"Deposits wait until the claim's total reaches {minimum} OXEN."),
        Rule("Oxen Coin Claims", _multiplier_text()),
    ]


def _decimal(value: Fraction) -> str:
    """0.7, 1, 0.65: exact for the few decimals a multiplier has (truncated past 9, never rounded up)."""
    text = format_ratio(value, 9).rstrip("0")
    return text.rstrip(".")


def _multiplier_text() -> str:
    """The multiplier schedule in force, as `claims` applies it (1 before its first step)."""
    try:
        steps = multiplier_schedule()
    except ClaimsNotConfigured as error:
        return f"The multiplier schedule is not configured correctly ({error}); no claim can be opened."
    if not steps:
        return "The multiplier is 1: no reduction is scheduled."
    changes = "; ".join(f"from {step.start.astimezone(UTC):%Y-%m-%d %H:%M} UTC it is {_decimal(step.multiplier)}"
                        for step in steps)
    return f"The multiplier is 1 at first; {changes}. A deposit gets the multiplier in force at its block's time."


def rules_in_force() -> list[Rule]:
    """Every rule the service currently applies, for people to read."""
    return [*_registration_rules(), *_bonus_rules(), *_claims_rules()]

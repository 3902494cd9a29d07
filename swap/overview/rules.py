"""The rules in force, read from settings, for the public home page (SPEC: every (ours) value is shown).

Each text is built from the setting the service actually uses, so the page never claims a value
the service does not apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from fractions import Fraction

from django.conf import settings
from django.utils.translation import gettext as _

from claims.exceptions import ClaimsNotConfigured
from claims.services.config import multiplier_schedule
from swap.core.amounts import format_coins
from swap.core.claims_allocation import format_ratio
from swap.core.durations import format_wait


@dataclass(frozen=True)
class Rule:
    topic: str
    text: str


def _registration_rules() -> list[Rule]:
    hours = settings.REGISTRATION_REPLAY_WINDOW_SECONDS // 3600
    topic = _("Registration")
    return [
        Rule(topic, _("Only primary %(network)s Oxen addresses are accepted; subaddresses and integrated "
                      "addresses are refused.") % {"network": settings.OXEN_NETWORK}),
        Rule(topic, _("The signature is the Oxen wallet's SigV1 signature (spend key) of your Ethereum address. It "
                      "is accepted for any letter case of the same address, with or without 0x.")),
        Rule(topic, _("Registering again with another Ethereum address replaces the previous one; the history is "
                      "kept.")),
        Rule(topic, _("Going back to an Ethereum address you used before needs a signature of \"<eth address> "
                      "<unix time>\" made within the last %(hours)s hours and after your last change.")
             % {"hours": hours}),
        Rule(topic, _("Failed attempts are limited to %(per_ip)s per network address and %(per_address)s per Oxen "
                      "address.") % {"per_ip": settings.REGISTRATION_RATE_LIMIT_IP,
                                     "per_address": settings.REGISTRATION_RATE_LIMIT_ADDRESS}),
    ]


def _bonus_rules() -> list[Rule]:
    cutoff = settings.SNB_BACKDATE_CUTOFF.strftime("%Y-%m-%d %H:%M UTC")
    topic = _("Service Node Bonus")
    return [
        Rule(topic, _("%(pool)s SESH are split in proportion to Staking Points, exactly (largest remainder, to the "
                      "billionth of a SESH; equal remainders go in order of the lowercase Ethereum address).")
             % {"pool": format_coins(settings.SNB_POOL_ATOMIC)}),
        Rule(topic, _("Every Oxen block, each contributor of a funded, active service node earns its staked amount "
                      "in stake-blocks; a full 15,000 OXEN node earns 1 point a block. Decommissioned nodes earn "
                      "nothing; an unlock request keeps earning until the node leaves.")),
        Rule(topic, _("Blocks %(start)s up to, but not including, block %(final)s count.")
             % {"start": settings.SNB_START_HEIGHT, "final": settings.SNB_FINAL_HEIGHT}),
        Rule(topic, _("Wallets registered before %(cutoff)s earn from the start; later registrations earn from "
                      "their first snapshot after registering.") % {"cutoff": cutoff}),
        Rule(topic, _("Gaps of more than %(blocks)s blocks between snapshots are flagged for review.")
             % {"blocks": settings.SNB_GAP_BLOCKS}),
    ]


def _claims_rules() -> list[Rule]:
    topic = _("Oxen Coin Claims")
    return [
        Rule(topic, _("%(pool)s SESH are swapped for OXEN at the exact rate fixed by the circulating supply at the "
                      "snapshot; no claim is credited beyond the pool.")
             % {"pool": format_coins(settings.CLAIMS_POOL_ATOMIC)}),
        Rule(topic, _("A deposit is credited once, after %(confirmations)s confirmations: floor(OXEN × rate × "
                      "multiplier) SESH to the claim's Ethereum address.")
             % {"confirmations": settings.CLAIMS_CONFIRMATIONS}),
        # OXEN has the same 9 decimals as SESH.
        Rule(topic, _("Deposits wait until the claim's total reaches %(minimum)s OXEN.")
             % {"minimum": format_coins(settings.CLAIMS_MIN_DEPOSIT_ATOMIC)}),
        Rule(topic, _multiplier_text()),
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
        return _("The multiplier schedule is not configured correctly (%(error)s); no claim can be opened.") % {
            "error": error}
    if not steps:
        return _("The multiplier is 1: no reduction is scheduled.")
    changes = "; ".join(_("from %(start)s UTC it is %(multiplier)s") % {
        "start": f"{step.start.astimezone(UTC):%Y-%m-%d %H:%M}", "multiplier": _decimal(step.multiplier)}
        for step in steps)
    return _("The multiplier is 1 at first; %(changes)s. A deposit gets the multiplier in force at its block's "
             "time; what it withholds is reserved for node rewards.") % {"changes": changes}


def _program_end_rules() -> list[Rule]:
    before = format_wait(settings.L2_ACTIVATION_DELAY_SECONDS + settings.PROGRAM_FINAL_ROUND_MARGIN_SECONDS)
    return [
        Rule(_("Program end"), _("The end is announced at least 90 days ahead and can only move later. Claims and "
                                 "registrations close %(before)s before it, when the final round is frozen; deposits "
                                 "sent after that are not credited and are returned.") % {"before": before}),
        Rule(_("Program end"), _("After the end, whatever is not claimed goes to the Staking Reward Pool; the "
                                 "closing report shows pool = paid + withheld + remainder, exactly.")),
    ]


def rules_in_force() -> list[Rule]:
    """Every rule the service currently applies, for people to read."""
    return [*_registration_rules(), *_bonus_rules(), *_claims_rules(), *_program_end_rules()]

"""What the public status page shows, and how other apps add their own sections to it.

The page `/status/?q=<oxen or eth address>` shows the registration and its history. Points,
claims, allocations and proofs belong to other apps; each adds a section without touching this
app's views or templates:

    # bonuses/apps.py
    def ready(self):
        from swap.registrations.status import StatusSection, register_status_section

        @register_status_section
        def points(lookup):
            if not lookup.oxen_addresses:
                return None
            return StatusSection("Staking Points", "bonuses/status_points.html", {"rows": ...})

A provider gets the `StatusLookup` and returns a `StatusSection` (or None to show nothing). The
page includes `section.template` with `section` and `lookup` in its context, in registration
order. Providers only read; they must not raise for an address they do not know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from swap.core.oxen_address import PRIMARY_LENGTH, PRIMARY_PREFIX
from swap.registrations.exceptions import FieldProblem
from swap.registrations.models import Registration
from swap.registrations.proof import check_eth_address, check_oxen_address
from swap.registrations.services import (
    configured_network,
    current_registration,
    registration_history,
    registrations_for_eth,
)


@dataclass(frozen=True)
class StatusLookup:
    """The registrations behind a query, and the addresses other sections should report on."""

    query: str
    kind: str  # "oxen", "eth" or "invalid"
    current: list[Registration] = field(default_factory=list)
    history: list[Registration] = field(default_factory=list)
    problem: FieldProblem | None = None  # why an "invalid" query is neither address

    @property
    def oxen_addresses(self) -> list[str]:
        return sorted({row.oxen_address for row in self.current} | {row.oxen_address for row in self.history})

    @property
    def eth_addresses(self) -> list[str]:
        if self.kind == "eth":
            return [self.query]
        return sorted({row.eth_address for row in self.current})

    @property
    def found(self) -> bool:
        return bool(self.current or self.history)


@dataclass(frozen=True)
class StatusSection:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100  # lower first; the account dashboard (swap.overview) comes before the details


StatusProvider = Callable[[StatusLookup], StatusSection | None]
_providers: list[StatusProvider] = []


def register_status_section(provider: StatusProvider) -> StatusProvider:
    """Add a section to the status page (idempotent: registering twice adds it once)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


NOT_AN_ETH_ADDRESS_FOR_BONUS = FieldProblem(
    "not_oxen", "The leaderboard lists Oxen addresses: enter your Oxen address, or look an Ethereum address up "
    "on the status page.")


# An Oxen decoding refusal of text that does not even start like an Oxen address: not a typo in one.
NOT_ADDRESS_LIKE = ("bad_character", "bad_length", "not_oxen", "invalid")


def check_lookup(query: str) -> tuple[str, str, FieldProblem | None]:
    """Every lookup box's one validation: (kind "oxen" | "eth" | "invalid", the normalised address, the problem).

    Text starting with 0x is checked as an Ethereum address (EIP-55 when mixed case), anything else as an
    Oxen primary address of the configured network; the messages are the registration form's, which say
    what to fix."""
    text = query.strip()
    if not text:
        return "invalid", text, FieldProblem("required", "Enter an Oxen address (L…) or an Ethereum address (0x…).")
    if text.lower().startswith("0x"):
        eth, problem = check_eth_address(text)
        return ("invalid", text, problem) if eth is None else ("eth", eth[1], None)
    network = configured_network()
    address, problem = check_oxen_address(text, network)
    if problem is not None and not text.startswith(PRIMARY_PREFIX[network]) and problem.code in NOT_ADDRESS_LIKE:
        problem = FieldProblem("not_an_address", (
            f"“{text[:40]}” is neither an Oxen address (it starts with {PRIMARY_PREFIX[network]} and has "
            f"{PRIMARY_LENGTH[network]} characters) nor an Ethereum address (0x followed by 40 hexadecimal "
            "characters). Copy the whole address from your wallet."))
    return ("invalid", text, problem) if address is None else ("oxen", text, None)


def look_up(query: str) -> StatusLookup:
    """Find what to show for an Oxen address or an ETH address (any case, with 0x)."""
    kind, text, problem = check_lookup(query)
    if kind == "invalid":
        return StatusLookup(text, "invalid", problem=problem)
    if kind == "eth":
        return StatusLookup(text, "eth", current=registrations_for_eth(text))
    current = current_registration(text)
    return StatusLookup(text, "oxen", current=[current] if current else [], history=registration_history(text))


def status_sections(lookup: StatusLookup) -> list[StatusSection]:
    """The other apps' sections for this lookup, in the order they registered."""
    sections = []
    for provider in _providers:
        section = provider(lookup)
        if section is not None:
            sections.append(section)
    return sorted(sections, key=lambda section: section.order)

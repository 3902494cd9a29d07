"""The rules in force, read from settings, for the public home page (SPEC: every (ours) value is shown).

Each app lists its own rules here as it lands; a rule whose setting is absent is not shown, so the
page never claims a value the service does not use.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


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


def _optional(name: str, template: str, topic: str) -> list[Rule]:
    value = getattr(settings, name, None)
    return [] if value in (None, "") else [Rule(topic, template.format(value=value))]


def rules_in_force() -> list[Rule]:
    """Every rule the service currently applies, for people to read."""
    return [
        *_registration_rules(),
        *_optional("SNB_FINAL_HEIGHT", "Staking Points stop accruing after Oxen block {value}.", "Service Node Bonus"),
    ]

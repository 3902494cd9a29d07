"""The claims settings, read and checked in one place, and the wallet clients built from them.

Every rule the claims code applies comes from here, so the pages, the API, the watcher and the
system check (`claims.checks`) cannot disagree about a value. A bad value raises
`ClaimsNotConfigured` naming the setting.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from django.conf import settings

from claims.exceptions import ClaimsNotConfigured
from claims.wallet_rpc import WalletRpcClient
from swap.core.claims_allocation import Step, add_calendar_months, checked_schedule, multiplier_at, parse_schedule
from swap.oxen_rpc import RetryPolicy

# The 2023 announcement's rule: 0.7 from six calendar months after the TGE.
REDUCED_MULTIPLIER = Fraction(7, 10)
REDUCED_AFTER_MONTHS = 6
# Opening a claim is interactive: one quick retry, then 503. The watcher can afford patience.
OPEN_RETRY = RetryPolicy(attempts=2, backoff=0.2, max_backoff=0.2)
POLL_RETRY = RetryPolicy(attempts=4, backoff=0.5, max_backoff=8.0)
POLL_READ_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class ClaimRules:
    account_index: int
    confirmations: int
    min_deposit_atomic: int
    pool_atomic: int
    scan_margin_blocks: int
    schedule: tuple[Step, ...]

    def multiplier_at(self, moment: datetime) -> Fraction:
        return multiplier_at(self.schedule, moment)


def multiplier_schedule() -> tuple[Step, ...]:
    """The configured steps; see docs/rules.md ("Oxen Coin Claims")."""
    explicit = settings.CLAIMS_MULTIPLIER_SCHEDULE.strip()
    reduced = settings.CLAIMS_REDUCED_MULTIPLIER_ENABLED
    if explicit and reduced:
        raise ClaimsNotConfigured("set CLAIMS_MULTIPLIER_SCHEDULE or CLAIMS_REDUCED_MULTIPLIER_ENABLED, not both")
    if explicit:
        try:
            return parse_schedule(explicit)
        except ValueError as error:
            raise ClaimsNotConfigured(f"CLAIMS_MULTIPLIER_SCHEDULE: {error}") from None
    if not reduced:
        return ()
    try:
        tge = datetime.fromisoformat(settings.CLAIMS_TGE_TIME.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ClaimsNotConfigured(
            "CLAIMS_REDUCED_MULTIPLIER_ENABLED needs CLAIMS_TGE_TIME, an ISO time with a timezone"
        ) from None
    if tge.tzinfo is None:
        raise ClaimsNotConfigured("CLAIMS_TGE_TIME needs a timezone, e.g. 2025-05-21T00:00:00Z")
    return checked_schedule([Step(add_calendar_months(tge, REDUCED_AFTER_MONTHS), REDUCED_MULTIPLIER)])


def _positive(name: str, minimum: int = 1) -> int:
    value = getattr(settings, name)
    if type(value) is not int or value < minimum:
        raise ClaimsNotConfigured(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def claim_rules() -> ClaimRules:
    return ClaimRules(
        account_index=_positive("OXEN_WALLET_ACCOUNT_INDEX"),
        confirmations=_positive("CLAIMS_CONFIRMATIONS"),
        min_deposit_atomic=_positive("CLAIMS_MIN_DEPOSIT_ATOMIC"),
        pool_atomic=_positive("CLAIMS_POOL_ATOMIC"),
        scan_margin_blocks=_positive("CLAIMS_SCAN_MARGIN_BLOCKS", 0),
        schedule=multiplier_schedule(),
    )


def wallet_login() -> tuple[str, str] | None:
    login = settings.OXEN_WALLET_RPC_LOGIN
    if not login:
        return None
    user, separator, password = login.partition(":")
    if not separator:
        raise ClaimsNotConfigured("OXEN_WALLET_RPC_LOGIN reads user:password")
    return user, password


@functools.lru_cache(maxsize=8)
def _client(url: str, login: tuple[str, str] | None, purpose: str, open_timeout: int) -> WalletRpcClient:
    if purpose == "open":
        return WalletRpcClient(url, auth=login, read_timeout=float(open_timeout), retry=OPEN_RETRY)
    return WalletRpcClient(url, auth=login, read_timeout=POLL_READ_TIMEOUT_SECONDS, retry=POLL_RETRY)


def wallet_client(purpose: str = "poll") -> WalletRpcClient:
    """The process-wide client: `open` waits briefly (a person is waiting), `poll` is patient."""
    if not settings.OXEN_WALLET_RPC_URL:
        raise ClaimsNotConfigured("OXEN_WALLET_RPC_URL is not set: claims are switched off")
    return _client(settings.OXEN_WALLET_RPC_URL, wallet_login(), purpose, settings.CLAIMS_OPEN_WALLET_TIMEOUT_SECONDS)

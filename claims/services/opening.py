"""Opening a claim: a registered Oxen address gets a fresh subaddress of the claims wallet.

Who may open: anyone may open the claim of any registered Oxen address; it can only ever credit
that registration's ETH address, so opening someone else's claim steals nothing. There is one
claim per (Oxen address, ETH address): opening again returns the same claim and subaddress,
without calling the wallet, so nobody can make the wallet grow by repeating a request. New claims
(and refused attempts) are rate limited per client (`CLAIMS_OPEN_RATE_LIMIT_IP`, an IPv6 client by its /64).

The order of writes makes every failure safe:
1. shape, registration and supply snapshot are checked first (400, nothing written);
2. the highest index already recorded is read, then the wallet is asked for one subaddress
   labelled with the new claim's id (`create_address`) and made to save it (`store`), so a wallet
   crash cannot hand the index out again. Any wallet failure answers 503 and no claim row exists;
   if `create_address` succeeded, its index is recorded as `unused` (nobody was shown it);
3. the index must be above the highest one recorded before the call: otherwise the wallet lost
   subaddresses (a crash before `store`, a restore from seed), the claim is refused (503) and a
   flag asks a person to look;
4. the subaddress, the claim and a `claim:opened` audit event are written in one transaction. If
   that insert fails (a concurrent opening of the same pair won the unique constraint), the index
   is recorded as `unused` and the winner's claim is returned.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from claims.exceptions import (
    ClaimRateLimited,
    ClaimRefused,
    ClaimsNotConfigured,
    ClaimsWalletUnavailable,
    WalletRpcError,
)
from claims.models import Claim, FlagKind, Subaddress, SubaddressUse, SupplySnapshot, claim_label
from claims.services.config import claim_rules, wallet_client
from claims.services.flags import raise_flag
from claims.services.supply import active_snapshot
from swap.audit import hash_ip, record_event
from swap.chain.program_end import is_closed
from swap.core.oxen_address import AddressKind, InvalidAddress, Network, decode_address
from swap.ratelimit import Limiter, client_bucket, parse_rate
from swap.registrations.exceptions import FieldProblem
from swap.registrations.models import Registration
from swap.registrations.proof import check_oxen_address
from swap.registrations.services import current_registration

logger = logging.getLogger(__name__)
MAX_ADDRESS_CHARS = 200


@dataclass(frozen=True)
class OpenedClaim:
    claim: Claim
    created: bool
    snapshot: SupplySnapshot


class _IndexNotAbove(Exception):
    pass


def _limiter() -> Limiter:
    return Limiter("claims-ip", parse_rate(settings.CLAIMS_OPEN_RATE_LIMIT_IP))


def open_claim(oxen_address: str, *, ip: str, actor: str = "web") -> OpenedClaim:
    """The claim of this registered Oxen address (created if needed); see the module docstring."""
    limiter, bucket = _limiter(), client_bucket(ip)
    retry_after = limiter.retry_after(bucket)
    if retry_after is not None:
        raise ClaimRateLimited(retry_after)
    try:
        if is_closed():
            raise ClaimRefused({"non_field_errors": [FieldProblem(
                "program_closed", "Coin claims are closed: the program has reached its end. Deposits sent now are "
                "not credited.")]})
        registration = _registration(oxen_address)
        snapshot = active_snapshot()
        if snapshot is None:
            raise ClaimRefused({"non_field_errors": [FieldProblem(
                "no_snapshot", "Claims are not open yet: the supply snapshot that fixes the rate has not been "
                "entered. Please come back later.")]})
    except ClaimRefused:
        limiter.count_failure(bucket)
        raise
    existing = Claim.objects.filter(oxen_address=registration.oxen_address, eth_address=registration.eth_address)
    claim = existing.select_related("subaddress").first()
    if claim is not None:
        return OpenedClaim(claim, False, snapshot)
    claim, created = _create(registration, ip=ip, actor=actor)
    if created:
        limiter.count_failure(bucket)  # the limit counts new subaddresses, not only failures
    return OpenedClaim(claim, created, snapshot)


def _registration(oxen_address: str) -> Registration:
    text = oxen_address.strip()[:MAX_ADDRESS_CHARS]
    _, problem = check_oxen_address(text, Network(settings.OXEN_NETWORK))
    if problem is not None:
        raise ClaimRefused({"oxen_address": [problem]})
    registration = current_registration(text)
    if registration is None:
        raise ClaimRefused({"oxen_address": [FieldProblem(
            "not_registered", "This Oxen address is not registered. Register it with the Ethereum address that "
            "should receive your SESH first, then open a claim.")]})
    return registration


def _create(registration: Registration, *, ip: str, actor: str) -> tuple[Claim, bool]:
    try:
        rules = claim_rules()
        client = wallet_client("open")
    except ClaimsNotConfigured as error:
        logger.error("cannot open claims: %s", error)
        raise ClaimsWalletUnavailable() from error
    account = rules.account_index
    highest = Subaddress.objects.filter(account_index=account).aggregate(top=Max("address_index"))["top"] or 0
    claim_id = uuid.uuid4()
    label = claim_label(claim_id)
    try:
        created = client.create_address(account, label)
    except WalletRpcError as error:
        logger.warning("create_address failed: %s", error)
        raise ClaimsWalletUnavailable() from error
    index, address = created.indices[0], created.addresses[0]
    try:
        _check_subaddress(address)
        client.store()
    except (WalletRpcError, InvalidAddress) as error:
        logger.error("subaddress (%s, %s) not usable: %s", account, index, error)
        _record_unused(account, index, address, label, actor=actor, reason=str(error))
        raise ClaimsWalletUnavailable() from error
    try:
        with transaction.atomic():
            if index <= highest:
                raise _IndexNotAbove()
            subaddress = Subaddress.objects.create(
                account_index=account, address_index=index, address=address, label=label, use=SubaddressUse.CLAIM
            )
            claim = Claim.objects.create(
                id=claim_id,
                oxen_address=registration.oxen_address,
                eth_address=registration.eth_address,
                registration=registration,
                subaddress=subaddress,
                ip_hash=hash_ip(ip),
            )
            record_event("claim:opened", actor=actor, subject=f"claim:{claim.pk}", ip=ip, data={
                "oxen_address": claim.oxen_address, "eth_address": claim.eth_address,
                "registration_id": registration.pk, "major": account, "minor": index, "subaddress": address})
            return claim, True
    except _IndexNotAbove:
        _flag_index(account, index, highest, address, actor=actor)
        raise ClaimsWalletUnavailable() from None
    except IntegrityError:
        _record_unused(account, index, address, label, actor=actor, reason="claim insert failed")
        winner = Claim.objects.filter(oxen_address=registration.oxen_address, eth_address=registration.eth_address)
        claim = winner.select_related("subaddress").first()
        if claim is None:
            raise ClaimsWalletUnavailable() from None
        return claim, False


def _check_subaddress(address: str) -> None:
    decoded = decode_address(address)
    network = Network(settings.OXEN_NETWORK)
    if decoded.kind is not AddressKind.SUBADDRESS or decoded.network is not network:
        raise InvalidAddress(f"the wallet returned a {decoded.network.value} {decoded.kind.value}, not a subaddress "
                             f"of {network.value}")


def _record_unused(account: int, index: int, address: str, label: str, *, actor: str, reason: str) -> None:
    """Remember an index the wallet issued but nobody was shown: its deposits become orphans."""
    try:
        with transaction.atomic():
            Subaddress.objects.create(
                account_index=account, address_index=index, address=address, label=label, use=SubaddressUse.UNUSED
            )
            record_event("claims:subaddress_unused", actor=actor, subject=f"subaddress:{account}:{index}",
                         data={"address": address, "reason": reason})
    except IntegrityError:  # already recorded (the wallet handed out a known index): the flag covers it
        logger.error("subaddress (%s, %s) was already recorded", account, index)


def _flag_index(account: int, index: int, highest: int, address: str, *, actor: str) -> None:
    with transaction.atomic():
        raise_flag(
            FlagKind.INDEX_NOT_ABOVE,
            f"index:{account}:{index}",
            f"The wallet issued subaddress index {index}, not above the highest recorded ({highest}): it lost "
            "subaddresses (crash before store, or restored from seed). Re-create them up to the highest issued "
            "index before opening more claims.",
            actor=actor,
            data={"account": account, "index": index, "highest": highest, "address": address},
        )

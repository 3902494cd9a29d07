"""The registration service: what it accepts, what it refuses and why, and what it stores."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from swap.core.oxen_address import Network
from swap.models import AuditEvent
from swap.registrations.exceptions import RegistrationRefused
from swap.registrations.models import MatchedForm, Registration, RegistrationImmutableError
from swap.registrations.services import (
    Submission,
    current_registration,
    registered_addresses,
    registration_history,
    submit_registration,
)
from tests.registrations.wallets import Wallet, new_eth_address

pytestmark = pytest.mark.django_db
IP = "203.0.113.7"
REPO = Path(__file__).resolve().parents[2]


def submit(wallet: Wallet, eth: str, signature: str | None = None, *, typed: str | None = None, **extra):
    """Submit `typed` (default: eth) as the ETH address, signed over `eth` unless a signature is given."""
    return submit_registration(
        Submission(wallet.address, typed if typed is not None else eth, signature or wallet.sign(eth), **extra), ip=IP
    )


def refusal(wallet_address: str, eth: str, signature: str, **extra) -> RegistrationRefused:
    with pytest.raises(RegistrationRefused) as caught:
        submit_registration(Submission(wallet_address, eth, signature, **extra), ip=IP)
    return caught.value


def test_it_registers_a_wallet_that_signed_its_eth_address(wallet):
    eth = new_eth_address()
    result = submit(wallet, eth)
    assert result.outcome == "created"
    row = result.registration
    assert (row.oxen_address, row.eth_address, row.is_current) == (wallet.address, eth, True)
    assert row.matched_form == MatchedForm.TYPED and row.signed_message == eth
    assert current_registration(wallet.address) == row
    event = AuditEvent.objects.get(tag="registration:created")
    assert event.subject == wallet.address and event.data["registration_id"] == row.pk
    assert event.ip_hash and IP not in event.ip_hash


@pytest.mark.parametrize(
    ("signed", "typed", "form"),
    [
        ("lower", "checksummed", MatchedForm.LOWERCASE),
        ("checksummed", "lower", MatchedForm.EIP55),
        ("checksummed-no-0x", "checksummed", MatchedForm.TYPED_NO_PREFIX),
        ("lower-no-0x", "upper", MatchedForm.LOWERCASE_NO_PREFIX),
        ("checksummed", "  checksummed\t", MatchedForm.TRIMMED),
        ("upper", "upper", MatchedForm.TYPED),
    ],
)
def test_it_accepts_the_signature_of_any_textual_form_of_the_same_address(wallet, signed, typed, form):
    eth = new_eth_address()
    texts = {"checksummed": eth, "lower": eth.lower(), "upper": "0x" + eth[2:].upper()}
    signed_text = texts[signed.removesuffix("-no-0x")]
    if signed.endswith("-no-0x"):
        signed_text = signed_text[2:]
    typed_text = typed.replace(typed.strip(), texts[typed.strip()])
    result = submit(wallet, eth, wallet.sign(signed_text), typed=typed_text)
    assert result.registration.matched_form == form
    assert result.registration.signed_message == signed_text
    assert result.registration.eth_address == eth  # stored in EIP-55 form whatever was typed


def test_it_strips_whitespace_around_a_pasted_signature(wallet):
    eth = new_eth_address()
    signature = wallet.sign(eth)
    result = submit(wallet, eth, "\n  " + signature + "  \r\n")
    assert result.outcome == "created" and result.registration.signature == signature


def test_it_refuses_a_mixed_case_eth_address_with_a_bad_checksum(wallet):
    eth = new_eth_address()
    index = next(i for i, c in enumerate(eth) if i > 1 and c.isalpha())
    broken = eth[:index] + eth[index].swapcase() + eth[index + 1 :]
    error = refusal(wallet.address, broken, wallet.sign(broken))
    assert error.problems["eth_address"][0].code == "checksum"


@pytest.mark.parametrize(
    ("oxen", "eth", "signature", "field", "code"),
    [
        ("", "0x" + "ab" * 20, "SigV1x", "oxen_address", "required"),
        ("L" * 500, "0x" + "ab" * 20, "SigV1x", "oxen_address", "too_long"),
        ("WALLET", "", "SigV1x", "eth_address", "required"),
        ("WALLET", "0x" + "ab" * 19, "SigV1x", "eth_address", "invalid"),
        ("WALLET", "ab" * 20, "SigV1x", "eth_address", "missing_prefix"),
        ("WALLET", "0x" + "ab" * 20, "", "signature", "required"),
        ("WALLET", "0x" + "ab" * 20, "SigV1" + "1" * 600, "signature", "too_long"),
        ("WALLET", "0x" + "ab" * 20, "SigV1abc", "signature", "malformed"),
        ("0x" + "ab" * 20, "0x" + "ab" * 20, "SigV1x", "oxen_address", "not_oxen"),
    ],
)
def test_it_refuses_empty_overlong_and_malformed_fields(wallet, oxen, eth, signature, field, code):
    oxen = wallet.address if oxen == "WALLET" else oxen
    assert code in [p.code for p in refusal(oxen, eth, signature).problems[field]]


def test_it_refuses_another_networks_address_unless_configured_for_it(wallet, settings):
    testnet = Wallet(network=Network.TESTNET)
    eth = new_eth_address()
    error = refusal(testnet.address, eth, testnet.sign(eth))
    problem = error.problems["oxen_address"][0]
    assert problem.code == "wrong_network" and "testnet" in problem.message and "starts with L" in problem.message
    settings.OXEN_NETWORK = "testnet"
    assert submit(testnet, eth).outcome == "created"
    assert refusal(wallet.address, eth, wallet.sign(eth)).problems["oxen_address"][0].code == "wrong_network"


def test_it_refuses_a_subaddress_and_says_to_use_the_primary_address(wallet):
    eth = new_eth_address()
    subaddress, sub_secret = wallet.subaddress(0, 1)
    from swap.core.oxen_signature import sign_message

    error = refusal(subaddress, eth, sign_message(eth.encode(), sub_secret))
    problem = error.problems["oxen_address"][0]
    assert problem.code == "subaddress"
    assert "subaddress — use your wallet's primary address: it starts with L" in problem.message


def test_it_refuses_an_integrated_address(wallet):
    eth = new_eth_address()
    problem = refusal(wallet.integrated(), eth, wallet.sign(eth)).problems["oxen_address"][0]
    assert problem.code == "integrated" and "primary address" in problem.message


def test_it_refuses_an_address_with_a_bad_checksum(wallet):
    eth = new_eth_address()
    address = wallet.address
    typo = address[:40] + ("2" if address[40] != "2" else "3") + address[41:]
    problem = refusal(typo, eth, wallet.sign(eth)).problems["oxen_address"][0]
    assert problem.code in ("checksum", "invalid")
    assert "Copy it from your wallet again" in problem.message


@pytest.mark.parametrize("source", ["real Monero vector", "relabelled SigV1"])
def test_it_refuses_a_monero_sigv2_signature(wallet, source):
    eth = new_eth_address()
    if source == "real Monero vector":
        vectors = json.loads((REPO / ".." / "shared" / "oxen-vectors" / "message_signature_vectors.json").read_text())
        sigv2 = vectors["monero_sigv2"][0]["signature"]
    else:
        sigv2 = "SigV2" + wallet.sign(eth)[5:]
    problem = refusal(wallet.address, eth, sigv2).problems["signature"][0]
    assert problem.code == "sigv2" and "Oxen wallets make SigV1" in problem.message


def test_it_refuses_a_signature_of_another_message(wallet):
    eth = new_eth_address()
    problem = refusal(wallet.address, eth, wallet.sign("I agree")).problems["signature"][0]
    assert problem.code == "mismatch"
    assert f"sign_value {eth}" in problem.message


def test_it_refuses_a_signature_made_by_another_wallet(wallet):
    eth = new_eth_address()
    assert refusal(wallet.address, eth, Wallet().sign(eth)).codes == ["mismatch"]


def test_it_refuses_a_signature_of_another_eth_address(wallet):
    eth, other = new_eth_address(), new_eth_address()
    assert refusal(wallet.address, eth, wallet.sign(other)).codes == ["mismatch"]


def test_every_refusal_is_audited_with_its_reason(wallet):
    eth = new_eth_address()
    refusal(wallet.integrated(), eth, wallet.sign(eth))
    event = AuditEvent.objects.get(tag="registration:refused")
    assert event.data["problems"]["oxen_address"][0]["code"] == "integrated"
    assert event.ip_hash and not Registration.objects.exists()


def test_submitting_the_current_pair_again_changes_nothing(wallet):
    eth = new_eth_address()
    first = submit(wallet, eth).registration
    again = submit(wallet, eth.lower(), wallet.sign(eth.lower()))
    assert again.outcome == "unchanged" and again.registration == first
    assert Registration.objects.count() == 1
    assert AuditEvent.objects.filter(tag="registration:unchanged").count() == 1


def test_a_new_eth_address_replaces_the_current_one_and_keeps_the_history(wallet):
    first_eth, second_eth = new_eth_address(), new_eth_address()
    first = submit(wallet, first_eth).registration
    result = submit(wallet, second_eth)
    assert result.outcome == "replaced" and result.replaced == first
    first.refresh_from_db()
    assert not first.is_current and first.superseded_at == result.registration.created_at
    assert result.registration.replaces == first
    assert current_registration(wallet.address).eth_address == second_eth
    assert registration_history(wallet.address) == [first]
    assert AuditEvent.objects.get(tag="registration:replaced").data["previous_eth_address"] == first_eth


def _register_then_change(wallet, *, hours_ago: float = 2):
    """Register eth_a, then eth_b: eth_a is now superseded. Returns (eth_a, signature_a, eth_b)."""
    eth_a, eth_b = new_eth_address(), new_eth_address()
    then = timezone.now() - timedelta(hours=hours_ago)
    signature_a = wallet.sign(eth_a)
    submit_registration(Submission(wallet.address, eth_a, signature_a), ip=IP, now=then - timedelta(minutes=5))
    submit_registration(Submission(wallet.address, eth_b, wallet.sign(eth_b)), ip=IP, now=then)
    return eth_a, signature_a, eth_b


def test_it_refuses_a_replayed_old_signature_and_says_what_to_sign(wallet):
    eth_a, signature_a, eth_b = _register_then_change(wallet)
    error = refusal(wallet.address, eth_a, signature_a)
    problem = error.problems["signed_at"][0]
    assert problem.code == "replay_needs_time"
    assert f"sign_value {eth_a} " in problem.message
    assert current_registration(wallet.address).eth_address == eth_b
    assert Registration.objects.count() == 2


def test_it_switches_back_with_a_fresh_timestamped_signature(wallet):
    eth_a, _, eth_b = _register_then_change(wallet)
    now = int(timezone.now().timestamp())
    result = submit(wallet, eth_a, wallet.sign(f"{eth_a} {now}"), signed_at=now)
    assert result.outcome == "replaced"
    assert result.registration.signed_message == f"{eth_a} {now}"
    assert int(result.registration.signed_at.timestamp()) == now
    assert [row.eth_address for row in registration_history(wallet.address)] == [eth_b, eth_a]


def test_it_refuses_a_signed_time_older_than_the_last_change(wallet):
    eth_a, _, _ = _register_then_change(wallet, hours_ago=1)
    before_change = int((timezone.now() - timedelta(hours=3)).timestamp())
    error = refusal(wallet.address, eth_a, wallet.sign(f"{eth_a} {before_change}"), signed_at=before_change)
    assert error.codes == ["stale_time"]


@pytest.mark.parametrize(("offset", "code"), [(-25 * 3600, "expired"), (3600, "future")])
def test_it_refuses_a_signed_time_outside_the_window(wallet, offset, code):
    eth_a, _, _ = _register_then_change(wallet)
    at = int(timezone.now().timestamp()) + offset
    assert refusal(wallet.address, eth_a, wallet.sign(f"{eth_a} {at}"), signed_at=at).codes == [code]


def test_a_timestamped_signature_must_cover_the_time(wallet):
    eth_a, signature_a, _ = _register_then_change(wallet)
    now = int(timezone.now().timestamp())
    assert refusal(wallet.address, eth_a, signature_a, signed_at=now).codes == ["mismatch"]


def test_a_service_node_key_can_be_linked_with_an_ed25519_signature(wallet):
    from nacl.signing import SigningKey

    node = SigningKey.generate()
    eth = new_eth_address()
    node_pubkey = node.verify_key.encode().hex()
    good = node.sign(eth.encode()).signature.hex()
    result = submit(wallet, eth, node_pubkey=node_pubkey, node_signature=good)
    assert result.registration.node_pubkey == node_pubkey
    bad = node.sign(b"something else").signature.hex()
    error = refusal(wallet.address, eth, wallet.sign(eth), node_pubkey=node_pubkey, node_signature=bad)
    assert error.codes == ["node_signature"]
    assert refusal(wallet.address, eth, wallet.sign(eth), node_pubkey=node_pubkey).codes == ["required"]


def test_registered_addresses_give_the_current_eth_and_the_first_registration_time():
    alice, bob = Wallet(), Wallet()
    start = timezone.now() - timedelta(days=10)
    eth_1, eth_2, eth_3 = new_eth_address(), new_eth_address(), new_eth_address()
    submit_registration(Submission(alice.address, eth_1, alice.sign(eth_1)), ip=IP, now=start)
    submit_registration(Submission(alice.address, eth_2, alice.sign(eth_2)), ip=IP, now=start + timedelta(days=2))
    submit_registration(Submission(bob.address, eth_3, bob.sign(eth_3)), ip=IP, now=start + timedelta(days=1))
    rows = {row.oxen_address: row for row in registered_addresses()}
    assert set(rows) == {alice.address, bob.address}
    assert rows[alice.address].eth_address == eth_2
    assert rows[alice.address].first_registered_at == start
    assert rows[alice.address].registered_at == start + timedelta(days=2)
    assert rows[bob.address].first_registered_at == start + timedelta(days=1)


def test_registered_addresses_as_of_a_time_give_the_mapping_then_in_force():
    alice, bob = Wallet(), Wallet()
    start = timezone.now() - timedelta(days=10)
    eth_1, eth_2, eth_3 = new_eth_address(), new_eth_address(), new_eth_address()
    submit_registration(Submission(alice.address, eth_1, alice.sign(eth_1)), ip=IP, now=start)
    moved = start + timedelta(days=2)
    submit_registration(Submission(alice.address, eth_2, alice.sign(eth_2)), ip=IP, now=moved)
    submit_registration(Submission(bob.address, eth_3, bob.sign(eth_3)), ip=IP, now=start + timedelta(days=1))

    def mapping(as_of):
        return {row.oxen_address: (row.eth_address, row.first_registered_at) for row in registered_addresses(as_of)}

    assert mapping(start - timedelta(seconds=1)) == {}
    assert mapping(start) == {alice.address: (eth_1, start)}
    bob_row = (eth_3, start + timedelta(days=1))
    assert mapping(moved - timedelta(microseconds=1)) == {alice.address: (eth_1, start), bob.address: bob_row}
    assert mapping(moved) == {alice.address: (eth_2, start), bob.address: bob_row}
    assert mapping(timezone.now()) == mapping(None)


def test_registrations_cannot_be_edited_or_deleted(wallet):
    row = submit(wallet, new_eth_address()).registration
    with pytest.raises(RegistrationImmutableError):
        row.save()
    with pytest.raises(RegistrationImmutableError):
        row.delete()
    with pytest.raises(RegistrationImmutableError):
        Registration.objects.filter(pk=row.pk).update(eth_address="0x")
    with pytest.raises(RegistrationImmutableError):
        Registration.objects.all().delete()


def test_the_database_allows_one_current_registration_per_address(wallet):
    row = submit(wallet, new_eth_address()).registration
    duplicate = Registration(oxen_address=row.oxen_address, eth_address=row.eth_address, signature=row.signature,
                             signed_message=row.signed_message, matched_form=row.matched_form)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_an_eth_address_padded_past_its_limit_is_refused_and_the_longest_allowed_one_is_stored(wallet):
    eth = new_eth_address()
    padded = eth + " " * 59
    assert refusal(wallet.address, padded, wallet.sign(padded)).codes == ["too_long"]
    longest = eth + " " * 58
    now = int(timezone.now().timestamp())
    result = submit(wallet, eth, wallet.sign(f"{longest} {now}"), typed=longest, signed_at=now)
    assert result.registration.matched_form == MatchedForm.TYPED
    assert Registration.objects.get().signed_message == f"{longest} {now}"

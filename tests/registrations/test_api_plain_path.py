"""The registration API's short cuts past DRF give exactly what DRF's own fields would.

`SubmissionSerializer.plain_submission` and `RegistrationSerializer.to_representation` exist for
speed (bench/registration_load.py); the serializers' declared fields stay the definition. These
tests hold the two equal, so the short cuts cannot drift from the documented API.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey
from rest_framework import serializers

from swap.registrations.api import RegistrationSerializer, SubmissionSerializer
from swap.registrations.services import Submission, submit_registration
from tests.registrations.wallets import Wallet, new_eth_address

FIELDS = ("oxen_address", "eth_address", "signature", "node_pubkey", "node_signature")

# Values a client might send for a text field: realistic ones, whitespace, blanks, over-long and
# non-ASCII text, NUL, and the wrong JSON types.
text_values = st.one_of(
    st.sampled_from(["L" + "a" * 96, " 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "SigV1abc", "", "  ", "\t x \n"]),
    st.text(max_size=8),
    st.text(alphabet=st.characters(max_codepoint=127), min_size=195, max_size=205),
    st.sampled_from(["a\x00b", "é", "\ud800"]),
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=2), max_size=2),
)
signed_at_values = st.one_of(
    st.none(), st.integers(-3, 3), st.integers(2**40 - 2, 2**40 + 2), st.booleans(), st.sampled_from(["12", 1.0, 1.5])
)


plain_texts = st.sampled_from(
    ["L" + "a" * 96, " 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed ", "SigV1abc", "ab" * 32, ""]
)


@st.composite
def raw_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Half the bodies are built from plain values only, so both outcomes are common."""
    values = plain_texts if draw(st.booleans()) else text_values
    body = {name: draw(values) for name in FIELDS if draw(st.integers(0, 3))}
    if draw(st.booleans()):
        body["signed_at"] = draw(signed_at_values)
    if draw(st.booleans()):
        body["unknown"] = draw(text_values)
    return body


@settings(max_examples=600, deadline=None)
@given(raw_bodies())
def test_the_plain_path_takes_only_what_drf_accepts_and_returns_the_same(body: dict[str, Any]) -> None:
    plain = SubmissionSerializer.plain_submission(body)
    serializer = SubmissionSerializer(data=body)
    event("plain" if plain is not None else "full DRF path")
    if plain is None:
        return
    assert serializer.is_valid(), serializer.errors
    assert plain == serializer.to_submission(serializer.validated_data)


def test_a_real_client_body_takes_the_plain_path() -> None:
    eth = new_eth_address()
    body = {"oxen_address": f" {'L' * 97} ", "eth_address": eth, "signature": "SigV1x", "signed_at": 1_700_000_000}
    assert SubmissionSerializer.plain_submission(body) == Submission("L" * 97, eth, "SigV1x", 1_700_000_000)
    assert SubmissionSerializer.plain_submission([body]) is None


def _drf_fields_representation(row: Any) -> dict[str, Any]:
    serializer = RegistrationSerializer(row)
    return dict(serializers.Serializer.to_representation(serializer, row))


@pytest.mark.django_db
def test_the_direct_representation_equals_drf_fields_for_every_kind_of_row() -> None:
    wallet, node = Wallet(), SigningKey.generate()
    first_eth, second_eth = new_eth_address(), new_eth_address()
    first = submit_registration(
        Submission(wallet.address, first_eth, wallet.sign(first_eth)), ip="203.0.113.9"
    ).registration
    now = int(time.time()) + 1  # after the first row, within the allowed clock skew
    text = f"{second_eth} {now}"
    second = submit_registration(
        Submission(
            wallet.address, second_eth, wallet.sign(text), signed_at=now,
            node_pubkey=node.verify_key.encode().hex(), node_signature=node.sign(text.encode()).signature.hex(),
        ),
        ip="203.0.113.9",
    ).registration
    first.refresh_from_db()
    assert not first.is_current and first.superseded_at is not None and second.signed_at is not None
    for row in (first, second):
        direct = RegistrationSerializer(row).data
        assert direct == _drf_fields_representation(row)
        assert list(direct) == list(RegistrationSerializer().fields)

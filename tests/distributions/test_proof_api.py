"""The proofs API, the round publication endpoints and the status-page section (database only)."""

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from swap.chain import contracts
from swap.chain.models import L2Transaction
from swap.core.merkle import StandardMerkleTree, verify_proof
from swap.distributions.models import DistributionRound, PayoutRequest, RoundStatus
from swap.distributions.proofs import claim_context
from swap.distributions.services.rounds import create_round, freeze_round
from swap.models import AuditEvent
from tests.distributions.conftest import SESH

pytestmark = pytest.mark.django_db

ALICE = "0x52908400098527886E0F7030069857D2E4169EE7"
BOB = "0x2222222222222222222222222222222222222222"
DISTRIBUTOR = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@pytest.fixture
def frozen(entitlements, settings):
    settings.L2_DISTRIBUTOR_ADDRESS = DISTRIBUTOR
    entitlements.set(bonus={ALICE: 12 * SESH, BOB: 1}, claims={ALICE: 34})
    return freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0x1234", "not 0x followed by 40 hex digits"),
        ("0x52908400098527886E0F7030069857D2E4169Ee7", "EIP-55"),
        ("52908400098527886E0F7030069857D2E4169EE7", "not 0x followed"),
    ],
)
def test_a_malformed_address_is_a_400_naming_the_field(client, text, reason):
    response = client.get(f"/api/v1/proofs/{text}/")
    assert response.status_code == 400
    (problem,) = response.json()["errors"]["eth_address"]
    assert problem["code"] == "invalid" and reason in problem["message"]


def test_an_address_in_no_frozen_round_is_a_404(client, frozen):
    response = client.get("/api/v1/proofs/0x3333333333333333333333333333333333333333/")
    assert response.status_code == 404
    assert response.json()["errors"]["eth_address"][0]["code"] == "not_found"


def test_a_frozen_round_serves_a_verifiable_proof_not_yet_claimable(client, frozen):
    served = client.get(f"/api/v1/proofs/{ALICE.lower()}/").json()
    assert served["eth_address"] == ALICE and served["round"] == 1 and served["round_status"] == "frozen"
    assert served["root"] == frozen.root
    assert served["cumulative_atomic"] == str(12 * SESH + 34)  # a string: exact in JavaScript too
    assert (served["bonus_atomic"], served["claims_atomic"], served["claimed_atomic"]) == (str(12 * SESH), "34", "0")
    assert served["claimable"] is False
    assert verify_proof(served["root"], ALICE, 12 * SESH + 34, served["proof"])
    assert served["claim_calldata"] == contracts.claim_data(ALICE, 12 * SESH + 34, served["proof"])
    assert served["distributor"] == DISTRIBUTOR and served["chain_id"] == 31337


def test_the_round_list_dump_and_csv_publish_what_was_frozen(client, frozen):
    (row,) = client.get("/api/v1/rounds/").json()
    assert (row["round"], row["root"], row["count"], row["total_atomic"]) == (1, frozen.root, 2, str(12 * SESH + 35))
    dump = client.get("/api/v1/rounds/1/dump.json")
    assert hashlib.sha256(dump.content).hexdigest() == row["dump_sha256"]
    assert StandardMerkleTree.load(dump.content.decode()).root_hex == frozen.root
    rows = list(csv.reader(io.StringIO(client.get("/api/v1/rounds/1/entries.csv").content.decode())))
    assert rows[0][:2] == ["eth_address", "cumulative_sesh_atomic"]
    assert sorted(rows[1:]) == sorted([[ALICE, str(12 * SESH + 34), str(12 * SESH), "34"], [BOB, "1", "1", "0"]])
    assert client.get("/api/v1/rounds/2/dump.json").status_code == 404


def test_a_draft_round_is_never_served(client, entitlements):
    entitlements.set(bonus={ALICE: 1})
    create_round(cutoff=timezone.now(), actor="test")
    assert client.get(f"/api/v1/proofs/{ALICE}/").status_code == 404
    assert client.get("/api/v1/rounds/").json() == []


def test_the_claim_context_never_raises_for_strangers(frozen):
    assert claim_context("not an address") == {"claim": None, "eth_address": "not an address"}
    assert claim_context(BOB)["claim"]["cumulative_atomic"] == "1"


def test_the_status_page_shows_the_round_without_a_button_until_the_root_is_active(client, frozen):
    page = client.get("/status/", {"q": ALICE}).content.decode()
    assert "SESH distribution" in page and frozen.root in page
    assert "Round 1 is frozen and not yet proposed on chain." in page
    assert "not active on chain yet" in page
    assert "sesh-claim-button" not in page


def test_a_pending_round_says_when_it_becomes_claimable(client, frozen, settings):
    proposal = L2Transaction.objects.create(
        chain_id=settings.L2_CHAIN_ID, sender="0x" + "11" * 20, to_address="0x" + "22" * 20, data="0x",
        purpose=L2Transaction.Purpose.PROPOSE_ROOT, subject="round:1",
    )
    activates_at = (timezone.now() + timedelta(hours=23, minutes=9, seconds=30)).replace(microsecond=0)
    DistributionRound.objects.filter(pk=frozen.pk).update(
        status=RoundStatus.PENDING, propose_tx=proposal, activates_at=activates_at, distributor_address="0x" + "22" * 20
    )
    page = client.get("/status/", {"q": ALICE}).content.decode()
    assert f"Round 1 is pending: claimable from {activates_at:%Y-%m-%d %H:%M} UTC (in 23 h 10 min)" in page
    assert "sesh-claim-button" not in page
    served = client.get(f"/api/v1/proofs/{ALICE}/").json()
    assert served["round_status"] == "pending" and served["claimable"] is False
    assert served["activates_at"] == activates_at.isoformat()


def test_a_participant_asks_for_delivery_once(client, frozen):
    first = client.post("/api/v1/payout-requests/", {"eth_address": ALICE.lower()}, content_type="application/json")
    assert first.status_code == 201 and first.json()["eth_address"] == ALICE
    again = client.post("/api/v1/payout-requests/", {"eth_address": ALICE}, content_type="application/json")
    assert again.status_code == 200
    assert PayoutRequest.objects.get().eth_address == ALICE
    assert AuditEvent.objects.filter(tag="payout:requested", subject=f"eth:{ALICE}").count() == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"eth_address": "0x3333333333333333333333333333333333333333"}, 404, "not_found"),
        ({"eth_address": "0x12"}, 400, "invalid"),
        ({}, 400, "required"),
    ],
)
def test_delivery_is_refused_for_strangers_and_garbage(client, frozen, body, status, code):
    response = client.post("/api/v1/payout-requests/", body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["errors"]["eth_address"][0]["code"] == code
    assert not PayoutRequest.objects.exists()


def test_a_round_without_bonus_publishes_bonus_inputs_with_only_the_header(entitlements, client):
    entitlements.set(claims={ALICE: 34})
    round_ = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    assert round_.bonus_total_atomic == 0
    response = client.get(f"/api/v1/rounds/{round_.number}/bonus-inputs.csv")
    assert response.status_code == 200 and response.content == b"oxen_address,eth_address,stake_blocks\n"
    digests = client.get(f"/api/v1/rounds/{round_.number}/bonus-snapshots.csv")
    assert digests.content == b"height,block_hash,sha256,final\n"  # no snapshot stored in this test
    assert client.get("/api/v1/rounds/2/bonus-snapshots.csv").status_code == 404
    create_round(cutoff=timezone.now(), actor="test")  # a draft is not published
    assert client.get("/api/v1/rounds/2/bonus-inputs.csv").status_code == 404

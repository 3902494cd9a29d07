"""Opening a claim over the API and the pages, with the wallet over real HTTP; every failure is safe."""

from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.test import Client

from claims.models import Claim, ClaimFlag, FlagKind, Subaddress, SubaddressUse
from claims.services import opening
from swap.core.oxen_address import AddressKind, Network, decode_address
from swap.models import AuditEvent
from tests.claims.claims_world import ACCOUNT, OXEN, World
from tests.registrations.wallets import Wallet

pytestmark = pytest.mark.django_db
API = "/api/v1/claims/"


def post(client: Client, oxen_address: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(API, {"oxen_address": oxen_address}, content_type="application/json", **extra)


def test_opening_a_claim_gives_a_stored_subaddress_labelled_with_the_claim_and_the_exact_rate(
    world: World, client: Client
) -> None:
    world.snapshot()
    holder = world.holder()
    response = post(client, holder.oxen_address)
    assert response.status_code == 201, response.json()
    body = response.json()
    claim = Claim.objects.get(pk=body["id"])
    assert (body["eth_address"], body["oxen_address"], body["created"]) == (holder.eth_address,
                                                                            holder.oxen_address, True)
    assert body["rate"] == {"num": "300000000", "den": "600000001", "sesh_per_oxen": "0.499999999"}
    assert body["multiplier"] == {"num": "1", "den": "1", "text": "1"}
    assert (body["confirmations"], body["minimum_deposit_atomic"], body["deposits"]) == (10, str(OXEN), [])
    decoded = decode_address(body["subaddress"])
    assert (decoded.kind, decoded.network) == (AddressKind.SUBADDRESS, Network.MAINNET)
    index = claim.subaddress.address_index
    assert (claim.subaddress.account_index, claim.subaddress.use) == (ACCOUNT, SubaddressUse.CLAIM)
    assert world.sim.wallet.address(ACCOUNT, index).label == f"claim:{claim.pk}"
    assert world.sim.wallet.stores == 1  # saved before the address was shown
    assert world.sim.wallet_rpc.requests.count("store") == 1
    assert AuditEvent.objects.filter(tag="claim:opened", subject=f"claim:{claim.pk}").count() == 1


def test_opening_again_returns_the_same_claim_without_asking_the_wallet(world: World, client: Client) -> None:
    world.snapshot()
    holder = world.holder()
    first = post(client, holder.oxen_address).json()
    again = post(client, f"  {holder.oxen_address} ")
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["subaddress"], again.json()["created"]) == (
        first["id"], first["subaddress"], False)
    assert world.sim.wallet_rpc.requests.count("create_address") == 1
    detail = client.get(f"{API}{first['id']}/")
    assert detail.status_code == 200 and detail.json()["subaddress"] == first["subaddress"]
    assert client.get(f"{API}00000000-0000-4000-8000-000000000000/").status_code == 404


def test_a_new_eth_address_gives_a_new_claim_and_the_old_claim_keeps_its_own(world: World, client: Client) -> None:
    world.snapshot()
    holder = world.holder()
    old = post(client, holder.oxen_address).json()
    moved = world.holder(wallet=holder.wallet)  # registers the same Oxen address to another ETH address
    new = post(client, holder.oxen_address).json()
    assert new["id"] != old["id"] and new["eth_address"] == moved.eth_address
    assert Claim.objects.get(pk=old["id"]).eth_address == holder.eth_address


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("Lxyz", "bad_length"),
        ("not an address", "bad_character"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "not_oxen"),
        ("", "required"),
    ],
)
def test_malformed_addresses_are_refused_per_field(world: World, client: Client, address: str, code: str) -> None:
    world.snapshot()
    response = post(client, address)
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]["oxen_address"]] in ([code], ["blank"])
    assert not Claim.objects.exists()


def test_unregistered_subaddresses_and_missing_snapshots_are_refused(world: World, client: Client) -> None:
    stranger = Wallet()
    assert post(client, stranger.address).json()["errors"]["oxen_address"][0]["code"] == "not_registered"
    sub, _ = stranger.subaddress()
    assert post(client, sub).json()["errors"]["oxen_address"][0]["code"] == "subaddress"
    holder = world.holder()
    response = post(client, holder.oxen_address)  # no supply snapshot yet
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"][0]["code"] == "no_snapshot"
    assert world.sim.wallet_rpc.requests.count("create_address") == 0


def test_a_wallet_that_is_down_answers_503_and_stores_nothing(world: World, client: Client) -> None:
    world.snapshot()
    holder = world.holder()
    world.sim.wallet_rpc.go_down()
    response = post(client, holder.oxen_address)
    assert response.status_code == 503
    assert response.json()["errors"]["non_field_errors"][0]["code"] == "wallet_unavailable"
    assert not Claim.objects.exists() and not Subaddress.objects.exists()
    world.sim.wallet_rpc.go_up()
    assert post(client, holder.oxen_address).status_code == 201


def test_a_wallet_that_cannot_store_leaves_no_claim_and_records_the_index_unused(world: World, client: Client) -> None:
    world.snapshot()
    holder = world.holder()
    world.sim.wallet_rpc.faults.add("error", code=-1, message="failed to save wallet", method="store")
    assert post(client, holder.oxen_address).status_code == 503
    assert not Claim.objects.exists()
    [unused] = Subaddress.objects.all()
    assert (unused.address_index, unused.use) == (1, SubaddressUse.UNUSED)
    response = post(client, holder.oxen_address)
    assert response.status_code == 201
    assert Claim.objects.get().subaddress.address_index == 2


def test_a_failed_claim_insert_after_create_address_records_the_index_unused(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.snapshot()
    holder = world.holder()

    def fail(*args: object, **kwargs: object) -> None:
        raise IntegrityError("simulated failure while inserting the claim")

    monkeypatch.setattr(Claim.objects, "create", fail)
    assert post(client, holder.oxen_address).status_code == 503
    assert not Claim.objects.exists()
    assert list(Subaddress.objects.values_list("address_index", "use")) == [(1, SubaddressUse.UNUSED)]
    assert AuditEvent.objects.filter(tag="claims:subaddress_unused").count() == 1


def test_a_concurrent_opening_of_the_same_pair_returns_the_winner(world: World) -> None:
    world.snapshot()
    holder = world.holder()
    registration = opening.current_registration(holder.oxen_address)
    winner, created = opening._create(registration, ip="192.0.2.1", actor="test")
    loser, created_again = opening._create(registration, ip="192.0.2.2", actor="test")
    assert (created, created_again, loser.pk) == (True, False, winner.pk)
    assert list(Subaddress.objects.order_by("address_index").values_list("use", flat=True)) == [
        SubaddressUse.CLAIM, SubaddressUse.UNUSED]


def test_a_wallet_that_reissues_an_index_is_refused_and_flagged(world: World, client: Client) -> None:
    world.snapshot()
    world.open()
    wallet = world.sim.wallet
    with wallet.lock:  # the wallet was restored from its seed without re-creating the subaddresses
        wallet.accounts[ACCOUNT] = wallet.accounts[ACCOUNT][:1]
    holder = world.holder()
    assert post(client, holder.oxen_address).status_code == 503
    assert Claim.objects.count() == 1
    flag = ClaimFlag.objects.get(kind=FlagKind.INDEX_NOT_ABOVE)
    assert flag.data["index"] == 1 and flag.data["highest"] == 1


def test_new_claims_are_rate_limited_per_ip(world: World, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CLAIMS_OPEN_RATE_LIMIT_IP = "2/hour"
    world.snapshot()
    holders = [world.holder() for _ in range(3)]
    assert [post(client, h.oxen_address).status_code for h in holders] == [201, 201, 429]
    assert Claim.objects.count() == 2


def test_the_pages_open_a_claim_and_show_its_address_qr_and_terms(world: World, client: Client, settings) -> None:
    page = client.get("/claims/")
    assert page.status_code == 200 and b'id="not-open"' in page.content
    world.snapshot()
    holder = world.holder()
    page = client.get("/claims/")
    assert b"0.499999999" in page.content and b"300000000/600000001" in page.content
    assert "default-src 'none'" in page["Content-Security-Policy"]
    refused = client.post("/claims/", {"oxen_address": Wallet().address})
    assert refused.status_code == 400 and b"not registered" in refused.content
    opened = client.post("/claims/", {"oxen_address": holder.oxen_address})
    assert opened.status_code == 303
    claim = Claim.objects.get()
    assert opened["Location"] == f"/claims/{claim.pk}/"
    settings.CLAIMS_POOL_ATOMIC = 29_999_999 * 10**9  # the terms show the setting in force
    detail = client.get(opened["Location"])
    text = detail.content.decode()
    assert claim.subaddress.address in text and "<svg" in text and holder.eth_address in text
    assert "after 10 confirmations" in text and "1.000000000 OXEN" in text
    assert "while the 29,999,999 SESH pool lasts" in text
    status = client.get("/status/", {"q": holder.oxen_address})
    assert f"/claims/{claim.pk}/" in status.content.decode()


def test_the_open_page_answers_503_when_the_wallet_is_down(world: World, client: Client) -> None:
    world.snapshot()
    holder = world.holder()
    world.sim.wallet_rpc.go_down()
    response = client.post("/claims/", {"oxen_address": holder.oxen_address})
    assert response.status_code == 503 and b"not reachable" in response.content

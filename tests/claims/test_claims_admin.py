"""Claims admin: snapshots and burns entered (never edited), money read-only, actions audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from claims.models import Burn, ClaimCredit, ClaimFlag, Deposit, DepositState, SnapshotSource, SupplySnapshot
from claims.tasks import fill_supply_snapshot_task
from swap.models import AuditEvent
from swap.roles import AUDITOR_GROUP
from tests.claims.claims_world import OXEN, World
from tests.registrations.wallets import Wallet

pytestmark = pytest.mark.django_db
MODELS = ["supplysnapshot", "burn", "claim", "subaddress", "deposit", "claimcredit", "claimflag", "claimsledger"]


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests-only"))
    return client


def snapshot_form(**overrides: object) -> dict[str, object]:
    form = {"height": 90, "block_hash": "AB" * 32, "emission_atomic": 65_000_000 * OXEN + 123_456_789,
            "burned_atomic": 1_000_000 * OXEN, "excluded_text": f"{Wallet().address} 4000000023456789 OPTF",
            "notes": "TGE"}
    return {**form, **overrides}


def test_an_operator_enters_a_snapshot_and_its_rate_is_derived(world: World, admin_client: Client) -> None:
    response = admin_client.post("/admin/claims/supplysnapshot/add/", snapshot_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    snapshot = SupplySnapshot.objects.get()
    assert (snapshot.entered_by, snapshot.rate_num, snapshot.rate_den) == ("user:root", 300_000_000, 600_000_001)
    assert snapshot.block_hash == "ab" * 32 and snapshot.excluded[0]["note"] == "OPTF"
    listing = admin_client.get("/admin/claims/supplysnapshot/")
    assert b"0.499999999" in listing.content and b"Fill from oxend" in listing.content
    change = admin_client.get(f"/admin/claims/supplysnapshot/{snapshot.pk}/change/")
    assert change.status_code == 200 and b'name="_save"' not in change.content

    refused = admin_client.post("/admin/claims/supplysnapshot/add/", snapshot_form(excluded_text="Lnope 12"))
    assert refused.status_code == 200 and SupplySnapshot.objects.count() == 1


def test_the_snapshot_form_is_refused_once_a_deposit_is_credited(world: World, admin_client: Client) -> None:
    world.snapshot()
    world.pay(world.open(), 2 * OXEN, height=80)
    world.poll()
    response = admin_client.post("/admin/claims/supplysnapshot/add/", snapshot_form())
    assert response.status_code == 200 and b"can no longer change" in response.content
    assert SupplySnapshot.objects.count() == 1


def test_fill_from_oxend_enqueues_a_task_that_enters_the_snapshot(
    world: World, admin_client: Client, settings, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    settings.OXEND_RPC_URL = world.sim.oxend_url
    settings.CLAIMS_POOL_ATOMIC = 1000 * OXEN
    queued: list[tuple[object, ...]] = []
    monkeypatch.setattr(fill_supply_snapshot_task, "delay_on_commit", lambda *args: queued.append(args))
    page = admin_client.get("/admin/claims/supplysnapshot/fill-from-oxend/")
    assert page.status_code == 200
    response = admin_client.post("/admin/claims/supplysnapshot/fill-from-oxend/", {"height": 50, "excluded_text": ""})
    assert response.status_code == 302 and queued == [(50, [], "user:root via oxend")]
    assert world.sim.oxend.requests.count("get_coinbase_tx_sum") == 0  # the request itself asked oxend nothing
    fill_supply_snapshot_task.apply(args=queued[0]).get()  # what the worker does
    snapshot = SupplySnapshot.objects.get()
    assert (snapshot.source, snapshot.height, snapshot.entered_by) == (SnapshotSource.OXEND, 50, "user:root via oxend")
    event = AuditEvent.objects.get(tag="admin:action", subject="claims.SupplySnapshot:fill_from_oxend")
    assert event.data["height"] == 50


def test_burns_are_entered_once_and_never_edited(world: World, admin_client: Client) -> None:
    form = {"txid": "CD" * 32, "amount_atomic": 10 * OXEN, "notes": "burn of the first week"}
    assert admin_client.post("/admin/claims/burn/add/", form).status_code == 302
    burn = Burn.objects.get()
    assert (burn.txid, burn.entered_by, burn.amount_atomic) == ("cd" * 32, "user:root", 10 * OXEN)
    assert admin_client.post("/admin/claims/burn/add/", form).status_code == 200  # the same txid again
    assert Burn.objects.count() == 1
    assert AuditEvent.objects.filter(tag="claims:burn_recorded").count() == 1
    admin_client.post(f"/admin/claims/burn/{burn.pk}/change/", {**form, "amount_atomic": 1})
    admin_client.post(f"/admin/claims/burn/{burn.pk}/delete/", {"post": "yes"})
    burn.refresh_from_db()
    assert burn.amount_atomic == 10 * OXEN


def test_flags_are_resolved_and_held_deposits_released_by_audited_actions(world: World,
                                                                           admin_client: Client) -> None:
    world.snapshot()
    txid = world.pay(world.open(), 2 * OXEN, height=80, unlock_time=10)
    world.poll()
    deposit = Deposit.objects.get(txid=txid)
    flag = ClaimFlag.objects.get()
    response = admin_client.post("/admin/claims/deposit/", {"action": "release_deposits",
                                                            "_selected_action": [deposit.pk]})
    assert response.status_code == 302
    response = admin_client.post("/admin/claims/claimflag/", {"action": "resolve_selected",
                                                              "_selected_action": [flag.pk]})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.resolved_by == "user:root" and flag.resolved_at is not None
    assert world.poll().credited == 1
    assert Deposit.objects.get(pk=deposit.pk).state == DepositState.CREDITED
    assert AuditEvent.objects.filter(tag="admin:action").count() == 2
    export = admin_client.post("/admin/claims/claimcredit/", {"action": "export_as_csv",
                                                              "_selected_action": [ClaimCredit.objects.get().pk]})
    assert export.status_code == 200 and b"sesh_atomic" in b"".join(export.streaming_content)


def test_an_auditor_sees_every_claims_page_and_can_add_nothing(world: World, client: Client) -> None:
    auditor = User.objects.create_user("audrey", password="pw-for-tests-only", is_staff=True)
    auditor.groups.add(Group.objects.get(name=AUDITOR_GROUP))
    client.force_login(auditor)
    for model in MODELS:
        assert client.get(f"/admin/claims/{model}/").status_code == 200, model
    assert client.get("/admin/claims/supplysnapshot/add/").status_code == 403
    assert client.get("/admin/claims/burn/add/").status_code == 403
    assert client.get("/admin/claims/supplysnapshot/fill-from-oxend/").status_code == 403

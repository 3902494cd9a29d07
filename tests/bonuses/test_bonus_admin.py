"""Bonus admin pages: everything viewable and exportable, nothing editable, gaps acknowledged with an audit event."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.models import Group, User
from snb_scenarios import node, result

from bonuses.models import ServiceNodeSnapshot, SnapshotGap
from bonuses.services.ingest import ingest_snapshot
from swap.models import AuditEvent
from swap.roles import AUDITOR_GROUP

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("snb")]
PAGES = ["servicenodesnapshot", "servicenode", "stakeinterval", "snapshotgap"]


@pytest.fixture
def history():  # type: ignore[no-untyped-def]
    ingest_snapshot(result(1000, node("n1", ("La", 15_000))), source="import")
    ingest_snapshot(result(1100, node("n1", ("La", 15_000)), node("n2", ("Lb", 15_000))), source="live")
    return ServiceNodeSnapshot.objects.get(height=1100)


@pytest.fixture
def auditor(client):  # type: ignore[no-untyped-def]
    user = User.objects.create_user("audrey", password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=AUDITOR_GROUP))
    client.force_login(user)
    return client


@pytest.fixture
def superuser(client):  # type: ignore[no-untyped-def]
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests-only"))
    return client


@pytest.mark.parametrize("page", PAGES)
def test_an_auditor_sees_every_bonus_page_and_can_change_nothing(auditor, history, page):
    listing = auditor.get(f"/admin/bonuses/{page}/")
    assert listing.status_code == 200
    assert f"/admin/bonuses/{page}/add/" not in listing.content.decode()
    model = listing.context["cl"].model
    detail = auditor.get(f"/admin/bonuses/{page}/{model.objects.first().pk}/change/")
    assert detail.status_code == 200 and b'name="_save"' not in detail.content


@pytest.mark.parametrize("page", PAGES)
def test_not_even_a_superuser_may_add_change_or_delete(superuser, history, page):
    model = superuser.get(f"/admin/bonuses/{page}/").context["cl"].model
    pk = model.objects.first().pk
    assert superuser.get(f"/admin/bonuses/{page}/add/").status_code == 403
    assert superuser.post(f"/admin/bonuses/{page}/{pk}/delete/", {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=pk).exists()


def test_snapshot_export_leaves_the_payload_out_and_is_audited(auditor, history):
    response = auditor.post("/admin/bonuses/servicenodesnapshot/", {
        "action": "export_snapshots_as_csv", "_selected_action": [history.pk]})
    body = b"".join(response.streaming_content).decode()
    header, row = body.splitlines()
    assert "payload" not in header.split(",") and "sha256" in header and history.sha256 in row
    assert AuditEvent.objects.filter(tag="admin:action", subject__endswith="export_snapshots_as_csv").exists()


def test_a_snapshot_download_hashes_to_its_published_digest(auditor, history):
    response = auditor.post("/admin/bonuses/servicenodesnapshot/", {
        "action": "download_snapshot_json", "_selected_action": [history.pk]})
    assert hashlib.sha256(response.content).hexdigest() == history.sha256


def test_gaps_are_acknowledged_by_an_audited_action_that_auditors_do_not_have(auditor, superuser, history):
    gap = SnapshotGap.objects.get()
    page = superuser.get("/admin/bonuses/snapshotgap/")
    assert "acknowledge_gaps" in page.content.decode()
    superuser.post("/admin/bonuses/snapshotgap/", {"action": "acknowledge_gaps", "_selected_action": [gap.pk]})
    gap.refresh_from_db()
    assert gap.acknowledged and gap.acknowledged_by == "root"
    assert AuditEvent.objects.filter(tag="admin:action", subject__endswith="acknowledge_gaps").count() == 1


def test_an_auditor_is_not_offered_the_acknowledge_action(auditor, history):
    page = auditor.get("/admin/bonuses/snapshotgap/")
    assert "acknowledge_gaps" not in page.content.decode()
    auditor.post("/admin/bonuses/snapshotgap/", {"action": "acknowledge_gaps",
                                                 "_selected_action": [SnapshotGap.objects.get().pk]})
    assert not SnapshotGap.objects.get().acknowledged

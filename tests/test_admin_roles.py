"""Staff roles and the audit trail's admin: auditors see, nobody changes, every action is logged."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from swap.audit import record_event
from swap.models import AuditEvent
from swap.roles import AUDITOR_GROUP, OPERATOR_EXTRA_PERMISSIONS, OPERATOR_GROUP

pytestmark = pytest.mark.django_db


def staff_in(group_name: str, username: str) -> User:
    user = User.objects.create_user(username, password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def event():
    with transaction.atomic():
        return record_event("registration:created", actor="web", subject="L123", data={"eth": "0xabc"})


def test_the_auditor_group_may_view_every_model_and_change_none():
    auditor = Group.objects.get(name=AUDITOR_GROUP)
    codenames = set(auditor.permissions.values_list("codename", flat=True))
    assert "view_auditevent" in codenames
    assert all(code.startswith("view_") for code in codenames)


def test_the_operator_group_may_view_everything_and_freeze_publish_and_pay_out():
    operator = Group.objects.get(name=OPERATOR_GROUP)
    granted = set(operator.permissions.values_list("content_type__app_label", "codename"))
    views = set(Permission.objects.filter(codename__startswith="view_").values_list("content_type__app_label",
                                                                                    "codename"))
    assert granted - views == set(OPERATOR_EXTRA_PERMISSIONS), "every listed job permission exists and is granted"
    assert views <= granted


def test_anonymous_visitors_are_sent_to_the_login_page(client, event):
    response = client.get("/admin/swap/auditevent/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_auditor_sees_audit_events_but_no_change_form(client, event):
    client.force_login(staff_in(AUDITOR_GROUP, "audrey"))
    listing = client.get("/admin/swap/auditevent/")
    assert listing.status_code == 200 and b"registration:created" in listing.content
    detail = client.get(f"/admin/swap/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.get("/admin/swap/auditevent/add/").status_code == 403
    assert client.post(f"/admin/swap/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403


def test_even_a_superuser_cannot_change_or_delete_an_audit_event(client, event):
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests-only"))
    detail = client.get(f"/admin/swap/auditevent/{event.pk}/change/")
    assert b'name="_save"' not in detail.content
    client.post(f"/admin/swap/auditevent/{event.pk}/change/", {"tag": "rewritten"})
    client.post(f"/admin/swap/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert AuditEvent.objects.get(pk=event.pk).tag == "registration:created"


def test_csv_export_streams_the_rows_and_logs_an_admin_action(client, event):
    client.force_login(staff_in(AUDITOR_GROUP, "audrey"))
    response = client.post(
        "/admin/swap/auditevent/", {"action": "export_as_csv", "_selected_action": [event.pk]}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    header, row = body.splitlines()[:2]
    assert header.startswith("id,tag,actor,subject")
    assert "registration:created" in row and "L123" in row
    logged = AuditEvent.objects.get(tag="admin:action")
    assert logged.actor == "user:audrey"
    assert logged.subject == "swap.AuditEvent:export_as_csv"
    assert logged.data == {"ids": [event.pk], "count": 1}

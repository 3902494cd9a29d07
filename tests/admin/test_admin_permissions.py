"""Every admin page and every admin action, for anonymous visitors, auditors, operators and superusers.

The pages come from `admin.site._registry`, so a model registered later is covered without editing
this file; the scenario must hold one row of it (the test says which model lacks one). Rules:
- anonymous: every admin URL sends to the login page;
- auditor and operator: every list and record can be seen; no add, change or delete anywhere;
- superuser: users and groups are edited as usual, supply snapshots and burns only added; every
  other record (money, audit events, snapshots, rounds, the outbox) is read-only for them too;
- actions: an auditor gets only the exports; an operator also freezes, publishes and starts
  payouts (which enqueue a task after the commit) and acknowledges the watchdog's alerts; each
  action run writes one `admin:action` event.
"""

from __future__ import annotations

import pytest
from admin_world import label, url
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db import models
from django.test import Client, RequestFactory

from swap.models import AuditEvent
from swap.registrations.models import Registration

pytestmark = pytest.mark.django_db

EDITABLE_BY_SUPERUSER = {"auth.user", "auth.group"}
ADD_ONLY = {"claims.supplysnapshot", "claims.burn"}
EXPORTS = {"export_as_csv", "export_snapshots_as_csv", "download_snapshot_json"}
OPERATOR_ACTIONS = {("distributions.distributionround", name) for name in ("freeze_rounds", "publish_rounds",
                                                                             "run_payouts")} | {
    ("watchdog.alert", "acknowledge_alerts")}


def logged_in(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_admin_page(client, rows) -> None:
    pages = ["/admin/", "/admin/reconciliation/", "/admin/explain/"]
    for model, obj in rows.items():
        pages += [url(model, "changelist"), url(model, "add"), url(model, "change", obj), url(model, "delete", obj)]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), page


@pytest.mark.parametrize("role", ["auditor", "operator"])
def test_auditors_and_operators_see_every_page_and_can_change_nothing(client, staff, rows, role) -> None:
    logged_in(client, staff[role])
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/reconciliation/").status_code == 200
    assert client.get("/admin/explain/", {"oxen_address": rows[Registration].oxen_address}).status_code == 200
    for model, obj in rows.items():
        assert client.get(url(model, "changelist")).status_code == 200, label(model)
        detail = client.get(url(model, "change", obj))
        assert detail.status_code == 200, label(model)
        assert b'name="_save"' not in detail.content and b'name="_continue"' not in detail.content, label(model)
        assert client.get(url(model, "add")).status_code == 403, label(model)
        assert client.post(url(model, "add"), {}).status_code == 403, label(model)
        assert client.post(url(model, "change", obj), {}).status_code == 403, label(model)
        assert client.get(url(model, "delete", obj)).status_code == 403, label(model)
        assert client.post(url(model, "delete", obj), {"post": "yes"}).status_code == 403, label(model)
        assert model._default_manager.filter(pk=obj.pk).exists()


def test_a_superuser_edits_users_and_groups_adds_snapshots_and_burns_and_changes_no_record(
    client, staff, rows
) -> None:
    logged_in(client, staff["superuser"])
    for model, obj in rows.items():
        name = label(model)
        assert client.get(url(model, "changelist")).status_code == 200, name
        detail = client.get(url(model, "change", obj))
        assert detail.status_code == 200, name
        if name in EDITABLE_BY_SUPERUSER:
            assert b'name="_save"' in detail.content and client.get(url(model, "add")).status_code == 200
            assert client.get(url(model, "delete", obj)).status_code == 200, name
            continue
        assert b'name="_save"' not in detail.content, name
        assert client.get(url(model, "add")).status_code == (200 if name in ADD_ONLY else 403), name
        before = model._default_manager.filter(pk=obj.pk).values().get()
        assert client.post(url(model, "change", obj), {}).status_code == 403, name
        assert client.post(url(model, "delete", obj), {"post": "yes"}).status_code == 403, name
        assert model._default_manager.filter(pk=obj.pk).values().get() == before, name


def available_actions(user, model: type[models.Model]) -> set[str]:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/")
    request.user = user
    return set(admin.site._registry[model].get_actions(request))


def every_action() -> set[tuple[str, str]]:
    found = set()
    for model, model_admin in admin.site._registry.items():
        for action in model_admin._get_base_actions():
            found.add((label(model), action[1]))
    return found


def test_each_role_is_offered_exactly_its_actions(staff, rows) -> None:
    actions = every_action()
    assert OPERATOR_ACTIONS <= actions
    assert not any(name == "delete_selected" for _, name in actions), "bulk delete is never offered"
    for role, allowed in (("auditor", set()), ("operator", OPERATOR_ACTIONS)):
        offered = {(label(model), name) for model in rows for name in available_actions(staff[role], model)}
        assert offered == {a for a in actions if a[1] in EXPORTS} | allowed, role
    offered = {(label(model), name) for model in rows for name in available_actions(staff["superuser"], model)}
    assert offered == actions


def run(client: Client, model: type[models.Model], name: str, obj: models.Model):  # type: ignore[no-untyped-def]
    return client.post(url(model, "changelist"), {"action": name, "_selected_action": [quote(obj.pk)]})


@pytest.mark.parametrize("role", ["auditor", "operator", "superuser"])
def test_every_action_runs_only_for_a_role_allowed_it_and_writes_one_audit_event(
    client, staff, rows, role, django_capture_on_commit_callbacks
) -> None:
    logged_in(client, staff[role])
    for model_label, name in sorted(every_action()):
        model = next(m for m in rows if label(m) == model_label)
        allowed = name in available_actions(staff[role], model)
        before = AuditEvent.objects.filter(tag="admin:action").count()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = run(client, model, name, rows[model])
        events = AuditEvent.objects.filter(tag="admin:action").order_by("id")
        if not allowed:
            assert events.count() == before, (role, model_label, name)
            assert not callbacks, (role, model_label, name)
            continue
        assert response.status_code in (200, 302), (role, model_label, name)
        assert events.count() == before + 1, (role, model_label, name)
        event = events.last()
        assert (event.actor, event.subject) == (f"user:{role if role != 'superuser' else 'root'}",
                                                f"{model._meta.label}:{name}")
        if (model_label, name) in OPERATOR_ACTIONS:
            # The task is sent after the commit, never run inside the request: a frozen round
            # skips freezing, so only publishing (it is frozen) enqueues one here.
            assert len(callbacks) == (1 if name == "publish_rounds" else 0), name


def test_what_an_admin_form_changes_is_copied_into_the_audit_trail(client, staff) -> None:
    logged_in(client, staff["superuser"])
    response = client.post("/admin/auth/group/add/", {"name": "readers"})
    assert response.status_code == 302
    group = staff["auditor"].groups.model.objects.get(name="readers")
    event = AuditEvent.objects.get(tag="admin:added")
    assert (event.actor, event.subject) == ("user:root", f"auth.group:{group.pk}")
    client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})
    assert AuditEvent.objects.filter(tag="admin:deleted", subject=f"auth.group:{group.pk}").count() == 1


def test_every_admin_page_offers_csv_export_and_the_users_export_leaves_out_password_hashes(
    client, staff, rows
) -> None:
    from django.contrib import admin
    from django.contrib.auth.models import User

    missing = [model._meta.label for model, model_admin in admin.site._registry.items()
               if not {getattr(action, "__name__", action) for action in model_admin.actions or []} & EXPORTS]
    assert missing == []
    logged_in(client, staff["auditor"])
    response = run(client, User, "export_as_csv", staff["superuser"])
    body = b"".join(response.streaming_content).decode()
    header, *lines = body.splitlines()
    assert "username" in header.split(",") and "password" not in header.split(",")
    assert any(line.split(",")[header.split(",").index("username")] == "root" for line in lines)
    assert staff["superuser"].password not in body

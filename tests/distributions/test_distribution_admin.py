"""Admin: rounds and the outbox are read-only; operators start jobs by audited, enqueued actions."""

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from swap.celery import app as celery_app
from swap.distributions.models import DistributionRound, RoundStatus
from swap.distributions.services.rounds import create_round, freeze_round
from swap.models import AuditEvent
from swap.roles import AUDITOR_GROUP, OPERATOR_GROUP

pytestmark = pytest.mark.django_db

ALICE = "0x1111111111111111111111111111111111111111"


def staff_in(group_name, username):
    user = User.objects.create_user(username, password="pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def tasks_in_process():
    """Run the enqueued task here even in the services pass (which has a real broker, no worker)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=True)  # the app reads Django's CELERY_ namespace
    yield
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=previous)


def test_an_operator_freezes_a_draft_through_an_audited_action(
    client, entitlements, django_capture_on_commit_callbacks, tasks_in_process
):
    entitlements.set(bonus={ALICE: 9})
    draft = create_round(cutoff=timezone.now(), actor="test")
    client.force_login(staff_in(OPERATOR_GROUP, "otto"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/admin/distributions/distributionround/",
            {"action": "freeze_rounds", "_selected_action": [draft.pk]},
        )
    assert response.status_code == 302 and len(callbacks) == 1, "the task is sent after the commit"
    assert DistributionRound.objects.get(pk=draft.pk).status == RoundStatus.FROZEN
    event = AuditEvent.objects.get(tag="admin:action")
    assert event.actor == "user:otto" and event.subject == "distributions.DistributionRound:freeze_rounds"


def test_an_auditor_sees_rounds_entries_and_transactions_but_no_actions_or_forms(client, entitlements):
    entitlements.set(bonus={ALICE: 9})
    round_ = freeze_round(create_round(cutoff=timezone.now(), actor="test").pk, actor="test")
    client.force_login(staff_in(AUDITOR_GROUP, "audrey"))
    listing = client.get("/admin/distributions/distributionround/")
    assert listing.status_code == 200 and round_.root.encode() in listing.content
    assert b"freeze_rounds" not in listing.content and b"publish_rounds" not in listing.content
    detail = client.get(f"/admin/distributions/distributionround/{round_.pk}/change/")
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    entry = round_.entries.get()
    assert client.get(f"/admin/distributions/distributionentry/{entry.pk}/change/").status_code == 200
    assert client.get("/admin/chain/l2transaction/").status_code == 200
    publish = {"action": "publish_rounds", "_selected_action": [round_.pk]}
    client.post("/admin/distributions/distributionround/", publish)
    assert not AuditEvent.objects.filter(tag="admin:action").exists(), "an auditor cannot run the action"
    assert DistributionRound.objects.get(pk=round_.pk).status == RoundStatus.FROZEN

"""The heartbeat check and the alerts on the admin home page: raised once, red until a person acknowledges.

No chain here: the heartbeat is the watchdog's cursor row, written as a pass leaves it.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.utils import quote
from django.utils import timezone

from swap.models import AuditEvent
from swap.watchdog.models import Alert, AlertKind, WatchCursor
from swap.watchdog.services.alerts import check_heartbeat
from swap.watchdog.tasks import check_heartbeat_task

pytestmark = pytest.mark.django_db

DISTRIBUTOR = "0xD1D1d1d1d1d1D1d1d1D1D1d1D1D1d1d1d1D1D1d1"


@pytest.fixture
def watched(settings):
    settings.L2_CHAIN_ID = 31337
    settings.L2_DISTRIBUTOR_ADDRESS = DISTRIBUTOR
    settings.WATCHDOG_HEARTBEAT_MAX_AGE_SECONDS = 300
    return settings


def beat(seconds_ago: int) -> WatchCursor:
    """The cursor row as a pass that completed `seconds_ago` leaves it."""
    cursor, _ = WatchCursor.objects.update_or_create(
        chain_id=31337, distributor=DISTRIBUTOR,
        defaults={"next_block": 100, "last_pass_head": 102,
                  "last_pass_at": timezone.now() - timedelta(seconds=seconds_ago)},
    )
    return cursor


def test_a_fresh_heartbeat_raises_nothing(watched):
    beat(10)
    assert check_heartbeat(actor="test") is None
    assert not Alert.objects.exists()


def test_no_distributor_configured_means_nothing_to_guard(settings):
    settings.L2_DISTRIBUTOR_ADDRESS = ""
    check_heartbeat_task.apply()
    assert not Alert.objects.exists()


def test_a_missing_heartbeat_raises_one_alert_however_often_it_is_checked(watched):
    check_heartbeat_task.apply()
    check_heartbeat_task.apply()
    alert = Alert.objects.get()
    assert (alert.kind, alert.subject) == (AlertKind.HEARTBEAT_STALE, f"heartbeat:{DISTRIBUTOR}:never")
    assert alert.message.startswith("the watchdog has never completed a pass")
    assert AuditEvent.objects.filter(tag="watchdog:alert_raised").count() == 1


def test_each_stale_episode_raises_its_own_alert(watched):
    beat(301)
    first = check_heartbeat(actor="test")
    assert first is not None and "last completed pass was 301 s ago (limit 300 s)" in first.message
    assert check_heartbeat(actor="test").pk == first.pk, "the same episode: no second alert"
    beat(5)  # the watchdog came back
    assert check_heartbeat(actor="test") is None
    beat(400)  # and went down again
    second = check_heartbeat(actor="test")
    assert second.pk != first.pk and Alert.objects.count() == 2


def open_alert_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="alert-open" data-alert="(\d+)"', html)


def acknowledge(client, alert):
    return client.post("/admin/watchdog/alert/",
                       {"action": "acknowledge_alerts", "_selected_action": [quote(alert.pk)]})


def test_the_admin_home_shows_open_alerts_in_red_until_an_operator_acknowledges_them(watched, client, staff):
    alert = check_heartbeat(actor="task:main")
    client.force_login(staff["auditor"])
    home = client.get("/admin/").content.decode()
    assert 'id="watchdog" class="module has-alerts"' in home
    assert open_alert_rows(home) == [str(alert.pk)] and alert.message in home
    assert "no completed pass yet" in home

    acknowledge(client, alert)  # an auditor is not offered the action: nothing changes
    alert.refresh_from_db()
    assert alert.is_open and not AuditEvent.objects.filter(tag="watchdog:alert_acknowledged").exists()

    client.force_login(staff["operator"])
    response = acknowledge(client, alert)
    assert response.status_code == 302
    alert.refresh_from_db()
    assert not alert.is_open and alert.acknowledged_by == "operator"
    assert AuditEvent.objects.filter(tag="admin:action", subject="watchdog.Alert:acknowledge_alerts").count() == 1
    event = AuditEvent.objects.get(tag="watchdog:alert_acknowledged")
    assert (event.actor, event.subject) == ("user:operator", f"alert:{alert.pk}")
    acknowledge(client, alert)
    assert AuditEvent.objects.filter(tag="watchdog:alert_acknowledged").count() == 1, "acknowledged once"

    home = client.get("/admin/").content.decode()
    assert open_alert_rows(home) == [] and 'id="watchdog" class="module"' in home
    assert check_heartbeat(actor="task:main").pk == alert.pk, "the acknowledged episode stays quiet"
    beat(0)
    home = client.get("/admin/").content.decode()
    assert re.search(r'<tr id="watchdog-heartbeat">\s*<th scope="row">Heartbeat</th>\s*<td>last completed pass ', home)


def test_with_no_distributor_a_pass_has_nothing_to_guard(settings):
    from swap.watchdog.tasks import watch_distributor_task

    settings.L2_DISTRIBUTOR_ADDRESS = ""
    watch_distributor_task.apply().get()
    assert not WatchCursor.objects.exists() and not Alert.objects.exists()

"""Admin actions audit the client's IP as the trusted proxies saw it, not the proxy's own address.

Behind a reverse proxy `REMOTE_ADDR` is the proxy; `swap.http.client_ip` (the one function that
decides who the client is) reads the entry our proxy appended to X-Forwarded-For.
"""

from __future__ import annotations

import pytest

from claims.tasks import fill_supply_snapshot_task
from swap.audit import hash_ip
from swap.models import AuditEvent

pytestmark = pytest.mark.django_db

PROXY, CLIENT, SPOOFED = "10.0.0.2", "203.0.113.7", "198.51.100.66"
BEHIND_PROXY = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{SPOOFED}, {CLIENT}"}


def test_an_audited_action_hashes_the_client_behind_the_proxy(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    event = AuditEvent.objects.create(tag="test:seed", actor="test", subject="x", data={})
    client.force_login(staff["auditor"])
    response = client.post("/admin/swap/auditevent/", {"action": "export_as_csv", "_selected_action": [event.pk]},
                           **BEHIND_PROXY)
    assert response.status_code == 200
    logged = AuditEvent.objects.get(tag="admin:action")
    assert logged.ip_hash == hash_ip(CLIENT) != hash_ip(PROXY)


def test_the_supply_fill_request_hashes_the_client_behind_the_proxy(client, staff, settings, monkeypatch):
    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(fill_supply_snapshot_task, "delay_on_commit", lambda *args: None)  # no worker here
    client.force_login(staff["superuser"])
    response = client.post("/admin/claims/supplysnapshot/fill-from-oxend/", {"height": 50, "excluded_text": ""},
                           **BEHIND_PROXY)
    assert response.status_code == 302
    logged = AuditEvent.objects.get(tag="admin:action", subject="claims.SupplySnapshot:fill_from_oxend")
    assert logged.ip_hash == hash_ip(CLIENT)


def test_without_trusted_proxies_the_nearest_hop_is_the_client(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    event = AuditEvent.objects.create(tag="test:seed", actor="test", subject="x", data={})
    client.force_login(staff["auditor"])
    client.post("/admin/swap/auditevent/", {"action": "export_as_csv", "_selected_action": [event.pk]},
                **BEHIND_PROXY)
    assert AuditEvent.objects.get(tag="admin:action").ip_hash == hash_ip(PROXY)

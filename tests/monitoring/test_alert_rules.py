"""The alerting rules against what they point to: runbooks that exist, metrics that /metrics exports.

`promtool test rules` (make alerts) proves that each rule fires when it should; this proves that
it can fire at all in production (a metric renamed in the collector would silence an alert
forever) and that its link leads to a runbook.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "deploy" / "prometheus" / "alerts.yml"
OPERATIONS = REPO / "docs" / "operations.md"
METRIC_NAME = re.compile(r"\b((?:sesh|django)_[a-z0-9_]+)\b")


def alerts() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a file's headings (lowercase, punctuation dropped, spaces to dashes)."""
    anchors = set()
    for line in markdown.splitlines():
        heading = re.match(r"^#{1,6} (.+?)\s*$", line)
        if heading:
            text = re.sub(r"[^\w\- ]", "", heading.group(1).lower().replace("`", ""))
            anchors.add(text.replace(" ", "-"))
    return anchors


def test_the_rule_file_holds_the_alerts_the_on_call_person_needs():
    names = {rule["alert"] for rule in alerts()}
    assert {"SeshOutboxStuck", "SeshSignerLow", "SeshDistributorShort", "SeshSnapshotsStale", "SeshWalletLagging",
            "SeshDepositsWaitingTooLong", "SeshWatchdogSilent", "SeshVetoHappened", "SeshTaskFailures",
            "SeshHttp5xxRate"} <= names


@pytest.mark.parametrize("rule", alerts(), ids=lambda rule: rule["alert"])
def test_every_alert_links_to_a_runbook_anchor_that_exists(rule):
    url = rule["annotations"]["runbook_url"]
    path, _, anchor = url.partition("#")
    assert path == "docs/operations.md" and anchor, url
    assert anchor in github_anchors(OPERATIONS.read_text()), f"{rule['alert']}: no heading gives #{anchor}"


def test_every_alert_has_a_unit_test_in_alerts_test_yml():
    tests = yaml.safe_load((RULES.parent / "alerts_test.yml").read_text())["tests"]
    tested = {case["alertname"] for test in tests for case in test.get("alert_rule_test", [])}
    fired = {case["alertname"] for test in tests for case in test.get("alert_rule_test", []) if case["exp_alerts"]}
    names = {rule["alert"] for rule in alerts()}
    assert names == tested == fired  # each is tested, and each test makes it fire at least once


@pytest.mark.django_db
def test_every_metric_an_alert_reads_is_exported_by_metrics(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    exported = set(re.findall(r"^# TYPE (\S+) ", response.content.decode(), flags=re.MULTILINE))
    used = {name for rule in alerts() for name in METRIC_NAME.findall(rule["expr"])}
    assert used, "no metric found in the alert expressions"
    assert used <= exported, f"alerts read metrics /metrics does not export: {sorted(used - exported)}"

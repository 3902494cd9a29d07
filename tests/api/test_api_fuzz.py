"""The API keeps its published contract under a fuzzer nobody here wrote: schemathesis, over HTTP.

A live server of the test configuration (`live_server`: this process's settings and database,
real peers from `world.py`) serves its real schema; schemathesis (pinned in requirements-dev.txt)
runs every check but positive-data acceptance over all four phases, with a fixed seed, no example
database and a bounded number of examples per operation. The stateful phase follows the schema's
OpenAPI links (registration -> status -> claim -> proof). Zero failures, zero errors.

Positive-data acceptance is left out because valid data cannot be generated from a schema here:
an Oxen address ends in a Keccak checksum, a mixed-case ETH address carries EIP-55, and a
registration needs a signature by the address's spend key (docs/operations.md, "The API under a
fuzzer"). Every other check holds: no 5xx, only documented statuses, content types and headers,
bodies that match their schemas, negative data refused, 405 with `Allow` for other methods.

The figures (operations, requests, failures) are printed, and the reports stay in
`var/schemathesis/<database>/` for whoever wants to read them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from swap.api import examples

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "st"
SEED = "22"
MAX_EXAMPLES = "25"
CLAIM_PATH = re.compile(r"/api/v1/claims/[0-9a-f-]{36}/$")


def run_schemathesis(schema_url: str, reports: Path) -> subprocess.CompletedProcess[str]:
    command = [
        str(SCHEMATHESIS), "run", schema_url,
        "--checks", "all", "--exclude-checks", "positive_data_acceptance",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--seed", SEED, "--max-examples", MAX_EXAMPLES, "--generation-database", "none",
        "--workers", "1", "--request-timeout", "30", "--no-color",
        "--report", "json,har", "--report-dir", str(reports),
        "--report-json-path", str(reports / "run.json"), "--report-har-path", str(reports / "requests.har"),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=1200, cwd=reports, check=False)


def test_schemathesis_finds_no_failure_in_any_check_or_phase(live_server, api_world):
    reports = REPO / "var" / "schemathesis" / connection.vendor
    shutil.rmtree(reports, ignore_errors=True)  # the last run's reports, and schemathesis's own cache
    reports.mkdir(parents=True)
    done = run_schemathesis(f"{live_server.url}/api/v1/schema/", reports)
    run = json.loads((reports / "run.json").read_text())
    entries = json.loads((reports / "requests.har").read_text())["log"]["entries"]
    statuses = Counter(entry["response"]["status"] for entry in entries)
    figures = (f"schemathesis {run['schemathesis_version']} seed {run['seed']}: "
               f"{run['operations']['tested']}/{run['operations']['total']} operations, "
               f"{run['test_cases']['generated']} test cases, {len(entries)} requests "
               f"({', '.join(f'{status}: {count}' for status, count in sorted(statuses.items()))}), "
               f"{sum(failure['count'] for failure in run['failures'])} failures, {len(run['errors'])} errors, "
               f"{run['running_time']:.0f} s")
    (reports / "figures.txt").write_text(figures + "\n")
    print(figures)
    assert done.returncode == 0 and not run["failures"] and not run["errors"], done.stdout[-8000:] + done.stderr
    assert run["operations"]["tested"] == run["operations"]["total"] == 14
    assert all(phase["status"] == "success" for phase in run["phases"].values()), run["phases"]
    assert not any(status >= 500 for status in statuses)
    # The links were followed: a claim opened during the run was read back by the id it answered,
    # and the example registration's proof was served.
    urls = [(entry["request"]["url"], entry["response"]["status"]) for entry in entries]
    assert any(CLAIM_PATH.search(url) and status == 200 for url, status in urls)
    assert any(url.endswith(f"/api/v1/proofs/{examples.ETH_ADDRESS}/") and status == 200 for url, status in urls)

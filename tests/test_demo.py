"""`python manage.py demo` end to end, as a person runs it: exit 0, and figures that add up.

The demo runs once per module in a subprocess (its own anvil, simulator and SQLite file in a
temporary directory); the tests read its printed summary and `summary.json` and check them
against independent arithmetic: the bonus pool split exactly, each credit = floor(deposit ×
rate), the round = bonus + claims, balances = entitlements, and the root recomputed from the
published dump and CSV (in Python, and with OpenZeppelin's JavaScript library as docs/verify.md
shows) equal to the one `verify_round` read on chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from swap.core.merkle import StandardMerkleTree
from swap.core.merkle_values import read_csv
from swap.demo import cast
from swap.demo.environment import DEMO_MARKER, PRODUCTION_VARIABLES

pytestmark = [pytest.mark.chain, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
SESH_POOL = 30_000_000 * 10**9


class DemoRun:
    def __init__(self, completed: subprocess.CompletedProcess[str], directory: Path) -> None:
        self.completed = completed
        self.directory = directory
        self.stdout = completed.stdout
        summary = directory / "demo" / "summary.json"
        self.figures: dict[str, Any] = json.loads(summary.read_text()) if summary.exists() else {}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    directory = tmp_path_factory.mktemp("demo")
    environ = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES and k != DEMO_MARKER}
    completed = subprocess.run(
        [sys.executable, "manage.py", "demo", "--dir", str(directory)],
        cwd=REPO, env=environ, capture_output=True, text=True, timeout=600,
    )
    return DemoRun(completed, directory)


def test_it_exits_0_with_progress_and_a_summary(demo: DemoRun) -> None:
    assert demo.completed.returncode == 0, demo.completed.stderr[-3000:] + demo.stdout[-3000:]
    for step in range(1, 12):
        assert f"[{step:>2}/11]" in demo.stdout
    assert "== Demo summary" in demo.stdout and "Admin login      demo / " in demo.stdout
    assert (demo.directory / "demo.sqlite3").exists() and (demo.directory / "demo.env").exists()


def test_every_sample_holder_registered_through_the_form(demo: DemoRun) -> None:
    oxen_addresses = sum(len(holder.wallets) for holder in cast.HOLDERS)
    assert demo.figures["registrations"] == {
        "oxen_addresses": oxen_addresses, "eth_addresses": len(cast.HOLDERS), "rows": oxen_addresses + 1}
    snapshots = demo.figures["snapshots"]
    assert snapshots["imported"] >= 100 and snapshots["nodes"] >= 200 and snapshots["gaps_flagged"] == 1
    assert snapshots["finalized_by_capture"] == snapshots["imported"]


def test_the_bonus_pool_is_split_exactly_and_the_leader_earned_most(demo: DemoRun) -> None:
    bonus = demo.figures["bonus"]
    amounts = {eth: int(amount) for eth, amount in bonus["sesh_by_eth"].items()}
    assert bonus["allocated_atomic"] == sum(amounts.values()) == bonus["pool_atomic"] == SESH_POOL
    leader = bonus["points_leader"]
    assert amounts[leader["eth_address"]] == max(amounts.values())
    assert f"Points leader    {leader['oxen_address'][:6]}" in demo.stdout


def test_each_credit_is_the_deposit_times_the_rate_rounded_down(demo: DemoRun) -> None:
    claims = demo.figures["claims"]
    circulating = claims["emission_atomic"] - claims["burned_atomic"] - claims["excluded_atomic"]
    assert claims["excluded_atomic"] == cast.OPTF_HOLDING and circulating == claims["circulating_atomic"]
    assert Fraction(claims["rate_num"], claims["rate_den"]) == Fraction(claims["pool_atomic"], circulating)
    deposits = claims["deposits"]
    assert [d["amount_oxen_atomic"] for d in deposits] == [amount for _, _, amount in cast.DEPOSITS]
    for deposit in deposits:
        assert deposit["sesh_atomic"] == deposit["amount_oxen_atomic"] * claims["rate_num"] // claims["rate_den"]
    assert claims["credited_atomic"] == sum(d["sesh_atomic"] for d in deposits)


def test_the_round_is_both_programs_and_its_root_is_the_one_on_chain(demo: DemoRun) -> None:
    figures = demo.figures
    round_ = figures["round"]
    accounts = set(figures["bonus"]["sesh_by_eth"]) | set(figures["claims"]["sesh_by_eth"])
    assert round_["count"] == len(accounts)
    assert round_["bonus_total_atomic"] == SESH_POOL
    assert round_["claims_total_atomic"] == figures["claims"]["credited_atomic"]
    assert round_["total_atomic"] == SESH_POOL + figures["claims"]["credited_atomic"]
    assert figures["verify"]["verify_round"].startswith(f"ok: root {round_['root']} matches merkleRoot of ")

    dump = Path(figures["verify"]["dump"]).read_bytes()
    assert hashlib.sha256(dump).hexdigest() == round_["dump_sha256"]
    assert StandardMerkleTree.load(dump).root_hex == round_["root"]
    lines = Path(figures["verify"]["csv"]).read_text().splitlines()
    amounts = "".join(",".join(line.split(",")[:2]) + "\n" for line in lines)
    assert StandardMerkleTree(read_csv(amounts)).root_hex == round_["root"]


def test_the_javascript_snippet_of_docs_verify_md_gives_the_same_root(demo: DemoRun) -> None:
    text = (REPO / "docs" / "verify.md").read_text()
    snippet = re.search(r"```js\n(.*?)```", text, re.DOTALL)
    assert snippet is not None, "docs/verify.md has a ```js block"
    done = subprocess.run(
        ["node", "--input-type=module", "-e", snippet.group(1), demo.figures["verify"]["dump"]],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == demo.figures["round"]["root"]


def test_the_payout_and_the_self_claim_paid_exactly_the_entitlements(demo: DemoRun) -> None:
    figures = demo.figures
    paid = 0
    for key, holder in (("payout", cast.PAYOUT_HOLDER), ("self_claim", cast.SELF_CLAIM_HOLDER)):
        result = figures[key]
        expected = int(figures["bonus"]["sesh_by_eth"].get(holder.eth_address, 0)) + int(
            figures["claims"]["sesh_by_eth"].get(holder.eth_address, 0))
        assert result["eth_address"] == holder.eth_address
        assert result["balance_atomic"] == result["entitled_atomic"] == expected > 0
        assert re.fullmatch(r"0x[0-9a-f]{64}", result["tx_hash"])
        paid += result["balance_atomic"]
    assert figures["self_claim"]["claims_atomic"] > 0, "Alice's entry holds both programs"
    verify = figures["verify"]
    assert verify["distributor_balance_atomic"] == verify["distributor_funded_atomic"] - paid

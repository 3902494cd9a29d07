"""`python manage.py demo` end to end, as a person runs it: exit 0, and figures that add up.

The demo runs once per module in a subprocess with `--serve` (its own anvil, simulator and SQLite
file in a temporary directory); the portal is visited once served, then the demo is stopped with
SIGTERM. The tests read its printed summary and `summary.json` and check them
against independent arithmetic: the bonus pool split exactly, each credit = floor(deposit ×
rate), the round = bonus + claims, balances = entitlements, and the root recomputed from the
published dump and CSV (in Python, and with OpenZeppelin's JavaScript library as docs/verify.md
shows) equal to the one `verify_round` read on chain.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import requests
from sesh_verify.cli import main as sesh_verify_main

from swap.core.merkle import StandardMerkleTree
from swap.core.merkle_values import read_csv
from swap.demo import cast
from swap.demo.environment import DEMO_MARKER, PRODUCTION_VARIABLES
from tests.demo_process import free_port_outside_the_ephemeral_range, read_until

pytestmark = [pytest.mark.chain, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
SESH_POOL = 30_000_000 * 10**9


class DemoRun:
    def __init__(self, stdout: str, returncode: int | None, directory: Path, served: dict[str, Any]) -> None:
        self.stdout, self.returncode, self.directory, self.served = stdout, returncode, directory, served
        summary = directory / "demo" / "summary.json"
        self.figures: dict[str, Any] = json.loads(summary.read_text()) if summary.exists() else {}


def _sesh_verify(*args: str) -> tuple[int, str, str]:
    """`sesh-verify ARGS` (the verifier from its source, as `pip install ./verifier` installs it): (exit, out, err)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = sesh_verify_main(list(args))
    return code, out.getvalue(), err.getvalue()


def _verify_bundle(base: str, directory: Path, anvil: str) -> dict[str, Any]:
    """A stranger downloads round 1's bundle and chain.json and runs the verifier, offline and on the demo's anvil."""
    bundle, chain = directory / "round-1.bundle.tar.gz", directory / "round-1.chain.json"
    bundle.write_bytes(requests.get(f"{base}/api/v1/rounds/1/bundle.tar.gz", timeout=60).content)
    chain.write_bytes(requests.get(f"{base}/api/v1/rounds/1/chain.json", timeout=30).content)
    online = _sesh_verify(str(bundle), "--chain", str(chain), "--rpc", anvil)
    return {"offline": _sesh_verify(str(bundle)), "rpc": online, "chain": json.loads(chain.read_bytes())}


def _visit(base: str) -> dict[str, Any]:
    """What a person sees on the served portal: pages, the API, and the admin with the printed login."""
    pages = {path: requests.get(base + path, timeout=30).status_code
             for path in ("/", "/register/", "/bonus/", "/claims/", "/api/v1/rounds/", "/admin/login/")}
    proof = requests.get(f"{base}/api/v1/proofs/{cast.PAYOUT_HOLDER.eth_address}/", timeout=30).json()
    session = requests.Session()
    session.get(f"{base}/admin/login/", timeout=30)
    login = session.post(f"{base}/admin/login/?next=/admin/", timeout=30, data={
        "username": "demo", "password": "demo-local-only", "next": "/admin/",
        "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    return {"pages": pages, "proof": proof, "admin": (login.status_code, "Site administration" in login.text)}


def _visit_or_error(base: str) -> dict[str, Any]:
    """`_visit`, or the error as a value, so a failed visit fails its test with a reason."""
    try:
        return _visit(base)
    except (requests.RequestException, KeyError, ValueError) as error:
        return {"error": repr(error)}


def _served_demo(directory: Path, *extra: str, visit: Any = None) -> Iterator[DemoRun]:
    """`manage.py demo --serve EXTRA` (tasks in-process), visited once served, then stopped with SIGTERM."""
    environ = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES and k != DEMO_MARKER}
    port = free_port_outside_the_ephemeral_range()
    command = [sys.executable, "manage.py", "demo", "--dir", str(directory), "--serve", "--no-celery",
               "--port", str(port), *extra]
    process = subprocess.Popen(command, cwd=REPO, env=environ, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    try:
        stdout = read_until(process, "Logs ")
        served = _visit_or_error(f"http://127.0.0.1:{port}") if "== Serving the demo" in stdout else {}
        anvil = re.search(r"anvil (http://127\.0\.0\.1:\d+)", stdout)
        if "pages" in served and anvil is not None and visit is not None:
            try:
                served.update(visit(f"http://127.0.0.1:{port}", directory, anvil.group(1)))
            except (requests.RequestException, ValueError) as error:
                served["visit_error"] = repr(error)
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=60)
        yield DemoRun(stdout + rest, process.returncode, directory, served)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _verifier(base: str, directory: Path, anvil: str) -> dict[str, Any]:
    return {"verifier": _verify_bundle(base, directory, anvil)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """`manage.py demo --serve` (tasks in-process), visited once served, then stopped with SIGTERM."""
    yield from _served_demo(tmp_path_factory.mktemp("demo"), visit=_verifier)


def _after_the_end(base: str, directory: Path, anvil: str) -> dict[str, Any]:
    """What a person sees once the program has ended: the banner, the API's end, the feed, the rounds."""
    home = requests.get(base + "/", timeout=30).text
    feed = requests.get(base + "/announcements.atom", timeout=30)
    rounds = requests.get(base + "/api/v1/rounds/", timeout=30).json()
    return {"home": home, "feed": (feed.status_code, feed.headers.get("Content-Type", ""), feed.text),
            "rounds": rounds}


@pytest.fixture(scope="module")
def demo_until_end(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """`manage.py demo --serve --until-end`: the whole life, then served."""
    yield from _served_demo(tmp_path_factory.mktemp("demo-end"), "--until-end", visit=_after_the_end)


def test_it_exits_0_with_progress_and_a_summary(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stdout[-3000:]
    for step in range(1, 12):
        assert f"[{step:>2}/11]" in demo.stdout
    assert "== Demo summary" in demo.stdout and "Admin login      demo / demo-local-only" in demo.stdout
    assert (demo.directory / "demo.sqlite3").exists() and (demo.directory / "demo.env").exists()


def test_it_serves_the_portal_api_and_admin_until_stopped(demo: DemoRun) -> None:
    assert "pages" in demo.served, demo.served or demo.stdout[-2000:]
    assert demo.served["pages"] == dict.fromkeys(demo.served["pages"], 200)
    assert demo.served["proof"]["round_status"] == "active" and demo.served["proof"]["claimable"] is False
    assert demo.served["admin"] == (200, True), "the printed demo login opens the admin"
    assert "Stopping the demo" in demo.stdout
    anvil = re.search(r"anvil (http://127\.0\.0\.1:\d+)", demo.stdout)
    assert anvil is not None
    with pytest.raises(requests.ConnectionError):
        requests.post(anvil.group(1), json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=5)


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


def test_the_standalone_verifier_recomputes_the_demo_round_offline_and_on_its_chain(demo: DemoRun) -> None:
    verifier = demo.served.get("verifier", {})
    assert "offline" in verifier, verifier or demo.stdout[-2000:]
    code, out, err = verifier["offline"]
    assert code == 0, err
    root = demo.figures["round"]["root"]
    assert out.startswith("sesh-verify: round 1 (cut-off ") and f"root {root}" in out.splitlines()[0]
    assert "(offline: add --rpc URL to check the chain)" in out
    code, out, err = verifier["rpc"]
    assert code == 0, err
    assert verifier["chain"]["proposing"]["tx_hash"] == demo.figures["round"]["propose_tx"]
    assert verifier["chain"]["activating"]["tx_hash"] == demo.figures["round"]["activate_tx"]
    assert f"root published by {verifier['chain']['distributor']} in block {demo.figures['round']['activate_block']}" \
        in out
    assert "it is the distributor's merkleRoot" in out


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


def test_plain_demo_stops_before_the_end_so_its_portal_keeps_claimable_accounts(demo: DemoRun) -> None:
    assert "closing" not in demo.figures and "program_end" not in demo.figures
    assert demo.served["proof"]["program_end"] is None


def test_until_end_lives_the_whole_program_and_the_books_close(demo_until_end: DemoRun) -> None:
    run = demo_until_end
    assert run.returncode == 0, run.stdout[-3000:]
    for step in range(1, 16):
        assert f"[{step:>2}/15]" in run.stdout
    closing = run.figures["closing"]
    assert set(closing) >= {"pool_atomic", "paid_atomic", "withheld_atomic", "remainder_atomic", "reward_pool",
                            "remainder_tx", "unclaimed_accounts"}
    assert closing["pool_atomic"] == closing["paid_atomic"] + closing["withheld_atomic"] + closing["remainder_atomic"]
    assert closing["pool_atomic"] == run.figures["contracts"]["funded_atomic"] == 2 * SESH_POOL
    paid = run.figures["payout"]["balance_atomic"] + run.figures["self_claim"]["balance_atomic"]
    assert closing["paid_atomic"] == paid and closing["withheld_atomic"] == 0
    assert re.fullmatch(r"0x[0-9a-f]{64}", closing["remainder_tx"])
    report = json.loads(Path(closing["report"]).read_text())
    assert report["closing"]["balanced"] is True and report["closing"]["withdrawal"]["tx_hash"] == closing[
        "remainder_tx"]
    rows = Path(closing["unclaimed_csv"]).read_text().splitlines()[1:]
    unclaimed = [row for row in rows if int(row.split(",")[3]) > 0]
    assert closing["unclaimed_accounts"] == len(unclaimed) == run.figures["round"]["count"] - 2
    assert sum(int(row.split(",")[3]) for row in rows) == run.figures["final_round"]["total_atomic"] - paid
    assert sum(int(row.split(",")[4]) + int(row.split(",")[5]) for row in rows) == sum(
        int(row.split(",")[3]) for row in rows)
    assert "Program end      pool" in run.stdout


def test_until_end_serves_a_closed_program(demo_until_end: DemoRun) -> None:
    served = demo_until_end.served
    assert "home" in served, served or demo_until_end.stdout[-2000:]
    assert "The program ended" in served["home"] and "Staking Reward Pool" in served["home"]
    status, content_type, feed = served["feed"]
    assert status == 200 and content_type.startswith("application/atom+xml") and feed.count("<entry>") == 1
    end = served["proof"]["program_end"]
    assert end["closed"] is True and end["ended"] is True and all(r["program_end"] == end for r in served["rounds"])
    assert [r["round"] for r in served["rounds"]] == [2, 1] and served["rounds"][0]["status"] == "active"

"""Production settings, as the environment template sets them, pass `check --deploy` with no warning in
every deployed process, and a process missing a setting it needs stops at start with one line naming it."""

import subprocess
import sys
from pathlib import Path

import pytest

from swap.prodsmoke.envfile import fill_in, read_template
from swap.production import EVERY_PROCESS_REQUIRES, PROCESS_REQUIRES, missing_process_setting

REPO = Path(__file__).resolve().parents[2]
ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's example: a shape, no contract
# What an operator fills in on the server (never in the template), here with values that are no one's.
FILLED = {
    "DATABASE_URL": "postgres://swap_worker@127.0.0.1:5432/swap_not_used_by_check",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", "REDIS_URL": "redis://127.0.0.1:6379/1",
    "SECRET_KEY": "only-for-this-test-3fK9qZ2xV7mB1nC8dL4pR6tY0wE5uI3oA9sD2fG7hJ1k",
    "OXEND_RPC_URL": "http://10.0.0.5:22023", "OXEN_WALLET_RPC_URL": "http://10.0.0.6:18083",
    "L2_RPC_URL": "https://l2.example.org", "WATCHDOG_RPC_URL": "https://l2-other.example.org",
    "L2_DISTRIBUTOR_ADDRESS": ADDRESS, "L2_TOKEN_ADDRESS": ADDRESS, "L2_SAFE_ADDRESS": ADDRESS,
}


def unit_environ(process: str, tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """What systemd gives the unit of `process`: a plain PATH, the filled-in file, the unit's own lines."""
    environ = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **fill_in(read_template(), FILLED),
               "SWAP_PROCESS": process}
    key = tmp_path / "key"
    key.write_text("0x" + "ab" * 32)
    if process == "worker-l2":
        environ["L2_SIGNER_KEY_FILE"] = str(key)
    if process == "watchdog":
        environ["WATCHDOG_SIGNER_KEY_FILE"] = str(key)
    for name, value in changes.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return environ


def manage(*arguments: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *arguments], cwd=REPO, env=environ, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("process", sorted(PROCESS_REQUIRES))
def test_every_process_passes_check_deploy_with_no_warning(process, tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", environ=unit_environ(process, tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("process", "dropped"), [
    ("web", "TRUSTED_PROXY_COUNT"), ("web", "REDIS_URL"), ("worker", "OXEND_RPC_URL"),
    ("worker-l2", "L2_SIGNER_KEY_FILE"), ("beat", "CELERY_BROKER_URL"), ("watchdog", "WATCHDOG_SIGNER_KEY_FILE"),
])
def test_a_missing_setting_stops_the_process_with_one_line_naming_it(process, dropped, tmp_path):
    result = manage("check", environ=unit_environ(process, tmp_path, **{dropped: None}))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and dropped in lines[0] and f"SWAP_PROCESS={process}" in lines[0], result.stderr


@pytest.mark.slow
def test_an_empty_database_url_is_missing_not_the_embedded_default(tmp_path):
    """An empty DATABASE_URL would run SQLite: a deployed process refuses instead."""
    result = manage("check", environ=unit_environ("web", tmp_path, DATABASE_URL=""))
    assert result.returncode == 1 and "DATABASE_URL is not set" in result.stderr


@pytest.mark.parametrize("process", sorted(PROCESS_REQUIRES))
def test_every_requirement_of_every_process_is_named_when_missing(process, tmp_path):
    complete = unit_environ(process, tmp_path)
    assert missing_process_setting(process, complete) is None
    for requirement in EVERY_PROCESS_REQUIRES + PROCESS_REQUIRES[process]:
        names = [name.strip() for name in requirement.split("|")]
        problem = missing_process_setting(process, {k: v for k, v in complete.items() if k not in names})
        assert problem is not None and all(name in problem for name in names), requirement
        if len(names) > 1:  # either one will do
            assert missing_process_setting(process, {**complete, names[0]: "", names[1]: "set"}) is None


def test_zero_is_a_value_and_an_unknown_process_is_refused(tmp_path):
    assert missing_process_setting("web", unit_environ("web", tmp_path, TRUSTED_PROXY_COUNT="0")) is None
    assert "SWAP_PROCESS is 'scheduler'" in missing_process_setting("scheduler", {})

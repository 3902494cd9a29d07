"""scripts/prod_smoke.py, stopped by SIGTERM once its topology runs, exits 1 with one line and leaves no
process behind: a failing or cancelled CI job never leaks a gunicorn, a worker or an nginx."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swap.prodsmoke.envfile import read_env_file

REPO = Path(__file__).resolve().parents[2]


def processes_mentioning(text: str) -> list[str]:
    """Our processes whose command line or environment names `text` (the run's directory)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if text in cmdline or text in environ:
            found.append(f"{proc.name}: {cmdline[:120]}")
    return found


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_sigterm_stops_the_whole_topology_with_one_line(tmp_path):
    directory = tmp_path / "smoke"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
    run = subprocess.Popen([sys.executable, "scripts/prod_smoke.py", "--dir", str(directory)], cwd=REPO, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while not (directory / "nginx" / "nginx.conf").exists():  # written once every unit has started
            assert run.poll() is None, run.stderr.read() if run.stderr else ""
            assert time.monotonic() < deadline, "the units did not start within 300 s"
            time.sleep(0.5)
        assert processes_mentioning(str(directory)), "the units should be running now"
        run.send_signal(signal.SIGTERM)
        _, stderr = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 1
    assert stderr.strip().splitlines()[-1].startswith("prod-smoke FAILED: stopped by SIGTERM"), stderr
    assert processes_mentioning(str(directory)) == []
    settings = read_env_file(directory / "etc" / "swap.env")
    for address in (settings["WEB_BIND"], settings["L2_RPC_URL"].removeprefix("http://")):
        host, port = address.split(":")
        with pytest.raises(OSError):  # nothing listens there any more: gunicorn and anvil are gone
            socket.create_connection((host, int(port)), timeout=2).close()

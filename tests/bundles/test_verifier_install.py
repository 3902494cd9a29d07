"""`pip install ./verifier` into a fresh virtual environment gives a working `sesh-verify` built from swap/core itself.

Slow (a venv and a build from the package index). The installed command is run outside the
repository, on a real round's bundle: it must pass, name a broken record, and import the very
files of `swap/core` (the installed copies equal the repository's, byte for byte), and no Django.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from swap.core import oxen_signature
from tests.bundles.conftest import FrozenRound

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("verifier-venv")
    venv.create(home, with_pip=True)
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run([str(home / "bin" / "python"), "-m", "pip", "install", "--quiet", str(REPO / "verifier")],
                          cwd=home, env=environ, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return home


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run([str(home / "bin" / "sesh-verify"), *args], cwd=home, env=environ, capture_output=True,
                          text=True, timeout=300)


def test_the_installed_command_verifies_a_real_round(installed: Path, frozen_round: FrozenRound) -> None:
    bundle = installed / "round-1.bundle.tar.gz"
    bundle.write_bytes(frozen_round.archive)
    done = run(installed, str(bundle))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("ok: every published amount recomputed from the bundle")


def test_the_installed_command_names_a_broken_record_and_exits_1(installed: Path, frozen_round: FrozenRound) -> None:
    data = bytearray(frozen_round.archive)
    data[len(data) // 2] ^= 0xFF
    bundle = installed / "damaged.tar.gz"
    bundle.write_bytes(bytes(data))
    done = run(installed, str(bundle))
    assert done.returncode == 1 and done.stdout == ""
    # Either the archive no longer unpacks, or a file no longer matches its digest: one line either way.
    assert done.stderr.startswith(("error: ", "FAILED files: ")) and done.stderr.count("\n") == 1


def test_it_runs_the_repository_s_swap_core_files_and_no_django(installed: Path) -> None:
    python = installed / "bin" / "python"
    script = ("import importlib, pathlib, sys, swap.core, sesh_verify.checks\n"
              "from swap.core.oxen_signature import COMMITMENT_BACKEND\n"
              "root = pathlib.Path(swap.core.__file__).parent\n"
              "print(root)\n"
              "print(COMMITMENT_BACKEND)\n"
              "frameworks = {'django', 'celery', 'web3', 'rest_framework'}\n"
              "print(sorted({m.split('.')[0] for m in sys.modules} & frameworks))\n")
    done = subprocess.run([str(python), "-c", script], cwd=installed, capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert done.returncode == 0, done.stderr
    root, backend, loaded = done.stdout.splitlines()
    assert Path(root).is_relative_to(installed) and loaded == "[]"
    # The wheel compiles the native SigV1 commitment where `make install` could (a C compiler is here).
    assert backend == oxen_signature.COMMITMENT_BACKEND
    sources = sorted(p.name for p in (REPO / "swap" / "core").glob("*.py"))
    assert sorted(p.name for p in Path(root).glob("*.py")) == sources
    for name in sources:
        assert (Path(root) / name).read_bytes() == (REPO / "swap" / "core" / name).read_bytes(), name
    assert sys.version_info >= (3, 11)

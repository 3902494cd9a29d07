"""The pure core imports no framework, so anyone can reuse it to recompute what was published."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PURE_MODULES = [
    "swap.core.keccak", "swap.core.base58", "swap.core.oxen_address", "swap.core.oxen_signature",
    "swap.core.service_node_keys", "swap.core.eth_address", "swap.core.merkle", "swap.core.split",
    "swap.core.bonus_allocation", "swap.core.claims_allocation", "swap.core.snapshot_format",
    "swap.core.payload_codec", "swap.core.registration_text", "swap.core.bundle_format", "swap.core.snapshot_reading",
    "swap.core.stake_changes",
]


def test_importing_the_pure_core_loads_no_django_celery_or_web3():
    script = (
        "import importlib, sys\n"
        f"for name in {PURE_MODULES!r}: importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'celery', 'web3', 'rest_framework'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

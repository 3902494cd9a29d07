"""Every third-party module the code imports is pinned by name in requirements*.txt.

A module that only arrives as somebody else's dependency (web3 brings `eth_utils` today) can
vanish or change with that package's next release; what tests and benches import is declared in
requirements-dev.txt, what the service imports in requirements.txt.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUNTIME = ["swap", "bonuses", "claims", "manage.py", "scripts"]
DEVELOPMENT = ["tests", "bench"]


def pinned(*files: str) -> set[str]:
    names = set()
    for name in files:
        for line in (REPO / name).read_text().splitlines():
            match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==", line.strip())
            if match:
                names.add(canonical(match.group(1)))
    return names


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_top_levels(paths: list[str]) -> dict[str, str]:
    """Top-level module -> one file importing it (absolute imports only)."""
    found: dict[str, str] = {}
    for entry in paths:
        root = REPO / entry
        files = [root] if root.is_file() else root.rglob("*.py")
        for path in files:
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(REPO)))
    return found


def is_local(module: str) -> bool:
    return module in sys.stdlib_module_names or any(
        (REPO / where / f"{module}.py").exists() or (REPO / where / module).is_dir()
        # the repository's own packages: the project, its tests, the standalone verifier (`verifier/`) and
        # the scripts tests import (`scripts/forge_coverage.py`)
        for where in [".", "tests", "verifier", "scripts",
                      *[str(p.relative_to(REPO)) for p in (REPO / "tests").iterdir() if p.is_dir()]]
    ) or module.startswith("_sigv1_native")


@pytest.mark.parametrize(("paths", "requirements"), [
    (RUNTIME, ("requirements.txt",)),
    (DEVELOPMENT, ("requirements.txt", "requirements-dev.txt")),
], ids=["service", "tests-and-benches"])
def test_every_imported_distribution_is_pinned(paths, requirements):
    distributions = packages_distributions()
    declared = pinned(*requirements)
    missing = {}
    for module, where in imported_top_levels(paths).items():
        if is_local(module) or module == "__future__":
            continue
        owners = {canonical(name) for name in distributions.get(module, [])}
        assert owners, f"{module} (imported by {where}) belongs to no installed distribution"
        if not owners & declared:
            missing[module] = (sorted(owners), where)
    assert not missing, f"imported but not pinned in {', '.join(requirements)}: {missing}"

"""The layers hold: no import cycle anywhere in the project, and every module has a declared layer.

`lint-imports` (run by `make lint`) checks the contracts in pyproject.toml; these tests add what the
contracts cannot say. An import cycle counts even when one of its imports sits inside a function:
a lazy import only hides a cycle from the interpreter, and grimp reads every import statement of a
module, wherever it is. Database-independent: `make test` runs this file once, in the first pass.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import grimp
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
IMPORTLINTER = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
ROOT_PACKAGES: list[str] = IMPORTLINTER["root_packages"]


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every import cycle among the graph's modules, each once, as `a -> b -> ... -> a`.

    A direct import a -> b closes a cycle exactly when b reaches a back; the shortest way back
    names the cycle. Cycles through the same modules are reported once.
    """
    cycles: dict[frozenset[str], list[str]] = {}
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported == importer:
                continue
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                cycle = [importer, *back]
                cycles.setdefault(frozenset(cycle), cycle)
    return list(cycles.values())


def layered_modules() -> set[str]:
    """Every module named in a layer of the layers contract (optional ones included)."""
    (contract,) = [c for c in IMPORTLINTER["contracts"] if c["type"] == "layers"]
    return {name.strip().strip("()") for layer in contract["layers"] for name in re.split(r"[|:]", layer)}


@pytest.fixture(scope="module")
def project_graph() -> grimp.ImportGraph:
    return grimp.build_graph(*ROOT_PACKAGES, cache_dir=None)


def test_the_project_has_no_import_cycle(project_graph):
    cycles = import_cycles(project_graph)
    assert not cycles, "import cycles (break them by design, see CONTRIBUTING.md):\n" + "\n".join(
        " -> ".join(cycle) for cycle in cycles
    )


def test_the_graph_is_the_whole_project(project_graph):
    # A graph that missed the programs would find no cycle and place nothing.
    for module in ("swap.chain.outbox", "swap.distributions.tasks", "bonuses.services.capture", "claims.tasks"):
        assert module in project_graph.modules


def test_it_finds_a_cycle_hidden_inside_a_function(tmp_path, monkeypatch):
    package = tmp_path / "cycle_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "outbox.py").write_text("def send():\n    from cycle_probe.replacements import cancel\n    cancel()\n")
    (package / "replacements.py").write_text("from cycle_probe.outbox import send\n\n\ndef cancel():\n    send()\n")
    (package / "tracking.py").write_text("from cycle_probe import outbox, replacements\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    cycles = import_cycles(grimp.build_graph("cycle_probe", cache_dir=None))

    assert cycles == [["cycle_probe.outbox", "cycle_probe.replacements", "cycle_probe.outbox"]]


def test_it_finds_no_cycle_in_one_direction(tmp_path, monkeypatch):
    package = tmp_path / "layered_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("VALUE = 1\n")
    (package / "high.py").write_text("def read():\n    from layered_probe.low import VALUE\n    return VALUE\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    assert import_cycles(grimp.build_graph("layered_probe", cache_dir=None)) == []


def test_every_module_has_a_layer(project_graph):
    # A module no layer names is checked by nothing; place it (CONTRIBUTING.md, "Adding a module").
    named = layered_modules()
    expected = set(project_graph.find_children("swap")) | (set(ROOT_PACKAGES) - {"swap"})
    assert sorted(expected - named) == []


def test_the_layers_name_only_modules_that_exist(project_graph):
    (contract,) = [c for c in IMPORTLINTER["contracts"] if c["type"] == "layers"]
    optional = {m.group(1) for layer in contract["layers"] for m in re.finditer(r"\(([\w.]+)\)", layer)}
    assert sorted(layered_modules() - optional - set(project_graph.modules)) == []

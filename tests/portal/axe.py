"""axe-core (the npm package pinned in package.json) run on a page, under the page's own CSP.

The script is read from node_modules and evaluated through the DevTools protocol
(`page.evaluate`), which the page's Content-Security-Policy does not govern: nothing is added to
the document and the policy is not loosened for the test. A page passes with zero violations of
impact serious or critical and zero "incomplete" (needs review) results of impact critical.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_VIOLATIONS = ("serious", "critical")
BLOCKING_INCOMPLETE = ("critical",)


@cache
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `make install` (npm ci installs axe-core)")
    return AXE_SCRIPT.read_text()


def run_axe(page: Any) -> dict[str, Any]:
    """axe's full result for the current document (WCAG 2.x A and AA rules and best practices)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return dict(page.evaluate("axe.run(document, {resultTypes: ['violations', 'incomplete']})"))


def _describe(result: dict[str, Any]) -> str:
    targets = [" ".join(map(str, node["target"])) for node in result["nodes"][:5]]
    return f"{result['id']} ({result['impact']}): {result['help']} at {targets}"


def blocking_findings(results: dict[str, Any]) -> list[str]:
    """The violations and needs-review results that fail a page, one readable line each."""
    violations = [r for r in results["violations"] if r["impact"] in BLOCKING_VIOLATIONS]
    incomplete = [r for r in results["incomplete"] if r["impact"] in BLOCKING_INCOMPLETE]
    return [_describe(r) for r in violations] + ["needs review: " + _describe(r) for r in incomplete]


def assert_accessible(page: Any, where: str) -> None:
    findings = blocking_findings(run_axe(page))
    assert findings == [], f"axe on {where}:\n" + "\n".join(findings)

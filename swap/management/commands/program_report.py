"""`manage.py program_report [--out DIR]`: the closing report an auditor signs, as JSON, plain HTML and CSV.

Writes `program-report.json`, `program-report.html` (no PDF, no script) and `unclaimed.csv`
(eth_address, entitled, paid, unclaimed, each program's unclaimed part, last activity) into DIR (default: the current
directory). Paid and the remainder are read from the chain's events, entitlements from the
latest round's published dump, so anyone with the round files and a node gets the same figures
(`swap.overview.closing`). Exit 1 with one line if the books do not balance, after writing them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.template.loader import render_to_string

from swap.chain.client import get_client
from swap.chain.errors import ChainError
from swap.chain.program_end import ProgramEndError
from swap.core.csv_writer import csv_text
from swap.overview.closing import UNCLAIMED_HEADER, chain_report

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "swap" / "program_report.css"


class Command(BaseCommand):
    help = "Write the program's closing report (JSON, HTML) and the unclaimed accounts (CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=".", help="directory for the report's files")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        try:
            report = chain_report(get_client())
        except (ChainError, ProgramEndError) as error:
            self.stderr.write(f"error: {error}", style_func=str)
            sys.exit(1)
        (out / "program-report.json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
        (out / "program-report.html").write_text(render_to_string("swap/program_report.html", {"report": report}))
        # The page's style beside it (no inline style in any template of ours: tests/test_content_security_policy.py).
        (out / "program-report.css").write_bytes(STYLESHEET.read_bytes())
        (out / "unclaimed.csv").write_text(csv_text(UNCLAIMED_HEADER, report["unclaimed"]["rows"]))
        closing = report["closing"]
        self.stdout.write(f"pool {closing['pool_atomic']} = paid {closing['paid_atomic']} + withheld "
                          f"{closing['withheld_atomic']} + remainder {closing['remainder_atomic']}: "
                          f"{'balanced' if closing['balanced'] else 'MISMATCH by ' + closing['difference_atomic']}; "
                          f"{report['unclaimed']['accounts']} account(s) unclaimed; files in {out}")
        if not closing["balanced"]:
            self.stderr.write(f"error: the books do not balance: off by {closing['difference_atomic']} atomic SESH",
                              style_func=str)
            sys.exit(1)

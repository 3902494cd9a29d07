"""`manage.py claims_ledger [--format csv|json]`: one row per credited deposit, in credit order.

Columns: claim_id,eth_address,oxen_txid,amount_oxen_atomic,rate_num,rate_den,multiplier,sesh_atomic,
credited_height (see `claims.services.ledger`). CSV has that header line; JSON is a list of objects
with the same keys, integers written as strings (they exceed 2^53, which JavaScript cannot hold).
stderr: the row count and the totals.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from claims.services.ledger import LEDGER_COLUMNS, ledger_rows
from swap.core.csv_writer import CsvWriter


class Command(BaseCommand):
    help = "Print the Oxen Coin Claims ledger: one row per credited deposit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=("csv", "json"), default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        count = oxen = sesh = 0
        if options["format"] == "csv":
            writer = CsvWriter(self.stdout)
            writer.row(LEDGER_COLUMNS)
            for row in ledger_rows():
                writer.row([row[column] for column in LEDGER_COLUMNS])
                count, oxen, sesh = count + 1, oxen + row["amount_oxen_atomic"], sesh + row["sesh_atomic"]
        else:
            rows = []
            for row in ledger_rows():
                rows.append({column: str(row[column]) for column in LEDGER_COLUMNS})
                count, oxen, sesh = count + 1, oxen + row["amount_oxen_atomic"], sesh + row["sesh_atomic"]
            self.stdout.write(json.dumps(rows, indent=1))
        self.stderr.write(f"{count} credited deposits, {oxen} atomic OXEN, {sesh} atomic SESH")

"""`manage.py merkle_root --csv FILE [--dump OUT.json]`: the Merkle root of a distribution CSV.

Lets an operator, an auditor or a holder recompute a round's root from its published
`address,amount` CSV (one header line) and write the `standard-v1` dump that OpenZeppelin's
JavaScript library loads. Prints the root (`0x…`) and exits 0; a bad file gives one line
`error: <reason>` on stderr, naming the line, and exit 1. A thin wrapper over
`swap.core.merkle_values.read_csv` and `swap.core.merkle.StandardMerkleTree`.
"""

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from swap.core.merkle import StandardMerkleTree
from swap.core.merkle_values import MerkleInputError, read_csv


class Command(BaseCommand):
    help = (
        "Print the OpenZeppelin standard Merkle root of an address,amount CSV (with a header line); "
        "--dump writes its standard-v1 JSON. A bad file prints 'error: <reason>' and exits 1."
    )
    requires_system_checks: list[str] = []  # a pure tool: no database, no deployment settings needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, help="the address,amount file (UTF-8, one header line)")
        parser.add_argument("--dump", help="also write the standard-v1 dump (JSON) to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["csv"])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            self._fail(f"cannot read {path}: {error.strerror or 'unreadable'}")
        except UnicodeDecodeError as error:
            self._fail(f"{path} is not UTF-8 text (byte {error.start})")
        try:
            tree = StandardMerkleTree(read_csv(text))
        except MerkleInputError as error:
            self._fail(f"{path}: {error}")
        if options["dump"] is not None:
            self._write_dump(Path(options["dump"]), tree.dumps())
        self.stdout.write(tree.root_hex)

    def _write_dump(self, path: Path, text: str) -> None:
        """Write through a temporary file and rename, so a reader never sees half a dump."""
        partial = path.with_name(path.name + ".partial")
        try:
            partial.write_text(text, encoding="ascii")
            os.replace(partial, path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            self._fail(f"cannot write {path}: {error.strerror or 'unwritable'}")

    def _fail(self, reason: str) -> NoReturn:
        self.stderr.write(f"error: {reason}", style_func=str)
        sys.exit(1)

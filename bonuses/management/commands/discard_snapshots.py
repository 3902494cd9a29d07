"""`manage.py discard_snapshots --from-height H --reason TEXT`: drop provisional snapshots from H up.

For an operator after capture reported a block-hash mismatch it would not resolve by itself.
Final snapshots are never discarded; what is discarded is recorded in a `snapshot:discarded`
audit event together with the reason.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bonuses.services.provisional import FinalSnapshotConflict, discard_snapshots_from


class Command(BaseCommand):
    help = "Discard the provisional snapshots at and above a height, with everything derived from them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from-height", type=int, required=True, metavar="H")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            heights = discard_snapshots_from(
                options["from_height"], reason=options["reason"], actor=f"command:{getpass.getuser()}"
            )
        except FinalSnapshotConflict as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"discarded {len(heights)} snapshots" + (f": {heights[0]}…{heights[-1]}" if heights else ""))

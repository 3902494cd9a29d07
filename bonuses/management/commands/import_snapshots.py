"""`manage.py import_snapshots PATH...`: store recorded get_service_nodes results, idempotently.

Every file is checked before anything is written (see `bonuses.services.imports`); a bad file
stops the import with one line naming it and a non-zero exit. Progress goes to stderr.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bonuses.management.progress import ProgressBar
from bonuses.services.imports import SnapshotFileError, expand_paths, import_file, plan_import
from swap.core.snapshot_format import SnapshotFormatError


class Command(BaseCommand):
    help = "Import recorded get_service_nodes results (files or directories of *.json), in height order."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[str] = options["paths"]
        try:
            count = len(expand_paths(paths))
            checking = ProgressBar(self.stderr, count, "checking ")
            plan = plan_import(paths, on_file=checking.advance)
            checking.finish()
        except SnapshotFileError as error:
            self.stderr.write("")
            raise CommandError(str(error)) from None
        importing = ProgressBar(self.stderr, len(plan.to_import), "importing")
        stored = 0
        for planned in plan.to_import:
            try:
                outcome = import_file(planned, actor="command:import_snapshots")
            except (SnapshotFileError, SnapshotFormatError, ValueError) as error:
                self.stderr.write("")
                raise CommandError(f"{planned.path}: {error} ({stored} earlier files were stored)") from None
            stored += int(outcome.created)
            importing.advance()
        importing.finish()
        self.stdout.write(
            f"imported {stored} snapshots, {len(plan.already_stored)} already stored"
            + (f", latest height {plan.to_import[-1].height}" if plan.to_import else "")
        )

"""Writing command rows as CSV or JSON on stdout, integers exact."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import astuple
from typing import Any

from django.core.management.base import OutputWrapper

from swap.core.csv_writer import CsvWriter


def write_rows(stdout: OutputWrapper, fields: Sequence[str], rows: Sequence[Any], fmt: str) -> None:
    """CSV with a header line; or a JSON array of objects whose integers are strings (> 2^53)."""
    if fmt == "json":
        objects = [{name: str(value) for name, value in zip(fields, astuple(row), strict=True)} for row in rows]
        stdout.write(json.dumps(objects, indent=1))
        return
    writer = CsvWriter(stdout)
    writer.row(fields)
    for row in rows:
        writer.row(astuple(row))

"""The service's one CSV writer: admin exports, the published round files, command output.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (and some also after a
tab or carriage return), and anonymous visitors choose some of what the admin exports (the
Oxen address a refused registration submitted becomes an audit event's subject). Following
OWASP's CSV-injection rule, such a cell is written with a leading `'`, which spreadsheets show
as text; a number (`-5`, `+1.5e3`) is left as it is. Published files hold only addresses, hex
and non-negative integers, so their bytes never change (a test pins their sha256s).

Cells: `None` is empty; dicts and lists are JSON (not Python's repr); everything else is its
`str`. Lines end with `\\n`, quoting is the csv module's minimal quoting.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class TextSink(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralised(text: str) -> str:
    """`text`, with a leading `'` if a spreadsheet would read it as a formula."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def cell_text(value: object) -> str:
    """What one cell holds for `value` (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return neutralised(json.dumps(value, ensure_ascii=False))
    return neutralised(str(value))


class CsvWriter:
    """Rows of cells to any text sink (a file, a command's stdout, a buffer)."""

    def __init__(self, sink: TextSink) -> None:
        self._writer = csv.writer(sink, lineterminator="\n")

    def row(self, values: Iterable[object]) -> Any:
        """Write one row; returns what the sink's `write` returned (the line, for `_Line`)."""
        return self._writer.writerow([cell_text(value) for value in values])


class _Line:
    """A sink whose `write` hands the line back, for streaming."""

    def write(self, text: str, /) -> str:
        return text


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The header line and one line per row, lazily (for `StreamingHttpResponse`)."""
    writer = CsvWriter(_Line())
    yield writer.row(header)
    for row in rows:
        yield writer.row(row)


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """The whole file as one string."""
    return "".join(csv_lines(header, rows))

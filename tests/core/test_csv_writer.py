"""The one CSV writer: formula-leading cells neutralised (OWASP), numbers kept, JSON as JSON."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from swap.core.csv_writer import cell_text, csv_lines, csv_text

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", ["=1+2", '=HYPERLINK("http://evil.example","x")', "=cmd|' /C calc'!A0", "+1+1",
                                  "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-", "+", "@", "-0x12", "+ 5", "-1e5x"])
def test_a_cell_starting_like_a_formula_is_prefixed_with_a_quote(text):
    assert cell_text(text) == "'" + text


@pytest.mark.parametrize("value", [-5, "-5", "+5", "-1.5", "+.5", "-1e-9", "1E+10", 0, 12_000_000_000_000_000_035,
                                   "-12000000000000000035"])
def test_numbers_stay_numbers(value):
    assert cell_text(value) == str(value)


@pytest.mark.parametrize("text", ["L5B9sh", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "true", "", " =1",
                                  "a=1", "registration:refused", "{\"a\": 1}"])
def test_other_text_is_left_as_it_is(text):
    assert cell_text(text) == text


def test_json_values_are_written_as_json_not_python_repr():
    assert cell_text({"ids": [1, 2], "ok": True, "none": None, "text": "=x"}) == \
        '{"ids": [1, 2], "ok": true, "none": null, "text": "=x"}'
    assert cell_text(["a"]) == '["a"]'


def test_none_is_empty_and_other_values_are_their_text():
    assert cell_text(None) == ""
    assert cell_text(True) == "True"
    assert cell_text(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02 03:04:05+00:00"


def test_rows_round_trip_through_a_reader_one_line_each():
    rows = [("=1+2", -3, {"k": "v,\"q\""}), ("multi\nline", None, "x")]
    text = csv_text(("a", "b", "c"), rows)
    assert text.endswith("\n") and "\r\n" not in text
    assert list(csv.reader(io.StringIO(text))) == [
        ["a", "b", "c"], ["'=1+2", "-3", '{"k": "v,\\"q\\""}'], ["multi\nline", "", "x"]]
    assert "".join(csv_lines(("a", "b", "c"), rows)) == text


def test_no_module_writes_csv_but_the_one_writer():
    writers = [path.relative_to(REPO) for root in ("swap", "bonuses", "claims")
               for path in (REPO / root).rglob("*.py")
               if "csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text()]
    assert writers == [Path("swap/core/csv_writer.py")]

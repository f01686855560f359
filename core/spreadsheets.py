"""Every CSV and XLSX file Twiza writes goes through here (docs/security.md 27: no formula injection).

A title, a name or a narrative typed by anyone (or imported from Kobo) may begin with `=`, `+`, `-`,
`@`, a tab or a carriage return; a spreadsheet program opening the file would run it as a formula
(`=HYPERLINK(…)` leaks data, `=cmd|…` runs a program). Such text is written with a leading single
quote, as OWASP advises, so that it reads as text in every program. Numbers stay numbers (a negative
number written as a number is not a formula). Nothing outside this module calls `csv.writer` or
`xlsxwriter.Workbook` (core/tests/test_spreadsheets.py checks the whole tree).
"""

import csv
import datetime as dt
import functools
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlsxwriter import Workbook
    from xlsxwriter.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KEPT_TYPES = (bool, int, float, Decimal, Fraction, dt.date, dt.time, dt.timedelta)


def cell(value) -> Any:
    """The value as it may be written in a cell: None, numbers and dates unchanged, anything else as
    text, with a single quote before a leading formula character."""
    if value is None or isinstance(value, KEPT_TYPES):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class CsvWriter:
    """`csv.writer` whose every cell goes through `cell` (writerow returns what the file's write did,
    so a streamed export can yield it)."""

    def __init__(self, out, **options) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row) -> Any:
        return self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out, **options) -> CsvWriter:
    return CsvWriter(out, **options)


@functools.cache
def _safe_worksheet_class() -> "type[Worksheet]":
    # xlsxwriter is imported on first use (about 0.1 s), like everywhere else in Twiza.
    from xlsxwriter.worksheet import Worksheet, convert_cell_args

    class SafeWorksheet(Worksheet):
        """A worksheet whose public write methods pass every value through `cell`. Formulas are never
        written from data: there is no `write_formula` call in Twiza."""

        @convert_cell_args
        def write(self, row, col, *args) -> int:
            return super().write(row, col, *_first_safe(args))

        @convert_cell_args
        def write_string(self, row, col, string, cell_format=None) -> int:
            return super().write_string(row, col, cell(string), cell_format)

        @convert_cell_args
        def write_row(self, row, col, data, cell_format=None) -> int:
            return super().write_row(row, col, [cell(v) for v in data], cell_format)

        @convert_cell_args
        def write_column(self, row, col, data, cell_format=None) -> int:
            return super().write_column(row, col, [cell(v) for v in data], cell_format)

    return SafeWorksheet


def _first_safe(args) -> tuple:
    return (cell(args[0]), *args[1:]) if args else args


def workbook(out, **options) -> "Workbook":
    """An `xlsxwriter.Workbook` whose sheets neutralise formulas and which never turns a string into a
    formula, a number or a link (xlsxwriter's conversions are off whatever the caller asks)."""
    import xlsxwriter

    options = {
        "in_memory": True,
        **options,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    book = xlsxwriter.Workbook(out, options)
    book.worksheet_class = _safe_worksheet_class()
    return book

"""A streaming reader of the first sheet of an XLSX file: rows of text, in bounded memory.

Kobo/ODK exports reach a million rows; a reader that loads the whole sheet (calamine, openpyxl's
normal mode) holds about 1 KB per row. An upload is hostile until read, so its XML parts are read by
an XML parser hardened against hostile XML (defusedxml: no DTD, no entity, no external reference),
streamed: the sheet and the shared strings through `iterparse`, each row or string let go once
read. What a hostile file could make big is bounded: each part's uncompressed size (read from the
zip's directory, and the zip stream never gives more), the bytes a row or a shared string may take,
the number of rows.

Shared strings, inline strings, rich text (phonetic runs left out), numbers, booleans, errors,
formula results, dates (from the cell's number format, 1900 or 1904 system), namespace prefixes
and cells that name no column are handled. Every value comes out as stripped text: numbers as
written (`1`, `2.5`), dates as `AAAA-MM-JJ`, date-times as `AAAA-MM-JJTHH:MM:SS`, booleans as
TRUE/FALSE.
"""

import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import ExpatError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CHUNK = 64 << 10  # bytes of XML handed to the parser at a time
# Bounds past which a file is damaged or hostile (a zip bomb, a row number in the billions).
LONGEST_ROW = 4 << 20  # bytes of XML one row (or one shared string) may take
MAX_ROWS = 1 << 20  # Excel's own limit: 1,048,576 rows
SMALL_PART = 16 << 20  # workbook.xml, its relations, styles.xml (uncompressed)
MAX_SHARED_STRINGS = 256 << 20
# Built-in number formats that are dates (ECMA-376 18.8.30, and the East Asian ones).
DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47}
DATE_FORMATS |= set(range(50, 59))
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
COLUMN = re.compile(r"[A-Z]{1,3}")


class BadWorkbook(Exception):
    pass


READING_ERRORS = (
    zlib.error,
    zipfile.BadZipFile,
    EOFError,
    csv.Error,
    UnicodeDecodeError,
    KeyError,
    ValueError,
    ParseError,
    ExpatError,
    DefusedXmlException,
)


class Rows:
    """An iterator of rows (lists of text) with `estimate`, the number of rows the file announces;
    a damaged file found while reading raises BadWorkbook."""

    def __init__(self, iterator: Iterator[list[str]], estimate: int = 0) -> None:
        self._iterator, self.estimate, self.first_row = iterator, estimate, 1

    def __iter__(self) -> "Rows":
        return self

    def __next__(self) -> list[str]:
        try:
            return next(self._iterator)
        except READING_ERRORS as error:
            raise BadWorkbook(str(error)) from error


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _escaped(match: re.Match) -> str:
    """An OOXML `_xHHHH_` escape; a NUL or half a surrogate pair, which no database stores, becomes �."""
    code = int(match[1], 16)
    return "\ufffd" if code == 0 or 0xD800 <= code <= 0xDFFF else chr(code)


class _Stop(Exception):
    """Raised by a handler once the rest of the part is not wanted."""


class _Part:
    """A part of the zip (the sheet, the shared strings) parsed as a stream, CHUNK bytes at a time, by
    defusedxml's expat parser (no DTD, no entity declaration, no external reference; an undefined
    entity is an error) calling the part's own `start` and `end`, which send the text they want to a
    list's `append`. What `end` finds (rows, strings) is taken in `found` after each chunk. More than LONGEST_ROW bytes read since the end
    of the last item (`mark`) is refused: one row that never ends, a text node of a gigabyte, is
    never held whole."""

    what = "part"

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.read, self.marked = stream, 0, 0
        self.found: list = []  # what was read (rows, strings), and the error that stopped the reading
        self.depth, self.done, self.in_phonetic = 0, False, 0
        self.parser = DefusedXMLParser(forbid_dtd=True).parser
        self.parser.ordered_attributes = False
        self.parser.StartElementHandler = self._root
        self.parser.EndElementHandler = self.end

    def feed(self) -> None:
        """Parse one more chunk (an empty one ends the document). An error ends the reading: it is
        put after what was found before it."""
        try:
            if self.read - self.marked > LONGEST_ROW:
                raise BadWorkbook(f"{self.what} too long")
            data = self.stream.read(CHUNK)
            self.read += len(data)
            self.parser.Parse(data, not data)
        except _Stop:
            return
        except (BadWorkbook, *READING_ERRORS) as error:
            self.found.append(error if isinstance(error, BadWorkbook) else BadWorkbook(str(error)))
            self.done = True
            return
        if not data:
            self.done = True

    def mark(self) -> None:
        self.marked = self.read

    def _root(self, name: str, attributes: dict) -> None:
        """The root element: its namespace (or none) is the one the part's names are read in."""
        self.names(name[: name.find("}") + 1])
        self.parser.StartElementHandler = self.start
        self.start(name, attributes)

    def names(self, ns: str) -> None:
        raise NotImplementedError

    def start(self, name: str, attributes: dict) -> None:
        raise NotImplementedError

    def end(self, name: str) -> None:
        raise NotImplementedError


class _SharedStrings(_Part):
    """The table's `<si>` items, each the text of its `<t>` or its runs' `<t>`, phonetic runs left out."""

    what = "shared string"

    def names(self, ns: str) -> None:
        self.item, self.t, self.phonetic = ns + "si", ns + "t", ns + "rPh"
        self.item_parts: list[str] = []

    def start(self, name: str, attributes: dict) -> None:
        self.depth += 1
        if name == self.t:
            if not self.in_phonetic:
                self.parser.CharacterDataHandler = self.item_parts.append
        elif name == self.item:
            self.item_parts = []
        elif name == self.phonetic:
            self.in_phonetic += 1

    def end(self, name: str) -> None:
        self.depth -= 1
        if name == self.t:
            self.parser.CharacterDataHandler = None
        elif name == self.item and self.depth == 1:  # <sst><si>
            self.found.append("".join(self.item_parts))
            self.item_parts = []
            self.mark()
        elif name == self.phonetic:
            self.in_phonetic -= 1


class _Sheet(_Part):
    """The rows of `<sheetData>` as lists of text, and `estimate`, the rows its `<dimension>` announces.

    The handlers are closures over the part's names and state (a million rows are ten million
    calls): the text of a `<v>` or an inline `<t>` goes straight to a list's `append`."""

    what = "row"

    def __init__(self, stream: IO[bytes], workbook: "Workbook") -> None:
        self.workbook, self.estimate, self.in_data = workbook, 0, False
        super().__init__(stream)

    def names(self, ns: str) -> None:  # noqa: C901, PLR0915 (one closure per handler, kept together)
        c_tag, v_tag, t_tag, row_tag = ns + "c", ns + "v", ns + "t", ns + "row"
        data_tag, dimension_tag, phonetic_tag = ns + "sheetData", ns + "dimension", ns + "rPh"
        strings, epoch, found, parser = self.workbook.strings, self.workbook.epoch, self.found, self.parser
        dates = {str(style) for style in self.workbook.dates}
        values: list[str] = []
        inline: list[str] = []
        columns: dict[str, int] = {}
        depth, phonetic, expected = 0, 0, 1  # rows absent from the file are empty rows, given as such
        row: list[str] | None = None
        cell: dict = {}

        def start(name: str, attributes: dict) -> None:
            nonlocal depth, cell, phonetic
            depth += 1
            if name == c_tag:
                cell = attributes
                values.clear()
                inline.clear()
            elif name == v_tag:
                parser.CharacterDataHandler = values.append
            elif name == t_tag:
                if not phonetic:
                    parser.CharacterDataHandler = inline.append
            elif name == row_tag:
                if self.in_data and depth == 3:  # <worksheet><sheetData><row>
                    row_start(attributes.get("r"))
            elif name == phonetic_tag:
                phonetic += 1
            elif name == data_tag:
                self.in_data = depth == 2
            elif name == dimension_tag:
                found_ref = re.fullmatch(r"[A-Z]+(\d+):[A-Z]+(\d+)", attributes.get("ref", ""))
                self.estimate = int(found_ref[2]) - int(found_ref[1]) + 1 if found_ref else 0

        def end(name: str) -> None:
            nonlocal depth, row, phonetic
            depth -= 1
            if name in (v_tag, t_tag):
                parser.CharacterDataHandler = None
            elif name == c_tag:
                if row is not None:
                    read_cell(row)
            elif name == row_tag:
                if row is not None and depth == 2:
                    found.append(row)
                    row = None
                    self.mark()
            elif name == phonetic_tag:
                phonetic -= 1
            elif name == data_tag and depth == 1:
                self.in_data, self.done = False, True  # what follows <sheetData> is not read
                raise _Stop

        def row_start(number: str | None) -> None:
            nonlocal expected, row
            if number and number.isdigit() and int(number) > expected:
                if int(number) > MAX_ROWS:
                    raise BadWorkbook("too many rows")
                found.append(int(number) - expected)  # that many empty rows, made as they are read
                expected = int(number)
            expected += 1
            if expected > MAX_ROWS + 1:
                raise BadWorkbook("too many rows")
            row = []

        def read_cell(row: list[str]) -> None:
            kind = cell.get("t")
            if kind == "inlineStr":
                text = "".join(inline)
            else:
                text = "".join(values)
                if kind == "s":
                    if not text.isdigit() or int(text) >= len(strings):
                        raise BadWorkbook("no such shared string")
                    text = strings[int(text)]
                elif kind == "b":
                    text = ("TRUE" if text == "1" else "FALSE") if text else ""
                elif (kind is None or kind == "n") and text and cell.get("s") in dates:
                    text = _date(epoch, text)
            if "_x" in text:
                text = ESCAPED.sub(_escaped, text)
            ref = cell.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                column = columns.get(letters, -1)
                if column < 0 and COLUMN.fullmatch(letters):
                    column = columns[letters] = column_index(letters)
                if column != len(row) and column >= 0:
                    if column < len(row):
                        return  # a cell out of order: keep the first
                    row.extend([""] * (column - len(row)))
            row.append(text.strip())

        # The sheet's handlers are closures over this method's locals, set on the instance.
        self.start, self.end = start, end  # type: ignore[method-assign]
        parser.EndElementHandler = end

    def rows(self) -> Iterator[list[str]]:
        """The rows, then the error that stopped the reading, if any, where it was found."""
        while True:
            for row in self.found:
                if isinstance(row, list):
                    yield row
                elif isinstance(row, int):
                    for _gap in range(row):
                        yield []
                else:
                    raise row
            self.found.clear()
            if self.done:
                return
            self.feed()


class Workbook:
    def __init__(self, data: bytes | IO[bytes]) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
            self.sheets = self._sheets()
            self.sheet = next(iter(self.sheets.values()))
            self.strings = self._shared_strings()
            self.dates = self._date_styles()
        except READING_ERRORS as error:
            raise BadWorkbook(str(error)) from error

    def _xml(self, name: str) -> Element:
        if self.zip.getinfo(name).file_size > SMALL_PART:
            raise BadWorkbook(f"{name} too big")
        return ElementTree.fromstring(self.zip.read(name), forbid_dtd=True)

    def _sheets(self) -> dict[str, str]:
        """Each sheet's name and its part in the zip, in the workbook's order (the first at least)."""
        book = self._xml("xl/workbook.xml")
        properties = book.find(f"{{{MAIN}}}workbookPr")
        self.epoch = dt.datetime(1899, 12, 30)
        if properties is not None and properties.get("date1904") in ("1", "true"):
            self.epoch = dt.datetime(1904, 1, 1)
        relations = {
            rel.get("Id"): rel.get("Target", "")
            for rel in self._xml("xl/_rels/workbook.xml.rels").iter(f"{{{PKG_REL}}}Relationship")
        }
        sheets: dict[str, str] = {}
        for sheet in book.iterfind(f"{{{MAIN}}}sheets/{{{MAIN}}}sheet"):
            target = relations.get(sheet.get(f"{{{REL}}}id"))
            if target is None:
                raise BadWorkbook("no sheet target")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            sheets.setdefault(sheet.get("name", ""), path)
        if not sheets:
            raise BadWorkbook("no sheet")
        return sheets

    def _shared_strings(self) -> list[str]:
        name = "xl/sharedStrings.xml"
        if name not in self.zip.namelist():
            return []
        if self.zip.getinfo(name).file_size > MAX_SHARED_STRINGS:
            raise BadWorkbook("too many shared strings")
        with self.zip.open(name) as stream:
            table = _SharedStrings(stream)
            while not table.done:
                table.feed()
        if table.found and isinstance(table.found[-1], BadWorkbook):
            raise table.found[-1]
        return table.found

    def _date_styles(self) -> set[int]:
        if "xl/styles.xml" not in self.zip.namelist():
            return set()
        styles = self._xml("xl/styles.xml")
        custom = {
            int(f.get("numFmtId", "")): f.get("formatCode", "") for f in styles.iter(f"{{{MAIN}}}numFmt")
        }
        dates = set()
        cell_formats = styles.find(f"{{{MAIN}}}cellXfs")
        for i, xf in enumerate(cell_formats if cell_formats is not None else []):
            number_format = int(xf.get("numFmtId", "0"))
            if number_format in DATE_FORMATS or _is_date_format(custom.get(number_format, "")):
                dates.add(i)
        return dates

    def rows(self, name: str | None = None) -> Rows:
        """The rows of the first sheet (or of the sheet `name`, one of `sheets`), read as they are
        consumed; the sheet's head (up to its data) is read here, for the number of rows its
        `<dimension>` announces."""
        try:
            sheet = _Sheet(self.zip.open(self.sheet if name is None else self.sheets[name]), self)
            while not sheet.in_data and not sheet.done:
                sheet.feed()
            if not sheet.in_data and sheet.found and isinstance(sheet.found[-1], BadWorkbook):
                raise sheet.found[-1]
        except READING_ERRORS as error:
            raise BadWorkbook(str(error)) from error
        return Rows(sheet.rows(), sheet.estimate)


def _date(epoch: dt.datetime, value: str) -> str:
    """A date cell's serial number as an ISO date, or date-time to the nearest second (a time is a
    fraction of a day: 00:01 is 0.000694…, which taken to the microsecond below is 00:00:59)."""
    try:
        moment = epoch + dt.timedelta(seconds=round(float(value) * 86400))
    except (ValueError, OverflowError):
        return value
    if moment.time() == dt.time(0):
        return moment.date().isoformat()
    return moment.isoformat()


def _is_date_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return any(ch in code for ch in "dmy") and "general" not in code


def read(data: bytes | IO[bytes]) -> Rows:
    """The rows of the first sheet of an XLSX file (bytes, or a seekable binary file), streamed."""
    return Workbook(data).rows()

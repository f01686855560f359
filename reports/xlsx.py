"""A streaming reader of the first sheet of an XLSX file: rows of text, in bounded memory.

Kobo/ODK exports reach a million rows; a reader that loads the whole sheet (calamine, openpyxl's
normal mode) holds about 1 KB per row, and openpyxl's read-only mode is slow. An XLSX sheet is a
zipped XML file written by machines in a regular shape, so rows are cut from the decompressed
stream a megabyte at a time and their cells read with regular expressions: one pattern for the
usual shape (`<c r="B2" s="1" t="s"><v>3</v></c>`), a general one for any other cell (formulas,
rich text, attributes in another order), and the row is read with the general one whenever the
usual pattern did not account for every cell. Shared strings, inline strings, numbers, booleans,
dates (from the cell's number format, 1900 or 1904 system) and namespace prefixes are handled.

Every value comes out as stripped text: numbers as written
(`1`, `2.5`), dates as `AAAA-MM-JJ`, date-times as `AAAA-MM-JJTHH:MM:SS`, booleans as TRUE/FALSE.
"""

import csv
import datetime as dt
import html
import io
import posixpath
import re
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CHUNK = 1 << 20
# Bounds past which a file is damaged or hostile (a zip bomb, a row number in the billions).
LONGEST_ROW = 4 << 20
MAX_ROWS = 1 << 20  # Excel's own limit: 1,048,576 rows
SMALL_PART = 16 << 20  # workbook.xml, its relations, styles.xml (uncompressed)
MAX_SHARED_STRINGS = 256 << 20
# Built-in number formats that are dates (ECMA-376 18.8.30, and the East Asian ones).
DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47}
DATE_FORMATS |= set(range(50, 59))
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>")
PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
ATTRIBUTE = re.compile(rb'\b([rst])="([^"]*)"')
ROW_NUMBER = re.compile(rb'\br="(\d+)"')


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
    DefusedXmlException,
)


class Rows:
    """An iterator of rows (lists of text) with `estimate`, the number of rows the file announces;
    a damaged file found while reading raises BadWorkbook."""

    def __init__(self, iterator, estimate: int = 0):
        self._iterator, self.estimate, self.first_row = iterator, estimate, 1

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return next(self._iterator)
        except READING_ERRORS as error:
            raise BadWorkbook(str(error)) from error


def column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _unescape(text: str) -> str:
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:
        text = ESCAPED.sub(_escaped, text)
    return text


def _escaped(match) -> str:
    """An OOXML `_xHHHH_` escape; a NUL or half a surrogate pair, which no database stores, becomes �."""
    code = int(match[1], 16)
    return "\ufffd" if code == 0 or 0xD800 <= code <= 0xDFFF else chr(code)


def _rich_text(inner: bytes) -> str:
    if b"rPh" in inner:
        inner = PHONETIC.sub(b"", inner)
    return b"".join(TEXT.findall(inner)).decode()


def _pieces(stream, end_tag: bytes):
    """The file cut after each `end_tag`, reading a megabyte at a time."""
    buffer = b""
    while True:
        chunk = stream.read(CHUNK)
        buffer += chunk
        cut = buffer.rfind(end_tag) if chunk else len(buffer)
        if cut < 0:
            if len(buffer) > LONGEST_ROW:
                raise BadWorkbook("row too long")
            continue
        part, buffer = buffer[:cut], buffer[cut + len(end_tag) :]
        yield from part.split(end_tag)
        if not chunk:
            return


class Workbook:
    def __init__(self, data):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
            self.sheet = self._first_sheet()
            self.strings = self._shared_strings()
            self.dates = self._date_styles()
        except READING_ERRORS as error:
            raise BadWorkbook(str(error)) from error

    def _xml(self, name):
        return ElementTree.fromstring(self._read(name, SMALL_PART))

    def _read(self, name, limit: int) -> bytes:
        if self.zip.getinfo(name).file_size > limit:
            raise BadWorkbook(f"{name} too big")
        return self.zip.read(name)

    def _first_sheet(self) -> str:
        book = self._xml("xl/workbook.xml")
        properties = book.find(f"{{{MAIN}}}workbookPr")
        self.epoch = dt.datetime(1899, 12, 30)
        if properties is not None and properties.get("date1904") in ("1", "true"):
            self.epoch = dt.datetime(1904, 1, 1)
        sheet = book.find(f"{{{MAIN}}}sheets/{{{MAIN}}}sheet")
        if sheet is None:
            raise BadWorkbook("no sheet")
        relation = sheet.get(f"{{{REL}}}id")
        for rel in self._xml("xl/_rels/workbook.xml.rels").iter(f"{{{PKG_REL}}}Relationship"):
            if rel.get("Id") == relation:
                target = rel.get("Target")
                return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        raise BadWorkbook("no sheet target")

    def _shared_strings(self) -> list[str]:
        name = "xl/sharedStrings.xml"
        if name not in self.zip.namelist():
            return []
        if self.zip.getinfo(name).file_size > MAX_SHARED_STRINGS:
            raise BadWorkbook("too many shared strings")
        with self.zip.open(name) as stream:
            found = re.search(rb"<(\w+:)?sst\b", stream.read(CHUNK))
        prefix = (found[1] or b"") if found else b""
        start = b"<" + prefix + b"si>"
        with self.zip.open(name) as stream:
            pieces = _pieces(stream, b"</" + prefix + b"si>")
            return [_rich_text(piece[piece.find(start) :]) for piece in pieces if start in piece]

    def _date_styles(self) -> set[int]:
        if "xl/styles.xml" not in self.zip.namelist():
            return set()
        styles = self._xml("xl/styles.xml")
        custom = {int(f.get("numFmtId")): f.get("formatCode", "") for f in styles.iter(f"{{{MAIN}}}numFmt")}
        dates = set()
        cell_formats = styles.find(f"{{{MAIN}}}cellXfs")
        for i, xf in enumerate(cell_formats if cell_formats is not None else []):
            number_format = int(xf.get("numFmtId", "0"))
            if number_format in DATE_FORMATS or _is_date_format(custom.get(number_format, "")):
                dates.add(i)
        return dates

    def rows(self) -> Rows:
        try:
            with self.zip.open(self.sheet) as stream:
                head = stream.read(CHUNK)
        except READING_ERRORS as error:
            raise BadWorkbook(str(error)) from error
        found = re.search(rb"<(\w+:)?sheetData\b", head)
        if found is None:
            return Rows(iter(()))
        dimension = re.search(rb'<(?:\w+:)?dimension ref="[A-Z]+(\d+):[A-Z]+(\d+)"', head)
        estimate = int(dimension[2]) - int(dimension[1]) + 1 if dimension else 0
        return Rows(self._rows(found[1] or b""), estimate)

    def _rows(self, prefix: bytes):
        p = re.escape(prefix)
        usual = re.compile(
            rb"<" + p + rb'c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?\s*'
            rb"(?:/>|>(?:<" + p + rb"v>([^<]*)</" + p + rb"v>|<" + p + rb"is><" + p + rb"t>([^<]*)</"
            rb"" + p + rb"t></" + p + rb"is>)</" + p + rb"c>)"
        )
        general = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        opening, opening_bare = b"<" + prefix + b"c ", b"<" + prefix + b"c>"
        row_start, row_tag = b"<" + prefix + b"row", re.compile(rb"<" + p + rb"row\b([^>]*?)(/?)>")
        columns, dates = {}, {str(i).encode() for i in self.dates}
        expected = 1  # rows absent from the file are empty rows: yielded, so that row numbers hold
        with self.zip.open(self.sheet) as stream:
            for piece in _pieces(stream, b"</" + prefix + b"row>"):
                if piece.count(row_start) == 1:  # the usual piece: one row
                    tag = row_tag.search(piece)
                    tags = [tag] if tag else []
                else:  # self-closing empty rows, then this row
                    tags = list(row_tag.finditer(piece))
                for tag in tags:
                    number = ROW_NUMBER.search(tag[1])
                    if number and int(number[1]) > expected:
                        if int(number[1]) > MAX_ROWS:
                            raise BadWorkbook("too many rows")
                        for _gap in range(expected, int(number[1])):
                            yield []
                        expected = int(number[1])
                    expected += 1
                    if tag[2]:
                        yield []
                if not tags or tags[-1][2]:
                    continue
                if expected > MAX_ROWS + 1:
                    raise BadWorkbook("too many rows")
                start = tags[-1].end()
                cells = usual.findall(piece, start)
                if len(cells) != piece.count(opening, start) + piece.count(opening_bare, start):
                    cells = [
                        self._general(attributes, inner)
                        for attributes, inner in general.findall(piece, start)
                    ]
                row = []
                for ref, style, kind, value, inline in cells:
                    if kind == b"inlineStr":
                        text = inline.decode()
                    elif kind in (b"s", b"b", b"e", b"general") or (style and style in dates):
                        text = self._value(style, kind, value)
                    else:
                        text = value.decode()
                    if "&" in text or "_x" in text:
                        text = _unescape(text)
                    if ref:
                        column = columns.get(ref)
                        if column is None:
                            column = columns[ref] = column_index(ref)
                        if column != len(row):
                            if column < len(row):
                                continue  # a cell out of order: keep the first
                            row.extend([""] * (column - len(row)))
                    row.append(text.strip())
                yield row

    @staticmethod
    def _general(attributes: bytes, inner: bytes) -> tuple:
        """(ref, style, kind, value, inline) of a cell in any shape; rich text comes out as `general`."""
        found = dict(ATTRIBUTE.findall(attributes))
        ref = re.match(rb"[A-Z]{1,3}", found.get(b"r", b""))
        ref = ref[0] if ref else b""
        kind, inner = found.get(b"t", b""), inner or b""
        if kind == b"inlineStr":
            return ref, b"", b"general", _rich_text(inner).encode(), b""
        value = VALUE.search(inner)
        return ref, found.get(b"s", b""), kind, value[1] if value else b"", b""

    def _value(self, style: bytes, kind: bytes, value: bytes) -> str:
        """The text of a shared string, boolean, error, rich text or date cell."""
        if kind == b"general":
            return value.decode()
        if not value:
            return ""
        if kind == b"s":
            if not value.isdigit() or int(value) >= len(self.strings):
                raise BadWorkbook("no such shared string")
            return self.strings[int(value)]
        if kind == b"b":
            return "TRUE" if value == b"1" else "FALSE"
        if kind == b"e":
            return value.decode()
        try:
            moment = self.epoch + dt.timedelta(days=float(value))
        except (ValueError, OverflowError):
            return value.decode()
        if moment.time() == dt.time(0):
            return moment.date().isoformat()
        return moment.replace(microsecond=0).isoformat()


def _is_date_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return any(ch in code for ch in "dmy") and "general" not in code


def read(data) -> Rows:
    """The rows of the first sheet of an XLSX file (bytes, or a seekable binary file), streamed."""
    return Workbook(data).rows()

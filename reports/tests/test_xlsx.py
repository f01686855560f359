"""The streaming XLSX reader gives the same text as openpyxl reads, for the shapes producers write."""

import datetime as dt
import io
import math
import zipfile

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from reports import kobo, xlsx


def as_text(value) -> str:
    """What the reader promises for a value openpyxl reads: stripped text, dates in ISO format."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    return str(value).strip()


def reference(data: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    rows = [[as_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return [row[: max((i + 1 for i, v in enumerate(row) if v), default=0)] for row in rows]


def workbook(write, **options) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, **options})
    write(book, book.add_worksheet("export"))
    book.close()
    return out.getvalue()


def trimmed(rows) -> list[list[str]]:
    return [row[: max((i + 1 for i, v in enumerate(row) if v), default=0)] for row in rows]


def every_shape(book, sheet):
    date, moment = (
        book.add_format({"num_format": "yyyy-mm-dd"}),
        book.add_format({"num_format": "dd/mm/yy hh:mm"}),
    )
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, ["_uuid", "activite/date", "n", "ok", "texte", "riche", "formule"])
    sheet.write_row(1, 0, ["a-1", None, 3, True, "  espaces  ", None, None])
    sheet.write_datetime(1, 1, dt.datetime(2025, 4, 1), date)
    sheet.write_rich_string(1, 5, "début ", bold, "gras", " & fin")
    sheet.write_formula(1, 6, "=C2*2", None, 6)
    sheet.write_row(2, 0, ["a-2", None, 2.5, False, 'مركز الاستماع <Belfaa> & "Jette"'])
    sheet.write_datetime(2, 1, dt.datetime(2025, 4, 2, 9, 30), moment)
    sheet.write(3, 0, "a-3")  # then a gap: a sparse row
    sheet.write(3, 4, "loin &amp; déjà échappé")
    sheet.write(5, 2, 0)  # an empty row before it


@pytest.mark.parametrize("options", [{}, {"constant_memory": True}], ids=["shared-strings", "inline-strings"])
def test_reader_matches_openpyxl(options):
    data = workbook(every_shape, **options)
    rows = xlsx.read(data)
    assert trimmed(rows) == reference(data)
    assert rows.estimate == 6


def test_read_table_gives_headers_then_rows():
    headers, rows = kobo.read_table(workbook(every_shape), "export.xlsx")
    assert headers[:2] == ["_uuid", "activite/date"]
    first = next(rows)
    assert first[:4] == ["a-1", "2025-04-01", "3", "TRUE"]
    assert first[5] == "début gras & fin"
    assert rows.estimate == 5


def zipped(parts: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


PREFIXED_SHEET = (
    '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<x:dimension ref="A1:B2"/><x:sheetData>'
    '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>_uuid</x:t></x:is></x:c>'
    '<x:c r="B1" t="inlineStr"><x:is><x:t>n</x:t></x:is></x:c></x:row>'
    '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>p-1</x:t></x:is></x:c><x:c r="B2"><x:v>7</x:v></x:c></x:row>'
    "</x:sheetData></x:worksheet>"
)


def minimal(sheet: str, workbook_xml: str | None = None) -> bytes:
    return zipped(
        {
            "xl/workbook.xml": workbook_xml
            or (
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                '<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
            "xl/_rels/workbook.xml.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="worksheet" Target="worksheets/feuille.xml"/></Relationships>'
            ),
            "xl/worksheets/feuille.xml": sheet,
        }
    )


def test_namespace_prefixes_and_the_sheet_named_by_the_workbook():
    assert list(xlsx.read(minimal(PREFIXED_SHEET))) == [["_uuid", "n"], ["p-1", "7"]]


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 not really a zip",
        zipped({"xl/workbook.xml": "<workbook/>"}),
        minimal(
            PREFIXED_SHEET,
            '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><workbook>&b;</workbook>',
        ),
    ],
    ids=["not-a-zip", "no-sheet", "entity-expansion"],
)
def test_damaged_or_hostile_files_are_refused_clearly(data):
    with pytest.raises(kobo.UnreadableFile):
        kobo.read_table(data, "export.xlsx")


def test_a_row_that_never_ends_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "LONGEST_ROW", 2000)
    monkeypatch.setattr(xlsx, "CHUNK", 512)
    endless = PREFIXED_SHEET.replace("<x:v>7</x:v>", "<x:v>" + "7" * 5000 + "</x:v>")
    endless = endless.replace('<x:row r="2">', '<x:row r="2">' + "<x:c/>" * 1000)
    rows = xlsx.read(minimal(endless.replace("</x:row></x:sheetData>", "</x:sheetData>")))
    with pytest.raises(xlsx.BadWorkbook):
        list(rows)


def sheet_xml(rows: str, prefix: str = "") -> str:
    ns = f'xmlns{":" + prefix[:-1] if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    return f"<{prefix}worksheet {ns}><{prefix}sheetData>{rows}</{prefix}sheetData></{prefix}worksheet>"


def with_strings(sheet: str, strings: str) -> bytes:
    data = io.BytesIO(minimal(sheet))
    with zipfile.ZipFile(data, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", strings)
    return data.getvalue()


def test_shared_strings_with_a_namespace_prefix():
    strings = (
        '<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<x:si><x:t>_uuid</x:t></x:si><x:si><x:r><x:t>da</x:t></x:r><x:r><x:t>te</x:t></x:r></x:si></x:sst>"
    )
    sheet = sheet_xml(
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c></x:row>', "x:"
    )
    assert list(xlsx.read(with_strings(sheet, strings))) == [["_uuid", "date"]]


def test_self_closing_rows_keep_row_numbers():
    sheet = sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row><row r="2" ht="30" customHeight="1"/>'
        '<row r="3"><c r="A3" t="inlineStr"><is><t>data3</t></is></c></row><row r="4" spans="1:1"/>'
    )
    assert list(xlsx.read(minimal(sheet))) == [["h"], [], ["data3"], []]


def test_escapes_that_no_database_stores_become_replacement_characters():
    sheet = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>a_x0000_b_xD800_c_x0041_</t></is></c></row>')
    assert list(xlsx.read(minimal(sheet))) == [["a\ufffdb\ufffdcA"]]


@pytest.mark.parametrize(
    "cell",
    ['<c r="A2" t="s"><v>1.0</v></c>', '<c r="A2" t="s"><v>-1</v></c>', '<c r="A2" t="s"><v>7</v></c>'],
    ids=["not-an-index", "negative", "past-the-end"],
)
def test_a_shared_string_that_does_not_exist_is_a_damaged_file(cell):
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>_uuid</t></si></sst>'
    )
    sheet = sheet_xml(f'<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2">{cell}</row>')
    headers, rows = kobo.read_table(with_strings(sheet, strings), "export.xlsx")
    assert headers == ["_uuid"]
    with pytest.raises(xlsx.BadWorkbook):
        list(rows)


def test_a_row_number_past_excels_limit_is_refused():
    sheet = sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="20000000"><c r="A20000000"><v>2</v></c></row>'
    )
    rows = xlsx.read(minimal(sheet))
    assert next(rows) == ["1"]
    with pytest.raises(xlsx.BadWorkbook):
        list(rows)


def test_a_part_bigger_than_its_bound_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "SMALL_PART", 100)
    with pytest.raises(kobo.UnreadableFile):
        kobo.read_table(minimal(PREFIXED_SHEET), "export.xlsx")


def test_a_corrupted_sheet_is_found_while_reading():
    data = bytearray(workbook(every_shape, constant_memory=True))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    member = archive.getinfo("xl/worksheets/sheet1.xml")
    offset = member.header_offset + 30 + len(member.filename) + len(member.extra) + member.compress_size // 2
    data[offset] ^= 0xFF
    with pytest.raises((xlsx.BadWorkbook, kobo.UnreadableFile)):
        headers, rows = kobo.read_table(bytes(data), "export.xlsx")
        list(rows)


# Round trip: what xlsxwriter or openpyxl write, the reader gives back (issue 15, item 6).
ARABIC = st.text(st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), min_size=1, max_size=12)
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=16)
FORMULA_LIKE = st.sampled_from(["=SUM(A1:A3)", '=HYPERLINK("http://x")', "+212 600", "-1+1", "@cmd", "=1/0"])
CELLS = st.one_of(
    st.none(),
    TEXT,
    ARABIC,
    FORMULA_LIKE,
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(min_value=-1e300, max_value=1e300),  # Excel holds none larger (9.99E+307)
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
)
WRITERS = ["xlsxwriter, shared strings", "xlsxwriter, inline strings", "openpyxl"]


def written_by(writer: str, grid: list[list]) -> bytes:
    """The grid as an XLSX file: text always as text (never a formula), dates with a date format."""
    out = io.BytesIO()
    if writer == "openpyxl":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None  # a new workbook has its one sheet
        for r, values in enumerate(grid, start=1):
            for c, value in enumerate(values, start=1):
                if value is not None:
                    cell = sheet.cell(r, c, value)
                    if isinstance(value, str):
                        cell.data_type = "s"  # openpyxl takes `=…` for a formula otherwise
        book.save(out)
        return out.getvalue()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": writer.endswith("inline strings")})
    sheet = book.add_worksheet()
    date, moment = (
        book.add_format({"num_format": "yyyy-mm-dd"}),
        book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    )
    for r, values in enumerate(grid):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, moment)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date)
            else:
                sheet.write_number(r, c, value)
    book.close()
    return out.getvalue()


def same(read: str, value) -> bool:
    """Whether the reader's text is the value written, as the reader promises to give it."""
    if value is None:
        return read == ""
    if isinstance(value, str):
        return read == value.strip()
    if isinstance(value, bool):
        return read == ("TRUE" if value else "FALSE")
    if isinstance(value, dt.datetime) and value.time() != dt.time(0):
        return read == value.isoformat()
    if isinstance(value, dt.date):
        return read == (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    # Numbers as written: xlsxwriter writes 16 significant digits, openpyxl all of them.
    return math.isclose(float(read), value, rel_tol=1e-15, abs_tol=0)


@settings(max_examples=40, deadline=None, database=None)
@given(writer=st.sampled_from(WRITERS), grid=st.lists(st.lists(CELLS, max_size=6), max_size=6))
def test_what_xlsxwriter_and_openpyxl_write_is_read_back(writer: str, grid: list[list]) -> None:
    rows = list(xlsx.read(written_by(writer, grid)))
    last = max((r + 1 for r, values in enumerate(grid) if any(v is not None for v in values)), default=0)
    assert len(rows) == last  # empty rows in between come out empty, nothing after the last
    for values, row in zip(grid, rows, strict=False):
        assert len(row) <= len(values)
        padded = row + [""] * (len(values) - len(row))
        assert all(same(text, value) for text, value in zip(padded, values, strict=True)), (row, values)


@pytest.mark.parametrize("part", ["sheet", "shared strings"])
def test_a_doctype_in_the_sheet_or_the_shared_strings_is_refused(part: str) -> None:
    doctype = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
    sheet = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row>')
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&a;</t></si></sst>'
    )
    if part == "sheet":
        data = with_strings(doctype + sheet, strings.replace("&a;", "a"))
    else:
        data = with_strings(sheet.replace("&a;", "a"), doctype + strings)
    with pytest.raises(kobo.UnreadableFile):
        kobo.read_table(data, "export.xlsx")


def test_rows_are_read_only_in_sheet_data_and_a_gap_is_given_row_by_row() -> None:
    sheet = sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="4"><c r="B4"><v>4</v></c></row>'
    ).replace("</worksheet>", '<extLst><row r="9"><c r="A9"><v>9</v></c></row></extLst></worksheet>')
    assert list(xlsx.read(minimal(sheet))) == [["1"], [], [], ["", "4"]]

"""The streaming XLSX reader gives the same text as openpyxl reads, for the shapes producers write."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter

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

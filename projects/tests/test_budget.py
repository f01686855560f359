"""Budgets and spending: exact sums in two currencies, rounding to the centime, overruns, the line
form's rates, who may write, and the partnership's tables against a direct sum of the rows."""

import datetime
from dataclasses import fields, is_dataclass
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils.formats import number_format

from projects import budget
from projects.actions import create_project, record_spending
from projects.models import BudgetLine, Project, Spending

D = Decimal
DAY = datetime.date(2025, 3, 10)


def forum_projects(world) -> list[Project]:
    return list(
        Project.objects.filter(partnership=world["partnership"], proposal__isnull=False).order_by("pk")
    )


def line(project, amount, currency="MAD", rate="1", year=2025, funder="commune", other="", label="Ligne"):
    return BudgetLine.objects.create(
        project=project,
        category="equipement",
        label=label,
        funder=funder,
        funder_other=other,
        year=year,
        amount=D(amount),
        currency=currency,
        rate=D(rate),
        rate_date=datetime.date(year, 1, 15),
    )


def page_url(project, name="projects:budget"):
    return reverse(name, kwargs={"slug": project.partnership.slug, "pk": project.pk})


def money(value: Decimal) -> str:
    """An amount as the pages print it (`floatformat:"2g"`, French)."""
    return number_format(value, 2, force_grouping=True)


def decimals_only(value, seen=None) -> None:
    """Every number reachable from `value` (dataclasses, lists) is a Decimal, never a float."""
    assert not isinstance(value, float), value
    if is_dataclass(value):
        for f in fields(value):
            if f.name in ("line", "spendings"):
                continue
            decimals_only(getattr(value, f.name))
        for name in ("remaining", "remaining_mad"):
            if hasattr(value, name):
                assert isinstance(getattr(value, name), Decimal)
    elif isinstance(value, list):
        for item in value:
            decimals_only(item)


def test_two_currencies_add_up_exactly_in_dirhams(world):
    project = forum_projects(world)[0]
    euros = line(project, "1000.10", "EUR", "10.8534")
    line(project, "2500.55")
    record_spending(euros, date=DAY, amount=D("400.05"), document="F-1")
    result = budget.project_budget(project)
    # 1000.10 × 10.8534 = 10854.48534 → 10854.49; 400.05 × 10.8534 = 4341.90267 → 4341.90
    assert result.planned_mad == D("13355.04")
    assert result.spent_mad == D("4341.90")
    assert result.remaining_mad == D("9013.14")
    row = next(r for r in result.lines if r.line.pk == euros.pk)
    assert (row.planned, row.spent, row.remaining) == (D("1000.10"), D("400.05"), D("600.05"))
    for value in (result.planned_mad, result.spent_mad, row.planned_mad, row.spent_mad, row.remaining_mad):
        assert isinstance(value, Decimal) and value.as_tuple().exponent == -2
    decimals_only(result)


def test_dirhams_are_rounded_half_up_to_the_centime(world):
    project = forum_projects(world)[0]
    # 1.00 × 10.0050 = 10.005: half up gives 10.01 (half even would give 10.00).
    euros = line(project, "1.00", "EUR", "10.0050")
    assert euros.in_mad() == D("10.01")
    record_spending(euros, date=DAY, amount=D("1.00"), document="F-2")
    result = budget.project_budget(project)
    assert result.planned_mad == D("10.01") and result.spent_mad == D("10.01")
    # 0.15 × 10.0333 = 1.504995 → 1.50 (not 1.51: rounded once, at the centime)
    assert line(project, "0.15", "EUR", "10.0333").in_mad() == D("1.50")


def test_the_page_shows_the_lines_and_totals_in_both_currencies(world, client_for):
    project = forum_projects(world)[0]
    euros = line(project, "1000.10", "EUR", "10.8534", label="Matériel sportif")
    line(project, "2500.55", label="Location de salle")
    record_spending(euros, date=DAY, amount=D("400.05"), document="F-1")
    response = client_for("jette").get(page_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Matériel sportif" in html and "Location de salle" in html and "F-1" in html
    assert money(D("13355.04")) in html and money(D("4341.90")) in html
    assert 'id="ajouter-ligne"' not in html  # the partner officer reads, she does not write
    manager = client_for("coordination").get(page_url(project)).content.decode()
    assert 'id="ajouter-ligne"' in manager and 'id="ajouter-depense"' in manager


def _spend(client, project, budget_line, amount, reason=""):
    data = {
        "depense-line": budget_line.pk,
        "depense-date": "2025-03-10",
        "depense-amount": amount,
        "depense-document": "FAC-2025-17",
        "depense-over_reason": reason,
    }
    return client.post(page_url(project, "projects:spending_add"), data)


def test_an_overrun_is_refused_without_a_reason_and_recorded_with_one(world, client_for):
    project = forum_projects(world)[0]
    budget_line = line(project, "1000.00")
    client = client_for("coordination")
    assert _spend(client, project, budget_line, "800.00").status_code == 302
    refused = _spend(client, project, budget_line, "300.00")
    assert refused.status_code == 200
    assert "indiquez le motif du dépassement" in refused.content.decode()
    assert budget_line.spendings.count() == 1
    accepted = _spend(client, project, budget_line, "300.00", reason="Hausse du prix du ciment")
    assert accepted.status_code == 302
    assert budget_line.spendings.count() == 2
    assert budget_line.spendings.last().over_reason == "Hausse du prix du ciment"
    row = budget.project_budget(project).lines[0]
    assert row.over and row.remaining == D("-100.00")


def test_a_spending_against_another_projects_line_is_refused(world, client_for):
    first, second = forum_projects(world)[:2]
    foreign = line(second, "1000.00")
    response = _spend(client_for("coordination"), first, foreign, "10.00")
    assert response.status_code == 200
    assert not foreign.spendings.exists()


def _add_line(client, project, **changes):
    data = {
        "ligne-category": "travaux",
        "ligne-label": "Aménagement du terrain",
        "ligne-funder": "jette",
        "ligne-funder_other": "",
        "ligne-year": "2025",
        "ligne-amount": "1000.10",
        "ligne-currency": "EUR",
        "ligne-rate": "10.8534",
        "ligne-rate_date": "2025-01-15",
    }
    data.update({f"ligne-{key}": value for key, value in changes.items()})
    return client.post(page_url(project, "projects:budget_line_add"), data)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"currency": "EUR", "rate": "1"}, "Un euro ne vaut pas 1 dirham"),
        ({"currency": "EUR", "rate": ""}, "Indiquez le taux de l&#x27;euro"),
        ({"currency": "MAD", "rate": "10.8534"}, "Une ligne en dirhams se compte au taux 1"),
        ({"funder": "autre", "funder_other": " "}, "Indiquez le nom de l&#x27;autre bailleur"),
        ({"amount": "0"}, "supérieure ou égale à 0.01"),
    ],
)
def test_the_line_form_refuses_a_wrong_rate_with_a_clear_error(world, client_for, changes, message):
    project = forum_projects(world)[0]
    response = _add_line(client_for("coordination"), project, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not project.budget_lines.exists()


def test_the_line_form_records_euros_at_their_rate_and_dirhams_at_par(world, client_for):
    project = forum_projects(world)[0]
    client = client_for("coordination")
    assert _add_line(client, project).status_code == 302
    assert _add_line(client, project, currency="MAD", rate="", amount="2500.55", funder="autre",
                     funder_other="Fondation X").status_code == 302  # fmt: skip
    euros, dirhams = project.budget_lines.order_by("pk")
    assert (euros.currency, euros.rate, euros.in_mad()) == ("EUR", D("10.8534"), D("10854.49"))
    assert (dirhams.rate, dirhams.funder_other) == (D("1"), "Fondation X")
    assert budget.project_budget(project).planned_mad == D("13355.04")


@pytest.mark.parametrize("persona", ["jette", "centre", "admin", "reseau"])
def test_only_a_manager_writes(world, client_for, persona):
    project = forum_projects(world)[0]
    budget_line = line(project, "1000.00")
    client = client_for(persona)
    assert _add_line(client, project).status_code == 404
    assert _spend(client, project, budget_line, "10.00").status_code == 404
    assert project.budget_lines.count() == 1 and not Spending.objects.filter(line=budget_line).exists()


@pytest.fixture
def spread(world):
    """Three projects (two forum projects, one made here serving two results), lines in MAD and EUR
    over two years and four funders, spendings dated in the line's year and the next."""
    partnership = world["partnership"]
    # The demo's own budgets (the plantation, the centre's works) are checked in demo/tests: here the
    # tables must equal these rows alone.
    Spending.objects.filter(line__project__partnership=partnership).delete()
    BudgetLine.objects.filter(project__partnership=partnership).delete()
    first, second = forum_projects(world)[:2]
    r1, r2, r3 = (partnership.results.get(code=code) for code in ("R1", "R2", "R3"))
    third = create_project(partnership, title="Jardin partagé", origin="commune", results=[r1, r2])
    first.results.set([r3])
    second.results.set([])
    rows = [
        line(first, "1000.10", "EUR", "10.8534", 2024, "jette"),
        line(first, "2500.55", year=2025, funder="commune"),
        line(second, "333.33", "EUR", "10.9999", 2025, "programme-federal"),
        line(third, "12000.00", year=2024, funder="autre", other="Fondation X"),
        line(third, "777.77", "EUR", "11.0101", 2025, "autre", "Fondation Y"),
    ]
    record_spending(rows[0], date=datetime.date(2024, 5, 2), amount=D("100.01"), document="A")
    record_spending(rows[0], date=datetime.date(2024, 6, 2), amount=D("0.33"), document="B")
    record_spending(
        rows[0], date=datetime.date(2025, 2, 2), amount=D("950.00"), document="C", over_reason="x"
    )
    record_spending(rows[2], date=datetime.date(2025, 7, 7), amount=D("333.33"), document="D")
    record_spending(rows[3], date=datetime.date(2025, 1, 3), amount=D("11999.99"), document="E")
    return {"projects": [first, second, third], "lines": rows, "results": (r1, r2, r3)}


def _direct(lines, year):
    """Planned and spent in MAD straight from the rows: each line's amount at its rate, and each
    line's spendings of a year added then converted, both rounded half up to the centime."""
    planned = spent = D("0")
    for budget_line in lines:
        if year in (None, budget_line.year):
            planned += (budget_line.amount * budget_line.rate).quantize(D("0.01"), ROUND_HALF_UP)
        years = {s.date.year for s in budget_line.spendings.all()}
        for y in years:
            if year in (None, y):
                total = sum(s.amount for s in budget_line.spendings.all() if s.date.year == y)
                spent += (total * budget_line.rate).quantize(D("0.01"), ROUND_HALF_UP)
    return planned, spent


@pytest.mark.parametrize("year", [None, 2024, 2025])
def test_the_partnership_tables_equal_a_direct_sum_of_the_rows(spread, world, year):
    summary = budget.partnership_budget(world["partnership"], year)
    lines = spread["lines"]
    assert (summary.total.planned, summary.total.spent) == _direct(lines, year)
    for table in (summary.by_project, summary.by_funder, summary.by_year):
        assert sum(r.planned for r in table) == summary.total.planned
        assert sum(r.spent for r in table) == summary.total.spent
    for project in spread["projects"]:
        row = next((r for r in summary.by_project if r.key == project.pk), None)
        planned, spent = _direct([x for x in lines if x.project_id == project.pk], year)
        if row is None:
            assert planned == spent == 0
        else:
            assert (row.planned, row.spent) == (planned, spent)
    r1, r2, r3 = spread["results"]
    third = _direct([x for x in lines if x.project_id == spread["projects"][2].pk], year)
    for result in (r1, r2):  # the shared project, counted in full under each of its results
        row = next(r for r in summary.by_result if r.key == result.code)
        assert (row.planned, row.spent) == third
    assert summary.shared
    decimals_only(summary)


def test_a_year_counts_lines_of_that_year_and_spendings_dated_that_year(spread, world):
    summary = budget.partnership_budget(world["partnership"], 2025)
    first = next(r for r in summary.by_project if r.key == spread["projects"][0].pk)
    # the 2025 line of 2500.55 MAD; spent in 2025: 950.00 EUR against the 2024 line (10310.73 MAD)
    assert first.planned == D("2500.55") and first.spent == D("10310.73")
    funders = {r.label: (r.planned, r.spent) for r in summary.by_funder}
    assert funders["Fondation X"] == (D("0.00"), D("11999.99"))  # a 2024 line, spent in 2025
    assert funders["Fondation Y"] == (D("8563.33"), D("0.00"))
    assert [r.key for r in summary.by_year] == [2025]


def test_the_project_page_and_the_partnership_page_agree(spread, world, client_for):
    client = client_for("coordination")
    page = client.get(reverse("projects:budgets", kwargs={"slug": world["partnership"].slug}))
    assert page.status_code == 200
    summary = page.context["budget"]
    html = page.content.decode()
    assert "compté en entier sous chacun" in html and 'class="table-wrap"' in html
    for project in spread["projects"]:
        own = client.get(page_url(project)).context["budget"]
        row = next(r for r in summary.by_project if r.key == project.pk)
        assert (row.planned, row.spent) == (own.planned_mad, own.spent_mad)
        assert money(own.planned_mad) in html
    year = client.get(
        reverse("projects:budgets", kwargs={"slug": world["partnership"].slug}), {"annee": "2024"}
    )
    assert year.context["year"] == 2024
    assert year.context["budget"].total.planned == _direct(spread["lines"], 2024)[0]


def test_the_partnership_budget_takes_a_few_queries_whatever_the_rows(
    spread, world, django_assert_max_num_queries
):
    more = spread["lines"][0]
    for day in range(1, 20):
        record_spending(
            more, date=datetime.date(2024, 8, day), amount=D("1.00"), document=f"G-{day}", over_reason="x"
        )
    with django_assert_max_num_queries(4):
        summary = budget.partnership_budget(world["partnership"])
    assert summary.total.spent == _direct(spread["lines"], None)[1]
    with django_assert_max_num_queries(2):
        budget.project_budget(spread["projects"][0])

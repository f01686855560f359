"""Budgets and spending, read: a project's lines with what was spent against them, and a partnership's
planned and spent amounts in dirhams by project, result, funder and year. Pure reads; the caller has
checked who may see them (projects/access.py). Writes go through projects/actions.py.

Money is Decimal from end to end, never float. How an amount becomes dirhams:
- a budget line's planned amount: `BudgetLine.in_mad()`, its amount at its own rate, rounded half up
  to the centime (a line in dirhams has the rate 1, so it is itself);
- what was spent against a line: the line's spendings of one calendar year are added in the line's
  currency, and that sum is converted once at the line's rate, rounded half up to the centime. So
  every amount in dirhams shown anywhere (a line, a project, a year, a funder, the annual report) is a
  sum of these rounded parts, and any table's rows add up exactly to its total, to the centime.
A line's planned amount counts in its budget year (`BudgetLine.year`); a spending counts in the year
of its date.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import Cast, ExtractYear, Round
from django.utils.translation import gettext as _

from partnerships.models import Partnership

from .models import BudgetLine, Currency, Project, Spending

ZERO = Decimal("0.00")
FUNDERS = list(BudgetLine.Funder.values)
# A sum of amounts in whole centimes: exact on every database (SQLite adds decimals as floats, whole
# numbers below 2**53 exactly).
CENTIMES = Cast(
    Sum(Round(ExpressionWrapper(F("amount") * 100, output_field=DecimalField()))),
    output_field=BigIntegerField(),
)


def _amount(centimes) -> Decimal:
    """A sum in centimes (`CENTIMES`, an integer) as an amount with two decimals."""
    return Decimal(centimes).scaleb(-2)


@dataclass
class LineRow:
    """One budget line of a project: planned, spent and remaining in its own currency and in MAD."""

    line: BudgetLine
    spendings: list[Spending]
    planned: Decimal
    spent: Decimal
    planned_mad: Decimal
    spent_mad: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.spent

    @property
    def remaining_mad(self) -> Decimal:
        return self.planned_mad - self.spent_mad

    @property
    def over(self) -> bool:
        """Spent past what was planned (each such spending carries its reason)."""
        return self.spent > self.planned

    @property
    def in_euros(self) -> bool:
        return self.line.currency == Currency.EUR


@dataclass
class ProjectBudget:
    lines: list[LineRow]
    planned_mad: Decimal = ZERO
    spent_mad: Decimal = ZERO

    @property
    def remaining_mad(self) -> Decimal:
        return self.planned_mad - self.spent_mad

    @property
    def empty(self) -> bool:
        return not self.lines

    @property
    def has_spendings(self) -> bool:
        return any(row.spendings for row in self.lines)


def _spent_mad(line: BudgetLine, by_year: dict[int, Decimal]) -> Decimal:
    """What was spent against `line`, in dirhams: each year's sum converted once (module docstring)."""
    return sum((line.in_mad(total) for total in by_year.values()), ZERO)


def project_budget(project: Project) -> ProjectBudget:
    """The project's budget lines with their spendings (two queries), and its totals in MAD."""
    rows = []
    for line in project.budget_lines.prefetch_related("spendings"):
        spendings = list(line.spendings.all())
        by_year: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for spending in spendings:
            by_year[spending.date.year] += spending.amount
        rows.append(
            LineRow(
                line=line,
                spendings=spendings,
                planned=line.amount,
                spent=sum(by_year.values(), ZERO),
                planned_mad=line.in_mad(),
                spent_mad=_spent_mad(line, by_year),
            )
        )
    return ProjectBudget(
        lines=rows,
        planned_mad=sum((r.planned_mad for r in rows), ZERO),
        spent_mad=sum((r.spent_mad for r in rows), ZERO),
    )


@dataclass
class SummaryRow:
    """Planned and spent in MAD for one project, result, funder or year (`key` identifies it)."""

    key: object
    label: str
    planned: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.spent

    @property
    def over(self) -> bool:
        return self.spent > self.planned


@dataclass
class PartnershipBudget:
    """A partnership's planned and spent amounts in MAD, in four tables and a total.

    `by_result` counts a project serving several results in full under each of them, so its rows may
    add up to more than `total` (`shared` says whether it happens; the pages say so); projects serving
    no result are in a row of their own (key None). Every other table adds up exactly to `total`.
    """

    year: int | None
    by_project: list[SummaryRow] = field(default_factory=list)
    by_result: list[SummaryRow] = field(default_factory=list)
    by_funder: list[SummaryRow] = field(default_factory=list)
    by_year: list[SummaryRow] = field(default_factory=list)
    total: SummaryRow = field(default_factory=lambda: SummaryRow(key="total", label=""))
    shared: bool = False  # a project counted under several results

    @property
    def empty(self) -> bool:
        return not self.by_project


def funder_label(funder: str, other: str) -> str:
    """ "commune de Jette", or the name of the other funder when the line gives one."""
    if funder == BudgetLine.Funder.OTHER and other.strip():
        return other.strip()
    return str(BudgetLine.Funder(funder).label)


def partnership_budget(partnership: Partnership, year: int | None = None) -> PartnershipBudget:
    """Planned against spent in MAD for the partnership's projects, by project, result, funder and
    year; for one `year` (lines budgeted that year, spendings dated that year) or the whole programme
    (None). Four queries, whatever the number of lines and spendings."""
    spent_qs = Spending.objects.filter(line__project__partnership=partnership)
    if year is not None:
        spent_qs = spent_qs.filter(date__year=year)
    # Every line of the partnership (a spending of the year may be against a line of another year).
    lines = {
        line.pk: line
        for line in BudgetLine.objects.filter(project__partnership=partnership).only(
            "pk", "project_id", "funder", "funder_other", "year", "amount", "rate", "currency"
        )
    }
    planned_ids = [pk for pk, line in sorted(lines.items()) if year is None or line.year == year]
    spent_rows = (
        spent_qs.annotate(spent_year=ExtractYear("date"))
        .values("line_id", "spent_year")
        .annotate(cents=CENTIMES)
        .order_by()
    )
    # (line, year, planned MAD, spent MAD) parts: the finest grain; every table adds these up.
    parts: list[tuple[BudgetLine, int, Decimal, Decimal]] = [
        (lines[pk], lines[pk].year, lines[pk].in_mad(), ZERO) for pk in planned_ids
    ]
    parts += [
        (lines[row["line_id"]], row["spent_year"], ZERO, lines[row["line_id"]].in_mad(_amount(row["cents"])))
        for row in spent_rows
    ]
    project_ids = {line.project_id for line, *_rest in parts}
    projects = {p.pk: p for p in Project.objects.filter(pk__in=project_ids).only("pk", "title")}
    results_of: dict[int, list] = defaultdict(list)
    links = Project.results.through.objects.filter(project_id__in=project_ids).select_related("result")
    for link in links.order_by("result__order", "result__code"):
        results_of[link.project_id].append(link.result)

    budget = PartnershipBudget(year=year, total=SummaryRow(key="total", label=_("Total")))
    tables: dict[str, dict] = {"project": {}, "result": {}, "funder": {}, "year": {}}

    def add(table: str, key, label, planned: Decimal, spent: Decimal, order) -> None:
        row = tables[table].get(key)
        if row is None:
            row = tables[table][key] = (order, SummaryRow(key=key, label=label))
        row[1].planned += planned
        row[1].spent += spent

    for line, part_year, planned, spent in parts:
        project = projects[line.project_id]
        add("project", project.pk, project.title, planned, spent, (project.title.lower(), project.pk))
        served = results_of.get(project.pk, [])
        for result in served:
            add("result", result.code, str(result), planned, spent, (0, result.order, result.code))
        if not served:
            add("result", None, _("Aucun résultat servi"), planned, spent, (1, 0, ""))
        funder = (line.funder, line.funder_other.strip() if line.funder == BudgetLine.Funder.OTHER else "")
        add("funder", funder, funder_label(*funder), planned, spent, (FUNDERS.index(line.funder), funder[1]))
        add("year", part_year, str(part_year), planned, spent, part_year)
        budget.total.planned += planned
        budget.total.spent += spent
    budget.by_project = [row for _order, row in sorted(tables["project"].values(), key=lambda r: r[0])]
    budget.by_result = [row for _order, row in sorted(tables["result"].values(), key=lambda r: r[0])]
    budget.by_funder = [row for _order, row in sorted(tables["funder"].values(), key=lambda r: r[0])]
    budget.by_year = [row for _order, row in sorted(tables["year"].values(), key=lambda r: r[0])]
    budget.shared = any(len(results) > 1 for results in results_of.values())
    return budget

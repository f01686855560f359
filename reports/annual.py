"""The annual report of a partnership, as data: the page, the PDF, the XLSX and the CSV all read this.

Per result: the indicator tables (the year and the programme, suppressed for the viewer by
indicators/figures.py), the activities held that year by kind with participants by sex (suppressed
outside the holding services the same way), and the coordinator's narrative. Then the structures'
status, the coverage of the territory (reports/coverage.py: map and table of the year) and the
steering committees' decisions (text, month due and whether done; never who follows
them up: docs/security.md 9).

"Budget et dépenses": the year's planned and spent amounts in MAD by project and by funder
(projects/budget.py, the figures of the partnership's budget page for that year), for the viewers who
may read projects (projects/access.py: the partner officer does, the network officer does not); None
for anyone else, and the page, PDF, XLSX and CSV then leave the section out.
"""

from dataclasses import dataclass, field

from activities.models import Activity
from core import disclosure
from indicators import charts, engine, figures
from projects import access as project_doors
from projects import budget

from . import coverage
from .models import Narrative

SEXES = ("F", "M", "X", "T")


@dataclass
class KindRow:
    kind: str
    label: str
    activities: int
    cells: dict = field(default_factory=dict)  # sex -> shown value ("< 5" or "×" when hidden)
    values: dict = field(default_factory=dict)  # sex -> int or None when hidden


def _participants(partnership, year) -> tuple[dict, dict]:
    """({(result_id, kind): activities}, {(result_id, kind, sex): participations}) for the year.

    Result id None holds the activities linked to no result. Attendance and tallies both count.
    A year may hold 100k activities (bench/reports.py): the figures are kept per result and kind by
    the indicator engine (ActivityTotal), so this reads a few dozen rows; activities planned after
    today do not count yet.
    """
    held, people = {}, {}
    for (result_id, kind), (n, *sums) in engine.activity_totals(partnership, year).items():
        held[(result_id, kind)] = n
        for sex, total in zip(("F", "M", "X"), sums, strict=True):
            people[(result_id, kind, sex)] = total
    return held, people


def kind_rows(held, people, result_id, sees_individuals: bool) -> list[KindRow]:
    """The rows "kind: activities, F, M, X, total" of one result, plus a total row, suppressed."""
    kinds = sorted({kind for (rid, kind) in held if rid == result_id})
    values = {}
    for kind in [*kinds, ""]:
        for sex in ("F", "M", "X"):
            values[(kind, sex)] = (
                sum(people.get((result_id, k, sex), 0) for k in kinds)
                if kind == ""
                else people.get((result_id, kind, sex), 0)
            )
        values[(kind, "T")] = sum(values[(kind, s)] for s in ("F", "M", "X"))
    cells = {key: disclosure.Cell(v) for key, v in values.items()}
    if not sees_individuals:
        relations = [disclosure.total([(k, s) for s in ("F", "M", "X")], (k, "T")) for k in [*kinds, ""]]
        relations += [disclosure.total([(k, s) for k in kinds], ("", s)) for s in SEXES]
        cells = disclosure.protect(values, relations, disclosure.THRESHOLDS["registry"])
    labels = dict(Activity.Kind.choices)
    rows = []
    for kind in [*kinds, ""]:
        count = sum(held.get((result_id, k), 0) for k in kinds) if kind == "" else held[(result_id, kind)]
        row = KindRow(kind=kind or "total", label=str(labels.get(kind, "")) if kind else "", activities=count)
        for sex in SEXES:
            row.values[sex] = cells[(kind, sex)].value
            row.cells[sex] = str(cells[(kind, sex)])
        rows.append(row)
    return rows if kinds else []


def annual_report(partnership, access, year: int) -> dict:
    """Everything the annual report of `year` shows to this viewer (figures already suppressed)."""
    blocks = charts.add_charts(figures.partnership_tables(partnership, access, year))
    held, people = _participants(partnership, year)
    narratives = {n.result_id: n for n in Narrative.objects.filter(partnership=partnership, year=year)}
    for block in blocks:
        result = block["result"]
        block["activities"] = kind_rows(held, people, result.pk, access.sees_individuals)
        block["narrative"] = narratives.get(result.pk)
    committees = (
        Activity.objects.filter(partnership=partnership, date__year=year, kind=Activity.Kind.COMMITTEE)
        .prefetch_related("decisions")
        .order_by("date", "pk")
    )
    return {
        "partnership": partnership,
        "year": year,
        "blocks": blocks,
        "unlinked": kind_rows(held, people, None, access.sees_individuals),
        "structures": list(partnership.structures.select_related("organisation").order_by("code")),
        "committees": [
            {
                "month": c.date.strftime("%m/%Y"),
                "title": c.title,
                "decisions": [
                    {
                        "text": d.text,
                        "due": d.due_date.strftime("%m/%Y") if d.due_date else "",
                        "done": d.done,
                    }
                    for d in c.decisions.all()
                ],
            }
            for c in committees
        ],
        "decision_count": sum(len(c.decisions.all()) for c in committees),
        # The coverage of the territory that year: map and table, suppressed as the rest.
        "coverage": coverage.coverage(partnership, access, year),
        "coverage_title": coverage.title(partnership, year),
        # The year's budget against spending, for who may read projects (None: the section is left out).
        "budget": budget.partnership_budget(partnership, year) if project_doors.can_read(access) else None,
    }

"""What the public portal may show of a partnership: an allow-list (docs/security.md 9), nothing else.

- indicators: only those the coordinator published (`Indicator.public`), through
  indicators/figures.py with an Access holding no role, so small cells are suppressed with their
  complements (docs/security.md 8);
- activities: counts per year and kind and per month (never a title, a place, a day or a person),
  suppressed as one table with all its margins;
- youth forums and followed projects: titles of young people's proposals, phases and progress;
- governance principles: counts of the activities applying them, per kind; the public good
  practices and followed projects tagged with them.
"""

from collections import Counter, defaultdict

from django.db.models import Count as Count_
from django.db.models import QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear

from activities.models import Activity
from core.disclosure import THRESHOLDS, Cell, protect, total
from indicators import figures
from participation.models import Forum, Phase
from partnerships.access import Access
from partnerships.models import Partnership
from programme.models import GovernancePrinciple
from projects.models import Project

from .models import GoodPractice, ProjectPrinciple

OPEN_PHASES = (Phase.PROPOSALS, Phase.REVIEW, Phase.DELIBERATION, Phase.VOTING)


def public_access(partnership) -> Access:
    """The public's access: no role at all, so every figure is suppressed as outside the service."""
    return Access(partnership)


def indicator_blocks(partnership, access=None, year=None) -> list[dict]:
    """Per result, the tables of its published indicators for `year` (default: this year; results
    without any are left out)."""
    blocks = figures.partnership_tables(partnership, access or public_access(partnership), year)
    shown = []
    for block in blocks:
        tables = [t for t in block["tables"] if t.indicator.public]
        if tables:
            shown.append({"result": block["result"], "tables": tables})
    return shown


def indicator_rows(table) -> list[dict]:
    """One row per period and sex of a table, as the CSV and the API write them."""
    rows = []
    for period, label in table.periods:
        for sex, cell in zip(table.columns, table.row(period), strict=True):
            rows.append(
                {
                    "period": label,
                    "sex": figures.SEX_LABELS[sex],
                    "target": cell.target,
                    "actual": None if not table.available else cell.actual,
                    "suppressed": cell.suppressed,
                    "shown": cell.shown if table.available else "",
                }
            )
    return rows


def _public_activities(partnership) -> QuerySet[Activity]:
    return Activity.objects.filter(partnership=partnership)


def activity_counts(partnership) -> dict:
    """Activities per year and kind, per month (all kinds together), and their margins — (year, month,
    "T"), (year, 0, kind), (year, 0, "T"), (0, 0, kind), (0, 0, "T") — suppressed together as one
    table (docs/security.md 8), so that no page or CSV built from it lets a hidden count be recovered.

    Not per month *and* kind: that grid is mostly zeros and small counts (the demo's: 858 cells, 204
    of 1–4), and checking it exactly took about a second per page; this table takes milliseconds."""
    years = partnership.years
    raw = (
        _public_activities(partnership)
        .filter(date__year__gte=partnership.start_year, date__year__lte=partnership.end_year)
        .annotate(year=ExtractYear("date"), month=ExtractMonth("date"))
        .values_list("year", "month", "kind")
        .annotate(n=Count_("id"))
    )
    found: Counter[tuple[int, int, str]] = Counter()
    for y, m, k, n in raw:
        found[(y, m, "T")] += n
        found[(y, 0, k)] += n
    kinds = [k for k in Activity.Kind.values if any(key[2] == k for key in found)]
    months = range(1, 13)
    values = {(y, m, "T"): found[(y, m, "T")] for y in years for m in months}
    values |= {(y, 0, k): found[(y, 0, k)] for y in years for k in kinds}
    relations = []
    for y in years:
        values[(y, 0, "T")] = sum(values[(y, 0, k)] for k in kinds)
        relations.append(total([(y, m, "T") for m in months], (y, 0, "T")))
        relations.append(total([(y, 0, k) for k in kinds], (y, 0, "T")))
    for k in [*kinds, "T"]:
        values[(0, 0, k)] = sum(values[(y, 0, k)] for y in years)
        relations.append(total([(y, 0, k) for y in years], (0, 0, k)))
    relations.append(total([(0, 0, k) for k in kinds], (0, 0, "T")))
    labels = dict(Activity.Kind.choices)
    return {
        "kinds": [(k, labels[k]) for k in kinds],
        "cells": protect(values, relations, THRESHOLDS["registry"]),
    }


def activities_by_month(partnership, year: int, counts=None) -> dict:
    """The year's tables: {"year", "months": [(month, Cell)], "kinds": [(code, label, Cell)], "total"}."""
    counts = counts or activity_counts(partnership)
    if year not in partnership.years:
        return {"year": year, "months": [], "kinds": [], "total": Cell(0)}
    cells = counts["cells"]
    return {
        "year": year,
        "months": [(m, cells[(year, m, "T")]) for m in range(1, 13)],
        "kinds": [(k, label, cells[(year, 0, k)]) for k, label in counts["kinds"]],
        "total": cells[(year, 0, "T")],
    }


def activities_by_kind(partnership, year: int | None = None, counts=None) -> list[tuple]:
    """[(code, label, Cell)] for a year or the whole programme (year None), from the same table;
    kinds with no activity are left out."""
    counts = counts or activity_counts(partnership)
    period = year if year in partnership.years else 0
    cells = counts["cells"]
    return [
        (k, label, cells[(period, 0, k)]) for k, label in counts["kinds"] if cells[(period, 0, k)].value != 0
    ]


def forums(partnership) -> dict:
    """Forums (open ones first) and the followed projects, with what the public pages already show."""
    all_forums = list(Forum.objects.filter(partnership=partnership).only("title", "date", "phase", "slug"))
    projects = (
        Project.objects.filter(partnership=partnership, proposal__isnull=False)
        .only("title", "stage", "progress")
        .prefetch_related("results")
    )
    return {
        "open": [f for f in all_forums if f.phase in OPEN_PHASES],
        "others": [f for f in all_forums if f.phase not in OPEN_PHASES],
        "projects": list(projects),
    }


def principles(partnership) -> list[dict]:
    """For each governance principle: activities applying it per kind, public good practices and
    followed projects tagged with it."""
    per_kind: defaultdict[int, Counter[str]] = defaultdict(Counter)
    applied = (
        _public_activities(partnership)
        .filter(principles__isnull=False)
        .values_list("principles", "kind")
        .annotate(n=Count_("id"))
    )
    for principle_id, kind, n in applied:
        per_kind[principle_id][kind] += n
    labels = dict(Activity.Kind.choices)
    practices = defaultdict(list)
    for practice in (
        GoodPractice.objects.public().filter(partnership=partnership).prefetch_related("principles")
    ):
        for p in practice.principles.all():
            practices[p.pk].append(practice)
    projects = defaultdict(list)
    for link in ProjectPrinciple.objects.filter(principle__partnership=partnership).select_related("project"):
        projects[link.principle_id].append(link.project)
    rows = []
    for principle in GovernancePrinciple.objects.filter(partnership=partnership):
        values = dict(per_kind[principle.pk])
        values["T"] = sum(values.values())
        relation = total(sorted(k for k in values if k != "T"), "T")
        rows.append((principle, protect(values, [relation], THRESHOLDS["registry"])))
    return [
        {
            "principle": principle,
            "kinds": [(labels[k], shown[k]) for k in sorted(k for k in shown if k != "T")],
            "activities": shown["T"],
            "practices": practices[principle.pk],
            "projects": projects[principle.pk],
        }
        for principle, shown in rows
    ]


def front_door(practices_each=3) -> list[dict]:
    """For `/` seen by a visitor: every partnership (each has its public portal), its youth forums
    where a young person can act now (propose or vote) and its latest public good practices."""
    partnerships = list(Partnership.objects.select_related("network"))
    acting = defaultdict(list)
    for forum in Forum.objects.filter(phase__in=[Phase.PROPOSALS, Phase.VOTING]).order_by("date", "title"):
        acting[forum.partnership_id].append(forum)
    latest: defaultdict[int, list[GoodPractice]] = defaultdict(list)
    for practice in GoodPractice.objects.public().order_by("-published_at", "pk"):
        if len(latest[practice.partnership_id]) < practices_each:
            latest[practice.partnership_id].append(practice)
    return [{"partnership": p, "forums": acting[p.pk], "practices": latest[p.pk]} for p in partnerships]

"""Indicator tables as the dashboard, the API and the reports show them: targets, actuals, suppression.

Reads only small tables (derived values, approved measurements, targets) plus the listening
centre's consenting counts through `cases/stats.py`: a constant number of queries at any size.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Prefetch

from core.disclosure import THRESHOLDS, Relation, at_most, holds, protect, total
from partnerships.models import Role

from . import engine
from .models import PROGRAMME, Indicator, Measurement, Result

SEXES = ("F", "M", "T")


@dataclass
class Cell:
    target: int | None
    actual: int | None  # None: not available, or suppressed for this viewer
    suppressed: bool = False
    threshold: int = 0

    @property
    def shown(self) -> str:
        if self.suppressed:
            return f"< {self.threshold}"
        return "—" if self.actual is None else str(self.actual)

    @property
    def progress(self) -> int | None:
        """Per cent of the target reached (capped at 100 for the bar), or None."""
        if self.suppressed or self.actual is None or not self.target:
            return None
        return min(100, round(100 * self.actual / self.target))


@dataclass
class IndicatorTable:
    indicator: Indicator
    available: bool
    periods: list  # [(period, label)]
    cells: dict = field(default_factory=dict)  # (period, sex) -> Cell

    def row(self, period) -> list[Cell]:
        return [self.cells[(period, sex)] for sex in SEXES]

    def rows(self):
        return [(label, period, self.row(period)) for period, label in self.periods]


def cases_available() -> bool:
    return apps.is_installed("cases")


def _case_counts(partnership, years) -> dict:
    """{(period, sex): n} of women followed, consenting cases only, from cases/stats.py."""
    from cases import stats  # the only door from here into the listening centre

    counts = {(PROGRAMME, "F"): stats.women_followed(partnership).get("F", 0)}
    for year in years or ():
        counts[(year, "F")] = stats.women_followed(partnership, year=year).get("F", 0)
    return counts


def _forum_counts(partnership) -> dict:
    """{(period, sex): n} of youth participations in the forums, from participation/stats.py."""
    from participation import stats

    by_year = stats.participations_by_year(partnership)
    counts = {}
    for (year, sex), n in by_year.items():
        if partnership.start_year <= year <= partnership.end_year:
            counts[(year, sex)] = counts.get((year, sex), 0) + n
            counts[(PROGRAMME, sex)] = counts.get((PROGRAMME, sex), 0) + n
    return counts


def sees_unsuppressed(access, indicator: Indicator) -> bool:
    """Inside the holding service, figures are shown as they are; outside, small cells are hidden."""
    if indicator.source == Indicator.Source.CASES:
        return access.has(Role.LISTENER, Role.CENTRE_COORDINATOR)
    return access.sees_individuals


def partnership_tables(partnership, access, years=None) -> list[dict]:
    """Per result, its indicator tables for `years` (default: all) and the programme."""
    years = years or partnership.years
    results = Result.objects.filter(partnership=partnership).prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets"))
    )
    derived = engine.values_of(partnership)
    manual = {
        (m.indicator_id, m.period, m.sex): m.value
        for m in Measurement.objects.filter(
            indicator__result__partnership=partnership, status=Measurement.Status.APPROVED
        )
    }
    cases = forums = None
    blocks = []
    for result in results:
        tables = []
        for indicator in result.indicators.all():
            if indicator.source == Indicator.Source.CASES and cases is None and cases_available():
                annual = indicator.period == Indicator.Period.ANNUAL
                cases = _case_counts(partnership, partnership.years if annual else None)
            if (
                indicator.source == Indicator.Source.FORUMS
                and forums is None
                and apps.is_installed("participation")
            ):
                forums = _forum_counts(partnership)
            tables.append(_table(partnership, indicator, years, derived, manual, cases, access, forums))
        blocks.append({"result": result, "tables": tables})
    return blocks


def _table(partnership, indicator, years, derived, manual, cases, access, forums=None) -> IndicatorTable:
    source = indicator.source
    available = (source != Indicator.Source.CASES or cases is not None) and (
        source != Indicator.Source.FORUMS or forums is not None
    )
    if source == Indicator.Source.FORUMS and forums is not None:
        # Youth participations are read like derived values: F, M and X (not given) by period.
        derived = {(indicator.id, p, s): n for (p, s), n in forums.items()}
    if indicator.period == Indicator.Period.CUMULATIVE:
        periods = [(PROGRAMME, f"{partnership.start_year}–{partnership.end_year}")]
    else:
        periods = [(y, str(y)) for y in years] + [
            (PROGRAMME, f"{partnership.start_year}–{partnership.end_year}")
        ]
    all_periods = [*partnership.years, PROGRAMME]

    def actual(period, sex):
        if not available or (not indicator.by_sex and sex != "T"):
            return None
        if source == Indicator.Source.MANUAL:
            value = manual.get((indicator.id, period, sex))
            if sex == "T" and value is None:
                parts = [manual.get((indicator.id, period, s)) for s in ("F", "M")]
                value = None if all(p is None for p in parts) else sum(p or 0 for p in parts)
            return value
        if source == Indicator.Source.CASES:
            return cases.get((period, sex), 0) if sex != "M" else 0
        if sex == "T":
            return sum(derived.get((indicator.id, period, s), 0) for s in ("F", "M", "X"))
        return derived.get((indicator.id, period, sex), 0)

    values = {(p, s): actual(p, s) for p in all_periods for s in ("F", "M", "T")}
    values.update({(p, "X"): (derived.get((indicator.id, p, "X"), 0)) for p in all_periods})
    hidden = set()
    threshold = THRESHOLDS["centre"] if source == Indicator.Source.CASES else THRESHOLDS["registry"]
    if available and not sees_unsuppressed(access, indicator):
        additive = source in (
            Indicator.Source.PARTICIPATIONS,
            Indicator.Source.ACTIVITIES,
            Indicator.Source.FORUMS,
        )
        numeric = {cell: v for cell, v in values.items() if v is not None}
        known = frozenset(cell for cell in numeric if cell[1] == "X")
        hidden = {
            cell
            for cell, c in protect(numeric, _relations(numeric, additive), threshold, known).items()
            if c.hidden
        }
    targets = {(t.year or PROGRAMME, t.sex): t.value for t in indicator.targets.all()}
    cells = {}
    for period, _label in periods:
        for sex in SEXES:
            target = targets.get((period, sex))
            if sex == "T" and target is None and ((period, "F") in targets or (period, "M") in targets):
                target = targets.get((period, "F"), 0) + targets.get((period, "M"), 0)
            if period == PROGRAMME and indicator.period == Indicator.Period.ANNUAL:
                target = None  # annual targets are not summed into a programme target
            is_hidden = (period, sex) in hidden
            cells[(period, sex)] = Cell(
                target=target,
                actual=None if is_hidden else values[(period, sex)],
                suppressed=is_hidden,
                threshold=threshold,
            )
    return IndicatorTable(indicator=indicator, available=available, periods=periods, cells=cells)


def _relations(values, additive: bool) -> list:
    """What a reader knows of an indicator table (core/disclosure.py), on the cells it holds: per
    period F + M + X = T; over the years, the programme is their sum (acts) or, for distinct people,
    at least each year and at most their sum. Only those the values satisfy are kept: the
    listening centre's table has no T yet (kept until figures.py is rewritten)."""
    periods = sorted({p for p, _s in values})
    years = [p for p in periods if p != PROGRAMME]
    relations = [
        total([(p, s) for s in "FMX"], (p, "T")) for p in periods if all((p, s) in values for s in "FMXT")
    ]
    for sex in "FMXT":
        if not all((p, sex) in values for p in periods):
            continue
        if additive:
            relations.append(total([(y, sex) for y in years], (PROGRAMME, sex)))
        else:
            relations += [at_most((y, sex), (PROGRAMME, sex)) for y in years]
            relations.append(Relation({(PROGRAMME, sex): 1} | {(y, sex): -1 for y in years}, "<="))
    return [r for r in relations if holds(r, values)]

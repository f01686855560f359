"""Indicator tables as every surface shows them: the dashboard, the API, the annual report (page, PDF,
XLSX, CSV), IATI, the portal and the network view all read `partnership_tables`, so a cell is the same
figure everywhere.

Periods (one rule): a year's figure counts 1 January–31 December of that year; the cumulative figure
"for year Y" counts from the programme's start to 31 December of Y (`cumulative(Y)`, labelled
2022–Y; its target stays the programme's). Nothing dated after today counts (the engine's rule).

Totals are the sum of the categories: F + M + X (X: sex not recorded, tallies and forums only).

Disclosure (docs/security.md 8): outside the holding service every people-counting indicator goes through
`core.disclosure` once, over all its periods and sexes at once, whichever year the viewer looks at, so
that no hidden cell can be recovered from the shown cells, the totals, the other years or the
cumulative figures, and so that every surface publishes the same value for the same cell. Counts of
things that are not people (activities, plants) identify nobody and are shown as they are.

Reads only small tables (derived values, approved figures, targets) plus the listening centre's
consenting counts through `cases/stats.py`: a constant number of queries at any size.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from cases import stats as case_stats  # the only door from here into the listening centre
from core import disclosure
from participation import stats as forum_stats
from partnerships.models import Role
from programme.models import Indicator, Measurement, Result, cumulative, period_year

from . import engine

SEX_LABELS = {"F": "F", "M": "M", "X": "X", "T": "total"}
Source = Indicator.Source
ADDITIVE = (Source.PARTICIPATIONS, Source.ACTIVITIES, Source.FORUMS, Source.MANUAL, Source.SURVEY)


def chosen_year(value, partnership) -> int:
    """The year a page asks for (`?annee=`), within the programme's years; this year by default."""
    year = partnership.asked_year(value)
    if year is None:
        year = partnership.asked_year(str(timezone.localdate().year))
    return year


@dataclass
class Cell:
    target: int | None
    actual: int | None  # None: not available, or hidden for this viewer
    mark: str = ""  # "" shown; "< 5"/"< 10": small count hidden; "×": hidden to protect another cell

    @property
    def suppressed(self) -> bool:
        return bool(self.mark)

    @property
    def shown(self) -> str:
        if self.mark:
            return self.mark
        return "—" if self.actual is None else str(self.actual)

    @property
    def progress(self) -> int | None:
        """Per cent of the target reached (not capped), or None."""
        if self.suppressed or self.actual is None or not self.target:
            return None
        return round(100 * self.actual / self.target)


@dataclass
class IndicatorTable:
    indicator: Indicator
    available: bool
    year: int  # the year the viewer looks at
    start_year: int
    columns: list  # sexes shown, e.g. ["F", "M", "T"], ["F", "M", "X", "T"] or ["T"]
    women_only: bool  # targets women only: its percentage is of the women's target
    cells: dict = field(default_factory=dict)  # (period, sex) -> Cell
    chart: str = ""  # its SVG chart (indicators/charts.py), on pages that draw one
    chart_caption: str = ""

    @property
    def annual(self) -> bool:
        return self.indicator.period == Indicator.Period.ANNUAL

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.year + 1))

    @property
    def programme_label(self) -> str:
        return f"{self.start_year}–{self.year}"

    @property
    def periods(self) -> list[tuple]:
        """[(period, label)] published for the viewer's year: each year then the cumulative (annual
        indicators), or the cumulative alone."""
        years = [(y, str(y)) for y in self.years] if self.annual else []
        return [*years, (cumulative(self.year), self.programme_label)]

    @property
    def chart_annual(self) -> bool:
        """Whether the chart draws each year's figure (annual indicators counted by year) or the
        running cumulative at the end of each year."""
        return self.annual and self.indicator.source != Source.CASES

    @property
    def chart_rows(self) -> list[tuple[str, int, list[Cell]]]:
        """[(label, period, row)] the chart draws and its data table shows, earliest year first."""
        if self.chart_annual:
            return [(str(y), y, self.row(y)) for y in self.years]
        label = {y: f"{self.start_year}–{y}" if y > self.start_year else str(y) for y in self.years}
        return [(label[y], cumulative(y), self.row(cumulative(y))) for y in self.years]

    def row(self, period) -> list[Cell]:
        return [self.cells[(period, sex)] for sex in self.columns]

    def rows(self) -> list[tuple[str, int, list[Cell]]]:
        return [(label, period, self.row(period)) for period, label in self.periods]

    @property
    def year_row(self) -> list[Cell] | None:
        return self.row(self.year) if self.annual else None

    @property
    def programme_row(self) -> list[Cell]:
        return self.row(cumulative(self.year))

    @property
    def summary_row(self) -> list[Cell]:
        """F, M, X and total of the viewer's year (annual) or cumulative, for tables of several
        indicators side by side; a sex the indicator doesn't break down is left empty."""
        period = self.year if self.annual else cumulative(self.year)
        empty = Cell(target=None, actual=None)
        return [self.cells[(period, s)] if s in self.columns else empty for s in ("F", "M", "X", "T")]

    def progress(self, period) -> int | None:
        """Per cent of target: of the women's target when the indicator targets women only."""
        return self.cells[(period, "F" if self.women_only else "T")].progress

    @property
    def headline(self) -> int | None:
        """The percentage a page shows: the year's (annual) or the cumulative's."""
        return self.progress(self.year if self.annual else cumulative(self.year))


def counts_people(indicator: Indicator) -> bool:
    """Activities and quantities entered by hand without a sex (plants) count no person."""
    if indicator.source == Source.ACTIVITIES:
        return False
    return indicator.source != Source.MANUAL or indicator.by_sex


def sees_unsuppressed(access, indicator: Indicator) -> bool:
    """Inside the holding service, figures are shown as they are; outside, small cells are hidden."""
    if indicator.source == Source.CASES:
        return access.has(Role.LISTENER, Role.CENTRE_COORDINATOR)
    return access.sees_individuals


def partnership_tables(partnership, access, year: int | None = None) -> list[dict]:
    """Per result, its indicator tables as seen by `access` for `year` (default: this year)."""
    year = chosen_year(year, partnership)
    results = Result.objects.filter(partnership=partnership).prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets"))
    )
    sources = Sources(partnership)
    return [
        {
            "result": result,
            "tables": [_table(partnership, i, year, sources, access) for i in result.indicators.all()],
        }
        for result in results
    ]


class Sources:
    """The raw figures of a partnership's indicators, each read once per page."""

    def __init__(self, partnership) -> None:
        self.partnership = partnership
        self.years = partnership.years
        # Each read on first use.
        self._derived: dict | None = None
        self._cases: dict | None = None
        self._forums: dict | None = None
        self._manual: dict | None = None

    def values(self, indicator: Indicator) -> dict:
        """{(period, sex): value} for every year and every cumulative(Y), sexes F, M, X."""
        source = indicator.source
        if source == Source.CASES:
            return self.cases()
        if source == Source.FORUMS:
            return self._with_cumulative(self.forums())
        if source == Source.MANUAL:
            return self._with_cumulative(self.manual().get(indicator.id, {}))
        if self._derived is None:
            self._derived = engine.values_of(self.partnership)
        return {(p, s): v for (i, p, s), v in self._derived.items() if i == indicator.id}

    def _with_cumulative(self, by_year: dict) -> dict:
        """The years and their running sums; a cumulative starts with the first year that has one."""
        values = dict(by_year)
        for sex in {s for _y, s in by_year}:
            running = None
            for y in self.years:
                if (y, sex) in by_year:
                    running = (running or 0) + by_year[(y, sex)]
                if running is not None:
                    values[(cumulative(y), sex)] = running
        return values

    def cases(self) -> dict:
        if self._cases is None:
            self._cases = {
                (cumulative(y), "F"): n
                for y, n in case_stats.women_followed_by_year(self.partnership).items()
            }
        return self._cases

    def forums(self) -> dict:
        if self._forums is None:
            self._forums = {
                (y, s): n
                for (y, s), n in forum_stats.participations_by_year(self.partnership).items()
                if y in self.years
            }
        return self._forums

    def manual(self) -> dict:
        """Approved figures entered for a year, per indicator: {indicator_id: {(year, sex): value}}."""
        if self._manual is None:
            self._manual = {}
            for (indicator_id, year, sex), value in Measurement.objects.approved_values(
                self.partnership
            ).items():
                self._manual.setdefault(indicator_id, {})[(year, sex)] = value
        return self._manual


def _columns(indicator: Indicator, values: dict) -> list[str]:
    if not counts_people(indicator) or not indicator.by_sex:
        return ["T"]
    if indicator.source == Source.CASES:
        return ["F", "T"]  # women followed by the listening centre
    if any(v for (_p, s), v in values.items() if s == "X"):
        return ["F", "M", "X", "T"]
    return ["F", "M", "T"]


def _table(partnership, indicator, year, sources, access) -> IndicatorTable:
    values = sources.values(indicator)
    columns = _columns(indicator, values)
    years = partnership.years
    periods = [cumulative(y) for y in years]
    if indicator.period == Indicator.Period.ANNUAL and indicator.source != Source.CASES:
        periods = [*years, *periods]
    # A figure typed by hand exists only where someone entered (and another approved) it: a period
    # without one shows no figure, never a 0 nobody signed. Counted sources are 0 where nothing happened.
    entered = indicator.source == Source.MANUAL
    full = {}
    for period in periods:
        found = {s: values[(period, s)] for s in ("F", "M", "X", "T") if (period, s) in values}
        if entered and not found:
            continue
        parts = {s: found.get(s, 0) for s in ("F", "M", "X")}
        if columns == ["T"]:
            # Counted without a sex: the total is what was counted (activities under X, plants as T).
            full[(period, "T")] = found.get("T", 0) + sum(parts.values())
            continue
        full.update({(period, s): parts[s] for s in columns if s != "T" and (s in found or not entered)})
        full[(period, "T")] = sum(parts.values())
    hidden = {}
    if counts_people(indicator) and not sees_unsuppressed(access, indicator):
        hidden = _disclose(indicator, full, years, columns)
    targets = {(t.year, t.sex): t.value for t in indicator.targets.all()}
    target_sexes = {sex for _year, sex in targets}
    women_only = indicator.source == Source.CASES or ("F" in columns and target_sexes == {"F"})
    cells = {}
    for period, sex in full:
        mark = hidden.get((period, sex), "")
        cells[(period, sex)] = Cell(
            target=_target(indicator, targets, period, sex, years),
            actual=None if mark else full[(period, sex)],
            mark=mark,
        )
    # Periods not counted for this source (e.g. years of a cumulative-only source) are not available.
    for period in [*years, *[cumulative(y) for y in years]]:
        for sex in columns:
            cells.setdefault((period, sex), Cell(target=None, actual=None))
    return IndicatorTable(
        indicator=indicator,
        available=True,
        year=year,
        start_year=partnership.start_year,
        columns=columns,
        women_only=women_only,
        cells=cells,
    )


def _target(indicator, targets: dict, period: int, sex: str, years) -> int | None:
    """A year's target (annual indicators) or the programme's (cumulative ones, for every Y); the
    total's is the sum of the sexes' where none is set. Annual targets are never summed over years."""
    annual = indicator.period == Indicator.Period.ANNUAL
    if annual != (period in years):
        return None
    key = period if annual else None
    if sex == "T" and (key, "T") not in targets:
        parts = [targets.get((key, s)) for s in ("F", "M")]
        return None if all(p is None for p in parts) else sum(p or 0 for p in parts)
    return targets.get((key, sex))


def _disclose(indicator, full: dict, years: list[int], columns: list[str]) -> dict:
    """{(period, sex): mark} of the cells to hide, over every period of the indicator at once."""
    k = disclosure.THRESHOLDS["centre" if indicator.source == Source.CASES else "registry"]
    relations = []
    parts = [s for s in columns if s != "T"]
    periods = sorted({p for p, _s in full})
    if parts:
        relations += [disclosure.total([(p, s) for s in parts if (p, s) in full], (p, "T")) for p in periods]
    for sex in columns:
        cums = [(cumulative(y), sex) for y in years if (cumulative(y), sex) in full]
        yearly = [(y, sex) for y in years if (y, sex) in full]
        if yearly and indicator.source in ADDITIVE:  # a cumulative is the sum of its years so far
            relations += [disclosure.total([k for k in yearly if k[0] <= period_year(c[0])], c) for c in cums]
        elif yearly:  # distinct people: the cumulative grows by at most the year's people
            relations += disclosure.distinct_over_years(list(zip(yearly, cums, strict=True)))
        else:  # a cumulative count alone never decreases
            relations += [disclosure.at_most(a, b) for a, b in zip(cums, cums[1:], strict=False)]
    cells = disclosure.protect(full, relations, k)
    return {key: cell.mark for key, cell in cells.items() if cell.hidden}

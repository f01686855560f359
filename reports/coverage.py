"""The coverage of the territory: per douar, the activities held there and the people reached, for a
year or the whole programme, as the coverage page, its map (reports/maps.py) and the annual report
show them.

Counted as the annual report counts participants (indicators/engine.py): attendance of registered
people and tallies of unregistered ones, nothing dated after today. Here people are distinct: a
douar's "people reached" is the distinct registered people who attended an activity held there
plus the tallies at those activities; its "residents" are the registered people living there
(`Person.douar`) who took part in anything in the period. Activities are things, not people: shown
as they are.

Disclosure (docs/security.md 8): a viewer who does not see individuals (`Access.sees_individuals`:
the partner commune, the network, the platform admin) gets every people count through
`core.disclosure`, over every year and the whole programme at once (as indicators/figures.py does),
with the relations a reader knows: a douar's count is at most the total, the total at most the sum
of the douars (a person may be reached in two douars), residents sum to their total (one douar
each), and a count over the programme is at least each year's and at most their sum. So switching
years recovers no hidden cell. A per-1,000 figure is hidden with its count.

A constant number of GROUP BY queries, whatever the number of douars.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Attendance, Tally
from core import disclosure
from partnerships.models import Douar, Structure

from . import maps

PROGRAMME = "all"  # the period key of the whole programme
TOTAL = "total"  # the douar key of the total row
REACHED, RESIDENTS = "reached", "residents"


@dataclass
class Row:
    """One line of the coverage table; `douar` is None on the total row."""

    douar: Douar | None
    name: str
    population: int | None
    activities: int
    reached: disclosure.Cell
    residents: disclosure.Cell
    per_thousand: str = "—"  # people reached per 1,000 inhabitants, or the count's mark when hidden


@dataclass
class Coverage:
    year: int | None  # None: the whole programme
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None
    unlocated: int = 0  # activities held in the period with no douar recorded
    suppressed: bool = False  # small counts hidden for this viewer
    map: str = ""  # the SVG map (reports/maps.py), "" without douars

    @property
    def empty(self) -> bool:
        return not self.rows


def _bounds(partnership) -> tuple[datetime.date, datetime.date]:
    """The programme's first day and its last counted day (today at the latest)."""
    last = min(datetime.date(partnership.end_year, 12, 31), timezone.localdate())
    return datetime.date(partnership.start_year, 1, 1), last


def _per_year(rows, key: str, value: str = "n") -> dict:
    """{(year, douar_id): value} from grouped rows."""
    return {(r["year"], r[key]): r[value] or 0 for r in rows}


def raw_counts(partnership) -> tuple[dict, dict]:
    """({(period, douar_id): activities}, {(period, douar_id or TOTAL, measure): people}) over every
    year of the programme so far and the whole programme (period PROGRAMME), exact. Activities with
    no douar count under douar_id None."""
    first, last = _bounds(partnership)
    # The listening centre's work is never placed finer than the commune (docs/security.md 9): its
    # activities count in no douar, whatever one they hold.
    held = Activity.objects.filter(partnership=partnership, date__gte=first, date__lte=last).exclude(
        structure__kind=Structure.Kind.LISTENING_CENTRE
    )
    attendance = Attendance.objects.filter(activity__in=held)
    here = attendance.filter(activity__douar__isnull=False)
    tallies = Tally.objects.filter(activity__in=held, activity__douar__isnull=False)

    activities = _per_year(
        held.annotate(year=ExtractYear("date")).values("year", "douar_id").annotate(n=Count("id")).order_by(),
        "douar_id",
    )
    for (_year, douar_id), n in list(activities.items()):
        activities[(PROGRAMME, douar_id)] = activities.get((PROGRAMME, douar_id), 0) + n

    def distinct(rows, key) -> dict:
        return {r[key]: r["n"] for r in rows.annotate(n=Count("person_id", distinct=True)).order_by()}

    people: dict = {}
    douar = "activity__douar_id"
    for (year, douar_id), n in _per_year(
        here.annotate(year=ExtractYear("date"))
        .values("year", douar)
        .annotate(n=Count("person_id", distinct=True))
        .order_by(),
        douar,
    ).items():
        people[(year, douar_id, REACHED)] = n
    for douar_id, n in distinct(here.values(douar), douar).items():
        people[(PROGRAMME, douar_id, REACHED)] = n
    for year, n in distinct(here.annotate(year=ExtractYear("date")).values("year"), "year").items():
        people[(year, TOTAL, REACHED)] = n
    people[(PROGRAMME, TOTAL, REACHED)] = here.values("person_id").distinct().count()
    # Tallies are people not registered, counted at each activity: they add up.
    for (year, douar_id), n in _per_year(
        tallies.annotate(year=ExtractYear("date")).values("year", douar).annotate(n=Sum("count")).order_by(),
        douar,
    ).items():
        for key in ((year, douar_id), (year, TOTAL), (PROGRAMME, douar_id), (PROGRAMME, TOTAL)):
            people[(*key, REACHED)] = people.get((*key, REACHED), 0) + n

    living = attendance.filter(person__douar__isnull=False)
    resident = "person__douar_id"
    for (year, douar_id), n in _per_year(
        living.annotate(year=ExtractYear("date"))
        .values("year", resident)
        .annotate(n=Count("person_id", distinct=True))
        .order_by(),
        resident,
    ).items():
        people[(year, douar_id, RESIDENTS)] = n
        people[(year, TOTAL, RESIDENTS)] = people.get((year, TOTAL, RESIDENTS), 0) + n
    for douar_id, n in distinct(living.values(resident), resident).items():
        people[(PROGRAMME, douar_id, RESIDENTS)] = n
        people[(PROGRAMME, TOTAL, RESIDENTS)] = people.get((PROGRAMME, TOTAL, RESIDENTS), 0) + n
    return activities, people


def _relations(douar_ids, years) -> list[disclosure.Relation]:
    """What every reader knows between the people counts (see the module's docstring)."""
    relations = []
    places = [*douar_ids, TOTAL]
    for period in [*years, PROGRAMME]:
        reached = [(period, d, REACHED) for d in douar_ids]
        total = (period, TOTAL, REACHED)
        relations += [disclosure.at_most(cell, total) for cell in reached]
        relations.append(disclosure.Relation({total: 1, **dict.fromkeys(reached, -1)}, "<="))
        relations.append(
            disclosure.total([(period, d, RESIDENTS) for d in douar_ids], (period, TOTAL, RESIDENTS))
        )
    for place in places:
        for measure in (REACHED, RESIDENTS):
            whole = (PROGRAMME, place, measure)
            parts = [(y, place, measure) for y in years]
            relations += [disclosure.at_most(part, whole) for part in parts]
            relations.append(disclosure.Relation({whole: 1, **dict.fromkeys(parts, -1)}, "<="))
    return relations


def _per_thousand(cell: disclosure.Cell, population: int | None) -> str:
    if cell.hidden:
        return cell.mark
    if not population or cell.value is None:
        return "—"
    return formats.number_format(1000 * cell.value / population, 1, use_l10n=True)


def coverage(partnership, access, year: int | None) -> Coverage:
    """The coverage table of `year` (None: the whole programme) as this viewer may see it: exact for
    whoever sees individuals (`Access.sees_individuals`), small cells hidden for everyone else."""
    douars = sorted(Douar.objects.filter(partnership=partnership), key=lambda d: (d.label.casefold(), d.code))
    result = Coverage(year=year)
    if not douars:
        return result
    activities, people = raw_counts(partnership)
    _first, last = _bounds(partnership)
    years = [y for y in partnership.years if y <= last.year]
    ids = [d.pk for d in douars]
    values = {
        (period, place, measure): people.get((period, place, measure), 0)
        for period in [*years, PROGRAMME]
        for place in [*ids, TOTAL]
        for measure in (REACHED, RESIDENTS)
    }
    if access.sees_individuals:
        cells = {key: disclosure.Cell(v) for key, v in values.items()}
    else:
        k = disclosure.THRESHOLDS["registry"]
        # A douar's year (or programme) held by one activity is that activity's count, which the
        # activity list publishes from k up (activities/views.py): known to the reader, so never a
        # complement whose "×" the list would give away.
        known = [
            (period, place, REACHED)
            for (period, place), n in activities.items()
            if n == 1 and place in ids and values.get((period, place, REACHED), 0) >= k
        ]
        cells = disclosure.protect(values, _relations(ids, years), k, known=known)
        result.suppressed = True
    period = PROGRAMME if year is None else year
    for d in douars:
        reached = cells.get((period, d.pk, REACHED), disclosure.Cell(0))
        result.rows.append(
            Row(
                douar=d,
                name=d.label,
                population=d.population,
                activities=activities.get((period, d.pk), 0),
                reached=reached,
                residents=cells.get((period, d.pk, RESIDENTS), disclosure.Cell(0)),
                per_thousand=_per_thousand(reached, d.population),
            )
        )
    populations = [d.population for d in douars]
    population = sum(populations) if all(p is not None for p in populations) else None  # type: ignore[arg-type]
    reached = cells.get((period, TOTAL, REACHED), disclosure.Cell(0))
    result.total = Row(
        douar=None,
        name="",
        population=population,
        activities=sum(r.activities for r in result.rows),
        reached=reached,
        residents=cells.get((period, TOTAL, RESIDENTS), disclosure.Cell(0)),
        per_thousand=_per_thousand(reached, population),
    )
    result.unlocated = activities.get((period, None), 0)
    result.map = maps.coverage_map(maps.points_of(result.rows), title(partnership, year))
    return result


def title(partnership, year: int | None) -> str:
    """ "Couverture du territoire 2025" (or over the programme's years), the map's and the section's title."""
    period = str(year) if year is not None else f"{partnership.start_year}–{partnership.end_year}"
    return _("Couverture du territoire %(period)s") % {"period": period}

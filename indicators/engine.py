"""The indicator engine: actual values computed from the work itself, kept up to date incrementally.

Two derived tables (programme/models.py) hold what the dashboard and the API read:
- IndicatorMember (indicator, period, person, sex, hits): for the `people` and `participations`
  sources, a person counted in a period and the number of her matching attendances;
- IndicatorValue (indicator, period, sex, value): the actual values.
A third, ActivityTotal (partnership, year, result or none, kind: activities, F, M, X), holds the
annual report's figures (reports/annual.py): activities and participants (attendance by the
person's sex + tallies) per result and kind.
A period is a year, or cumulative(Y) (programme/models.py) from the programme's start to 31 December
of Y, for every year Y of the programme: an event of year y counts in y and in every cumulative(Y ≥ y).
For `people` a cumulative period counts distinct people, never a sum of the years. The whole
programme is cumulative(end_year); PROGRAMME (0) is not stored, `values_of` answers it.

Nothing counts before its date: attendance and tallies are refused before an activity's date
(activities/actions.py), and `values_of` / `activity_totals` leave out the activities planned after
today, which the upkeep counted when they were created (no daily job: today is read at read time).

Every writer of attendance, tallies, activities and people calls the engine in its own transaction
(activities/actions.py, people/actions.py), so a value is right the instant after any write:
- attendance_added / attendance_removed, tally_changed, activity_created;
- `with activity_changing(activity):` around a change of date, kind, structure or result links, or a
  deletion;
- `with results_changing(activity):` around a change of its result links alone;
- `with people_changing(person_ids):` around a change of sex or target groups, a merge, a deletion.
`rebuild()` (manage.py rebuild_indicators) recomputes everything from the raw rows.

Counting rules (docs/api.md): a person counts once per period however many activities she joins;
tallies are participations, never people; sex X (not recorded) appears in the total only.
"""

import datetime
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Attendance, Tally
from partnerships.models import Partnership, Structure
from people.models import Person, TargetGroup
from programme.models import PROGRAMME, Indicator, Result, cumulative
from projects.models import Answer, Question

from .models import ActivityTotal, IndicatorMember, IndicatorValue

COUNTED = (Indicator.Source.PEOPLE, Indicator.Source.PARTICIPATIONS)
TOTAL_COLUMNS = ("activities", "f", "m", "x")  # the sums of ActivityTotal
SEX_COLUMNS = {"F": "f", "M": "m", "X": "x"}  # sex (of a person or a tally) -> column of ActivityTotal
DERIVED = (*COUNTED, Indicator.Source.ACTIVITIES)

# The filters each source reads (`definitions`, `rebuild`, the upkeep, figures.Sources); an indicator
# filtered otherwise would show figures its filter does not narrow: `definition_errors` refuses it.
# A manual figure's structures say whose it is (the centre's: programme/access.py), nothing more.
FILTERS: dict[str, tuple[str, ...]] = {
    Indicator.Source.PEOPLE: ("target_groups", "activity_kinds", "structures"),
    Indicator.Source.PARTICIPATIONS: ("target_groups", "activity_kinds", "structures"),
    Indicator.Source.ACTIVITIES: ("activity_kinds", "structures"),
    Indicator.Source.CASES: (),
    Indicator.Source.FORUMS: (),
    Indicator.Source.MANUAL: ("structures",),
    Indicator.Source.SURVEY: (),
}


def definition_errors(indicator: Indicator) -> dict[str, str]:
    """{field: French message} of what the engine cannot count in `indicator`'s definition: an
    unknown source, a filter its source does not read, a code no activity kind, structure of its
    partnership or target group has. Empty when the engine counts it as defined."""
    if indicator.source not in FILTERS:
        return {"source": _("Cette source n'est pas connue du moteur des indicateurs.")}
    known = {
        "activity_kinds": set(Activity.Kind.values),
        "structures": set(
            Structure.objects.filter(partnership=indicator.result.partnership).values_list("code", flat=True)
        ),
        "target_groups": set(TargetGroup.objects.values_list("code", flat=True)),
    }
    errors = {}
    if indicator.source == Indicator.Source.SURVEY:
        if not survey_question(indicator.result.partnership, indicator.survey_question):
            errors["survey_question"] = _(
                "Indiquez une question d'une enquête du partenariat : code-enquête/code-question."
            )
    elif indicator.survey_question:
        errors["survey_question"] = _(
            "Seule la source « enquête » compte une question : laissez ce champ vide."
        )
    for name, codes in known.items():
        chosen = getattr(indicator, name) or []
        if not isinstance(chosen, list):
            errors[name] = _("Ce filtre est une liste de codes.")
        elif chosen and name not in FILTERS[indicator.source]:
            errors[name] = _("Cette source ne se filtre pas ainsi : laissez ce filtre vide.")
        elif set(chosen) - codes:
            errors[name] = _("Code inconnu dans ce filtre : %(codes)s.") % {
                "codes": ", ".join(sorted(map(str, set(chosen) - codes)))
            }
    return errors


@dataclass(frozen=True)
class Definition:
    id: int
    source: str
    kinds: frozenset
    structures: frozenset  # structure codes
    groups: frozenset  # target group codes
    start_year: int
    end_year: int

    def periods(self, year: int) -> list[int]:
        """The periods an event of `year` counts in: the year and each cumulative period through it or a
        later year of the programme (none outside the partnership's years)."""
        if not self.start_year <= year <= self.end_year:
            return []
        return [year, *(cumulative(y) for y in range(year, self.end_year + 1))]

    def matches_activity(self, kind: str, structure_code: str | None) -> bool:
        return (not self.kinds or kind in self.kinds) and (
            not self.structures or structure_code in self.structures
        )

    def matches_groups(self, codes) -> bool:
        return not self.groups or bool(self.groups.intersection(codes))


def definitions(partnership_id: int, sources=DERIVED) -> list[Definition]:
    """The derived indicators of a partnership (plain SQL: this runs on every attendance written)."""
    indicator, result, partnership = _table(Indicator), _table(Result), _table(Partnership)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.id, i.source, i.activity_kinds, i.structures, i.target_groups, p.start_year, p.end_year "  # noqa: S608
            f"FROM {indicator} i JOIN {result} r ON r.id = i.result_id JOIN {partnership} p ON p.id = r.partnership_id "
            f"WHERE r.partnership_id = %s AND i.source IN ({', '.join(['%s'] * len(sources))}) ORDER BY i.id",
            [partnership_id, *sources],
        )
        rows = cursor.fetchall()
    return [Definition(i, s, _codes(k), _codes(st), _codes(g), a, b) for i, s, k, st, g, a, b in rows]


def _codes(value) -> frozenset:
    # JSON columns come back decoded from PostgreSQL and as text from SQLite.
    return frozenset(json.loads(value) if isinstance(value, str) else value or ())


def _matching(activity, sources) -> list[Definition]:
    defs = [d for d in definitions(activity.partnership_id, sources) if d.periods(activity.date.year)]
    if any(d.structures for d in defs):
        structure_code = activity.structure.code if activity.structure_id else None
    else:
        structure_code = None
    return [d for d in defs if d.matches_activity(activity.kind, structure_code)]


def _groups_of(person_ids) -> dict[int, set[str]]:
    through, group = _table(Person.target_groups.through), _table(TargetGroup)
    groups = defaultdict(set)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ptg.person_id, tg.code FROM {through} ptg JOIN {group} tg ON tg.id = ptg.targetgroup_id "  # noqa: S608
            f"WHERE ptg.person_id IN ({', '.join(['%s'] * len(person_ids))})",
            list(person_ids),
        )
        for person_id, code in cursor.fetchall():
            groups[person_id].add(code)
    return groups


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _add_values(deltas: dict) -> None:
    """Adds {(indicator_id, period, sex): delta} to IndicatorValue in one statement."""
    rows = [(i, p, s, d) for (i, p, s), d in deltas.items() if d]
    if not rows:
        return
    table = _table(IndicatorValue)
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (indicator_id, period, sex, value) VALUES {placeholders} "  # noqa: S608
            f"ON CONFLICT (indicator_id, period, sex) DO UPDATE SET value = {table}.value + excluded.value",
            [x for row in rows for x in row],
        )


def _attendance_pairs(activity, people, sources=COUNTED) -> list[tuple[Definition, Person]]:
    """(definition, person) pairs that an attendance of `people` at `activity` counts in."""
    defs = _matching(activity, sources)
    if not defs or not people:
        return []
    groups = _groups_of([p.pk for p in people]) if any(d.groups for d in defs) else {}
    return [(d, p) for d in defs for p in people if d.matches_groups(groups.get(p.pk, ()))]


def attendance_added(activity, people) -> None:
    """Counts new attendances of `people` (only those just created) at `activity`."""
    _participants_changed(activity, _by_sex(people, +1))
    pairs = _attendance_pairs(activity, people)
    if not pairs:
        return
    year = activity.date.year
    deltas: defaultdict[tuple, int] = defaultdict(int)
    rows = []
    for d, p in pairs:
        for period in d.periods(year):
            if d.source == Indicator.Source.PEOPLE:
                rows.append((d.id, period, p.pk, p.sex))
            else:
                deltas[(d.id, period, p.sex)] += 1
    if rows:
        table = _table(IndicatorMember)
        placeholders = ", ".join(["(%s, %s, %s, %s, 1)"] * len(rows))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (indicator_id, period, person_id, sex, hits) VALUES {placeholders} "  # noqa: S608
                f"ON CONFLICT (indicator_id, period, person_id) DO UPDATE SET hits = {table}.hits + 1 "
                "RETURNING indicator_id, period, sex, hits",
                [x for row in rows for x in row],
            )
            for indicator_id, period, sex, hits in cursor.fetchall():
                if hits == 1:  # she was not counted in this period yet
                    deltas[(indicator_id, period, sex)] += 1
    _add_values(deltas)


def attendance_removed(activity, people) -> None:
    """Uncounts attendances of `people` at `activity` (call it for attendances actually deleted)."""
    _participants_changed(activity, _by_sex(people, -1))
    pairs = _attendance_pairs(activity, people)
    if not pairs:
        return
    year = activity.date.year
    deltas: defaultdict[tuple, int] = defaultdict(int)
    by_def = defaultdict(list)
    for d, p in pairs:
        by_def[d].append(p.pk)
    table = _table(IndicatorMember)
    with connection.cursor() as cursor:
        for d, person_ids in by_def.items():
            periods = d.periods(year)
            if d.source == Indicator.Source.PARTICIPATIONS:
                for p in people:
                    if p.pk in person_ids:
                        for period in periods:
                            deltas[(d.id, period, p.sex)] -= 1
                continue
            cursor.execute(
                f"UPDATE {table} SET hits = hits - 1 WHERE indicator_id = %s "  # noqa: S608
                f"AND period IN ({', '.join(['%s'] * len(periods))}) "
                f"AND person_id IN ({', '.join(['%s'] * len(person_ids))}) RETURNING period, sex, hits",
                [d.id, *periods, *person_ids],
            )
            for period, sex, hits in cursor.fetchall():
                if hits == 0:
                    deltas[(d.id, period, sex)] -= 1
        ids = sorted({p.pk for _d, p in pairs})
        cursor.execute(
            f"DELETE FROM {table} WHERE hits = 0 AND person_id IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608
            ids,
        )
    _add_values(deltas)


def tally_changed(activity, sex: str, group_code: str | None, delta: int) -> None:
    """Adds `delta` participations of `sex` (and target group) at `activity`."""
    if not delta:
        return
    _participants_changed(activity, {sex: delta})
    deltas: defaultdict[tuple, int] = defaultdict(int)
    for d in _matching(activity, [Indicator.Source.PARTICIPATIONS]):
        if d.groups and group_code not in d.groups:
            continue
        for period in d.periods(activity.date.year):
            deltas[(d.id, period, sex)] += delta
    _add_values(deltas)


def _activity_counted(activity, sign: int) -> None:
    """Adds (sign=+1) or removes (−1) the activity itself and its tallies from the values."""
    deltas: defaultdict[tuple, int] = defaultdict(int)
    defs = _matching(activity, [Indicator.Source.ACTIVITIES, Indicator.Source.PARTICIPATIONS])
    tallies = None
    for d in defs:
        periods = d.periods(activity.date.year)
        if d.source == Indicator.Source.ACTIVITIES:
            for period in periods:
                deltas[(d.id, period, "X")] += sign
            continue
        if tallies is None:
            tallies = list(activity.tallies.values_list("sex", "target_group__code", "count"))
        for sex, group_code, count in tallies:
            if not d.groups or group_code in d.groups:
                for period in periods:
                    deltas[(d.id, period, sex)] += sign * count
    _add_values(deltas)


def activity_created(activity) -> None:
    """Counts a new activity (for the `activities` source, and in the report's totals, where it is
    linked to no result yet: `results_changing` moves it)."""
    _activity_counted(activity, +1)
    _add_totals({(activity.partnership_id, activity.date.year, None, activity.kind): [1, 0, 0, 0]})


@contextmanager
def activity_changing(activity) -> Iterator[None]:
    """Wrap a change of an activity's date, kind, structure or result links, or its deletion.

    Uncounts the activity, its tallies and its attendees before; counts them again after (an
    activity deleted inside the block is not counted again). Its attendees' totals are moved by
    `people_changing`, the activity and its tallies here.
    """
    _lock(activity)
    person_ids = list(activity.attendances.values_list("person_id", flat=True))
    _activity_counted(activity, -1)
    _add_totals(_totals("a.id = %s", [activity.pk], attendance=False, sign=-1))
    with people_changing(person_ids):
        yield
    fresh = Activity.objects.filter(pk=activity.pk).select_related("structure").first()
    if fresh is not None:
        _activity_counted(fresh, +1)
        _add_totals(_totals("a.id = %s", [activity.pk], attendance=False))


def _lock(activity) -> None:
    """Locks the activity's row, as record_attendance does: an attendance written meanwhile waits,
    instead of being counted once by its own upkeep and again by the recount that follows."""
    Activity.objects.select_for_update().filter(pk=activity.pk).values_list("pk", flat=True).first()


@contextmanager
def results_changing(activity) -> Iterator[None]:
    """Wrap a change of an activity's result links: its totals (the activity, its tallies and its
    attendance) leave the old results and join the new ones. Indicators do not depend on results."""
    _lock(activity)
    _add_totals(_totals("a.id = %s", [activity.pk], sign=-1))
    yield
    _add_totals(_totals("a.id = %s", [activity.pk]))


@contextmanager
def people_changing(person_ids) -> Iterator[None]:
    """Wrap any change of people that can change what they count for (sex, groups, merge, deletion).

    Before: every derived row of these people is removed and its contribution subtracted. After:
    their rows are computed again from the raw attendance and added.
    """
    person_ids = sorted(set(person_ids))
    attendance = f"att.person_id IN ({', '.join(['%s'] * len(person_ids))})"
    if person_ids:
        _people_rows(person_ids, -1)
        _participations(person_ids, -1)
        _add_totals(_totals(attendance, person_ids, activities=False, sign=-1, on_attendance=True))
    yield
    if person_ids:
        _insert_members(person_ids=person_ids)
        _people_rows(person_ids, +1)
        _participations(person_ids, +1)
        _add_totals(_totals(attendance, person_ids, activities=False, on_attendance=True))


def _by_sex(people, sign: int) -> dict:
    counts: defaultdict[tuple, int] = defaultdict(int)
    for p in people:
        counts[p.sex] += sign
    return counts


def _participants_changed(activity, deltas: dict) -> None:
    """Adds {sex: delta} participants to the totals of `activity` (its year, kind and each of its
    results, or none): one UPDATE, the rows being there since the activity was counted."""
    deltas = {sex: n for sex, n in deltas.items() if n}
    if not deltas:
        return
    table, link = _table(ActivityTotal), _table(Activity.results.through)
    sets = ", ".join(f"{SEX_COLUMNS[sex]} = {SEX_COLUMNS[sex]} + %s" for sex in deltas)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} WHERE partnership_id = %s AND year = %s AND kind = %s "  # noqa: S608
            f"AND (result_id IN (SELECT result_id FROM {link} WHERE activity_id = %s) OR result_id IS NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {link} WHERE activity_id = %s))",
            [
                *deltas.values(),
                activity.partnership_id,
                activity.date.year,
                activity.kind,
                activity.pk,
                activity.pk,
            ],
        )


def _totals(
    where: str,
    params: list,
    activities: bool = True,
    attendance: bool = True,
    sign: int = 1,
    on_attendance: bool = False,
) -> dict:
    """{(partnership_id, year, result_id, kind): [activities, F, M, X]} × sign, from the raw rows:
    the activities `a` meeting `where` with their tallies, and their attendance `att` by the
    person's sex — or, `on_attendance`, only the attendance rows `att` meeting `where`. Grouped by
    day in SQL, summed per year here (no vendor date function)."""
    act, link, tally = _table(Activity), _table(Activity.results.through), _table(Tally)
    linked = f"{act} a LEFT JOIN {link} r ON r.activity_id = a.id"  # r.result_id None: linked to none
    sums = ", ".join(
        f"SUM(CASE WHEN sex = '{s}' THEN count ELSE 0 END) AS {c}" for s, c in SEX_COLUMNS.items()
    )
    totals: defaultdict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    with connection.cursor() as cursor:
        if activities:
            cursor.execute(
                f"SELECT a.partnership_id, a.date, r.result_id, a.kind, COUNT(*), SUM(s.f), SUM(s.m), SUM(s.x) "  # noqa: S608
                f"FROM {linked} LEFT JOIN (SELECT activity_id, {sums} FROM {tally} WHERE activity_id IN "
                f"(SELECT a.id FROM {act} a WHERE {where}) GROUP BY activity_id) s ON s.activity_id = a.id "
                f"WHERE {where} GROUP BY 1, 2, 3, 4",
                params + params,
            )
            for pid, day, result_id, kind, *values in cursor.fetchall():  # day: a date, or text on SQLite
                row = totals[(pid, int(str(day)[:4]), result_id, kind)]
                for i, n in enumerate(values):
                    row[i] += sign * (n or 0)
        if attendance:  # counted per activity first: the result links join the small side
            rows = where if on_attendance else f"att.activity_id IN (SELECT a.id FROM {act} a WHERE {where})"  # noqa: S608
            cursor.execute(
                f"SELECT a.partnership_id, a.date, r.result_id, a.kind, s.sex, SUM(s.n) FROM "  # noqa: S608
                f"(SELECT att.activity_id, p.sex, COUNT(*) AS n FROM {_table(Attendance)} att "
                f"JOIN {_table(Person)} p ON p.id = att.person_id WHERE {rows} GROUP BY 1, 2) s "
                f"JOIN {act} a ON a.id = s.activity_id LEFT JOIN {link} r ON r.activity_id = a.id "
                "GROUP BY 1, 2, 3, 4, 5",
                params,
            )
            for pid, day, result_id, kind, sex, n in cursor.fetchall():
                column = TOTAL_COLUMNS.index(SEX_COLUMNS[sex])
                totals[(pid, int(str(day)[:4]), result_id, kind)][column] += sign * n
    return totals


def _add_totals(totals: dict) -> None:
    """Adds {(partnership_id, year, result_id, kind): [activities, F, M, X]} to ActivityTotal: one
    upsert for rows of a result, one for rows of none (a partial unique index of their own); rows a
    subtraction left empty are deleted."""
    rows = [(*k, *v) for k, v in totals.items() if any(v)]
    table = _table(ActivityTotal)
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in TOTAL_COLUMNS)
    with connection.cursor() as cursor:
        for linked, target in (
            (True, "(partnership_id, year, result_id, kind)"),
            (False, "(partnership_id, year, kind) WHERE result_id IS NULL"),
        ):
            part = [row for row in rows if (row[2] is not None) == linked]
            if part:
                cursor.execute(
                    f"INSERT INTO {table} (partnership_id, year, result_id, kind, {', '.join(TOTAL_COLUMNS)}) "  # noqa: S608
                    f"VALUES {', '.join(['(%s, %s, %s, %s, %s, %s, %s, %s)'] * len(part))} "
                    f"ON CONFLICT {target} DO UPDATE SET {sets}",
                    [x for row in part for x in row],
                )
        if any(n < 0 for row in rows for n in row[4:]):
            ids = sorted({row[0] for row in rows})
            cursor.execute(
                f"DELETE FROM {table} WHERE partnership_id IN ({', '.join(['%s'] * len(ids))}) "  # noqa: S608
                "AND activities = 0 AND f = 0 AND m = 0 AND x = 0",
                ids,
            )


def _people_rows(person_ids, sign: int) -> None:
    """Adds (+1) or removes (−1, deleting them) the people-source rows of these people."""
    rows = (
        IndicatorMember.objects.filter(person_id__in=person_ids)
        .values_list("indicator_id", "period", "sex")
        .order_by()
    )
    deltas: defaultdict[tuple, int] = defaultdict(int)
    for indicator_id, period, sex in rows:
        deltas[(indicator_id, period, sex)] += sign
    if sign < 0:
        IndicatorMember.objects.filter(person_id__in=person_ids).delete()
    _add_values(deltas)


def _participations(person_ids, sign: int) -> None:
    """Adds or subtracts the attendances of these people to participations indicators, from raw rows."""
    att, act, person = (_table(m) for m in (Attendance, Activity, Person))
    partnership_ids = set(Person.objects.filter(pk__in=person_ids).values_list("partnership_id", flat=True))
    deltas: defaultdict[tuple, int] = defaultdict(int)
    with connection.cursor() as cursor:
        for pid in partnership_ids:
            for d in definitions(pid, [Indicator.Source.PARTICIPATIONS]):
                for year, start, end in _years(d):
                    params: list[Any] = [pid, start, end]
                    where = _where(d, params, person_ids)
                    cursor.execute(
                        f"SELECT p.sex, COUNT(*) FROM {att} att JOIN {act} a ON a.id = att.activity_id "  # noqa: S608
                        f"JOIN {person} p ON p.id = att.person_id "
                        f"WHERE a.partnership_id = %s AND att.date >= %s AND att.date < %s{where} GROUP BY p.sex",
                        params,
                    )
                    for sex, n in cursor.fetchall():
                        for period in d.periods(year):
                            deltas[(d.id, period, sex)] += sign * n
    _add_values(deltas)


def _where(d: Definition, params: list, person_ids=None) -> str:
    """SQL conditions on attendance `att`, activity `a` and person `p` for a definition."""
    clauses = []
    if d.kinds:
        clauses.append(f"a.kind IN ({', '.join(['%s'] * len(d.kinds))})")
        params.extend(sorted(d.kinds))
    if d.structures:
        clauses.append(
            f"a.structure_id IN (SELECT id FROM {_table(Structure)} WHERE code IN "  # noqa: S608
            f"({', '.join(['%s'] * len(d.structures))}))"
        )
        params.extend(sorted(d.structures))
    if d.groups:
        through = Person.target_groups.through
        clauses.append(
            f"EXISTS (SELECT 1 FROM {_table(through)} ptg JOIN {_table(TargetGroup)} tg "  # noqa: S608
            f"ON tg.id = ptg.targetgroup_id WHERE ptg.person_id = att.person_id AND tg.code IN "
            f"({', '.join(['%s'] * len(d.groups))}))"
        )
        params.extend(sorted(d.groups))
    if person_ids is not None:
        clauses.append(f"att.person_id IN ({', '.join(['%s'] * len(person_ids))})")
        params.extend(person_ids)
    return "".join(" AND " + c for c in clauses)


def _years(d: Definition) -> Iterator[tuple[int, datetime.date, datetime.date]]:
    """(year, 1 January, 1 January next) of each year of the programme. The cumulative periods are
    computed from the years: sums spread by `Definition.periods`, people from their yearly rows."""
    for year in range(d.start_year, d.end_year + 1):
        yield year, datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


def _insert_members(partnership_id=None, person_ids=None) -> None:
    """Computes IndicatorMember rows from the raw attendance, set-based in SQL."""
    if person_ids is not None:
        partnership_ids = set(
            Person.objects.filter(pk__in=person_ids).values_list("partnership_id", flat=True)
        )
    else:
        partnership_ids = {partnership_id}
    member, att, act, person = (_table(m) for m in (IndicatorMember, Attendance, Activity, Person))
    with connection.cursor() as cursor:
        for pid in partnership_ids:
            for d in definitions(pid, [Indicator.Source.PEOPLE]):
                for year, start, end in _years(d):
                    params: list[Any] = [d.id, year, pid, start, end]
                    where = _where(d, params, person_ids)
                    cursor.execute(
                        f"INSERT INTO {member} (indicator_id, period, person_id, sex, hits) "  # noqa: S608
                        f"SELECT %s, %s, att.person_id, p.sex, COUNT(*) FROM {att} att "
                        f"JOIN {act} a ON a.id = att.activity_id JOIN {person} p ON p.id = att.person_id "
                        f"WHERE a.partnership_id = %s AND att.date >= %s AND att.date < %s{where} "
                        "GROUP BY att.person_id, p.sex",
                        params,
                    )
                # Through each year: her yearly rows summed (fewer rows than the attendance they count).
                people = ""
                if person_ids is not None:
                    people = f" AND person_id IN ({', '.join(['%s'] * len(person_ids))})"
                for year in range(d.start_year, d.end_year + 1):
                    cursor.execute(
                        f"INSERT INTO {member} (indicator_id, period, person_id, sex, hits) "  # noqa: S608
                        f"SELECT indicator_id, %s, person_id, sex, SUM(hits) FROM {member} "
                        f"WHERE indicator_id = %s AND period >= %s AND period <= %s{people} "
                        "GROUP BY indicator_id, person_id, sex",
                        [cumulative(year), d.id, d.start_year, year, *(person_ids or ())],
                    )


def rebuild(partnership=None) -> None:
    """Recomputes every derived row from the raw rows (all partnerships, or one)."""
    partnerships = [partnership] if partnership else list(Partnership.objects.all())
    member, value = _table(IndicatorMember), _table(IndicatorValue)
    att, act, person = _table(Attendance), _table(Activity), _table(Person)
    for p in partnerships:
        ActivityTotal.objects.filter(partnership=p).delete()
        totals = _totals("a.partnership_id = %s", [p.pk])
        ActivityTotal.objects.bulk_create(
            ActivityTotal(
                partnership_id=pid, year=y, result_id=r, kind=k, **dict(zip(TOTAL_COLUMNS, v, strict=True))
            )
            for (pid, y, r, k), v in totals.items()
        )
        indicator_ids = list(Indicator.objects.filter(result__partnership=p).values_list("id", flat=True))
        IndicatorMember.objects.filter(indicator_id__in=indicator_ids).delete()
        IndicatorValue.objects.filter(indicator_id__in=indicator_ids).delete()
        _insert_members(partnership_id=p.pk)
        with connection.cursor() as cursor:
            for d in definitions(p.pk):
                if d.source == Indicator.Source.PEOPLE:
                    cursor.execute(
                        f"INSERT INTO {value} (indicator_id, period, sex, value) "  # noqa: S608
                        f"SELECT indicator_id, period, sex, COUNT(*) FROM {member} "
                        "WHERE indicator_id = %s GROUP BY indicator_id, period, sex",
                        [d.id],
                    )
                    continue
                deltas: defaultdict[tuple, int] = defaultdict(int)
                for year, start, end in _years(d):
                    periods = d.periods(year)
                    activities = Activity.objects.filter(partnership=p, date__gte=start, date__lt=end)
                    if d.kinds:
                        activities = activities.filter(kind__in=d.kinds)
                    if d.structures:
                        activities = activities.filter(structure__code__in=d.structures)
                    if d.source == Indicator.Source.ACTIVITIES:
                        n = activities.count()
                        for period in periods:
                            deltas[(d.id, period, "X")] += n
                        continue
                    params: list[Any] = [p.pk, start, end]
                    where = _where(d, params)
                    cursor.execute(
                        f"SELECT pe.sex, COUNT(*) FROM {att} att JOIN {act} a ON a.id = att.activity_id "  # noqa: S608
                        f"JOIN {person} pe ON pe.id = att.person_id "
                        f"WHERE a.partnership_id = %s AND att.date >= %s AND att.date < %s{where} GROUP BY pe.sex",
                        params,
                    )
                    for sex, n in cursor.fetchall():
                        for period in periods:
                            deltas[(d.id, period, sex)] += n
                    tallies = Tally.objects.filter(activity__in=activities)
                    if d.groups:
                        tallies = tallies.filter(
                            target_group__in=TargetGroup.objects.filter(code__in=d.groups)
                        )
                    for sex, total in tallies.values_list("sex").annotate(total=Sum("count")).order_by():
                        for period in periods:
                            deltas[(d.id, period, sex)] += total or 0
                _add_values(deltas)


def values_of(partnership) -> dict:
    """{(indicator_id, period, sex): value} of every derived indicator of a partnership, as of today.

    Periods: each year of the programme and cumulative(Y) for each year Y; PROGRAMME (not stored)
    answers cumulative(end_year). Sex F, M, X (an `activities` indicator counts under X). Nothing
    dated after today counts: the activities planned after today are taken out here.

    One statement (the API reads every indicator in a bounded number of queries): the stored values,
    then the partnership's activities dated after today grouped by day, kind and structure (index
    activity_partnership_date_kind), told apart by their null indicator.
    """
    value, indicator, result = _table(IndicatorValue), _table(Indicator), _table(Result)
    activity, structure = _table(Activity), _table(Structure)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.indicator_id, v.period, v.sex, v.value, i.source, i.activity_kinds, i.structures, "  # noqa: S608
            f"NULL, NULL FROM {value} v JOIN {indicator} i ON i.id = v.indicator_id "
            f"JOIN {result} r ON r.id = i.result_id WHERE r.partnership_id = %s "
            f"UNION ALL SELECT NULL, NULL, a.kind, COUNT(*), NULL, NULL, NULL, s.code, a.date FROM {activity} a "
            f"LEFT JOIN {structure} s ON s.id = a.structure_id WHERE a.partnership_id = %s AND a.date > %s "
            "GROUP BY a.date, a.kind, s.code",
            [partnership.pk, partnership.pk, timezone.localdate()],
        )
        rows = cursor.fetchall()
    values, planned, counters = {}, [], {}
    for i, p, sex, v, source, kinds, structures, code, day in rows:
        if i is None:  # an activity dated after today: day (text on SQLite), kind, structure, number
            planned.append((day, sex, code, v))
            continue
        values[(i, p, sex)] = v
        if source == Indicator.Source.ACTIVITIES and i not in counters:
            counters[i] = Definition(
                i,
                source,
                _codes(kinds),
                _codes(structures),
                frozenset(),
                partnership.start_year,
                partnership.end_year,
            )
    for key, n in _planned(list(counters.values()), planned).items():
        values[key] = values.get(key, 0) - n
    values.update(survey_values(partnership))
    whole = cumulative(partnership.end_year)
    values.update({(i, PROGRAMME, s): v for (i, p, s), v in list(values.items()) if p == whole})
    return values


def survey_question(partnership, reference: str) -> Question | None:
    """The question an indicator names, "survey code/question code", among the partnership's surveys."""
    survey_code, _slash, question_code = (reference or "").strip().partition("/")
    if not survey_code or not question_code:
        return None
    return Question.objects.filter(
        survey__partnership=partnership, survey__code=survey_code, code=question_code
    ).first()


def survey_values(partnership) -> dict:
    """{(indicator_id, period, sex): value} of the partnership's `survey` indicators, read from the
    answers themselves (two queries, whatever the number of indicators): the respondents whose answer
    to the indicator's question is favourable (≥ Question.favourable), by year of the response and
    sex, up to today; a cumulative period is the sum of its years (a response is anonymous: it counts
    a response, never a distinct person). A response is recorded once per form (projects/surveys.py),
    so an export imported twice counts once."""
    indicators = list(
        Indicator.objects.filter(result__partnership=partnership, source=Indicator.Source.SURVEY)
        .exclude(survey_question="")
        .values_list("id", "survey_question")
    )
    if not indicators:
        return {}
    wanted = Q(pk__in=[])
    for _id, reference in indicators:
        survey_code, _slash, question_code = reference.partition("/")
        wanted |= Q(survey__code=survey_code, code=question_code)
    questions = {
        f"{survey_code}/{code}": pk
        for pk, survey_code, code in Question.objects.filter(
            wanted, survey__partnership=partnership
        ).values_list("pk", "survey__code", "code")
    }
    rows = (
        Answer.objects.filter(
            question__in=set(questions.values()),
            value__gte=F("question__favourable"),
            response__date__lte=timezone.localdate(),
            response__date__year__gte=partnership.start_year,
            response__date__year__lte=partnership.end_year,
        )
        .values_list("question", "response__date__year", "response__sex")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_question: defaultdict[int, list] = defaultdict(list)
    for question_id, year, sex, n in rows:
        by_question[question_id].append((year, sex, n))
    values: defaultdict[tuple, int] = defaultdict(int)
    for indicator_id, reference in indicators:
        d = Definition(
            indicator_id, Indicator.Source.SURVEY, frozenset(), frozenset(), frozenset(),
            partnership.start_year, partnership.end_year,
        )  # fmt: skip
        for year, sex, n in by_question.get(questions.get(reference, 0), []):
            for period in d.periods(year):
                values[(indicator_id, period, sex)] += n
    return dict(values)


def _planned(counters: list[Definition], planned: list) -> dict:
    """{(indicator_id, period, "X"): n}: what the activities dated after today add to the `activities`
    indicators `counters`. The upkeep counts an activity when it is created, whatever its date, so
    that nothing has to happen on the day it comes (no daily job); it is left out here until then.
    Planned activities hold no attendance nor tallies (refused before the date), so the other
    sources need no such correction."""
    result: defaultdict[tuple, int] = defaultdict(int)
    for day, kind, structure_code, n in planned:
        year = int(str(day)[:4])
        for d in counters:
            if d.matches_activity(kind, structure_code):
                for period in d.periods(year):
                    result[(d.id, period, "X")] += n
    return result


def activity_totals(partnership, year: int) -> dict:
    """{(result_id, kind): [activities, F, M, X]} of a year as of today, for the annual report:
    ActivityTotal's rows less the activities dated after today (with anything they hold). Result id
    None holds the activities linked to no result; an activity of two results counts under each."""
    totals = {}
    rows = ActivityTotal.objects.filter(partnership=partnership, year=year).values_list(
        "result_id", "kind", *TOTAL_COLUMNS
    )
    for result_id, kind, *sums in rows.order_by():
        totals[(result_id, kind)] = sums
    today = timezone.localdate()
    if today.year <= year:
        planned = _totals(
            "a.partnership_id = %s AND a.date > %s AND a.date < %s",
            [partnership.pk, max(today, datetime.date(year - 1, 12, 31)), datetime.date(year + 1, 1, 1)],
        )
        for (_pid, _year, result_id, kind), sums in planned.items():
            row = totals.get((result_id, kind), [0, 0, 0, 0])
            totals[(result_id, kind)] = [a - b for a, b in zip(row, sums, strict=True)]
    return {key: sums for key, sums in totals.items() if any(sums)}

"""A reference implementation of every indicator, for tests only, and the random worlds it judges.

`expected(partnership)` reads the raw rows (people, activities, attendance, tallies, cases and their
services, forums, approved measurements) with plain ORM reads and counts them in plain Python by the
rules of docs/api.md and issue 12, without the engine, its derived tables or figures.py:

- a year Y counts what is dated 1 January–31 December Y; cumulative(Y) counts from 1 January of the
  programme's first year to 31 December Y; nothing dated after today counts anywhere;
- `people`: distinct registered people of the target groups with at least one attendance at a
  matching activity in the period, by the person's sex (F/M); once per period;
- `participations`: attendance rows (by the person's sex) plus tallies (F/M/X; the target-group filter
  applies to the tally's group) at matching activities;
- `activities`: matching activities, under X;
- `cases`: consenting cases of the partnership's listening centre, opened in the period, followed (a
  service dated in the period), under F;
- `forums`: proposals and counted ballots (online, or in a confirmed paper batch) of the forums held
  in the period, by the sex given (F/M/X);
- `manual`: approved figures of each year; cumulative(Y) sums the years up to Y.

`worlds()` is a hypothesis strategy of small worlds; `build(world, ...)` writes one through the apps'
actions (which keep the derived values), including edits, merges and deletions.
"""

import contextlib
import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import strategies as st

from programme import models as programme_models
from programme.models import Indicator, Measurement, Target

# The period encoding of BRIEF.md (programme/models.py once H2's branch is merged).
CUMULATIVE = getattr(programme_models, "CUMULATIVE", 10000)


def cumulative(year: int) -> int:
    return CUMULATIVE + year


def is_cumulative(period: int) -> bool:
    return period >= CUMULATIVE


def period_year(period: int) -> int:
    return period - CUMULATIVE if period >= CUMULATIVE else period


SEXES = ("F", "M", "X")
# What a manual indicator shows for a period without any approved figure: no figure ("—"), not a
# zero nobody entered. (indicators/figures.py shows 0 today: the lead decides; change it here if so.)
MANUAL_WITHOUT_FIGURE = None
DERIVED = ("people", "participations", "activities")


# ---------------------------------------------------------------------------------------------------
# The reference implementation


@dataclass(frozen=True)
class Definition:
    id: int
    code: str
    source: str
    annual: bool
    by_sex: bool
    kinds: frozenset
    structures: frozenset
    groups: frozenset
    targets: dict  # {(year or None, sex): value}

    def matches(self, activity) -> bool:
        return (not self.kinds or activity["kind"] in self.kinds) and (
            not self.structures or activity["structure"] in self.structures
        )


def definitions(partnership) -> list[Definition]:
    rows = Indicator.objects.filter(result__partnership=partnership).order_by("pk")
    targets: defaultdict[int, dict] = defaultdict(dict)
    for i, year, sex, value in Target.objects.filter(indicator__in=rows).values_list(
        "indicator_id", "year", "sex", "value"
    ):
        targets[i][(year, sex)] = value
    return [
        Definition(
            i.pk,
            i.code,
            i.source,
            i.period == Indicator.Period.ANNUAL,
            i.by_sex,
            frozenset(i.activity_kinds or ()),
            frozenset(i.structures or ()),
            frozenset(i.target_groups or ()),
            targets[i.pk],
        )
        for i in rows
    ]


def periods(partnership) -> list[int]:
    years = list(range(partnership.start_year, partnership.end_year + 1))
    return years + [cumulative(y) for y in years]


def window(partnership, period: int, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day counted in a period (the last never after today)."""
    year = period_year(period)
    first = datetime.date(partnership.start_year if is_cumulative(period) else year, 1, 1)
    return first, min(datetime.date(year, 12, 31), today)


def _raw(partnership):
    """The raw rows the indicators count, read plainly."""
    from activities.models import Activity, Attendance, Tally
    from cases.stats import SERVICES
    from participation.models import Ballot, Proposal
    from people.models import Person

    activities = {
        pk: {"date": date, "kind": kind, "structure": code}
        for pk, date, kind, code in Activity.objects.filter(partnership=partnership).values_list(
            "pk", "date", "kind", "structure__code"
        )
    }
    people = {
        pk: {"sex": sex, "groups": set()}
        for pk, sex in Person.objects.filter(partnership=partnership).values_list("pk", "sex")
    }
    for pk, code in Person.target_groups.through.objects.filter(person__partnership=partnership).values_list(
        "person_id", "targetgroup__code"
    ):
        people[pk]["groups"].add(code)
    attendance = list(
        Attendance.objects.filter(activity__partnership=partnership).values_list("activity_id", "person_id")
    )
    tallies = list(
        Tally.objects.filter(activity__partnership=partnership).values_list(
            "activity_id", "sex", "target_group__code", "count"
        )
    )
    from cases.models import Case  # tests may read the centre's models; the oracle needs its raw rows

    cases = {
        pk: {"opened_on": opened_on, "services": []}
        for pk, opened_on in Case.objects.filter(
            partnership=partnership, consent_statistics=True
        ).values_list("pk", "opened_on")
    }
    for model in SERVICES.values():
        for case_id, date in model.objects.filter(case_id__in=cases).values_list("case_id", "date"):
            cases[case_id]["services"].append(date)
    forum_rows = []  # (forum date, sex) per participation
    forum_rows += Proposal.objects.filter(forum__partnership=partnership).values_list("forum__date", "sex")
    ballots = Ballot.objects.filter(forum__partnership=partnership)
    ballots = [
        (date, sex)
        for date, sex, batch, confirmed in ballots.values_list(
            "forum__date", "sex", "batch_id", "batch__confirmed_at"
        )
        if batch is None or confirmed is not None
    ]
    forum_rows += ballots
    manual = {
        (i, period, sex): value
        for i, period, sex, value in Measurement.objects.filter(
            indicator__result__partnership=partnership, status=Measurement.Status.APPROVED
        ).values_list("indicator_id", "period", "sex", "value")
    }
    return activities, people, attendance, tallies, cases, forum_rows, manual


def expected(partnership, today: datetime.date | None = None) -> dict:
    """{(indicator_id, period, sex): value} for every indicator, period (each year, each cumulative(Y))
    and sex its source counts: F, M, X for people, participations, activities and forums; F for cases;
    for manual figures, the approved measurements as they are (sex F, M or T)."""
    today = today or timezone.localdate()
    activities, people, attendance, tallies, cases, forum_rows, manual = _raw(partnership)
    values = {}
    for d in definitions(partnership):
        if d.source == "manual":
            # Approved figures of a year; a cumulative one is the sum of the years up to Y.
            own = {k: v for k, v in manual.items() if k[0] == d.id}
            values.update(own)
            for year in range(partnership.start_year, partnership.end_year + 1):
                for sex in {s for _i, _y, s in own}:
                    parts = [v for (_i, y, s), v in own.items() if s == sex and y <= year]
                    if parts:
                        values[(d.id, cumulative(year), sex)] = sum(parts)
            continue
        for period in periods(partnership):
            first, last = window(partnership, period, today)
            counts = dict.fromkeys(SEXES, 0)

            def counted(activity_id, d=d, first=first, last=last):
                a = activities[activity_id]
                return first <= a["date"] <= last and d.matches(a)

            if d.source == "people":
                seen = {
                    person
                    for activity_id, person in attendance
                    if counted(activity_id) and (not d.groups or d.groups & people[person]["groups"])
                }
                for person in seen:
                    counts[people[person]["sex"]] += 1
            elif d.source == "participations":
                for activity_id, person in attendance:
                    if counted(activity_id) and (not d.groups or d.groups & people[person]["groups"]):
                        counts[people[person]["sex"]] += 1
                for activity_id, sex, group, n in tallies:
                    if counted(activity_id) and (not d.groups or group in d.groups):
                        counts[sex] += n
            elif d.source == "activities":
                counts["X"] = sum(1 for pk in activities if counted(pk))
            elif d.source == "forums":
                for date, sex in forum_rows:
                    if first <= date <= last:
                        counts[sex] += 1
            elif d.source == "cases":
                counts["F"] = sum(
                    1
                    for case in cases.values()
                    if first <= case["opened_on"] <= last
                    and any(first <= s <= last for s in case["services"])
                )
            for sex, n in counts.items():
                values[(d.id, period, sex)] = n
    return values


def row(d: Definition, values: dict, period: int) -> dict:
    """What a surface shows for one indicator and period, unsuppressed: {"F", "M", "X", "T"} → actual
    (None: no figure, or no breakdown by sex) and the targets {"F", "M", "T"} → target or None."""
    if d.source == "manual":
        got = {s: values.get((d.id, period, s), MANUAL_WITHOUT_FIGURE) for s in ("F", "M", "T")}
        if got["T"] is None and (got["F"] is not None or got["M"] is not None):
            got["T"] = (got["F"] or 0) + (got["M"] or 0)
        actual = {**got, "X": None} if d.by_sex else {"F": None, "M": None, "X": None, "T": got["T"]}
    else:
        parts = {s: values.get((d.id, period, s), 0) for s in SEXES}
        total = sum(parts.values())
        if d.by_sex:
            actual = {"F": parts["F"], "M": parts["M"], "X": parts["X"], "T": total}
        else:
            actual = {"F": None, "M": None, "X": None, "T": total}
    year = period_year(period) if d.annual else None
    targets = {s: d.targets.get((year, s)) for s in ("F", "M", "X", "T")}
    if targets["T"] is None and (targets["F"] is not None or targets["M"] is not None):
        targets["T"] = (targets["F"] or 0) + (targets["M"] or 0)
    return {"actual": actual, "target": targets}


def percent(d: Definition, values: dict, period: int) -> int | None:
    """Per cent of the target: the total target when there is one, else the women's target (OC.1)."""
    r = row(d, values, period)
    target = r["target"]["T"]
    actual = r["actual"]["T"]
    if not target or actual is None:
        return None
    return round(100 * actual / target)


def shown_period(d: Definition, year: int) -> int:
    """The period a surface shows for `year`: the year itself, or cumulative(year)."""
    return year if d.annual else cumulative(year)


# ---------------------------------------------------------------------------------------------------
# Random worlds


def _dates(today: datetime.date):
    """Dates across and around the programme, the year boundaries, and days around today."""
    return st.one_of(
        st.dates(datetime.date(2021, 10, 1), datetime.date(2027, 3, 31)),
        st.sampled_from(
            [datetime.date(y, 1, 1) for y in range(2022, 2028)]
            + [datetime.date(y, 12, 31) for y in range(2021, 2027)]
        ),
        st.integers(-20, 45).map(lambda n: today + datetime.timedelta(days=n)),
    )


KINDS = ["reunion-info", "atelier", "campagne", "forum", "accueil-jour"]
STRUCTURES = [None, "centre-ecoute", "centre-jour", "bureau-migrants"]
GROUPS = ["jeunes-handicap", "migrants", "ouvrieres-agricoles"]


def worlds(today: datetime.date | None = None, people=16, activities=10):
    """A small world: people, activities, then a list of writes and edits applied in order."""
    today = today or timezone.localdate()
    dates = _dates(today)
    person = st.tuples(st.sampled_from("FM"), st.frozensets(st.sampled_from(GROUPS), max_size=2))
    activity = st.tuples(dates, st.sampled_from(KINDS), st.sampled_from(STRUCTURES))
    i = st.integers(0, 63)
    op = st.one_of(
        # Most writes are attendance, of several people at once (hypothesis favours small integers:
        # one index per person would mostly repeat the same attendance).
        *[
            st.tuples(st.just("attend"), i, st.frozensets(st.integers(0, 31), min_size=1, max_size=12))
            for _ in range(8)  # distinct objects: one_of would merge identical ones
        ],
        st.tuples(st.just("unattend"), i, i),
        st.tuples(
            st.just("tally"), i, st.sampled_from("FMX"), st.sampled_from([None, *GROUPS]), st.integers(0, 15)
        ),
        st.tuples(st.just("add_tally"), i, st.sampled_from("FMX"), st.integers(-3, 3)),
        st.tuples(st.just("move"), i, dates),
        st.tuples(st.just("edit"), i, st.sampled_from(KINDS), st.sampled_from(STRUCTURES), dates),
        st.tuples(st.just("sex"), i, st.sampled_from("FM")),
        st.tuples(st.just("regroup"), i, st.frozensets(st.sampled_from(GROUPS), max_size=2)),
        st.tuples(st.just("merge"), i, i),
        st.tuples(st.just("delete_person"), i),
        st.tuples(st.just("delete_activity"), i),
    )
    case = st.tuples(
        dates,  # opened on
        st.booleans(),  # consents to statistics
        st.lists(st.tuples(st.sampled_from(["ecoute", "orientation", "hebergement"]), dates), max_size=2),
    )
    forum = st.tuples(
        dates,
        st.lists(
            st.tuples(
                st.sampled_from(["proposal", "ballot", "paper", "unconfirmed"]), st.sampled_from("FMX")
            ),
            max_size=12,
        ),
    )
    measurement = st.tuples(
        st.integers(2022, 2026),
        st.integers(0, 400),
        st.sampled_from(["approved", "submitted", "draft", "reopened"]),
    )
    return st.fixed_dictionaries(
        {
            # Lower bounds keep worlds big enough for cells above the thresholds (5, 10).
            "people": st.lists(person, min_size=5, max_size=people),
            "activities": st.lists(activity, min_size=2, max_size=activities),
            "ops": st.lists(op, min_size=12, max_size=40),
            "cases": st.lists(case, max_size=6),
            "forums": st.lists(forum, max_size=2),
            "measurements": st.lists(measurement, max_size=3),
        }
    )


REFUSED = (ValidationError, ValueError, PermissionDenied)  # a write the system refuses changes nothing


def build(world: dict, partnership, users: dict, manual_indicators=()) -> None:
    """Writes a world into `partnership` through the apps' actions, as users would."""
    from activities import actions as activity_actions
    from activities.models import Activity
    from partnerships.models import Structure
    from people import actions as people_actions
    from people.models import TargetGroup

    groups = {g.code: g for g in TargetGroup.objects.filter(code__in=GROUPS)}
    structures = {s.code: s for s in Structure.objects.filter(partnership=partnership)}
    people = [
        people_actions.register_person(
            partnership, sex=sex, birth_year=2000, target_groups=[groups[g] for g in sorted(codes)]
        )
        for sex, codes in world["people"]
    ]
    acts = []
    for date, kind, structure in world["activities"]:
        try:
            acts.append(
                activity_actions.create_activity(
                    Activity(
                        partnership=partnership,
                        kind=kind,
                        title=kind,
                        date=date,
                        structure=structures.get(structure),
                    )
                )
            )
        except REFUSED:
            continue
    for op, *args in world["ops"]:
        people = [p for p in people if p.pk is not None]
        acts = [a for a in acts if a.pk is not None]
        if not acts:
            break
        act = acts[args[0] % len(acts)]
        who = people[args[0] % len(people)] if people else None
        try:
            if op == "attend" and people:
                activity_actions.record_attendance(act, [people[k % len(people)] for k in sorted(args[1])])
            elif op == "unattend" and who:
                activity_actions.remove_attendance(acts[args[1] % len(acts)], who)
            elif op == "tally":
                _, sex, group, n = args
                activity_actions.set_tally(act, sex, groups.get(group), n)
            elif op == "add_tally":
                _, sex, delta = args
                activity_actions.add_to_tally(act, sex, None, delta)
            elif op == "move":
                activity_actions.move_activity(act, args[1])
            elif op == "edit":
                _, kind, structure, date = args
                _edit_activity(act, kind, structures.get(structure), date)
            elif op == "sex" and who:
                people_actions.update_person(who, sex=args[1])
            elif op == "regroup" and who:
                people_actions.update_person(who, target_groups=[groups[g] for g in sorted(args[1])])
            elif op == "merge" and who and len(people) > 1:
                drop = people[args[1] % len(people)]
                if drop.pk != who.pk:
                    people_actions.merge_people(who, drop)
                    drop.pk = None
            elif op == "delete_person" and who:
                people_actions.delete_person(who)
                who.pk = None
            elif op == "delete_activity":
                activity_actions.delete_activity(act)
                act.pk = None
        except REFUSED:  # a refused write may have left changed fields on the objects in memory
            if who is not None and who.pk is not None:
                who.refresh_from_db()
        if act.pk is not None:
            act.refresh_from_db()
    _cases(world["cases"], partnership, users)
    _forums(world["forums"], partnership, users)
    for indicator in manual_indicators:
        _measurements(world["measurements"], indicator, users)


def _edit_activity(act, kind, structure, date):
    """Edits an activity through its form and `update_activity`, as the edit page does."""
    from activities import actions as activity_actions
    from activities.forms import ActivityForm

    data = {"kind": kind, "title": act.title, "date": date.isoformat()}
    if structure:
        data["structure"] = structure.pk
    form = ActivityForm(
        data, instance=act, partnership=act.partnership, structures=act.partnership.structures.all()
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    activity_actions.update_activity(act, **form.edit())


def _cases(rows, partnership, users):
    from cases import actions
    from cases.models import AgeBand, Channel
    from partnerships.models import Structure

    centre = Structure.objects.filter(partnership=partnership, code="centre-ecoute").first()
    if centre is None:
        return
    by = users["ecoute"]
    for opened_on, consent, services in rows:
        try:
            case = actions.open_case(
                structure=centre,
                by=by,
                data={
                    "opened_on": opened_on,
                    "channel": Channel.values[0],
                    "age_band": AgeBand.values[0],
                    "consent_services": True,
                    "consent_referral": True,
                    "consent_statistics": consent,
                },
            )
        except REFUSED:
            continue
        for service, date in services:
            try:
                if service == "ecoute":
                    actions.give_listening_session(case, by=by, date=date)
                elif service == "orientation":
                    actions.refer(
                        case, by=by, role="coordination", date=date, kind=_referral_kind(), partner="Tribunal"
                    )
                else:
                    actions.shelter(case, by=by, date=date)
            except REFUSED:
                pass
            case.refresh_from_db()


def _referral_kind():
    from cases.models import Referral

    return Referral.Kind.values[0]


def _forums(rows, partnership, users):
    from participation import actions
    from participation.forms import ProposalForm
    from participation.models import Ballot, Forum, PaperBatch

    for n, (date, participations) in enumerate(rows):
        forum = Forum.objects.create(
            partnership=partnership, slug=f"oracle-{n}", title=f"Forum {n}", date=date, place="Belfaa"
        )
        confirmed = unconfirmed = None
        for kind, sex in participations:
            if kind == "proposal":
                # Through the public form; an X is a young person who skipped sex and age (issue 14).
                data = {"title": "Proposition", "description": "Une proposition.", "category": "culture"}
                data |= {"estimated_cost": "1000"} | (
                    {} if sex == "X" else {"sex": sex, "age_band": "moins-18"}
                )
                form = ProposalForm(data)
                assert form.is_valid(), form.errors
                fields = {k: v for k, v in form.cleaned_data.items() if k != "site_web"}
                with contextlib.suppress(REFUSED):
                    actions.submit_proposal(forum, **fields)
            elif kind == "ballot":
                Ballot.objects.create(forum=forum, sex=sex)
            else:
                if kind == "paper" and confirmed is None:
                    confirmed = PaperBatch.objects.create(
                        forum=forum,
                        entered_by=users["accueil"],
                        confirmed_by=users["coordination"],
                        confirmed_at=timezone.now(),
                    )
                if kind == "unconfirmed" and unconfirmed is None:
                    unconfirmed = PaperBatch.objects.create(forum=forum, entered_by=users["accueil"])
                Ballot.objects.create(
                    forum=forum, sex=sex, batch=confirmed if kind == "paper" else unconfirmed
                )


def _measurements(rows, indicator, users):
    """Manual figures for distinct years, entered by one user and approved by another (four eyes)."""
    from programme import actions

    seen = set()
    for year, value, status in rows:
        if year in seen:
            continue
        seen.add(year)
        sex = "F" if indicator.by_sex else "T"
        try:
            m = actions.save_measurement(indicator, year, sex, value, users["jour"])
            if status == "draft":
                continue
            m = actions.submit_measurement(m, users["jour"])
            if status == "submitted":
                continue
            m = actions.approve_measurement(m, users["coordination"])
            if status == "reopened":
                actions.reopen_measurement(m, users["coordination"], "correction")
        except REFUSED:
            pass

"""The counting rules on small hand-computed data, and incremental upkeep = full rebuild."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import actions as activity_actions
from activities.models import Activity, Attendance, Tally
from indicators import engine
from indicators.models import ActivityTotal, IndicatorMember, IndicatorValue
from partnerships.tests.factories import PartnershipFactory, StructureFactory
from people import actions as people_actions
from people.models import TargetGroup
from people.tests.factories import TargetGroupFactory
from programme.models import (
    PROGRAMME,
    Indicator,
    Result,
    cumulative,
    is_cumulative,
    period_year,
)

TODAY = datetime.date(2026, 11, 28)


def pin_today(monkeypatch, day):
    """Makes `day` today for the code under test (timezone.localdate() without a value)."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


@pytest.fixture
def small(db, monkeypatch):
    """Indicators of a partnership made by factories (2023–2027) with its listening centre, and the
    target groups the indicators filter on."""
    p = PartnershipFactory(start_year=2023, end_year=2027)
    StructureFactory(partnership=p, code="centre-ecoute", centre_ecoute=True)
    for code in ["jeunes-handicap", "ouvrieres-agricoles"]:
        TargetGroupFactory(code=code)
    pin_today(monkeypatch, TODAY)  # the mirror partnership runs 2023–2027: 2027 is still to come
    result = Result.objects.create(partnership=p, code="R1", level="result", name="R1", order=1)

    def indicator(code, source, period="annual", **filters):
        return Indicator.objects.create(
            result=result, code=code, name=code, source=source, period=period, **filters
        )

    return {
        "p": p,
        "people": indicator("PEOPLE", "people"),
        "youth": indicator("YOUTH", "people", target_groups=["jeunes-handicap"]),
        "meetings": indicator("MEET", "people", activity_kinds=["reunion-info"]),
        "centre": indicator("CENTRE", "people", structures=["centre-ecoute"]),
        "parts": indicator("PARTS", "participations"),
        "farm": indicator("FARM", "participations", target_groups=["ouvrieres-agricoles"]),
        "acts": indicator("ACTS", "activities", activity_kinds=["reunion-info"]),
        "cumul": indicator("CUMUL", "people", period="cumulative"),
    }


def person(p, sex, *groups):
    return people_actions.register_person(
        p, sex=sex, birth_year=2000, target_groups=list(TargetGroup.objects.filter(code__in=groups))
    )


def activity(p, kind, day, structure=None):
    return activity_actions.create_activity(
        Activity(partnership=p, kind=kind, title=kind, date=day, structure=structure)
    )


def value(ind, period, sex="T"):
    values = engine.values_of(ind.result.partnership)
    if sex == "T":
        return sum(values.get((ind.id, period, s), 0) for s in "FMX")
    return values.get((ind.id, period, sex), 0)


def edit_activity(act, kind, day, structure, results):
    """Edits an activity through the form and `update_activity`, as the edit page does."""
    from activities.forms import ActivityForm

    data = {"kind": kind, "title": act.title, "date": day.isoformat(), "results": [r.pk for r in results]}
    data["version"] = act.version
    if structure:
        data["structure"] = structure.pk
    form = ActivityForm(
        data, instance=act, partnership=act.partnership, structures=act.partnership.structures.all()
    )
    assert form.is_valid(), form.errors
    activity_actions.update_activity(act, **form.edit())


def snapshot(p):
    return {k: v for k, v in engine.values_of(p).items() if v}


def test_a_person_counts_once_per_period_and_once_over_the_programme(small):
    p = small["p"]
    amina, karim = person(p, "F", "jeunes-handicap"), person(p, "M")
    a1 = activity(p, "atelier", datetime.date(2024, 3, 1))
    a2 = activity(p, "atelier", datetime.date(2024, 9, 1))
    a3 = activity(p, "atelier", datetime.date(2025, 2, 1))
    activity_actions.record_attendance(a1, [amina, karim])
    activity_actions.record_attendance(a2, [amina])
    activity_actions.record_attendance(a3, [amina])
    people, parts = small["people"], small["parts"]
    assert (value(people, 2024, "F"), value(people, 2024, "M"), value(people, 2025)) == (1, 1, 1)
    assert value(people, PROGRAMME, "F") == 1  # distinct over the programme, not 1 + 1
    assert value(small["cumul"], PROGRAMME) == 2
    assert value(parts, 2024) == 3 and value(parts, PROGRAMME) == 4
    # Cumulative through each year: from the programme's start (2023) to 31 December of that year.
    assert [value(people, cumulative(y)) for y in range(2023, 2028)] == [0, 2, 2, 2, 2]
    assert [value(parts, cumulative(y)) for y in range(2023, 2028)] == [0, 3, 4, 4, 4]
    assert value(people, cumulative(2027), "F") == value(people, PROGRAMME, "F")
    assert value(small["youth"], 2024) == 1  # only Amina is of the target group
    # Recording the same attendance again changes nothing.
    activity_actions.record_attendance(a1, [amina, karim])
    assert value(parts, 2024) == 3


def test_tallies_are_participations_never_people_and_x_counts_in_the_total_only(small):
    p = small["p"]
    farm = TargetGroup.objects.get(code="ouvrieres-agricoles")
    campaign = activity(p, "campagne", datetime.date(2025, 5, 1))
    activity_actions.set_tally(campaign, "F", farm, 40)
    activity_actions.set_tally(campaign, "X", None, 3)
    activity_actions.add_to_tally(campaign, "F", farm, 1)
    assert value(small["people"], 2025) == 0
    assert value(small["parts"], 2025, "F") == 41 and value(small["parts"], 2025, "X") == 3
    assert value(small["parts"], 2025) == 44
    assert value(small["farm"], 2025) == 41
    activity_actions.set_tally(campaign, "F", farm, 10)
    activity_actions.add_to_tally(campaign, "X", None, -5)  # refused: never below zero
    assert value(small["parts"], 2025) == 13


def test_filters_kinds_structures_and_activity_counts(small):
    p = small["p"]
    centre = p.structures.get(code="centre-ecoute")
    a, b = person(p, "F"), person(p, "M")
    meeting = activity(p, "reunion-info", datetime.date(2023, 4, 1))
    at_centre = activity(p, "atelier", datetime.date(2023, 4, 2), structure=centre)
    activity(p, "reunion-info", datetime.date(2023, 6, 1))
    activity_actions.record_attendance(meeting, [a])
    activity_actions.record_attendance(at_centre, [b])
    assert value(small["meetings"], 2023) == 1 and value(small["meetings"], 2023, "F") == 1
    assert value(small["centre"], 2023, "M") == 1 and value(small["centre"], 2023, "F") == 0
    assert value(small["acts"], 2023) == 2 and value(small["acts"], PROGRAMME) == 2


def test_a_planned_activity_counts_from_its_day_without_any_write(small, monkeypatch):
    p = small["p"]
    planned = activity(p, "reunion-info", datetime.date(2026, 12, 15))
    activity(p, "reunion-info", datetime.date(2026, 3, 2))
    acts = small["acts"]
    assert (value(acts, 2026), value(acts, cumulative(2026)), value(acts, PROGRAMME)) == (1, 1, 1)
    assert engine.activity_totals(p, 2026) == {(None, "reunion-info"): [1, 0, 0, 0]}
    assert engine.activity_totals(p, 2027) == {}
    with pytest.raises(activity_actions.NotYetHeld):
        activity_actions.record_attendance(planned, [person(p, "F")])
    pin_today(monkeypatch, datetime.date(2026, 12, 15))  # its day has come: nothing was written since
    assert (value(acts, 2026), value(acts, cumulative(2027)), value(acts, PROGRAMME)) == (2, 2, 2)
    assert engine.activity_totals(p, 2026) == {(None, "reunion-info"): [2, 0, 0, 0]}


def test_dates_outside_the_partnership_years_count_nowhere(small):
    p = small["p"]
    a = person(p, "F")
    early = activity(p, "atelier", datetime.date(2022, 12, 31))
    activity_actions.record_attendance(early, [a])
    assert snapshot(p) == {}


def test_removal_merge_deletion_and_changes_keep_values_right(small):
    p = small["p"]
    amina, dup, karim = person(p, "F"), person(p, "F", "jeunes-handicap"), person(p, "M")
    a1 = activity(p, "atelier", datetime.date(2024, 3, 1))
    a2 = activity(p, "atelier", datetime.date(2024, 4, 1))
    activity_actions.record_attendance(a1, [amina, dup, karim])
    activity_actions.record_attendance(a2, [dup])
    assert value(small["people"], 2024, "F") == 2
    people_actions.merge_people(amina, dup)  # same woman entered twice
    assert value(small["people"], 2024, "F") == 1
    assert value(small["parts"], 2024) == 3  # a1 once (merged), a2 once, Karim once
    assert value(small["youth"], 2024) == 1  # groups are united by the merge
    activity_actions.remove_attendance(a1, karim)
    assert value(small["people"], 2024, "M") == 0
    people_actions.update_person(karim, sex="F")
    activity_actions.record_attendance(a2, [karim])
    assert value(small["people"], 2024, "F") == 2
    activity_actions.move_activity(a2, datetime.date(2025, 1, 5))
    assert value(small["people"], 2025, "F") == 2 and value(small["people"], 2024, "F") == 1
    people_actions.delete_person(karim)
    assert value(small["people"], 2025, "F") == 1
    activity_actions.delete_activity(a1)
    assert value(small["people"], 2024) == 0
    before = snapshot(p)
    engine.rebuild(p)
    assert snapshot(p) == before


def apply(op, i, n, who, act, people, groups, centre, kinds, linkings):
    """One random write of the property test below."""
    if op == "attend":
        activity_actions.record_attendance(act, [who, people[n % len(people)]])
    elif op == "unattend":
        activity_actions.remove_attendance(act, who)
    elif op == "tally":
        activity_actions.set_tally(act, "FMX"[n % 3], groups[n % 2] if n % 4 else None, n)
    elif op == "merge" and len(people) > 1 and people[n % len(people)].pk != who.pk:
        people_actions.merge_people(who, people[n % len(people)])
        people[n % len(people)].pk = None
    elif op == "regroup":
        people_actions.update_person(who, target_groups=groups[: n % 3])
    elif op == "sex":
        people_actions.update_person(who, sex="FM"[n % 2])
    elif op == "move":
        activity_actions.move_activity(act, datetime.date(2023 + n % 5, 6, 1))
    elif op == "delete_person":
        people_actions.delete_person(who)
        who.pk = None
    elif op == "delete_activity":
        activity_actions.delete_activity(act)
    elif op == "link":
        activity_actions.set_results(act, linkings[n % 4])
    elif op == "edit":  # kind, year, structure and result links at once, through the form
        edit_activity(
            act,
            kinds[n % 3],
            datetime.date(2023 + i % 5, 3, 1),
            centre if n % 2 else None,
            linkings[i % 4],
        )
    elif op == "add_tally":
        activity_actions.add_to_tally(act, "FMX"[i % 3], None, n - 3)


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "attend",
                "unattend",
                "tally",
                "merge",
                "regroup",
                "sex",
                "move",
                "delete_person",
                "delete_activity",
                "link",
                "edit",
                "add_tally",
            ]
        ),
        st.integers(0, 5),
        st.integers(0, 3),
        st.integers(0, 7),
    ),
    max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_incremental_tables_equal_a_full_rebuild(small, ops):
    p = small["p"]
    r1 = small["people"].result
    r2, _ = Result.objects.get_or_create(partnership=p, code="R2", defaults={"level": "result", "name": "R2"})
    linkings = [[], [r1], [r2], [r1, r2]]
    groups = list(TargetGroup.objects.filter(code__in=["jeunes-handicap", "ouvrieres-agricoles"]))
    centre = p.structures.get(code="centre-ecoute")
    people = [person(p, "FM"[i % 2], *(["jeunes-handicap"] if i % 3 == 0 else [])) for i in range(6)]
    kinds = ["reunion-info", "atelier", "campagne"]
    acts = [
        activity(p, kinds[i % 3], datetime.date(2023 + i % 5, 1 + i, 1), centre if i % 2 else None)
        for i in range(4)
    ]
    for op, i, j, n in ops:
        people = [x for x in people if x.pk]
        acts = [x for x in acts if Activity.objects.filter(pk=x.pk).exists()]
        if not people or not acts:
            break
        who, act = people[i % len(people)], acts[j % len(acts)]
        act.refresh_from_db()
        try:
            apply(op, i, n, who, act, people, groups, centre, kinds, linkings)
        except activity_actions.NotYetHeld:  # 2027 is to come: refused, nothing written
            assert act.date.year == 2027 or op in ("move", "edit")
    incremental = snapshot(p)
    members = set(IndicatorMember.objects.values_list("indicator_id", "period", "person_id", "sex", "hits"))
    # The annual report's totals per year, result and kind.
    rows = ActivityTotal.objects.filter(partnership=p)
    totals = set(rows.values_list("year", "result_id", "kind", "activities", "f", "m", "x"))
    engine.rebuild(p)
    assert snapshot(p) == incremental
    assert set(rows.values_list("year", "result_id", "kind", "activities", "f", "m", "x")) == totals
    assert not rows.filter(activities__lte=0).exists()
    assert (
        set(IndicatorMember.objects.values_list("indicator_id", "period", "person_id", "sex", "hits"))
        == members
    )
    assert not IndicatorValue.objects.filter(value__lt=0).exists()
    assert (
        not Attendance.objects.filter(date__gt=TODAY).exists()
        and not Tally.objects.filter(date__gt=TODAY).exists()
    )
    check_from_raw_rows(small, incremental)


def check_from_raw_rows(small, values):
    """Years and cumulative periods of the unfiltered indicators, as of today, counted from the raw rows."""
    p = small["p"]
    for period in [*p.years, *(cumulative(y) for y in p.years)]:
        year = period_year(period)
        first = datetime.date(p.start_year if is_cumulative(period) else year, 1, 1)
        last = min(datetime.date(year, 12, 31), TODAY)
        attendance = Attendance.objects.filter(activity__partnership=p, date__gte=first, date__lte=last)
        tallies = Tally.objects.filter(activity__partnership=p, date__gte=first, date__lte=last)
        for sex in "FM":
            people = attendance.filter(person__sex=sex).values("person").distinct().count()
            assert values.get((small["people"].id, period, sex), 0) == people, (period, sex)
            parts = attendance.filter(person__sex=sex).count()
            parts += sum(tallies.filter(sex=sex).values_list("count", flat=True))
            assert values.get((small["parts"].id, period, sex), 0) == parts, (period, sex)
        held = Activity.objects.filter(partnership=p, kind="reunion-info", date__gte=first, date__lte=last)
        assert values.get((small["acts"].id, period, "X"), 0) == held.count(), period
        assert values.get((small["acts"].id, PROGRAMME, "X"), 0) == values.get(
            (small["acts"].id, cumulative(p.end_year), "X"), 0
        )
    for year in p.years:  # the annual report's activities per result (or none) and kind
        expected = {}
        for a in Activity.objects.filter(partnership=p, date__year=year, date__lte=TODAY):
            for result_id in list(a.results.values_list("pk", flat=True)) or [None]:
                expected[(result_id, a.kind)] = expected.get((result_id, a.kind), 0) + 1
        totals = engine.activity_totals(p, year)
        assert {key: sums[0] for key, sums in totals.items() if sums[0]} == expected, year


def test_changing_a_definition_recomputes_at_once(small, coordination):
    from indicators.actions import save_indicator

    p = small["p"]
    a = person(p, "F")
    activity_actions.record_attendance(activity(p, "atelier", datetime.date(2024, 1, 1)), [a])
    meetings = small["meetings"]
    assert value(meetings, 2024) == 0
    meetings.activity_kinds = ["atelier"]
    save_indicator(meetings)
    assert value(meetings, 2024) == 1


def test_activities_created_through_the_api_and_the_form_are_counted_at_once(client_for, users, partnership):
    from accounts.models import ApiToken

    r21 = Indicator.objects.get(result__partnership=partnership, code="R2.1")
    before = value(r21, 2025)
    token = ApiToken.issue(users["coordination"])
    response = client_for("anonymous").post(
        f"/api/v1/partnerships/{partnership.slug}/activities",
        {"kind": "atelier", "title": "Atelier d'écriture", "date": "2025-06-01", "structure": None},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert value(r21, 2025) == before + 1
    assert value(r21, PROGRAMME) == sum(value(r21, y) for y in partnership.years)


def test_future_records_lists_attendance_recorded_before_the_rule(small, capsys):
    from django.core.management import call_command

    p = small["p"]
    call_command("future_records")  # the rule holds: nothing to list
    planned = activity(p, "atelier", datetime.date(2027, 2, 1))
    Attendance.objects.create(
        activity=planned, person=person(p, "F"), date=planned.date
    )  # as before the rule
    with pytest.raises(SystemExit) as exit:
        call_command("future_records")
    assert exit.value.code == 1
    assert f"{planned.pk}\t2027-02-01\tatelier\t1 présence(s), 0 comptage(s)" in capsys.readouterr().out

"""The activity's writes as actions, tested directly: a creation is all or nothing, its links are of
its own partnership, an edit takes data (and keeps its optimistic locking and its date rule)."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from activities import actions
from activities.models import Activity, ActivityPartner
from core.locking import Stale
from indicators import engine
from people import actions as people_actions
from programme.models import Result

DAY = datetime.date(2025, 3, 10)


def _new(partnership, user, title="Atelier de quartier", **fields):
    return Activity(
        partnership=partnership,
        kind=fields.pop("kind", "atelier"),
        title=title,
        date=fields.pop("date", DAY),
        created_by=user,
        **fields,
    )


def _links(partnership):
    return {
        "results": list(partnership.results.order_by("code")[:2]),
        "partners": list(partnership.partners.order_by("pk")[:2]),
        "principles": list(partnership.principles.order_by("pk")[:1]),
    }


def test_create_activity_writes_the_activity_with_every_link_and_counts_it(partnership, coordination):
    links = _links(partnership)
    assert len(links["results"]) == 2 and len(links["partners"]) == 2 and links["principles"]
    before = engine.activity_totals(partnership, DAY.year)

    activity = actions.create_activity(_new(partnership, coordination), trained_staff=[coordination], **links)

    activity.refresh_from_db()
    assert set(activity.results.all()) == set(links["results"])
    assert set(activity.partners.all()) == set(links["partners"])
    assert set(activity.principles.all()) == set(links["principles"])
    assert list(activity.trained_staff.all()) == [coordination]
    after = engine.activity_totals(partnership, DAY.year)
    for result in links["results"]:  # the report's totals count it under each of its results
        key = (result.pk, "atelier")
        assert after.get(key, [0])[0] == before.get(key, [0])[0] + 1


def test_a_creation_that_fails_midway_leaves_nothing(partnership, coordination):
    """The activity is saved, counted and linked to its results before its partners are written: a
    failure there (here the database refusing the same partner twice) undoes all of it."""
    links = _links(partnership)
    partner = links["partners"][0]
    values, totals = engine.values_of(partnership), engine.activity_totals(partnership, DAY.year)
    links_before = Activity.results.through.objects.count()

    with pytest.raises(IntegrityError):
        actions.create_activity(
            _new(partnership, coordination, title="Atelier à moitié"),
            results=links["results"],
            principles=links["principles"],
            partners=[partner, partner],
        )

    assert not Activity.objects.filter(title="Atelier à moitié").exists()
    assert Activity.results.through.objects.count() == links_before
    assert not ActivityPartner.objects.filter(activity__title="Atelier à moitié").exists()
    assert engine.values_of(partnership) == values
    assert engine.activity_totals(partnership, DAY.year) == totals


@pytest.mark.parametrize("kind", ["results", "partners", "principles", "trained_staff", "structure"])
def test_create_activity_refuses_what_is_not_of_its_partnership(world, coordination, users, kind):
    partnership, other = world["partnership"], world["other"]
    foreign = {
        "results": Result.objects.create(partnership=other, code="R9", level="result", name="R9", order=9),
        "partners": other.communes.first(),  # an organisation, but no partner of the demo's partnership
        "principles": None,
        "trained_staff": users["autre_coordination"],
        "structure": other.structures.first(),
    }[kind]
    if kind == "principles":
        foreign = other.principles.create(code="ailleurs", name="Principe d'ailleurs", order=1)
    count = Activity.objects.count()

    with pytest.raises(actions.OutsidePartnership, match="n'appartient pas au partenariat"):
        if kind == "structure":
            actions.create_activity(_new(partnership, coordination, structure=foreign))
        else:
            actions.create_activity(_new(partnership, coordination), **{kind: [foreign]})

    assert Activity.objects.count() == count


def test_create_activity_refuses_a_saved_activity(partnership, coordination):
    activity = actions.create_activity(_new(partnership, coordination))
    with pytest.raises(ValueError, match="update_activity"):
        actions.create_activity(activity)


def test_set_results_and_record_attendance_refuse_another_partnership(world, coordination):
    partnership, other = world["partnership"], world["other"]
    activity = actions.create_activity(_new(partnership, coordination))
    result = Result.objects.create(partnership=other, code="R9", level="result", name="R9", order=9)
    stranger = people_actions.register_person(other, sex="F", birth_year=2001)

    with pytest.raises(actions.OutsidePartnership):
        actions.set_results(activity, [result])
    with pytest.raises(actions.OutsidePartnership):
        actions.record_attendance(activity, [stranger])

    assert not activity.results.exists() and not activity.attendances.exists()


def test_update_activity_takes_data(partnership, coordination):
    links = _links(partnership)
    activity = actions.create_activity(_new(partnership, coordination), results=links["results"][:1])
    tally_day = activity.date
    actions.set_tally(activity, "F", None, 4)
    moved = datetime.date(2025, 4, 2)

    actions.update_activity(
        activity,
        fields={"title": "Atelier déplacé", "date": moved, "kind": "forum"},
        version=activity.version,
        results=links["results"][1:],
        partners=links["partners"][:1],
    )

    activity = Activity.objects.get(pk=activity.pk)
    assert (activity.title, activity.date, activity.kind) == ("Atelier déplacé", moved, "forum")
    assert list(activity.results.all()) == links["results"][1:]
    assert list(activity.partners.all()) == links["partners"][:1]
    assert activity.tallies.get().date == moved != tally_day  # the copied date follows
    assert activity.version == 2


def test_update_activity_keeps_optimistic_locking(partnership, coordination):
    activity = actions.create_activity(_new(partnership, coordination))
    seen = activity.version
    actions.update_activity(activity, fields={"title": "Premier"}, version=seen)

    with pytest.raises(Stale):
        actions.update_activity(
            Activity.objects.get(pk=activity.pk), fields={"title": "Second"}, version=seen
        )

    assert Activity.objects.get(pk=activity.pk).title == "Premier"


def test_update_activity_refuses_to_move_after_today_what_holds_attendance(partnership, coordination):
    activity = actions.create_activity(_new(partnership, coordination))
    actions.set_tally(activity, "M", None, 2)
    later = timezone.localdate() + datetime.timedelta(days=30)

    with pytest.raises(actions.NotYetHeld):
        actions.update_activity(activity, fields={"date": later}, version=activity.version)

    activity = Activity.objects.get(pk=activity.pk)
    assert activity.date == DAY and activity.version == 1


def test_update_activity_refuses_unknown_fields_and_foreign_links(world, coordination):
    partnership, other = world["partnership"], world["other"]
    activity = actions.create_activity(_new(partnership, coordination))

    with pytest.raises(ValueError, match="partnership"):
        actions.update_activity(activity, fields={"partnership": other}, version=activity.version)
    with pytest.raises(actions.OutsidePartnership):
        actions.update_activity(
            activity, fields={"structure": other.structures.first()}, version=activity.version
        )

    activity = Activity.objects.get(pk=activity.pk)
    assert activity.partnership == partnership and activity.structure is None and activity.version == 1

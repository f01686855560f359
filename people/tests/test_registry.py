"""The registry: codes, registration, identity held by one structure, merge, list, edit.

Unit tests on factories (`small_world`): the structures are the personas', the people, sessions and
the indicator that counts them are made here, never read from the demo."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from activities import actions as activity_actions
from activities.models import Attendance
from conftest import ALL_PERSONAS
from partnerships.access import access_for
from people import actions
from people.access import search_people
from people.models import Person
from programme.tests.factories import IndicatorFactory

from .factories import PersonFactory, TargetGroupFactory

pytestmark = pytest.mark.small_world

SENTINEL = "Zenobia-Sentinelle-7731"


def test_codes_follow_the_prefix_and_never_repeat(partnership):
    codes = [actions.register_person(partnership, sex="F", birth_year=2000).code for _ in range(5)]
    assert len(set(codes)) == 5
    prefix = f"{partnership.code_prefix}-"
    assert all(code.startswith(prefix) and len(code) == len(prefix) + 6 for code in codes)
    numbers = sorted(int(code[len(prefix) :]) for code in codes)
    assert numbers == list(range(numbers[0], numbers[0] + 5))


def test_staff_register_with_identity_and_duplicates_are_flagged(partnership, day_centre, client_for):
    client = client_for("jour")
    url = reverse("people:create", kwargs={"slug": partnership.slug})
    data = {
        "structure": day_centre.pk,
        "sex": "F",
        "birth_year": "2009",
        "target_groups": [TargetGroupFactory().pk],
        "consent": "on",
        "first_name": "Hajar",
        "last_name": "Exemple",
    }
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, {**data, "first_name": " HAJAR ", "last_name": "exemple"}, follow=True)
    assert "Doublon possible" in second.content.decode()
    person = Person.objects.filter(structure=day_centre).order_by("-number").first()
    assert person.full_name == "HAJAR exemple"
    assert actions.possible_duplicates(day_centre, "hajar", "EXEMPLE", 2009).count() == 2


def test_a_person_cannot_be_registered_for_another_structure(partnership, office, client_for):
    url = reverse("people:create", kwargs={"slug": partnership.slug})
    response = client_for("jour").post(url, {"structure": office.pk, "sex": "M", "birth_year": "2000"})
    assert response.status_code == 200
    assert not Person.objects.filter(structure=office).exists()


def test_identity_never_reaches_anyone_outside_the_holding_structure(
    partnership, day_centre, held_session, users, client_for
):
    """docs/security.md 4/9 for the registry: a sentinel name written by the day centre appears nowhere else."""
    from accounts.models import ApiToken

    person = actions.register_person(
        partnership, sex="F", birth_year=2008, structure=day_centre, first_name=SENTINEL, last_name=SENTINEL
    )
    activity = held_session()
    activity_actions.record_attendance(activity, [person])
    slug = partnership.slug
    pages = [
        reverse("people:list", kwargs={"slug": slug}),
        reverse("people:detail", kwargs={"slug": slug, "pk": person.pk}),
        reverse("activities:list", kwargs={"slug": slug}),
        reverse("activities:detail", kwargs={"slug": slug, "pk": activity.pk}),
        reverse("activities:attendance", kwargs={"slug": slug, "pk": activity.pk}),
        reverse("activities:visits", kwargs={"slug": slug}),
    ]
    # Searches are posted (docs/security.md 32).
    searches = [
        (reverse(name, kwargs=kwargs), {"q": q})
        for name, kwargs in [
            ("people:list", {"slug": slug}),
            ("activities:search", {"slug": slug, "pk": activity.pk}),
        ]
        for q in (SENTINEL[:7], person.code)
    ]
    # The holder sees it (so the search really is looking at the right place)...
    holder = client_for("jour")
    assert SENTINEL in holder.get(pages[1]).content.decode()
    assert SENTINEL in holder.post(*searches[0]).content.decode()
    assert SENTINEL in holder.post(*searches[2]).content.decode()
    # ...and nobody else, on any page or API answer.
    for persona in ALL_PERSONAS:
        if persona == "jour":
            continue
        client = client_for(persona)
        for url in pages:
            assert SENTINEL not in client.get(url).content.decode(), (persona, url)
        for url, data in searches:
            assert SENTINEL not in client.post(url, data).content.decode(), (persona, url)
        if persona != "anonymous":
            token = ApiToken.issue(users[persona])
            headers = {"Authorization": f"Bearer {token}"}
            for url in ["/api/v1/partnerships", "/api/v1/openapi.json"]:
                assert SENTINEL not in client.get(url, headers=headers).content.decode()
            answer = client.post(
                f"/api/v1/activities/{activity.pk}/attendance",
                data={"people": [person.pk]},
                content_type="application/json",
                headers=headers,
            )
            assert SENTINEL not in answer.content.decode()
    # Encrypted at rest: the raw column never holds the name.
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name, last_name FROM people_person WHERE id = %s", [person.pk])
        raw = cursor.fetchone()
    assert SENTINEL not in "".join(raw)


def test_coordinator_searches_codes_only(partnership, day_centre, coordination):
    person = actions.register_person(
        partnership, sex="F", birth_year=2008, structure=day_centre, first_name=SENTINEL
    )
    access = access_for(coordination, partnership)
    assert not search_people(coordination, access, SENTINEL[:8]).exists()
    assert list(search_people(coordination, access, person.code)) == [person]


def test_merge_keeps_every_attendance_and_never_twice(partnership, day_centre, held_session, client_for):
    centre = day_centre
    keep = actions.register_person(partnership, sex="M", birth_year=2007, structure=centre, first_name="Adam")
    drop = actions.register_person(partnership, sex="M", birth_year=2007, structure=centre, phone="0600")
    sessions = [held_session(date=datetime.date(2025, 3, day)) for day in (4, 11, 18)]
    activity_actions.record_attendance(sessions[0], [keep, drop])  # both at the same session
    activity_actions.record_attendance(sessions[1], [drop])
    activity_actions.record_attendance(sessions[2], [keep])
    response = client_for("jour").post(
        reverse("people:merge", kwargs={"slug": partnership.slug, "pk": keep.pk}), {"other": drop.code}
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=drop.pk).exists()
    attended = sorted(Attendance.objects.filter(person=keep).values_list("activity_id", flat=True))
    assert attended == sorted(s.pk for s in sessions)
    keep.refresh_from_db()
    assert keep.phone == "0600"


def test_merge_refuses_a_record_of_another_structure(partnership, day_centre, office, client_for):
    keep = actions.register_person(partnership, sex="F", birth_year=2000, structure=day_centre)
    other = PersonFactory(structure=office)
    client_for("jour").post(
        reverse("people:merge", kwargs={"slug": partnership.slug, "pk": keep.pk}), {"other": other.code}
    )
    assert Person.objects.filter(pk=other.pk).exists()


def test_delete_person_removes_her_attendance(day_centre, held_session):
    person = PersonFactory(structure=day_centre)
    activity_actions.record_attendance(held_session(), [person])
    assert person.attendances.exists()
    actions.delete_person(person)
    assert not Attendance.objects.filter(person_id=person.pk).exists()


@pytest.mark.parametrize("persona", ["coordination", "jour"])
def test_people_list_is_paginated_filtered_and_light(
    persona, partnership, day_centre, client_for, django_assert_max_num_queries
):
    youth, other_group = TargetGroupFactory(), TargetGroupFactory()
    # Enough rows that a query per row would break the bound; some of each filter's wrong side.
    wanted = [PersonFactory(structure=day_centre, sex="F", target_groups=[youth]) for _ in range(12)]
    PersonFactory(structure=day_centre, sex="M", target_groups=[youth])
    PersonFactory(structure=day_centre, sex="F", target_groups=[other_group])
    client = client_for(persona)
    url = reverse("people:list", kwargs={"slug": partnership.slug})
    with django_assert_max_num_queries(15):
        response = client.get(url, {"target_group": youth.code, "sex": "F", "sort": "-code"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert 0 < len(rows) <= 50
    assert {r["person"] for r in rows} == set(wanted)
    assert all(r["person"].sex == "F" for r in rows)
    codes = [r["person"].code for r in rows]
    assert codes == sorted(codes, reverse=True)


def test_accueil_sees_only_her_office_people(partnership, office, day_centre, client_for):
    mine = [PersonFactory(structure=office) for _ in range(2)]
    PersonFactory(structure=day_centre)
    PersonFactory(partnership=partnership)  # registered by the coordinator, held by no structure
    response = client_for("accueil").get(reverse("people:list", kwargs={"slug": partnership.slug}))
    assert {r["person"] for r in response.context["rows"]} == set(mine)
    structures = {r["person"].structure for r in response.context["rows"]}
    assert structures == {office}


def test_editing_a_record_keeps_indicators_right_and_refuses_a_stale_save(
    client_for, partnership, day_centre, held_session
):
    from indicators.engine import values_of

    youth = TargetGroupFactory()
    oc2 = IndicatorFactory(result__outcome=True, result__partnership=partnership, target_groups=[youth.code])
    person, same_sex = (PersonFactory(structure=day_centre, sex="F", target_groups=[youth]) for _ in range(2))
    activity_actions.record_attendance(held_session(date=datetime.date(2025, 3, 4)), [person, same_sex])
    before = values_of(partnership)
    assert before[(oc2.id, 2025, "F")] == 2
    url = reverse("people:edit", kwargs={"slug": partnership.slug, "pk": person.pk})
    page = client_for("jour").get(url)
    seen = page.context["form"].initial["version"]
    other_sex = "M" if person.sex == "F" else "F"
    data = {
        "sex": other_sex,
        "birth_year": person.birth_year,
        "target_groups": [],
        "version": seen,
        "first_name": "Sentinelle",
        "last_name": "Modifiée",
    }
    assert client_for("jour").post(url, data).status_code == 302
    person.refresh_from_db()
    assert (person.sex, person.first_name) == (other_sex, "Sentinelle")
    after = values_of(partnership)
    # She left the target group: OC.2 of 2025 lost her under her old sex.
    assert (
        after[(oc2.id, 2025, "F" if other_sex == "M" else "M")]
        == before[(oc2.id, 2025, "F" if other_sex == "M" else "M")] - 1
    )
    # A second save from the same (now stale) page is refused and changes nothing.
    response = client_for("jour").post(url, {**data, "first_name": "Écrasée"})
    assert response.status_code == 409 and "depuis que vous" in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == "Sentinelle"
    # The coordinator edits codes-level fields but never sees nor writes identity.
    page = client_for("coordination").get(url).content.decode()
    assert "Sentinelle" not in page and 'name="first_name"' not in page
    assert actions  # the edit went through people.actions.update_person

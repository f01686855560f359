import datetime

from django.core.management import call_command
from django.urls import reverse

from activities.models import Activity, Attendance, Tally
from activities.trainings import training_hours
from demo.world import load_all
from people.models import Person

HTMX = {"HX-Request": "true"}


def _session(partnership):
    return Activity.objects.create(
        partnership=partnership,
        structure=partnership.structures.get(code="centre-jour"),
        kind="accueil-jour",
        title="Séance",
        date=datetime.date(2025, 3, 3),
    )


def test_search_tick_untick_and_create_on_the_fly(partnership, client_for):
    activity = _session(partnership)
    client = client_for("jour")
    kwargs = {"slug": partnership.slug, "pk": activity.pk}
    person = Person.objects.filter(structure__code="centre-jour").first()
    found = client.post(
        reverse("activities:search", kwargs=kwargs), {"q": person.first_name[:4].lower()}, headers=HTMX
    )
    assert person.code in found.content.decode()
    ticked = client.post(reverse("activities:attend", kwargs=kwargs), {"person": person.pk}, headers=HTMX)
    assert "✓" in ticked.content.decode() and 'hx-swap-oob="true"' in ticked.content.decode()
    client.post(reverse("activities:attend", kwargs=kwargs), {"person": person.pk}, headers=HTMX)
    assert Attendance.objects.filter(activity=activity).count() == 1
    created = client.post(
        reverse("activities:quick_person", kwargs=kwargs),
        {"sex": "M", "birth_year": "2009", "target_group": "jeunes-handicap"},
        headers=HTMX,
    )
    newcomer = Person.objects.order_by("-pk").first()
    assert newcomer.code in created.content.decode()
    assert newcomer.structure.code == "centre-jour"
    assert Attendance.objects.filter(activity=activity).count() == 2
    client.post(reverse("activities:unattend", kwargs=kwargs), {"person": person.pk}, headers=HTMX)
    assert list(Attendance.objects.filter(activity=activity).values_list("person_id", flat=True)) == [
        newcomer.pk
    ]


def test_search_cannot_reach_another_structure_people(partnership, client_for):
    activity = _session(partnership)
    migrant = Person.objects.filter(structure__code="bureau-migrants").first()
    client = client_for("jour")
    kwargs = {"slug": partnership.slug, "pk": activity.pk}
    found = client.post(reverse("activities:search", kwargs=kwargs), {"q": migrant.code})
    assert migrant.code not in found.content.decode()
    assert client.post(reverse("activities:attend", kwargs=kwargs), {"person": migrant.pk}).status_code == 404


def test_activity_list_filters_sorts_and_stays_light(partnership, client_for, django_assert_max_num_queries):
    # Staff filter by day, structure and public; outside the services only the kind is offered
    # (activities/tests/test_outside_view.py).
    client = client_for("coordination")
    url = reverse("activities:list", kwargs={"slug": partnership.slug})
    with django_assert_max_num_queries(14):  # the douar filter's choices are one query of their own
        response = client.get(
            url, {"date_from": "2024-01-01", "date_to": "2024-12-31", "kind": "reunion-info", "sort": "date"}
        )
    activities = list(response.context["page"])
    assert len(activities) == 3
    assert all(a.kind == "reunion-info" and a.date.year == 2024 for a in activities)
    assert [a.date for a in activities] == sorted(a.date for a in activities)
    assert all(a.attendance > 0 for a in activities)
    grouped = client.get(url, {"target_group": "ouvrieres-agricoles"}).context["page"]
    assert {a.kind for a in grouped} == {"campagne"}
    # The partner commune reads counts, never who attended.
    detail = client_for("jette").get(
        reverse("activities:detail", kwargs={"slug": partnership.slug, "pk": activities[0].pk})
    )
    assert "BLF-" not in detail.content.decode()


def test_new_activity_must_fall_in_the_partnership_years(partnership, client_for):
    client = client_for("coordination")
    url = reverse("activities:create", kwargs={"slug": partnership.slug})
    response = client.post(url, {"kind": "forum", "title": "Forum", "date": "2030-01-01"})
    assert response.status_code == 200 and "années du partenariat" in response.content.decode()
    response = client.post(url, {"kind": "comite", "title": "Comité", "date": "2025-01-10"})
    assert response.status_code == 302


def test_committee_decisions(partnership, client_for):
    committee = Activity.objects.filter(partnership=partnership, kind="comite").first()
    assert committee.decisions.count() == 2 and committee.partner_roles.exists()
    client_for("coordination").post(
        reverse("activities:decision_add", kwargs={"slug": partnership.slug, "pk": committee.pk}),
        {"text": "Ouvrir le groupe des parents", "follow_up_by": "Centre de jour", "due_date": "2025-06-30"},
    )
    assert committee.decisions.filter(
        text="Ouvrir le groupe des parents", follow_up_by="Centre de jour"
    ).exists()


def test_a_decision_is_marked_done_then_not_done_and_the_report_says_so(partnership, users, client_for):
    from partnerships.access import access_for
    from reports.annual import annual_report

    committee = Activity.objects.filter(partnership=partnership, kind="comite").first()
    decision = committee.decisions.first()
    client = client_for("coordination")
    url = reverse(
        "activities:decision_done",
        kwargs={"slug": partnership.slug, "pk": committee.pk, "decision": decision.pk},
    )
    detail = client.get(reverse("activities:detail", kwargs={"slug": partnership.slug, "pk": committee.pk}))
    assert url in detail.content.decode()
    assert client.post(url, {"done": "1"}).status_code == 302
    decision.refresh_from_db()
    assert decision.done
    report = annual_report(partnership, access_for(users["coordination"], partnership), committee.date.year)
    due = decision.due_date.strftime("%m/%Y") if decision.due_date else ""
    shown = [
        d["done"]
        for c in report["committees"]
        for d in c["decisions"]
        if (d["text"], d["due"]) == (decision.text, due)
    ]
    assert shown == [True]
    assert client.post(url, {"done": "0"}).status_code == 302
    decision.refresh_from_db()
    assert not decision.done
    assert client.post(url, {"done": "peut-être"}).status_code == 404
    other = Activity.objects.filter(partnership=partnership, kind="comite").exclude(pk=committee.pk).first()
    if other is not None:  # a decision of another committee is not reachable through this one
        foreign = reverse(
            "activities:decision_done",
            kwargs={"slug": partnership.slug, "pk": other.pk, "decision": decision.pk},
        )
        assert client.post(foreign, {"done": "1"}).status_code == 404


def test_visits_log(partnership, client_for):
    client = client_for("accueil")
    url = reverse("activities:visits", kwargs={"slug": partnership.slug})
    migrant = Person.objects.filter(structure__code="bureau-migrants").first()
    office = partnership.structures.get(code="bureau-migrants")
    base = {"structure": office.pk, "date": "2025-02-03", "reason": "Séjour", "orientation": "juridique"}
    assert client.post(url, {**base, "person_code": migrant.code}).status_code == 302
    assert client.post(url, {**base, "sex": "M"}).status_code == 302
    refused = client.post(url, base)
    assert "sexe" in refused.content.decode()
    assert office.visits.filter(date="2025-02-03").count() == 2


def test_training_hours_for_the_listening_centre(partnership, users):
    hours = training_hours(partnership, [users["ecoute"], users["centre"], users["jour"]], 2024)
    assert hours[users["ecoute"].pk] > 0
    assert hours[users["ecoute"].pk] == hours[users["centre"].pk]
    assert hours[users["jour"].pk] == 0
    assert training_hours(partnership, [users["ecoute"]], 2022)[users["ecoute"].pk] == 0


def test_demo_is_close_to_the_roadmap_and_idempotent(partnership):
    for year in partnership.years:
        youth = Person.objects.filter(
            target_groups__code="jeunes-handicap", attendances__date__year=year
        ).distinct()
        assert 40 <= youth.filter(sex="F").count() <= 43
        assert 47 <= youth.filter(sex="M").count() <= 51
        migrants = Person.objects.filter(
            target_groups__code="migrants",
            attendances__date__year=year,
            attendances__activity__kind="reunion-info",
        ).distinct()
        assert 5 <= migrants.filter(sex="F").count() <= 6
        assert 42 <= migrants.filter(sex="M").count() <= 46
    titles = set(Activity.objects.values_list("title", flat=True))
    assert "Projection du film « Le vivre ensemble »" in titles
    assert "Salon de création inclusif « Belfaa accueille l'Afrique »" in titles
    counts = (
        Activity.objects.count(),
        Attendance.objects.count(),
        Tally.objects.count(),
        Person.objects.count(),
    )
    load_all()
    assert (
        Activity.objects.count(),
        Attendance.objects.count(),
        Tally.objects.count(),
        Person.objects.count(),
    ) == counts


def test_load_demo_command_runs_twice(empty_db, settings):
    settings.DEBUG = True
    call_command("load_demo")
    n = Attendance.objects.count()
    call_command("load_demo")
    assert Attendance.objects.count() == n > 0


def test_editing_an_activity_recounts_indicators_and_refuses_a_stale_save(client_for, partnership):
    from django.urls import reverse

    from activities.models import Activity
    from indicators.engine import values_of
    from programme.models import Indicator

    r21 = Indicator.objects.get(result__partnership=partnership, code="R2.1")
    activity = Activity.objects.filter(partnership=partnership, kind="accueil-jour", date__year=2024).first()
    attendees = activity.attendances.count()
    before = values_of(partnership)
    url = reverse("activities:edit", kwargs={"slug": partnership.slug, "pk": activity.pk})
    form = client_for("jour").get(url).context["form"]
    seen = form["version"].value()
    data = {
        "kind": "accueil-jour",
        "title": "Séance déplacée",
        "structure": activity.structure_id,
        "date": "2025-02-03",
        "place": "Centre de jour",
        "version": seen,
    }
    assert form.instance == activity
    assert client_for("jour").post(url, data).status_code == 302
    activity.refresh_from_db()
    assert (activity.title, str(activity.date)) == ("Séance déplacée", "2025-02-03")
    assert activity.attendances.count() == attendees
    assert set(activity.attendances.values_list("date", flat=True)) == {activity.date}
    after = values_of(partnership)
    assert after[(r21.id, 2024, "X")] == before[(r21.id, 2024, "X")] - 1
    assert after[(r21.id, 2025, "X")] == before[(r21.id, 2025, "X")] + 1
    # The same page saved again is stale: refused, nothing changes.
    response = client_for("jour").post(url, {**data, "title": "Écrasé"})
    assert response.status_code == 409 and "depuis que vous" in response.content.decode()
    activity.refresh_from_db()
    assert activity.title == "Séance déplacée"
    # Staff cannot move an activity to another structure.
    office = partnership.structures.get(code="bureau-migrants")
    fresh = {**data, "version": activity.version, "structure": office.pk}
    assert client_for("jour").post(url, fresh).status_code == 200
    activity.refresh_from_db()
    assert activity.structure.code == "centre-jour"

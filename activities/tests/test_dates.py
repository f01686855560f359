"""Nothing counts before its date: an activity may be planned, but its attendance and tallies are
recorded once its day has come, on every door (actions, pages, API, Kobo import, demo)."""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from activities import actions
from activities.models import Activity, Attendance, Tally
from people.models import Person, TargetGroup

TODAY = datetime.date(2026, 6, 15)  # inside the demo partnership's years, with days still to come
PLANNED = datetime.date(2026, 9, 1)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def today(monkeypatch):
    """Pins today for the code under test (timezone.localdate() without a value)."""
    real = timezone.localdate
    day = {"today": TODAY}

    def localdate(value=None, timezone=None):
        return day["today"] if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return day


def _session(partnership, date):
    return actions.create_activity(
        Activity(
            partnership=partnership,
            structure=partnership.structures.get(code="centre-jour"),
            kind="accueil-jour",
            title="Séance",
            date=date,
        )
    )


def _written(activity):
    return Attendance.objects.filter(activity=activity).count(), Tally.objects.filter(
        activity=activity
    ).count()


def test_the_actions_refuse_attendance_and_tallies_before_the_day_then_take_them(partnership, today):
    activity = _session(partnership, PLANNED)
    person = Person.objects.filter(partnership=partnership).first()
    group = TargetGroup.objects.get(code="jeunes-handicap")
    for write in (
        lambda: actions.record_attendance(activity, [person]),
        lambda: actions.set_tally(activity, "F", group, 4),
        lambda: actions.add_to_tally(activity, "M", None, 1),
    ):
        with pytest.raises(actions.NotYetHeld, match="prévue le 01/09/2026"):
            write()
    assert _written(activity) == (0, 0)
    today["today"] = PLANNED  # its day
    assert actions.record_attendance(activity, [person]) == 1
    actions.set_tally(activity, "F", group, 4)
    assert _written(activity) == (1, 1)
    assert Attendance.objects.get(activity=activity).date == PLANNED


def test_an_activity_with_attendance_cannot_move_after_today(partnership, today):
    held = _session(partnership, datetime.date(2026, 6, 1))
    actions.record_attendance(held, [Person.objects.filter(partnership=partnership).first()])
    with pytest.raises(actions.NotYetHeld, match="ne peut pas passer après aujourd'hui"):
        actions.move_activity(held, PLANNED)
    held.refresh_from_db()
    assert held.date == datetime.date(2026, 6, 1)
    assert set(Attendance.objects.filter(activity=held).values_list("date", flat=True)) == {held.date}
    empty = _session(partnership, datetime.date(2026, 6, 2))
    actions.move_activity(empty, PLANNED)  # nothing recorded yet: it may be planned later
    empty.refresh_from_db()
    assert empty.date == PLANNED


def test_the_edit_page_refuses_a_future_date_for_an_activity_with_attendance(partnership, client_for, today):
    held = _session(partnership, datetime.date(2026, 6, 1))
    actions.record_attendance(held, [Person.objects.filter(structure__code="centre-jour").first()])
    url = reverse("activities:edit", kwargs={"slug": partnership.slug, "pk": held.pk})
    data = {
        "kind": "accueil-jour",
        "title": "Séance",
        "structure": held.structure_id,
        "date": PLANNED.isoformat(),
        "version": held.version,
    }
    response = client_for("jour").post(url, data)
    assert response.status_code == 200
    assert "ne peut pas passer après aujourd&#x27;hui (15/06/2026)" in response.content.decode()
    held.refresh_from_db()
    assert held.date == datetime.date(2026, 6, 1)


def test_the_attendance_pages_send_back_to_the_activity_and_write_nothing(partnership, client_for, today):
    activity = _session(partnership, PLANNED)
    client = client_for("jour")
    kwargs = {"slug": partnership.slug, "pk": activity.pk}
    detail = reverse("activities:detail", kwargs=kwargs)
    page = client.get(reverse("activities:attendance", kwargs=kwargs), follow=True)
    assert page.redirect_chain == [(detail, 302)]
    assert "prévue le 01/09/2026" in page.content.decode()
    person = Person.objects.filter(structure__code="centre-jour").first()
    people = Person.objects.count()
    for name, data in (
        ("attend", {"person": person.pk}),
        ("quick_person", {"sex": "F", "birth_year": "2010", "target_group": "jeunes-handicap"}),
        ("tally", {"sex": "F", "delta": "1"}),
    ):
        response = client.post(reverse(f"activities:{name}", kwargs=kwargs), data, headers=HTMX)
        assert response.status_code == 200 and response["HX-Redirect"] == detail, name
        assert client.post(reverse(f"activities:{name}", kwargs=kwargs), data)["Location"] == detail
    assert _written(activity) == (0, 0) and Person.objects.count() == people


def test_an_activity_moved_after_today_meanwhile_is_refused_by_the_action_too(
    partnership, client_for, today, monkeypatch
):
    activity = _session(partnership, PLANNED)
    monkeypatch.setattr("activities.views._not_yet_held", lambda request, activity: None)  # checked before
    client = client_for("jour")
    kwargs = {"slug": partnership.slug, "pk": activity.pk}
    detail = reverse("activities:detail", kwargs=kwargs)
    person = Person.objects.filter(structure__code="centre-jour").first()
    for name, data in (("attend", {"person": person.pk}), ("tally", {"sex": "F", "delta": "1"})):
        response = client.post(reverse(f"activities:{name}", kwargs=kwargs), data, headers=HTMX)
        assert response.status_code == 200 and response["HX-Redirect"] == detail, name
    assert _written(activity) == (0, 0)


def test_a_planned_activity_created_on_the_page_opens_its_page_not_the_attendance(
    partnership, client_for, today
):
    data = {"kind": "accueil-jour", "title": "Séance prévue", "date": PLANNED.isoformat()}
    data["structure"] = partnership.structures.get(code="centre-jour").pk
    response = client_for("jour").post(reverse("activities:create", kwargs={"slug": partnership.slug}), data)
    activity = Activity.objects.get(title="Séance prévue")
    assert response["Location"] == reverse(
        "activities:detail", kwargs={"slug": partnership.slug, "pk": activity.pk}
    )


def test_the_api_answers_422_in_french_before_the_day(partnership, users, client, today):
    activity = _session(partnership, PLANNED)
    token = ApiToken.issue(users["jour"])
    person = Person.objects.filter(structure__code="centre-jour").first()
    for path, body in (
        ("attendance", {"people": [person.pk]}),
        ("tallies", [{"sex": "X", "count": 3}, {"sex": "F", "target_group": "jeunes-handicap", "count": 2}]),
    ):
        response = client.post(
            f"/api/v1/activities/{activity.pk}/{path}",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 422, path
        assert "prévue le 01/09/2026" in response.json()["detail"]
    assert _written(activity) == (0, 0)


def test_the_kobo_import_names_the_rows_dated_after_today(partnership, users, today):
    from reports.tests.test_imports import import_rows, rows

    lines = rows(partnership)
    lines.append(["u-9", "", "Prévue", PLANNED.isoformat(), "bureau-migrants", 0, 0, 2, 0, 0, "", ""])
    lines.append(["u-10", "", "Prévue, vide", PLANNED.isoformat(), "bureau-migrants", 0, 0, 0, 0, 0, "", ""])
    before = Activity.objects.count()
    outcome = import_rows(partnership, users["coordination"], lines)
    assert [(p.row, p.column) for p in outcome.problems] == [(4, "activite/date")]
    assert "n'est pas encore passée" in outcome.problems[0].message
    assert Activity.objects.count() == before  # one bad row: nothing written


def test_the_demo_holds_no_attendance_nor_tallies_after_the_day_it_was_loaded(world):
    today = timezone.localdate()
    assert not Attendance.objects.filter(date__gt=today).exists()
    assert not Tally.objects.filter(date__gt=today).exists()
    assert not Attendance.objects.exclude(date=F("activity__date")).exists()


def test_the_demo_loaded_on_another_day_plans_what_follows_it(empty_db, today):
    from demo.world import load_all

    today["today"] = datetime.date(2024, 3, 10)
    load_all()
    assert Activity.objects.filter(date__gt=today["today"]).exists()  # planned activities are shown
    assert not Attendance.objects.filter(date__gt=today["today"]).exists()
    assert not Tally.objects.filter(date__gt=today["today"]).exists()
    assert Attendance.objects.filter(date__year=2024).exists()  # the sessions already held this year
    from projects.models import Evaluation, Milestone, Spending, StageChange

    for model, day in [
        (StageChange, "date"),
        (Spending, "date"),
        (Evaluation, "date"),
        (Milestone, "done_on"),
    ]:
        assert not model.objects.filter(**{f"{day}__gt": today["today"]}).exists(), model  # projects too
    assert StageChange.objects.exists() and Spending.objects.exists()


@pytest.mark.parametrize("language", ["fr", "nl", "ar", "en"])
def test_the_edit_page_shows_the_activity_date_in_its_date_picker(world, client_for, partnership, language):
    """A date picker takes only an ISO value: a French "17/12/2026" showed an empty, required date,
    so the edit form could not be sent in French or Dutch."""
    activity = Activity.objects.filter(partnership=partnership).first()
    client = client_for("coordination")
    client.cookies["django_language"] = language
    html = client.get(
        reverse("activities:edit", kwargs={"slug": partnership.slug, "pk": activity.pk})
    ).content
    assert f'name="date" value="{activity.date.isoformat()}"' in html.decode()

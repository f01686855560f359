"""Manual figures: per year, four eyes, their history on the page, and no sex where nobody is counted.

On factories (`small_world`): each test makes the indicators it enters figures for. The migration
test at the end builds its own rows on a scratch database.
"""

import datetime
import html as markup

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from partnerships.tests.factories import persona
from programme import actions
from programme.models import Measurement

from .factories import IndicatorFactory, ResultFactory

pytestmark = pytest.mark.small_world


def dashboard(client, partnership, year=2025):
    return client.get(reverse("indicators:dashboard", kwargs={"slug": partnership.slug}) + f"?annee={year}")


@pytest.fixture(autouse=True)
def _no_figure_yet(db):
    """These tests start from a framework without figures: the demo's one figure waiting for approval
    (demo/programme.py `load_figures`, for "Mon travail") is taken away inside the test's transaction."""
    Measurement.objects.all().delete()


@pytest.fixture
def plants(partnership):
    """R4.1, a count of plants: a figure entered by hand, in total (no sex)."""
    return IndicatorFactory(
        result=ResultFactory(partnership=partnership, code="R4"), code="R4.1", manual=True
    )


@pytest.fixture
def second_coordinator(partnership):
    """Another coordinator of the partnership, so that a figure can be approved by someone who did
    not enter it."""
    return persona("coordination", partnership, first_name="Adjointe de coordination")


@pytest.fixture
def third_coordinator(partnership):
    return persona("coordination", partnership, first_name="Troisième coordinatrice")


def entered(partnership):
    """The figures of the partnership (the only place a test's writes can go)."""
    return Measurement.objects.filter(indicator__result__partnership=partnership)


def signed_in(user):
    from conftest import verify_second_factor

    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


def text(response) -> str:
    return markup.unescape(response.content.decode())


def page(partnership, code="R4.1"):
    return reverse("programme:measurements", kwargs={"slug": partnership.slug, "code": code})


def step(client, partnership, measurement, name, code="R4.1", **data):
    url = reverse(
        "programme:measurement_step",
        kwargs={"slug": partnership.slug, "code": code, "pk": measurement.pk, "step": name},
    )
    return client.post(url, data, follow=True)


def approve_url(partnership, measurement):
    return reverse(
        "programme:measurement_step",
        kwargs={"slug": partnership.slug, "code": "R4.1", "pk": measurement.pk, "step": "approve"},
    )


def test_whoever_entered_and_submitted_a_figure_cannot_approve_it_someone_else_does(
    client_for, users, partnership, plants, second_coordinator
):
    client = client_for("coordination")
    assert client.post(page(partnership), {"year": 2024, "value": 1200}).status_code == 302
    measurement = Measurement.objects.get(indicator=plants, period=2024)
    step(client, partnership, measurement, "submit")
    html = text(client.get(page(partnership)))
    assert approve_url(partnership, measurement) not in html  # no button for her
    assert "une autre personne doit l'approuver" in html
    response = step(client, partnership, measurement, "approve")
    assert "une autre personne doit l'approuver (principe des quatre yeux)" in text(response)
    measurement.refresh_from_db()
    assert measurement.status == "submitted"

    other = signed_in(second_coordinator)
    assert approve_url(partnership, measurement) in text(other.get(page(partnership)))
    html = text(step(other, partnership, measurement, "approve"))
    measurement.refresh_from_db()
    assert measurement.status == "approved"
    approved = measurement.events.get(action="approved")
    assert approved.user == second_coordinator
    assert "Approuvé par Adjointe de coordination le" in html
    html = text(dashboard(client, partnership))
    assert "1200" in html[html.index('id="dash-indicator-R4.1"') :][:1500]


def test_whoever_saved_the_value_last_cannot_approve_it_either(
    partnership, users, plants, second_coordinator, third_coordinator
):
    coordination = users["coordination"]
    indicator = plants
    actions.save_measurement(indicator, 2024, "T", 100, coordination)
    measurement = actions.save_measurement(indicator, 2024, "T", 120, second_coordinator)  # changes it
    actions.submit_measurement(measurement, coordination)
    for author in (coordination, second_coordinator):  # the submitter, the last to save the value
        with pytest.raises(ValidationError, match="quatre yeux"):
            actions.approve_measurement(measurement, author)
    html = text(signed_in(second_coordinator).get(page(partnership)))
    assert approve_url(partnership, measurement) not in html
    assert actions.approve_measurement(measurement, third_coordinator).status == "approved"

    # Whoever entered the value before someone else changed it may approve: the value is not hers.
    actions.save_measurement(indicator, 2023, "T", 50, coordination)
    measurement = actions.save_measurement(indicator, 2023, "T", 60, second_coordinator)
    actions.submit_measurement(measurement, second_coordinator)
    assert actions.approve_measurement(measurement, coordination).status == "approved"


def test_the_page_shows_the_whole_history_who_when_value_and_reason(
    client_for, users, partnership, plants, second_coordinator
):
    client, other = client_for("coordination"), signed_in(second_coordinator)
    client.post(page(partnership), {"year": 2024, "value": 1200})
    measurement = Measurement.objects.get(indicator=plants, period=2024)
    step(client, partnership, measurement, "submit")
    step(other, partnership, measurement, "reject", reason="Parcelle sud oubliée")
    client.post(page(partnership), {"year": 2024, "value": 1300})
    step(client, partnership, measurement, "submit")
    step(other, partnership, measurement, "approve")
    response = client.post(page(partnership), {"year": 2024, "value": 1500})
    assert "verrouillé" in text(response)
    step(client, partnership, measurement, "reopen")  # no reason: refused
    measurement.refresh_from_db()
    assert (measurement.status, measurement.value) == ("approved", 1300)
    step(client, partnership, measurement, "reopen", reason="Erreur de comptage sur la parcelle nord")
    client.post(page(partnership), {"year": 2024, "value": 1150})
    measurement.refresh_from_db()
    assert (measurement.status, measurement.value) == ("draft", 1150)

    coordination = users["coordination"].username  # no full name: the page shows her username
    expected = [
        ("enregistré", 1200, coordination, ""),
        ("soumis", 1200, coordination, ""),
        ("renvoyé", 1200, "Adjointe de coordination", "Parcelle sud oubliée"),
        ("enregistré", 1300, coordination, ""),
        ("soumis", 1300, coordination, ""),
        ("approuvé", 1300, "Adjointe de coordination", ""),
        (
            "rouvert pour correction",
            1300,
            coordination,
            "Erreur de comptage sur la parcelle nord",
        ),
        ("enregistré", 1150, coordination, ""),
    ]
    html = text(client.get(page(partnership)))
    history = html[html.index(f'id="measurement-{measurement.pk}"') :]
    rows = history.split("<tr><td>")[1:]
    assert len(rows) == len(expected)
    for row, (action, value, who, reason) in zip(rows, expected, strict=True):
        cells = [cell.split("</td>")[0] for cell in row.split("<td>")]
        assert cells[0]  # when
        assert cells[1:] == [action, str(value), who, reason]


def test_a_figure_that_counts_no_people_has_no_sex_and_is_stored_as_total(client_for, partnership, plants):
    client = client_for("coordination")
    html = text(client.get(page(partnership)))
    assert 'name="sex"' not in html  # R4.1 counts plants
    assert client.post(page(partnership), {"year": 2025, "value": 300, "sex": "F"}).status_code == 302
    assert Measurement.objects.get(indicator=plants, period=2025).sex == "T"


def test_a_figure_by_sex_asks_for_it_with_no_default(client_for, users, partnership, plants):
    indicator = plants
    indicator.by_sex = True
    indicator.save()
    client = client_for("coordination")
    html = text(client.get(page(partnership)))
    select = html[html.index('name="sex"') :].split("</select>")[0]
    assert '<option value="" selected>—</option>' in select
    assert 'value="T"' not in select
    response = client.post(page(partnership), {"year": 2025, "value": 300})
    assert response.status_code == 200 and "Ce champ est obligatoire" in text(response)
    response = client.post(page(partnership), {"year": 2025, "value": 300, "sex": "T"})
    assert response.status_code == 200
    assert not entered(partnership).exists()
    assert client.post(page(partnership), {"year": 2025, "value": 300, "sex": "M"}).status_code == 302
    assert entered(partnership).get().sex == "M"
    with pytest.raises(ValidationError, match="Ce sexe ne convient pas"):
        actions.save_measurement(indicator, 2025, "T", 10, users["coordination"])


def test_a_year_after_today_or_outside_the_programme_is_refused(
    client_for, users, partnership, plants, monkeypatch
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2024, 6, 1))
    client = client_for("coordination")
    html = text(client.get(page(partnership)))
    assert '<option value="2024"' in html and '<option value="2025"' not in html
    for year in (2025, 2021):
        response = client.post(page(partnership), {"year": year, "value": 5})
        assert "au plus tard l'année en cours" in text(response)
        with pytest.raises(ValidationError, match="au plus tard l'année en cours"):
            actions.save_measurement(plants, year, "T", 5, users["coordination"])
    assert not entered(partnership).exists()


def test_approved_values_are_per_year_and_only_approved(partnership, users, plants, second_coordinator):
    indicator = plants
    for year, value in ((2022, 400), (2023, 650), (2024, 300)):
        measurement = actions.save_measurement(indicator, year, "T", value, users["coordination"])
        if year != 2024:  # 2024 stays a draft: it does not count
            actions.submit_measurement(measurement, users["coordination"])
            actions.approve_measurement(measurement, second_coordinator)
    values = Measurement.objects.approved_values(partnership)
    assert values == {(indicator.id, 2022, "T"): 400, (indicator.id, 2023, "T"): 650}
    through_2023 = sum(v for (i, y, s), v in values.items() if i == indicator.id and y <= 2023)
    assert through_2023 == 1050


def test_jette_cannot_touch_manual_figures(client_for, partnership, plants):
    assert client_for("jette").post(page(partnership), {"year": 2024, "value": 5}).status_code == 404
    assert not entered(partnership).exists()


def test_an_activity_count_is_never_broken_down_by_sex(client_for, partnership):
    client = client_for("coordination")
    r21 = IndicatorFactory(
        result=ResultFactory(partnership=partnership, code="R2"), code="R2.1", activities=True
    )
    url = reverse("indicators:indicator_edit", kwargs={"slug": partnership.slug, "code": "R2.1"})
    assert "Un nombre d'activités n'a pas de sexe" in text(client.get(url))
    data = {
        "result": r21.result_id,
        "code": "R2.1",
        "name": r21.name,
        "unit": "activités",
        "period": "annual",
        "by_sex": "on",
        "source": "activities",
        "version": r21.version,
    }
    assert client.post(url, data).status_code == 302
    r21.refresh_from_db()
    assert r21.by_sex is False
    assert client.post(url, {**data, "source": "participations", "version": r21.version}).status_code == 302
    r21.refresh_from_db()
    assert r21.by_sex is True  # people are counted: the coordinator's choice stands


def test_the_migration_moves_programme_figures_to_a_year_and_back(tmp_path, django_db_blocker):
    """Period 0 → the year of creation clamped to the programme, an F figure of a count of plants →
    T, each with a MOVED event; the reverse restores both and removes the events. On a scratch
    database: migrating the shared one back would drop the demo's values in the columns added since."""
    from django.db import connection

    from core.tests.scratch_db import migrating, scratch_database

    # Partnerships too, as they were then: a column added since (translations) has no default in the database.
    before = [("programme", "0010_measurement_moved_event"), ("partnerships", "0003_role_log_append_only")]
    with django_db_blocker.unblock(), scratch_database(tmp_path) as name, migrating(name) as executor:
        latest = executor.loader.graph.leaf_nodes()
        executor.migrate(before)
        apps = executor.loader.project_state(before).apps
        Partnership = apps.get_model("partnerships", "Partnership")
        Network = apps.get_model("partnerships", "Network")
        Result = apps.get_model("programme", "Result")
        Indicator = apps.get_model("programme", "Indicator")
        Measurement = apps.get_model("programme", "Measurement")
        MeasurementEvent = apps.get_model("programme", "MeasurementEvent")
        User = apps.get_model("accounts", "User")
        user = User.objects.create(username="saisie-migration")
        network = Network.objects.create(slug="reseau-migration", name="N")
        old = Partnership.objects.create(
            network=network, slug="migration-2020-2023", name="P", start_year=2020, end_year=2023
        )
        result = Result.objects.create(partnership=old, code="R4", level="result", name="R4")
        plants = Indicator.objects.create(
            result=result, code="P", name="Plants", period="cumulative", by_sex=False
        )
        people = Indicator.objects.create(result=result, code="Q", name="Gens", period="annual", by_sex=True)
        created = []
        for indicator, period, sex in ((plants, 0, "F"), (people, 0, "M"), (people, 2023, "M")):
            m = Measurement.objects.create(
                indicator=indicator, period=period, sex=sex, value=7, status="approved"
            )
            MeasurementEvent.objects.create(measurement=m, action="saved", value=7, user=user)
            created.append(m.pk)

        # Created today, after the programme: clamped to its last year, 2023 (taken for M: 2022 then).
        executor.loader.build_graph()
        executor.migrate(latest)
        from programme.models import Measurement as Now

        assert connection.settings_dict["NAME"] == name  # the scratch database, not the shared one
        rows = {m.pk: (m.period, m.sex, m.status) for m in Now.objects.filter(pk__in=created)}
        assert rows == {
            created[0]: (2023, "T", "approved"),
            created[1]: (2022, "M", "approved"),  # the nearest free year before
            created[2]: (2023, "M", "approved"),
        }
        moved = Now.objects.get(pk=created[0]).events.get(action="moved")
        assert moved.user is None and moved.reason == "Migration 0010 : période 0 → 2023 ; sexe F → T."

        executor.loader.build_graph()
        executor.migrate(before)
        rows = {m.pk: (m.period, m.sex) for m in Measurement.objects.filter(pk__in=created)}
        assert rows == {created[0]: (0, "F"), created[1]: (0, "M"), created[2]: (2023, "M")}
        assert not MeasurementEvent.objects.filter(measurement__in=created, action="moved").exists()

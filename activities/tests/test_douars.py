"""Where an activity takes place and where a visitor comes from, among the partnership's douars
(issue 18): the forms offer the partnership's own, the API takes a code, nothing of another
partnership's is ever accepted; the list filters by douar inside the services only."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from activities.forms import ActivityForm
from activities.models import Activity, Visit
from partnerships.models import Structure
from partnerships.tests.factories import DouarFactory

SLUG = "belfaa-jette-2022-2026"


@pytest.fixture
def api(users, client):
    def call(persona, path, body):
        token = ApiToken.issue(users[persona])
        return client.post(
            "/api/v1" + path,
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    return call


def test_the_api_records_where_an_activity_takes_place(api, partnership):
    body = {"kind": "atelier", "title": "Atelier au douar", "date": "2025-03-03", "douar": "toulaasri"}
    response = api("coordination", f"/partnerships/{SLUG}/activities", body)
    assert response.status_code == 201
    assert Activity.objects.get(pk=response.json()["id"]).douar.code == "toulaasri"


@pytest.mark.parametrize("code", ["nulle-part", "f-ailleurs"])
def test_an_unknown_or_foreign_douar_is_a_422_and_nothing_is_written(api, partnership, world, code):
    DouarFactory(partnership=world["other"], code="f-ailleurs")
    before = Activity.objects.count()
    body = {"kind": "atelier", "title": "Atelier", "date": "2025-03-03", "douar": code}
    response = api("coordination", f"/partnerships/{SLUG}/activities", body)
    assert response.status_code == 422
    assert response.json()["detail"] == f"Douar inconnu dans ce partenariat : {code}."
    assert Activity.objects.count() == before


def form_data(partnership, **changes) -> dict:
    data = {"kind": "atelier", "title": "Atelier de couture", "date": "2025-02-10", "place": ""}
    return {**data, **changes}


def test_the_activity_form_takes_a_douar_and_refuses_another_partnerships(world, partnership, client_for):
    client = client_for("coordination")
    foreign = DouarFactory(partnership=world["other"])
    address = reverse("activities:create", kwargs={"slug": partnership.slug})
    here = partnership.douars.get(code="tassila")
    before = Activity.objects.count()
    response = client.post(address, form_data(partnership, douar=foreign.pk))
    assert response.status_code == 200 and response.context["form"].errors["douar"]
    assert Activity.objects.count() == before
    assert client.post(address, form_data(partnership, douar=here.pk)).status_code == 302
    activity = Activity.objects.latest("pk")
    assert activity.douar == here
    detail = client.get(reverse("activities:detail", kwargs={"slug": partnership.slug, "pk": activity.pk}))
    assert "Tassila" in detail.content.decode()
    # Edited: moved to another douar, then to none.
    edit = reverse("activities:edit", kwargs={"slug": partnership.slug, "pk": activity.pk})
    page = client.get(edit)
    data = {**form_data(partnership), "version": page.context["form"]["version"].value(), "douar": ""}
    assert client.post(edit, data).status_code == 302
    activity.refresh_from_db()
    assert activity.douar is None


def test_the_list_filters_by_douar_inside_the_services_only(partnership, client_for):
    url = reverse("activities:list", kwargs={"slug": partnership.slug})
    response = client_for("coordination").get(url, {"douar": "toulaasri"})
    shown = list(response.context["page"])
    assert shown and all(a.douar.code == "toulaasri" for a in shown)
    assert (
        response.context["page"].paginator.count
        == partnership.activities.filter(douar__code="toulaasri").count()
    )
    jette = client_for("jette")
    outside = jette.get(url, {"douar": "toulaasri"})
    assert 'name="douar"' not in outside.content.decode()
    assert outside.context["page"].paginator.count == jette.get(url).context["page"].paginator.count


def test_the_visits_form_records_where_the_visitor_comes_from(world, partnership, client_for):
    client = client_for("accueil")
    address = reverse("activities:visits", kwargs={"slug": partnership.slug})
    office = partnership.structures.get(code="bureau-migrants")
    data = {
        "structure": office.pk,
        "date": "2025-02-10",
        "sex": "M",
        "reason": "Papiers",
        "orientation": Visit.Orientation.values[0],
    }
    foreign = DouarFactory(partnership=world["other"])
    before = Visit.objects.count()
    assert client.post(address, {**data, "douar": foreign.pk}).context["form"].errors["douar"]
    assert Visit.objects.count() == before
    lahrach = partnership.douars.get(code="lahrach")
    assert client.post(address, {**data, "douar": lahrach.pk}).status_code == 302
    assert Visit.objects.latest("pk").douar == lahrach


def test_a_listening_centre_activity_takes_no_douar_from_any_door(partnership, client_for):
    """Where the centre works is never told finer than the commune (docs/security.md 9): the form,
    the API and the import refuse a douar on its activities."""
    from reports import kobo

    centre = partnership.structures.get(kind=Structure.Kind.LISTENING_CENTRE)
    douar = partnership.douars.first()
    form = ActivityForm(
        {
            "kind": "atelier",
            "title": "Atelier",
            "date": "2025-03-04",
            "structure": centre.pk,
            "douar": douar.pk,
        },
        partnership=partnership,
        structures=partnership.structures.all(),
    )
    assert not form.is_valid() and "douar" in form.errors
    problems: list = []
    validator = kobo.Validator(partnership, "atelier", [centre], None, {}, [])
    found = validator.check(
        lambda key, message: problems.append((key, message)),
        date="2025-03-04",
        structure=centre.code,
        douar=douar.code,
    )
    assert found is None and problems[0][0] == "douar"

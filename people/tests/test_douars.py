"""Where a person lives, among the partnership's douars (issue 18): the douar only, never an
address; the registry's forms and the API take the partnership's own douars, never another's."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from partnerships.tests.factories import DouarFactory
from people.models import Person

pytestmark = pytest.mark.small_world


def test_staff_record_where_a_person_lives_and_change_it(world, partnership, day_centre, client_for):
    home, other_home = DouarFactory(partnership=partnership), DouarFactory(partnership=partnership)
    foreign = DouarFactory(partnership=world["other"])
    client = client_for("jour")
    url = reverse("people:create", kwargs={"slug": partnership.slug})
    data = {"structure": day_centre.pk, "sex": "F", "birth_year": "2009", "consent": "on"}
    before = Person.objects.count()
    refused = client.post(url, {**data, "douar": foreign.pk})
    assert refused.status_code == 200 and refused.context["form"].errors["douar"]
    assert Person.objects.count() == before
    assert client.post(url, {**data, "douar": home.pk}).status_code == 302
    person = Person.objects.latest("pk")
    assert person.douar == home
    detail = reverse("people:detail", kwargs={"slug": partnership.slug, "pk": person.pk})
    assert home.name in client.get(detail).content.decode()
    # The coordinator sees the douar on the record too (not an identifying field).
    assert home.name in client_for("coordination").get(detail).content.decode()
    edit = reverse("people:edit", kwargs={"slug": partnership.slug, "pk": person.pk})
    form = client.get(edit).context["form"]
    assert form["douar"].value() == home.pk
    changed = {**data, "version": form["version"].value(), "douar": other_home.pk}
    changed.pop("structure")
    assert client.post(edit, changed).status_code == 302
    person.refresh_from_db()
    assert person.douar == other_home


def api_post(client, user, slug, body):
    token = ApiToken.issue(user)
    return client.post(
        f"/api/v1/partnerships/{slug}/people",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_api_takes_a_douar_code_and_refuses_an_unknown_one(world, partnership, client):
    home = DouarFactory(partnership=partnership)
    foreign = DouarFactory(partnership=world["other"])
    coordination = world["users"]["coordination"]
    before = Person.objects.count()
    for code in ("nulle-part", foreign.code):
        body = {"sex": "F", "birth_year": 2000, "douar": code}
        response = api_post(client, coordination, partnership.slug, body)
        assert response.status_code == 422
        assert response.json()["detail"] == f"Douar inconnu dans ce partenariat : {code}."
    assert Person.objects.count() == before
    response = api_post(
        client, coordination, partnership.slug, {"sex": "F", "birth_year": 2000, "douar": home.code}
    )
    assert response.status_code == 201
    assert Person.objects.get(pk=response.json()["id"]).douar == home

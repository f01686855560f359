"""The douars of a partnership's territory (issue 18): listed, added, changed and deleted by whoever
sets the partnership up; a douar something refers to stays, with a French message saying why."""

from decimal import Decimal

import pytest
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from partnerships import actions
from partnerships.access import get_douar_to_set_up
from partnerships.models import Douar
from partnerships.tests.factories import DouarFactory
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.small_world


def data(**changes) -> dict:
    fields = {
        "code": "tagadirt",
        "name": "Tagadirt",
        "name_ar": "تاكاديرت",
        "name_en": "",
        "name_nl": "",
        "kind": "douar",
        "latitude": "30.12480",
        "longitude": "-9.52760",
        "population": "410",
    }
    return {**fields, **changes}


def test_the_coordinator_adds_a_douar_with_its_arabic_name(world, client):
    partnership = world["partnership"]
    client.force_login(world["users"]["coordination"])
    response = client.post(reverse("partnerships:douar_new", kwargs={"slug": partnership.slug}), data())
    assert response.status_code == 302
    douar = partnership.douars.get(code="tagadirt")
    assert douar.variants() == {"ar": "تاكاديرت"}
    assert (douar.latitude, douar.longitude, douar.population) == (
        Decimal("30.12480"),
        Decimal("-9.52760"),
        410,
    )
    page = client.get(reverse("partnerships:douars", kwargs={"slug": partnership.slug}))
    assert "تاكاديرت" in page.content.decode()
    setup = client.get(reverse("partnerships:setup", kwargs={"slug": partnership.slug}))
    assert reverse("partnerships:douars", kwargs={"slug": partnership.slug}) in setup.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("latitude", "90.5"),
        ("latitude", "-91"),
        ("longitude", "180.1"),
        ("longitude", "-200"),
        ("latitude", "nord"),
        ("population", "-3"),
        ("code", "Pas un code"),
        ("code", "nouveau"),
        ("name", ""),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(world, client, field, value):
    partnership = world["partnership"]
    client.force_login(world["users"]["coordination"])
    response = client.post(
        reverse("partnerships:douar_new", kwargs={"slug": partnership.slug}), data(**{field: value})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not partnership.douars.exists()


def test_a_code_is_unique_in_the_partnership_only(world, client):
    partnership, other = world["partnership"], world["other"]
    DouarFactory(partnership=other, code="tagadirt")  # another partnership's: no clash
    DouarFactory(partnership=partnership, code="lahrach")
    client.force_login(world["users"]["coordination"])
    new = reverse("partnerships:douar_new", kwargs={"slug": partnership.slug})
    assert client.post(new, data()).status_code == 302
    response = client.post(new, data(code="lahrach"))
    assert "Un autre douar de ce partenariat porte déjà ce code." in response.context["form"].errors["code"]


def test_an_edit_keeps_its_own_code(world, client):
    douar = DouarFactory(partnership=world["partnership"], code="tagadirt")
    client.force_login(world["users"]["coordination"])
    address = reverse("partnerships:douar_edit", kwargs={"slug": douar.partnership.slug, "code": "tagadirt"})
    assert client.post(address, data(population="455")).status_code == 302
    douar.refresh_from_db()
    assert douar.population == 455


def test_a_douar_in_use_is_not_deleted_and_the_message_says_why(world, client):
    partnership = world["partnership"]
    used = DouarFactory(partnership=partnership)
    ActivityFactory(partnership=partnership, douar=used)
    PersonFactory(partnership=partnership, douar=used)
    free = DouarFactory(partnership=partnership)
    client.force_login(world["users"]["coordination"])
    for douar in (used, free):
        address = reverse("partnerships:douar_delete", kwargs={"slug": partnership.slug, "code": douar.code})
        client.post(address)
    assert list(partnership.douars.all()) == [used]
    with pytest.raises(Exception, match="ne peut pas être supprimé") as refused:
        actions.delete_douar(used)
    assert "activités" in str(refused.value)


def test_nobody_else_reaches_another_partnerships_douar(world):
    douar = DouarFactory(partnership=world["other"])
    from django.http import Http404

    with pytest.raises(Http404):
        get_douar_to_set_up(world["users"]["coordination"], world["other"].slug, douar.code)
    with pytest.raises(Http404):  # asked through her own partnership
        get_douar_to_set_up(world["users"]["coordination"], world["partnership"].slug, douar.code)
    assert Douar.objects.visible_to(world["users"]["coordination"]).filter(pk=douar.pk).count() == 0

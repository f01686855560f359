"""docs/security.md 34: the centre's clients live only in `cases`. The listening centre's roles write
nothing in the registry, and no registry record says that a person is known to the centre."""

import importlib
import re
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import ApiToken
from activities import actions as activity_actions
from activities.models import Activity
from indicators import engine
from people import actions
from people.models import Person, TargetGroup

CENTRE_STAFF = ["ecoute", "centre"]
SENTINEL = "Sentinelle-Registre-5521"
detach = importlib.import_module(
    "people.migrations.0004_detach_registry_people_from_listening_centres"
).detach


def _centre(partnership):
    return partnership.structures.get(code="centre-ecoute")


def _day_centre_pk(partnership):
    return partnership.structures.get(code="centre-jour").pk


@pytest.mark.parametrize("persona", CENTRE_STAFF)
def test_centre_staff_write_nothing_in_the_registry(client_for, users, partnership, persona):
    client = client_for(persona)
    slug = partnership.slug
    before = Person.objects.count()
    # The people pages, reading or writing.
    assert client.get(reverse("people:list", kwargs={"slug": slug})).status_code == 404
    assert client.get(reverse("people:create", kwargs={"slug": slug})).status_code == 404
    response = client.post(
        reverse("people:create", kwargs={"slug": slug}),
        {"structure": _centre(partnership).pk, "sex": "F", "birth_year": "1990", "first_name": SENTINEL},
    )
    assert response.status_code == 404
    # The API.
    token = ApiToken.issue(users[persona])
    response = client_for("anonymous").post(
        f"/api/v1/partnerships/{slug}/people",
        {"sex": "F", "birth_year": 1990},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 404
    # Quick creation on the attendance page of the centre's own activity (its staff may write it).
    activity = (
        Activity.objects.filter(
            partnership=partnership, structure=_centre(partnership), date__lte=date.today()
        )
        .order_by("-date")
        .first()
    )
    attendance = client.get(reverse("activities:attendance", kwargs={"slug": slug, "pk": activity.pk}))
    assert attendance.status_code == 200
    assert (
        "quick_person" not in attendance.content.decode()
        and "Nouvelle personne" not in attendance.content.decode()
    )
    url = reverse("activities:quick_person", kwargs={"slug": slug, "pk": activity.pk})
    assert client.post(url, {"sex": "F", "birth_year": "1990", "first_name": SENTINEL}).status_code == 404
    assert Person.objects.count() == before
    # Nor do they see anyone to tick present, search or import (imports find people through this).
    assert not Person.objects.visible_to(users[persona]).exists()
    assert not Person.objects.held_by(users[persona]).exists()


def test_nobody_registers_a_person_for_the_listening_centre(client_for, users, partnership):
    centre = _centre(partnership)
    with pytest.raises(ValidationError):
        actions.register_person(partnership, sex="F", birth_year=1990, structure=centre)
    client = client_for("coordination")
    form = client.get(reverse("people:create", kwargs={"slug": partnership.slug})).content.decode()
    choices = re.search(r'<select name="structure".*?</select>', form, re.S).group(0)
    assert f'value="{centre.pk}"' not in choices and f'value="{_day_centre_pk(partnership)}"' in choices
    response = client.post(
        reverse("people:create", kwargs={"slug": partnership.slug}),
        {"structure": centre.pk, "sex": "F", "birth_year": "1990"},
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    token = ApiToken.issue(users["coordination"])
    response = client_for("anonymous").post(
        f"/api/v1/partnerships/{partnership.slug}/people",
        {"sex": "F", "birth_year": 1990, "structure": "centre-ecoute"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert "centre d'écoute ne tient pas de fiches" in response.json()["detail"]
    assert not Person.objects.filter(structure=centre).exists()


def test_the_migration_detaches_old_centre_records_and_changes_no_figure(client_for, users, partnership):
    """A record the centre's staff wrote before this fix: the coordinator saw it labelled "Centre
    d'écoute". After the data migration she sees a code with no structure; every figure is the same."""
    centre = _centre(partnership)
    group = TargetGroup.objects.get(code="femmes-violence")
    old = Person.objects.create(
        partnership=partnership,
        structure=centre,
        number=990001,
        code="BLF-990001",
        sex="F",
        birth_year=1990,
        first_name=SENTINEL,
        phone="0600000000",
        created_by=users["ecoute"],
    )
    old.target_groups.set([group])
    activity = Activity.objects.filter(partnership=partnership, structure=centre).order_by("date").first()
    activity_actions.record_attendance(activity, [old])
    figures = engine.values_of(partnership)
    detail = reverse("people:detail", kwargs={"slug": partnership.slug, "pk": old.pk})
    assert "Centre d&#x27;écoute" in client_for("coordination").get(detail).content.decode()

    detach(apps, None)

    old.refresh_from_db()
    assert (old.structure, old.created_by, old.first_name, old.phone, old.name_index) == (
        None,
        None,
        "",
        "",
        "",
    )
    assert list(old.target_groups.all()) == [group] and old.attendances.count() == 1
    page = client_for("coordination").get(detail).content.decode()
    assert "Centre d&#x27;écoute" not in page and SENTINEL not in page
    listing = client_for("coordination").post(
        reverse("people:list", kwargs={"slug": partnership.slug}), {"q": "990001"}
    )
    assert "BLF-990001" in listing.content.decode() and "Centre d&#x27;écoute" not in listing.content.decode()
    assert engine.values_of(partnership) == figures
    assert not Person.objects.filter(structure__kind="centre-ecoute").exists()

"""docs/security.md 34: the centre's clients live only in `cases`. The listening centre's roles write
nothing in the registry, and no registry record says that a person is known to the centre.

Unit tests on factories (`small_world`): the centre, the day centre and the centre's own activity are
the personas' structures and a factory activity, never the demo's."""

import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from accounts.models import ApiToken
from activities import actions as activity_actions
from indicators import engine
from people import actions
from people.models import Person
from programme.tests.factories import IndicatorFactory

from .factories import TargetGroupFactory

pytestmark = pytest.mark.small_world

CENTRE_STAFF = ["ecoute", "centre"]
SENTINEL = "Sentinelle-Registre-5521"
detach = importlib.import_module(
    "people.migrations.0004_detach_registry_people_from_listening_centres"
).detach


@pytest.mark.parametrize("persona", CENTRE_STAFF)
def test_centre_staff_write_nothing_in_the_registry(
    client_for, users, partnership, listening_centre, held_session, persona
):
    client = client_for(persona)
    slug = partnership.slug
    before = Person.objects.count()
    # The people pages, reading or writing.
    assert client.get(reverse("people:list", kwargs={"slug": slug})).status_code == 404
    assert client.get(reverse("people:create", kwargs={"slug": slug})).status_code == 404
    response = client.post(
        reverse("people:create", kwargs={"slug": slug}),
        {"structure": listening_centre.pk, "sex": "F", "birth_year": "1990", "first_name": SENTINEL},
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
    activity = held_session(structure=listening_centre)
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


def test_nobody_registers_a_person_for_the_listening_centre(
    client_for, users, partnership, listening_centre, day_centre
):
    centre = listening_centre
    with pytest.raises(ValidationError):
        actions.register_person(partnership, sex="F", birth_year=1990, structure=centre)
    client = client_for("coordination")
    form = client.get(reverse("people:create", kwargs={"slug": partnership.slug})).content.decode()
    choices = re.search(r'<select name="structure".*?</select>', form, re.S).group(0)
    assert f'value="{centre.pk}"' not in choices and f'value="{day_centre.pk}"' in choices
    response = client.post(
        reverse("people:create", kwargs={"slug": partnership.slug}),
        {"structure": centre.pk, "sex": "F", "birth_year": "1990"},
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    token = ApiToken.issue(users["coordination"])
    response = client_for("anonymous").post(
        f"/api/v1/partnerships/{partnership.slug}/people",
        {"sex": "F", "birth_year": 1990, "structure": centre.code},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert "centre d'écoute ne tient pas de fiches" in response.json()["detail"]
    assert not Person.objects.filter(structure=centre).exists()


def test_the_migration_detaches_old_centre_records_and_changes_no_figure(
    client_for, users, partnership, listening_centre, held_session
):
    """A record the centre's staff wrote before this fix: the coordinator saw it labelled with the
    centre's name. After the data migration she sees a code with no structure; every figure is the same."""
    centre, label = listening_centre, escape(listening_centre.label)
    group = TargetGroupFactory()
    counted = IndicatorFactory(
        result__outcome=True, result__partnership=partnership, target_groups=[group.code]
    )
    code = f"{partnership.code_prefix}-990001"
    old = Person.objects.create(
        partnership=partnership,
        structure=centre,
        number=990001,
        code=code,
        sex="F",
        birth_year=1990,
        first_name=SENTINEL,
        phone="0600000000",
        created_by=users["ecoute"],
    )
    old.target_groups.set([group])
    activity = held_session(structure=centre)
    activity_actions.record_attendance(activity, [old])
    figures = engine.values_of(partnership)
    assert figures[(counted.pk, activity.date.year, "F")] == 1  # she counts: the check below can fail
    detail = reverse("people:detail", kwargs={"slug": partnership.slug, "pk": old.pk})
    assert label in client_for("coordination").get(detail).content.decode()

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
    assert label not in page and SENTINEL not in page
    listing = client_for("coordination").post(
        reverse("people:list", kwargs={"slug": partnership.slug}), {"q": "990001"}
    )
    assert code in listing.content.decode() and label not in listing.content.decode()
    assert engine.values_of(partnership) == figures
    assert not Person.objects.filter(structure__kind="centre-ecoute").exists()

"""docs/security.md 1 (fail closed), 2 (404, not 403) and 5 (two tenants mirrored) for the tenancy root."""

import re

import pytest
from django.http import Http404
from django.urls import reverse

from partnerships.access import access_for, get_partnership_for_user, get_structure_for_user
from partnerships.models import Membership, Partnership, Role, Structure
from partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.small_world


def test_a_user_without_role_sees_nothing(world, outsider):
    assert not Partnership.objects.visible_to(outsider).exists()
    assert not Structure.objects.visible_to(outsider).exists()
    with pytest.raises(Http404):
        get_partnership_for_user(outsider, world["partnership"].slug)


def test_anonymous_and_deactivated_users_see_nothing(world, coordination):
    from django.contrib.auth.models import AnonymousUser

    assert not Partnership.objects.visible_to(AnonymousUser()).exists()
    coordination.is_active = False
    assert not Partnership.objects.visible_to(coordination).exists()
    assert access_for(coordination, world["partnership"]).roles == frozenset()


@pytest.mark.parametrize(
    "persona", ["coordination", "ecoute", "centre", "accueil", "jour", "jette", "reseau"]
)
def test_the_personas_see_their_partnership_only(world, users, persona):
    visible = set(Partnership.objects.visible_to(users[persona]))
    if persona == "reseau":  # every partnership of her network
        assert visible == set(Partnership.objects.filter(network=world["partnership"].network))
    else:
        assert visible == {world["partnership"]}
    with pytest.raises(Http404):
        get_partnership_for_user(users[persona], world["other"].slug)


def test_the_other_tenant_sees_only_its_own(world, users):
    centre = world["partnership"].structures.get(kind=Structure.Kind.LISTENING_CENTRE)
    for name in ["autre_coordination", "autre_ecoute"]:
        assert list(Partnership.objects.visible_to(users[name])) == [world["other"]]
        with pytest.raises(Http404):
            get_structure_for_user(users[name], world["partnership"].slug, centre.code)


def test_missing_and_forbidden_look_the_same(client_for, world):
    client = client_for("autre_coordination")
    forbidden = client.get(reverse("partnerships:detail", kwargs={"slug": world["partnership"].slug}))
    missing = client.get(reverse("partnerships:detail", kwargs={"slug": "n-existe-pas"}))
    assert forbidden.status_code == missing.status_code == 404
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    # The pages differ only by the CSRF token and the requested path (echoed in the language form).
    forbidden_page = token.sub(b"", forbidden.content).replace(world["partnership"].slug.encode(), b"SLUG")
    missing_page = token.sub(b"", missing.content).replace(b"n-existe-pas", b"SLUG")
    assert forbidden_page == missing_page


def test_roles_are_those_of_the_roadmap_personas(world, users):
    ours = world["partnership"]
    assert access_for(users["coordination"], ours).roles == {Role.COORDINATOR}
    assert access_for(users["reseau"], ours).roles == {Role.NETWORK_OFFICER}
    listener = access_for(users["ecoute"], ours)
    centre = ours.structures.get(kind=Structure.Kind.LISTENING_CENTRE)
    assert listener.in_structure(centre, Role.LISTENER)
    assert not listener.in_structure(ours.structures.get(kind=Structure.Kind.DAY_CENTRE))
    assert not access_for(users["jette"], ours).sees_individuals
    assert not access_for(users["reseau"], ours).sees_individuals
    assert access_for(users["coordination"], ours).sees_individuals


def test_a_role_held_at_the_wrong_level_is_refused_by_the_database(world, users):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        # A listener must belong to a structure.
        Membership.objects.create(
            user=users["outsider"], role=Role.LISTENER, partnership=world["partnership"]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=users["outsider"], role=Role.NETWORK_OFFICER, partnership=world["partnership"]
        )


def test_network_officer_sees_every_partnership_of_her_network(world, users):
    from partnerships.models import Partnership as P

    sibling = PartnershipFactory(network=world["partnership"].network, start_year=2024, end_year=2028)
    assert sibling in set(P.objects.visible_to(users["reseau"]))
    assert set(P.objects.visible_to(users["reseau"])) == set(
        P.objects.filter(network=world["partnership"].network)
    )
    assert list(P.objects.visible_to(users["jette"])) == [world["partnership"]]

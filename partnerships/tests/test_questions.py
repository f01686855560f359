"""One named predicate per question (issue 15, item 4): who coordinates, who manages, who records work.

The demo has no partnership admin (`Role.ADMIN`), so the authorisation matrix does not say where she
stands; these tests do. She manages definitions and publications (forums, good practices, indicator
definitions) like the coordinator, and sees no individual: no registry, no import, no export, no
activity written.
"""

import pytest
from django.urls import reverse

from accounts.models import User
from conftest import verify_second_factor
from partnerships.access import Access, access_for
from partnerships.models import Membership, Partnership, Role


def access_with(*roles, structures=()) -> Access:
    structure_roles = {pk: set(roles) for pk in structures}
    return Access(Partnership(slug="p"), frozenset(roles), frozenset(structure_roles), structure_roles)


@pytest.mark.parametrize(
    ("roles", "structures", "coordinates", "manages", "records_work"),
    [
        ((Role.COORDINATOR,), (), True, True, True),
        ((Role.ADMIN,), (), False, True, False),
        ((Role.OFFICE_AGENT,), (7,), False, False, True),
        ((Role.LISTENER,), (8,), False, False, True),
        ((Role.PARTNER_OFFICER,), (), False, False, False),
        ((Role.NETWORK_OFFICER,), (), False, False, False),
        ((), (), False, False, False),
    ],
)
def test_each_question_has_one_answer(roles, structures, coordinates, manages, records_work):
    access = access_with(*roles, structures=structures)
    assert access.coordinates is coordinates
    assert access.is_coordinator is manages
    assert access.records_work is records_work


def test_work_is_narrowed_to_her_structures(world, users):
    partnership = world["partnership"]
    everything = set(partnership.structures.values_list("pk", flat=True))
    assert set(
        access_for(users["coordination"], partnership).work_structures.values_list("pk", flat=True)
    ) == (everything)
    accueil = access_for(users["accueil"], partnership)
    own = set(accueil.work_structures.values_list("pk", flat=True))
    assert own == set(accueil.structure_ids)
    assert own and own < everything
    assert not access_for(users["jette"], partnership).work_structures.exists()


@pytest.fixture
def partnership_admin(world):
    user = User.objects.create_user("admin_partenariat", password="x-test-only-9f2c")
    Membership.objects.create(user=user, role=Role.ADMIN, partnership=world["partnership"])
    return user


def signed_in(client, user):
    client.force_login(user)
    verify_second_factor(client, user)
    return client


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("people:list", {}),
        ("people:create", {}),
        ("reports:exports", {}),
        ("reports:export", {"what": "personnes"}),
        ("reports:import_upload", {}),
        ("activities:create", {}),
        ("activities:visits", {}),
    ],
)
def test_the_partnership_admin_records_no_work(world, partnership_admin, client, name, kwargs):
    url = reverse(name, kwargs={"slug": world["partnership"].slug, **kwargs})
    assert signed_in(client, partnership_admin).get(url).status_code == 404


def test_the_partnership_admin_manages_forums_and_practices(world, partnership_admin, client):
    client = signed_in(client, partnership_admin)
    slug = world["partnership"].slug
    assert client.get(reverse("participation:forums", kwargs={"slug": slug})).status_code == 200
    assert client.get(reverse("practices:projects", kwargs={"slug": slug})).status_code == 200
    page = client.get(reverse("reports:annual", kwargs={"slug": slug, "year": 2025}))
    assert page.status_code == 200
    assert page.context["records_work"] is False

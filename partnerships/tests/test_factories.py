"""The factories' personas hold what the demo's personas hold, in rows that never clash with the
demo's (which is in the test database beside them)."""

import pytest

from accounts.otp import requires_otp
from conftest import ALL_PERSONAS, build_small_world
from partnerships.access import access_for
from partnerships.models import Partnership


def _held(user, partnership):
    access = access_for(user, partnership)
    kinds = {
        partnership.structures.get(pk=pk).kind: frozenset(roles)
        for pk, roles in access.structure_roles.items()
    }
    return access.roles, kinds, user.is_superuser, requires_otp(user)


@pytest.mark.parametrize("name", [p for p in ALL_PERSONAS if p != "anonymous"])
def test_each_persona_of_the_small_world_holds_what_the_demos_holds(world, name):
    small = build_small_world()
    home = "other" if name.startswith("autre_") else "partnership"
    demo_user, small_user = world["users"][name], small["users"][name]
    assert _held(small_user, small[home]) == _held(demo_user, world[home])
    expected = {"admin": set(Partnership.objects.all()), "outsider": set()}.get(name, {small[home]})
    assert set(Partnership.objects.visible_to(small_user)) == expected
    assert small_user.username.startswith("f-") and small[home].slug.startswith("f-")

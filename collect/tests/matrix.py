"""Offline collection in the authorisation matrix (docs/security.md 3): the coordinator and the
structure's own staff; never for the listening centre (no form exists for it); 404 for the others."""

from typing import Any

from collect.actions import create_device
from conftest import ALL_PERSONAS
from core.tests.access_matrix import Row
from partnerships.models import Structure

# B — devices and OpenRosa.

# Who collects: the coordinator and the structures' staff; never the listening centre (404).
COLLECTORS = ["coordination", "accueil", "jour"]


def belfaa(world):
    return {"slug": world["partnership"].slug}


def office_device(world):
    """A device of the migrant office (its agent's): the coordinator and the agent may revoke it."""
    office = world["partnership"].structures.get(kind=Structure.Kind.MIGRANT_OFFICE)
    device, _password = create_device(world["users"]["accueil"], office, "téléphone", None)
    return {"slug": world["partnership"].slug, "pk": device.pk}


def form_of(world, **more):
    return {
        "slug": world["partnership"].slug,
        "form_id": "twiza_activite_bureau_migrants",
        "version": "1",
        **more,
    }


# The OpenRosa doors take no session: every persona, signed in or not, gets the Basic challenge.
EVERYONE = [*ALL_PERSONAS]

ROWS = {
    "collect:index": Row(kwargs=belfaa, allowed=COLLECTORS),
    "collect:device_new": Row(kwargs=belfaa, allowed=COLLECTORS),
    "collect:device_revoke": Row(
        kwargs=office_device, allowed=["coordination", "accueil"], method="post", ok=302
    ),
    "openrosa:form_list": Row(kwargs=belfaa, allowed=EVERYONE, ok=401),
    "openrosa:form": Row(kwargs=form_of, allowed=EVERYONE, ok=401),
    "openrosa:manifest": Row(kwargs=form_of, allowed=EVERYONE, ok=401),
    "openrosa:media": Row(
        kwargs=lambda world: form_of(world, filename="personnes.csv"), allowed=EVERYONE, ok=401
    ),
    "openrosa:submission": Row(kwargs=belfaa, allowed=EVERYONE, ok=401),
    "openrosa:submission#post": Row(kwargs=belfaa, method="post", allowed=EVERYONE, ok=401),
}


# A — forms ------------------------------------------------------------------------------------


def office(world, **extra):
    return {"slug": world["partnership"].slug, "structure": "bureau-migrants", **extra}


def centre(world, **extra):
    return {"slug": world["partnership"].slug, "structure": "centre-ecoute", **extra}


OFFICE = ["coordination", "accueil"]

ROWS |= {
    "collect:xlsform": Row(kwargs=lambda world: office(world, kind="visite"), allowed=OFFICE),
    "collect:xlsform#centre": Row(kwargs=lambda world: centre(world, kind="activite"), allowed=[]),
    "collect:settings": Row(kwargs=office, allowed=OFFICE),
    "collect:settings#post": Row(
        kwargs=office, allowed=OFFICE, method="post", ok=302, data=lambda world: {"person_label": "code-seul"}
    ),
    "collect:settings#centre": Row(kwargs=centre, allowed=[]),
}

# Offline collection in the authorisation matrix (docs/security.md 3).
#
# C — the review queue, the Kobo links and Kobo's push: the coordinator and the staff of a structure
# that collects (`accueil` of the migrant office, `jour` of the day centre); the listening centre's
# staff, the partner commune, the network, the platform admin and the other partnership get 404.
# Kobo's push has no session: its secret is the credential (every caller the same answer).


def bureau_submission(world):
    from collect.tests.factories import SubmissionFactory

    bureau = world["partnership"].structures.get(code="bureau-migrants")
    submission = SubmissionFactory(structure=bureau, answers={"activite/date": "2019-01-01"})
    return {"slug": world["partnership"].slug, "pk": submission.pk}


def bureau_hook(world, secret: bool = False):
    from collect.tests.factories import KoboHookFactory

    bureau = world["partnership"].structures.get(code="bureau-migrants")
    hook: Any = KoboHookFactory(structure=bureau, user=world["users"]["accueil"])
    if secret:
        return {"slug": world["partnership"].slug, "secret": hook.secret}
    return {"slug": world["partnership"].slug, "pk": hook.pk}


ROWS |= {
    # C — the review queue and the Kobo links
    "collect:queue": Row(kwargs=belfaa, allowed=COLLECTORS),
    "collect:hooks": Row(kwargs=belfaa, allowed=COLLECTORS),
    # The migrant office's submission: its staff and the coordinator; the day centre's staff 404.
    "collect:review": Row(kwargs=bureau_submission, allowed=["coordination", "accueil"]),
    "collect:hook_revoke": Row(
        kwargs=bureau_hook, allowed=["coordination", "accueil"], method="post", ok=302
    ),
    # A form-encoded body is not Kobo's JSON: 400 for every caller, signed in or not.
    "openrosa:kobo": Row(
        kwargs=lambda world: bureau_hook(world, secret=True),
        allowed=ALL_PERSONAS,
        method="post",
        ok=400,
        data=lambda world: {"a": "b"},
    ),
}

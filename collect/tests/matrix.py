"""Offline collection in the authorisation matrix (docs/security.md 3): the coordinator and the
structure's own staff; never for the listening centre (no form exists for it); 404 for the others."""

from core.tests.access_matrix import Row

ROWS: dict[str, Row] = {}


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
        kwargs=office, allowed=OFFICE, method="post", ok=302, data=lambda world: {"person_label": "code"}
    ),
    "collect:settings#centre": Row(kwargs=centre, allowed=[]),
}

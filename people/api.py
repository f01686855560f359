"""Registry API. Who may write: the coordinator (any structure) and structure staff (their structure).

Errors: 404 for every write the caller may not make, whether she cannot see the partnership at all
or only reads it (partner commune, network, platform admin): one answer that reveals nothing
(docs/security.md 2); the API never answers 403. The check runs before the body is read (`Writer`), so
that answer comes whatever she sends. 422 for invalid input, with a French message and nothing
written: the schema refuses types, bounds and codes; the endpoint what only the database knows.
"""

from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import AfterValidator, Field, StrictInt

from config.api_types import (
    NOT_WRITABLE,
    Code,
    Error,
    Grant,
    Input,
    OneOf,
    Slug,
    Writer,
    french,
    path_value,
    writable_partnership,
)

from . import actions
from .access import may_register, registry_structure_ids
from .models import Sex, TargetGroup

router = Router(tags=["personnes"])

CENTRE_HOLDS_NO_RECORD = (
    "Le centre d'écoute ne tient pas de fiches au registre : ses dossiers restent au centre."
)


def not_after_this_year(year: int) -> int:
    if year > timezone.now().year:
        raise ValueError("after this year")
    return year


class PersonIn(Input):
    sex: Annotated[str, OneOf(Sex.values), french("Sexe inconnu : utilisez « F » ou « M ».")]
    # From 1900 to the current year (the upper bound moves: checked, not in the schema).
    birth_year: Annotated[
        StrictInt,
        Field(ge=1900),
        AfterValidator(not_after_this_year),
        french("Année de naissance impossible : {input}."),
    ]
    target_groups: list[Code] = Field(default=[], max_length=50)
    structure: Code | None = None
    douar: Code | None = None  # where she lives: a douar of the partnership, by its code


class PersonOut(Schema):
    id: int
    code: str


def registrar(request: HttpRequest, user) -> Grant:
    """Who may register people in the partnership of the path: its coordinator, or staff of one of
    its structures' registries (never the listening centre's alone, never partner communes)."""
    access = writable_partnership(user, path_value(request, "slug", Slug))
    if not (access.is_coordinator or registry_structure_ids(access)) or not access.sees_individuals:
        raise HttpError(404, NOT_WRITABLE)
    return Grant(user, access)


@router.post(
    "/partnerships/{slug}/people",
    response={201: PersonOut, 401: Error, 404: Error, 422: Error},
    auth=Writer(registrar),
)
def create_person(request: HttpRequest, slug: Slug, payload: PersonIn) -> Status:
    """Registers a pseudonymous person (no identifying field through the API) and returns her code.

    Body: `{"sex": "F"|"M", "birth_year": int, "target_groups": [codes], "structure": code|null,
    "douar": code|null}`.
    """
    # ninja sets request.auth (the Grant, or the user) once the auth step passed.
    grant: Grant = request.auth  # type: ignore[attr-defined]
    access, partnership = grant.access, grant.partnership
    groups = list(TargetGroup.objects.filter(code__in=payload.target_groups))
    unknown = sorted(set(payload.target_groups) - {g.code for g in groups})
    if unknown:
        return Status(422, {"detail": "Public cible inconnu : " + ", ".join(unknown) + "."})
    structure = None
    staffed = registry_structure_ids(access)
    if payload.structure:
        structure = partnership.structures.filter(code=payload.structure).first()
        if structure is None:
            return Status(422, {"detail": f"Structure inconnue dans ce partenariat : {payload.structure}."})
        if structure.kind == structure.Kind.LISTENING_CENTRE:
            return Status(422, {"detail": CENTRE_HOLDS_NO_RECORD})
    elif not access.is_coordinator and len(staffed) == 1:
        structure = partnership.structures.get(pk=next(iter(staffed)))
    douar = None
    if payload.douar:
        douar = partnership.douars.filter(code=payload.douar).first()
        if douar is None:
            return Status(422, {"detail": f"Douar inconnu dans ce partenariat : {payload.douar}."})
    if not may_register(access, structure):
        return Status(404, {"detail": NOT_WRITABLE})
    person = actions.register_person(
        partnership,
        sex=payload.sex,
        birth_year=payload.birth_year,
        target_groups=groups,
        structure=structure,
        douar=douar,
        consent=True,
        created_by=grant.user,
    )
    return Status(201, {"id": person.pk, "code": person.code})

"""Registry API. Who may write: the coordinator (any structure) and structure staff (their structure).

Errors: 404 for every write the caller may not make, whether she cannot see the partnership at all
or only reads it (partner commune, network, platform admin): one answer that reveals nothing
(SECURITY.md 2); the API never answers 403. 422 for invalid input, with a French message and
nothing written.
"""

import json
from typing import Annotated

from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field, TypeAdapter, ValidationError

from accounts.api import Error
from partnerships.access import access_for
from partnerships.api import Slug
from partnerships.models import Partnership

from . import actions
from .access import may_register, registry_structure_ids
from .models import Sex, TargetGroup

router = Router(tags=["personnes"])

NOT_WRITABLE = "Introuvable, ou hors de ce que vous pouvez modifier."
CENTRE_HOLDS_NO_RECORD = (
    "Le centre d'écoute ne tient pas de fiches au registre : ses dossiers restent au centre."
)

# A row id as the database can hold it (64-bit): a larger number is refused, not sent to the database.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def one_of(values):
    """Documents the accepted codes in the schema; the endpoint checks them with its own French message."""
    return Field(json_schema_extra={"enum": list(values)})


class PersonIn(Schema):
    sex: str = one_of(Sex.values)
    birth_year: int
    target_groups: list[str] = []
    structure: str | None = None


class PersonOut(Schema):
    id: int
    code: str


def body_schema(schema, many: bool = False) -> dict:
    """The request body for the OpenAPI document (bodies are parsed by `read_body`)."""
    # Inlined: the input schemas are flat, and a pydantic `$defs` reference would not resolve here.
    json_schema = TypeAdapter(schema).json_schema()
    if many:
        json_schema = {"type": "array", "items": json_schema}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": json_schema}}}}


FIELD_NAMES = {
    "sex": "sexe",
    "birth_year": "année de naissance",
    "target_groups": "publics cibles",
    "people": "personnes",
    "count": "nombre",
}


def unstorable(value) -> bool:
    """Whether a parsed body holds, anywhere, text no database stores: a NUL character (refused by
    PostgreSQL) or a lone surrogate (`"\\ud800"` is valid JSON but not UTF-8)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return "\x00" in value
    if isinstance(value, dict):
        return any(unstorable(k) or unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(unstorable(v) for v in value)
    return False


def read_body(request, schema, many: bool = False):
    """(parsed body, None) or (None, (422, French message)). JSON; a form body is read as one object.

    Bodies are read inside the endpoint, after the access check, so a caller without the right to
    write gets 404 whatever she sends, and a malformed body gets a French message.
    """
    is_json = request.content_type == "application/json"
    if is_json:
        try:
            data = json.loads(request.body or b"null")
        except ValueError:
            return None, Status(422, {"detail": "Le corps de la requête n'est pas du JSON valide."})
    else:
        data = {
            k: v if len(v) > 1 or k in ("people", "target_groups") else v[0] for k, v in request.POST.lists()
        }
        data = [data] if many else data
    if unstorable(data):
        return None, Status(422, {"detail": "Le corps de la requête contient un caractère nul ou invalide."})
    try:
        # Strict for JSON: `true` is not the number 1, nor "2000" a year (a form body has only strings).
        return TypeAdapter(list[schema] if many else schema).validate_python(data, strict=is_json), None
    except ValidationError as exc:
        first = exc.errors()[0]
        names = [part for part in first["loc"] if isinstance(part, str)]
        field = FIELD_NAMES.get(names[-1], names[-1]) if names else "corps"
        if first["type"] == "missing":
            return None, Status(422, {"detail": f"Champ obligatoire manquant : {field}."})
        return None, Status(422, {"detail": f"Valeur invalide pour « {field} »."})


@router.post(
    "/partnerships/{slug}/people",
    response={201: PersonOut, 401: Error, 404: Error, 422: Error},
    openapi_extra=body_schema(PersonIn),
)
def create_person(request, slug: Slug):
    """Registers a pseudonymous person (no identifying field through the API) and returns her code.

    Body: `{"sex": "F"|"M", "birth_year": int, "target_groups": [codes], "structure": code|null}`.
    """
    partnership = Partnership.objects.visible_to(request.auth).filter(slug=slug).first()
    if partnership is None:
        return Status(404, {"detail": NOT_WRITABLE})
    access = access_for(request.auth, partnership)
    staffed = registry_structure_ids(access)
    if not (access.is_coordinator or staffed) or not access.sees_individuals:
        return Status(404, {"detail": NOT_WRITABLE})
    payload, error = read_body(request, PersonIn)
    if error:
        return error
    if payload.sex not in Sex.values:
        return Status(422, {"detail": "Sexe inconnu : utilisez « F » ou « M »."})
    if not 1900 <= payload.birth_year <= timezone.now().year:
        return Status(422, {"detail": f"Année de naissance impossible : {payload.birth_year}."})
    groups = list(TargetGroup.objects.filter(code__in=payload.target_groups))
    unknown = sorted(set(payload.target_groups) - {g.code for g in groups})
    if unknown:
        return Status(422, {"detail": "Public cible inconnu : " + ", ".join(unknown) + "."})
    structure = None
    if payload.structure:
        structure = partnership.structures.filter(code=payload.structure).first()
        if structure is None:
            return Status(422, {"detail": f"Structure inconnue dans ce partenariat : {payload.structure}."})
        if structure.kind == structure.Kind.LISTENING_CENTRE:
            return Status(422, {"detail": CENTRE_HOLDS_NO_RECORD})
    elif not access.is_coordinator and len(staffed) == 1:
        structure = partnership.structures.get(pk=next(iter(staffed)))
    if not may_register(access, structure):
        return Status(404, {"detail": NOT_WRITABLE})
    person = actions.register_person(
        partnership,
        sex=payload.sex,
        birth_year=payload.birth_year,
        target_groups=groups,
        structure=structure,
        consent=True,
        created_by=request.auth,
    )
    return Status(201, {"id": person.pk, "code": person.code})

"""Registry API. Who may write: the coordinator (any structure) and structure staff (their structure).

Errors: 404 when the partnership is not visible to the caller; 403 when she sees it but may not
register people there (partner commune, network, platform admin); 422 for invalid input, with a
French message and nothing written.
"""

import json

from django.utils import timezone
from ninja import Router, Schema
from pydantic import TypeAdapter, ValidationError

from partnerships.access import access_for
from partnerships.models import Partnership

from . import actions
from .access import may_register
from .models import Sex, TargetGroup

router = Router(tags=["personnes"])


class PersonIn(Schema):
    sex: str
    birth_year: int
    target_groups: list[str] = []
    structure: str | None = None


class PersonOut(Schema):
    id: int
    code: str


class Error(Schema):
    detail: str


def body_schema(schema, many: bool = False) -> dict:
    """The request body for the OpenAPI document (bodies are parsed by `read_body`)."""
    json_schema = TypeAdapter(list[schema] if many else schema).json_schema()
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": json_schema}}}}


FIELD_NAMES = {"sex": "sexe", "birth_year": "année de naissance", "target_groups": "publics cibles"}


def read_body(request, schema, many: bool = False):
    """(parsed body, None) or (None, (422, French message)). JSON; a form body is read as one object.

    Bodies are read inside the endpoint, after the access check, so a caller without the right to
    write gets 403/404 whatever she sends, and a malformed body gets a French message.
    """
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"null")
        except ValueError:
            return None, (422, {"detail": "Le corps de la requête n'est pas du JSON valide."})
    else:
        data = {
            k: v if len(v) > 1 or k in ("people", "target_groups") else v[0] for k, v in request.POST.lists()
        }
        data = [data] if many else data
    try:
        return TypeAdapter(list[schema] if many else schema).validate_python(data), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "corps"
        field = FIELD_NAMES.get(str(first["loc"][-1]), where) if first["loc"] else "corps"
        if first["type"] == "missing":
            return None, (422, {"detail": f"Champ obligatoire manquant : {field}."})
        return None, (422, {"detail": f"Valeur invalide pour « {field} »."})


@router.post(
    "/partnerships/{slug}/people",
    response={201: PersonOut, 403: Error, 404: Error, 422: Error},
    openapi_extra=body_schema(PersonIn),
)
def create_person(request, slug: str):
    """Registers a pseudonymous person (no identifying field through the API) and returns her code.

    Body: `{"sex": "F"|"M", "birth_year": int, "target_groups": [codes], "structure": code|null}`.
    """
    partnership = Partnership.objects.visible_to(request.auth).filter(slug=slug).first()
    if partnership is None:
        return 404, {"detail": "Partenariat introuvable."}
    access = access_for(request.auth, partnership)
    if not (access.is_coordinator or access.structure_roles) or not access.sees_individuals:
        return 403, {"detail": "Vous ne pouvez pas enregistrer de personnes ici."}
    payload, error = read_body(request, PersonIn)
    if error:
        return error
    if payload.sex not in Sex.values:
        return 422, {"detail": "Sexe inconnu : utilisez « F » ou « M »."}
    if not 1900 <= payload.birth_year <= timezone.now().year:
        return 422, {"detail": f"Année de naissance impossible : {payload.birth_year}."}
    groups = list(TargetGroup.objects.filter(code__in=payload.target_groups))
    unknown = sorted(set(payload.target_groups) - {g.code for g in groups})
    if unknown:
        return 422, {"detail": "Public cible inconnu : " + ", ".join(unknown) + "."}
    structure = None
    if payload.structure:
        structure = partnership.structures.filter(code=payload.structure).first()
        if structure is None:
            return 422, {"detail": f"Structure inconnue dans ce partenariat : {payload.structure}."}
    elif not access.is_coordinator and len(access.structure_roles) == 1:
        structure = partnership.structures.get(pk=next(iter(access.structure_roles)))
    if not may_register(access, structure):
        return 403, {"detail": "Vous ne pouvez pas enregistrer de personnes ici."}
    person = actions.register_person(
        partnership,
        sex=payload.sex,
        birth_year=payload.birth_year,
        target_groups=groups,
        structure=structure,
        consent=True,
        created_by=request.auth,
    )
    return 201, {"id": person.pk, "code": person.code}

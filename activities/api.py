"""Activities API. Who may write: the coordinator (every activity) and structure staff (their structure's).

Errors: 404 for every write the caller may not make — another partnership, no role, or an object
she only reads (partner commune, network, another structure's staff): the API never answers 403;
422 for invalid input (unknown code, date outside the partnership's years, negative count,
a person of another partnership, attendance or tallies before the activity's date), with a French
message and nothing written. Posting the same attendance or tallies twice changes nothing.
"""

import datetime

from ninja import Field, Router, Schema, Status

from accounts.api import Error
from partnerships.access import access_for
from partnerships.api import Slug
from partnerships.models import Partnership
from people.api import NOT_WRITABLE, RowId, body_schema, one_of, read_body
from people.models import Person, TargetGroup

from . import actions
from .access import get_activity_for_api, may_create, may_write
from .models import MAX_COUNT, Activity, Tally

router = Router(tags=["activités"])


class ActivityIn(Schema):
    kind: str = one_of(Activity.Kind.values)
    title: str
    date: str = Field(json_schema_extra={"format": "date"})
    structure: str | None = None


class Created(Schema):
    id: int


class AttendanceIn(Schema):
    people: list[RowId]


class AttendanceOut(Schema):
    attendance: int


class TallyIn(Schema):
    sex: str = one_of(Tally.Sex.values)
    target_group: str | None = None
    count: int = Field(le=MAX_COUNT)
    # Optional: the number the caller last read; if someone changed it since, 409 and nothing written.
    seen: int | None = Field(None, ge=0, le=MAX_COUNT)


class TallyOut(Schema):
    sex: str
    target_group: str | None
    count: int


@router.post(
    "/partnerships/{slug}/activities",
    response={201: Created, 401: Error, 404: Error, 422: Error},
    openapi_extra=body_schema(ActivityIn),
)
def create_activity(request, slug: Slug):
    """Creates an activity (coordinator: any; staff: of their structure).

    Body: `{"kind", "title", "date": "YYYY-MM-DD", "structure": code|null}`.
    """
    partnership = Partnership.objects.visible_to(request.auth).filter(slug=slug).first()
    if partnership is None:
        return Status(404, {"detail": NOT_WRITABLE})
    access = access_for(request.auth, partnership)
    if not (access.is_coordinator or access.structure_roles):
        return Status(404, {"detail": NOT_WRITABLE})
    payload, error = read_body(request, ActivityIn)
    if error:
        return error
    if payload.kind not in Activity.Kind.values:
        return Status(422, {"detail": f"Type d'activité inconnu : {payload.kind}."})
    title = payload.title.strip()
    if not title or len(title) > 200:
        return Status(422, {"detail": "Le titre est obligatoire (200 caractères au plus)."})
    try:
        day = datetime.date.fromisoformat(payload.date)
    except ValueError:
        return Status(422, {"detail": f"Date impossible : « {payload.date} » (attendu AAAA-MM-JJ)."})
    if not partnership.start_year <= day.year <= partnership.end_year:
        return Status(
            422,
            {
                "detail": f"La date {day} est hors des années du partenariat "
                f"({partnership.start_year}–{partnership.end_year})."
            },
        )
    structure = None
    if payload.structure:
        structure = partnership.structures.filter(code=payload.structure).first()
        if structure is None:
            return Status(422, {"detail": f"Structure inconnue dans ce partenariat : {payload.structure}."})
    if not may_create(access, structure):
        return Status(404, {"detail": NOT_WRITABLE})
    activity = actions.create_activity(
        Activity(
            partnership=partnership,
            structure=structure,
            kind=payload.kind,
            title=title,
            date=day,
            created_by=request.auth,
        )
    )
    return Status(201, {"id": activity.pk})


def _writable(request, activity_id):
    activity, access = get_activity_for_api(request.auth, activity_id)
    if activity is None:
        return None, Status(404, {"detail": NOT_WRITABLE})
    if not may_write(access, activity):
        return None, Status(404, {"detail": NOT_WRITABLE})
    return activity, None


@router.post(
    "/activities/{activity_id}/attendance",
    response={200: AttendanceOut, 401: Error, 404: Error, 422: Error},
    openapi_extra=body_schema(AttendanceIn),
)
def post_attendance(request, activity_id: int):
    """Marks registered people present (idempotent); answers the activity's attendance count.

    Body: `{"people": [ids]}`.
    """
    activity, error = _writable(request, activity_id)
    if error:
        return error
    payload, error = read_body(request, AttendanceIn)
    if error:
        return error
    wanted = set(payload.people)
    people = list(
        Person.objects.visible_to(request.auth).filter(partnership=activity.partnership, pk__in=wanted)
    )
    unknown = sorted(wanted - {p.pk for p in people})
    if unknown:
        return Status(
            422,
            {"detail": "Personnes inconnues ou hors de votre portée : " + ", ".join(map(str, unknown)) + "."},
        )
    try:
        return Status(200, {"attendance": actions.record_attendance(activity, people)})
    except actions.NotYetHeld as error:
        return Status(422, {"detail": str(error)})


@router.post(
    "/activities/{activity_id}/tallies",
    response={200: list[TallyOut], 401: Error, 404: Error, 409: Error, 422: Error},
    openapi_extra=body_schema(TallyIn, many=True),
)
def post_tallies(request, activity_id: int):
    """Sets the tallies of unregistered people (by sex F/M/X and optional target group); idempotent.

    Body: `[{"sex": "F"|"M"|"X", "target_group": code|null, "count": int ≥ 0, "seen": int|null}]`;
    `seen` (optional) is the number last read: a row someone changed since answers 409, nothing written.
    """
    activity, error = _writable(request, activity_id)
    if error:
        return error
    payload, error = read_body(request, TallyIn, many=True)
    if error:
        return error
    groups = {g.code: g for g in TargetGroup.objects.all()}
    seen = set()
    for row in payload:
        if row.sex not in Tally.Sex.values:
            return Status(422, {"detail": f"Sexe inconnu : {row.sex} (F, M ou X)."})
        if row.target_group is not None and row.target_group not in groups:
            return Status(422, {"detail": f"Public cible inconnu : {row.target_group}."})
        if row.count < 0:
            return Status(422, {"detail": "Un comptage ne peut pas être négatif."})
        if (row.sex, row.target_group) in seen:
            return Status(
                422, {"detail": f"Comptage en double : {row.sex} {row.target_group or ''}".strip() + "."}
            )
        seen.add((row.sex, row.target_group))
    rows = {(row.sex, groups.get(row.target_group)): row for row in payload}
    try:
        actions.set_tallies(
            activity,
            {key: row.count for key, row in rows.items()},
            {key: row.seen for key, row in rows.items() if row.seen is not None},
        )
    except actions.NotYetHeld as error:
        return Status(422, {"detail": str(error)})
    except actions.TallyConflict as conflict:
        codes = {g.pk: f" {g.code}" for g in groups.values()}
        changed = ", ".join(
            f"{sex}{codes.get(g, '')} : {n}" for (sex, g), n in sorted(conflict.current.items(), key=str)
        )
        return Status(
            409, {"detail": f"Comptages changés entre-temps ({changed}) : rien n'a été enregistré."}
        )
    return Status(
        200,
        [
            {"sex": t.sex, "target_group": t.target_group.code if t.target_group else None, "count": t.count}
            for t in activity.tallies.select_related("target_group")
        ],
    )

"""Activities API. Who may write: the coordinator (every activity) and structure staff (their structure's).

Errors: 404 for every write the caller may not make — another partnership, no role, or an object
she only reads (partner commune, network, another structure's staff): the API never answers 403.
The check runs before the body is read (`Writer`), so that answer comes whatever she sends. 422 for
invalid input (unknown code, date outside the partnership's years, negative count, a person of
another partnership, attendance or tallies before the activity's date), with a French message and
nothing written. Posting the same attendance or tallies twice changes nothing.
"""

import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Body, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import AfterValidator, Field, Strict, StrictInt, StringConstraints
from pydantic_core import PydanticCustomError

from config.api_types import (
    NOT_WRITABLE,
    Code,
    Created,
    Error,
    Grant,
    Input,
    OneOf,
    RowId,
    Slug,
    Writer,
    french,
    path_value,
    writable_partnership,
)
from partnerships.models import Structure
from people.models import Person, TargetGroup

from . import actions
from .access import get_activity_for_api, may_create, may_write
from .models import MAX_COUNT, Activity, Tally

router = Router(tags=["activités"])


class ActivityIn(Input):
    kind: Annotated[str, OneOf(Activity.Kind.values), french("Type d'activité inconnu : {input}.")]
    title: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
        french("Le titre est obligatoire (200 caractères au plus)."),
    ]
    date: Annotated[datetime.date, french("Date impossible : « {input} » (attendu AAAA-MM-JJ).")]
    structure: Code | None = None
    douar: Code | None = None  # where it takes place: a douar of the partnership, by its code


class AttendanceIn(Input):
    people: list[Annotated[RowId, Strict()]]


class AttendanceOut(Schema):
    attendance: int


# A tally's number: 0 to MAX_COUNT (the database's bound, the import's too).
Count = Annotated[StrictInt, Field(ge=0, le=MAX_COUNT)]


class TallyIn(Input):
    sex: Annotated[str, OneOf(Tally.Sex.values), french("Sexe inconnu : {input} (F, M ou X).")]
    target_group: Code | None = None
    count: Annotated[
        Count, french(f"Un comptage ne peut pas être négatif ni dépasser {MAX_COUNT} : {{input}}.")
    ]
    # Optional: the number the caller last read; if someone changed it since, 409 and nothing written.
    seen: Count | None = None


def one_row_each(rows: list[TallyIn]) -> list[TallyIn]:
    """One row per (sex, target group): two would say two different numbers for the same tally."""
    keys = set()
    for row in rows:
        key = (row.sex, row.target_group)
        if key in keys:
            raise PydanticCustomError(
                "twiza", "Comptage en double : {row}.", {"row": f"{row.sex} {row.target_group or ''}".strip()}
            )
        keys.add(key)
    return rows


TalliesIn = Annotated[list[TallyIn], AfterValidator(one_row_each)]


class TallyOut(Schema):
    sex: str
    target_group: str | None
    count: int


def recorder(request: HttpRequest, user) -> Grant:
    """Who may create activities in the partnership of the path: its coordinator or staff of one of
    its structures (`Access.records_work`); which structure, the endpoint checks once it is read."""
    access = writable_partnership(user, path_value(request, "slug", Slug))
    if not access.records_work:
        raise HttpError(404, NOT_WRITABLE)
    return Grant(user, access)


def activity_writer(request: HttpRequest, user) -> Grant:
    """Who may write the activity of the path: the coordinator, or staff of its structure."""
    activity, access = get_activity_for_api(user, path_value(request, "activity_id", RowId))
    if activity is None or access is None or not may_write(access, activity):
        raise HttpError(404, NOT_WRITABLE)
    return Grant(user, access, activity)


@router.post(
    "/partnerships/{slug}/activities",
    response={201: Created, 401: Error, 404: Error, 422: Error},
    auth=Writer(recorder),
)
def create_activity(request: HttpRequest, slug: Slug, payload: ActivityIn) -> Status:
    """Creates an activity (coordinator: any; staff: of their structure).

    Body: `{"kind", "title", "date": "YYYY-MM-DD", "structure": code|null, "douar": code|null}`.
    """
    # ninja sets request.auth (the Grant, or the user) once the auth step passed.
    grant: Grant = request.auth  # type: ignore[attr-defined]
    partnership = grant.partnership
    if not partnership.start_year <= payload.date.year <= partnership.end_year:
        return Status(
            422,
            {
                "detail": f"La date {payload.date} est hors des années du partenariat "
                f"({partnership.start_year}–{partnership.end_year})."
            },
        )
    structure = None
    if payload.structure:
        structure = partnership.structures.filter(code=payload.structure).first()
        if structure is None:
            return Status(422, {"detail": f"Structure inconnue dans ce partenariat : {payload.structure}."})
    douar = None
    if payload.douar:
        douar = partnership.douars.filter(code=payload.douar).first()
        if douar is None:
            return Status(422, {"detail": f"Douar inconnu dans ce partenariat : {payload.douar}."})
    if not may_create(grant.access, structure):
        return Status(404, {"detail": NOT_WRITABLE})
    if douar is not None and structure is not None and structure.kind == Structure.Kind.LISTENING_CENTRE:
        return Status(422, {"detail": "Une activité du centre d'écoute ne dit pas son douar."})
    activity = actions.create_activity(
        Activity(
            partnership=partnership,
            structure=structure,
            douar=douar,
            kind=payload.kind,
            title=payload.title,
            date=payload.date,
            created_by=grant.user,
        )
    )
    return Status(201, {"id": activity.pk})


@router.post(
    "/activities/{activity_id}/attendance",
    response={200: AttendanceOut, 401: Error, 404: Error, 422: Error},
    auth=Writer(activity_writer),
)
def post_attendance(request: HttpRequest, activity_id: RowId, payload: AttendanceIn) -> Status:
    """Marks registered people present (idempotent); answers the activity's attendance count.

    Body: `{"people": [ids]}`.
    """
    # ninja sets request.auth (the Grant, or the user) once the auth step passed.
    grant: Grant = request.auth  # type: ignore[attr-defined]
    activity = grant.target
    wanted = set(payload.people)
    people = list(
        Person.objects.visible_to(grant.user).filter(partnership=activity.partnership, pk__in=wanted)
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
    auth=Writer(activity_writer),
)
def post_tallies(request: HttpRequest, activity_id: RowId, payload: Body[TalliesIn]) -> Status:
    """Sets the tallies of unregistered people (by sex F/M/X and optional target group); idempotent.

    Body: `[{"sex": "F"|"M"|"X", "target_group": code|null, "count": int ≥ 0, "seen": int|null}]`;
    `seen` (optional) is the number last read: a row someone changed since answers 409, nothing written.
    """
    # ninja sets request.auth (the Grant, or the user) once the auth step passed.
    activity = request.auth.target  # type: ignore[attr-defined]
    groups = {g.code: g for g in TargetGroup.objects.all()}
    unknown = sorted({row.target_group for row in payload if row.target_group} - set(groups))
    if unknown:
        return Status(422, {"detail": f"Public cible inconnu : {', '.join(unknown)}."})
    rows = {(row.sex, groups.get(row.target_group) if row.target_group else None): row for row in payload}
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

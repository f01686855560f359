"""Writes of the reports app: narratives, and imports of Kobo/ODK submissions (all-or-nothing).

Imported activities, attendance and tallies are written through activities/actions.py, which keeps
the indicator engine's derived tables right in the same transaction.
"""

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import actions as activity_actions
from activities.models import Activity

from .models import ImportedSubmission, Narrative


class StaleVersion(Exception):
    """Someone saved the narrative since this form was opened."""


class Locked(Exception):
    """The narrative's final version is locked."""


@transaction.atomic
def save_narrative(partnership, result, year: int, text: str, version: int, final: bool, user) -> Narrative:
    """The coordinator saves a draft (or the final, locked version) of a result's narrative.

    Refuses a save from a stale version (SECURITY.md 21) and any change to a final version.
    """
    narrative, _created = Narrative.objects.select_for_update().get_or_create(
        partnership=partnership, result=result, year=year, defaults={"version": 0}
    )
    if narrative.locked:
        raise Locked(_("La version finale de ce récit est verrouillée."))
    if narrative.version != version:
        raise StaleVersion(
            _(
                "Ce récit a été modifié entre-temps par quelqu'un d'autre ; rechargez la page pour voir sa version."
            )
        )
    narrative.text = text
    narrative.status = Narrative.Status.FINAL if final else Narrative.Status.DRAFT
    narrative.version += 1
    narrative.updated_by = user
    narrative.save()
    return narrative


@transaction.atomic
def import_submissions(partnership, kind: str, rows: list, user, progress=None) -> int:
    """Creates one activity per submission (attendance, tallies, results) — all or nothing.

    `rows` are validated `kobo.Submission`s. A `_uuid` already imported is skipped, so importing the
    same file twice adds nothing. Returns the number of activities created. The caller has checked
    that the user may import for every structure named.
    """
    known = set(
        ImportedSubmission.objects.filter(
            partnership=partnership, uuid__in=[r.uuid for r in rows]
        ).values_list("uuid", flat=True)
    )
    created = 0
    for index, row in enumerate(rows):
        if row.uuid in known:
            continue
        known.add(row.uuid)
        activity = activity_actions.create_activity(
            Activity(
                partnership=partnership,
                structure=row.structure,
                kind=kind,
                title=row.title,
                date=row.date,
                created_by=user,
            )
        )
        if row.results:
            activity.results.set(row.results)
        for sex, count in row.tallies.items():
            if count:
                activity_actions.set_tally(activity, sex, row.target_group, count)
        if row.people:
            activity_actions.record_attendance(activity, row.people)
        ImportedSubmission.objects.create(partnership=partnership, uuid=row.uuid, activity=activity)
        created += 1
        if progress and index % 50 == 0:
            progress(index, len(rows))
    return created


BULK_FROM = 1000  # past this many rows, write in bulk then recount the partnership's indicators


@transaction.atomic
def import_submissions_bulk(partnership, kind: str, rows: list, user, progress=None) -> int:
    """The same result as `import_submissions` for big files: rows written in bulk (a few statements
    per thousand rows), then the indicator engine recounts the partnership from the raw rows, in the
    same transaction, so the indicators are right when it commits."""
    from activities.models import Attendance, Tally
    from programme import engine

    known = set()
    uuids = [r.uuid for r in rows]
    for start in range(0, len(uuids), 5000):
        known.update(
            ImportedSubmission.objects.filter(
                partnership=partnership, uuid__in=uuids[start : start + 5000]
            ).values_list("uuid", flat=True)
        )
    new = [r for r in rows if r.uuid not in known]
    if not new:
        return 0
    now = timezone.now()
    for start in range(0, len(new), 5000):
        chunk = new[start : start + 5000]
        activity_ids = _insert(
            Activity,
            [
                {
                    "partnership": partnership.pk,
                    "structure": r.structure.pk if r.structure else None,
                    "kind": kind,
                    "title": r.title,
                    "date": r.date,
                    "created_by": user.pk,
                    "created_at": now,
                    "updated_at": now,
                }
                for r in chunk
            ],
            returning=True,
        )
        links, tallies, attendance, submissions = [], [], [], []
        for activity_id, r in zip(activity_ids, chunk, strict=True):
            links += [{"activity": activity_id, "result": res.pk} for res in r.results]
            group = r.target_group.pk if r.target_group else None
            tallies += [
                {
                    "activity": activity_id,
                    "sex": sex,
                    "target_group": group,
                    "count": n,
                    "date": r.date,
                    "created_at": now,
                    "updated_at": now,
                }
                for sex, n in r.tallies.items()
                if n
            ]
            attendance += [
                {"activity": activity_id, "person": pk, "date": r.date, "created_at": now, "updated_at": now}
                for pk in {p.pk for p in r.people}
            ]
            submissions.append(
                {
                    "partnership": partnership.pk,
                    "uuid": r.uuid,
                    "activity": activity_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        _insert(Activity.results.through, links)
        _insert(Tally, tallies)
        _insert(Attendance, attendance)
        _insert(ImportedSubmission, submissions)
        if progress:
            progress(start + len(chunk), len(new))
    engine.rebuild(partnership)
    return len(new)


def _insert(model, rows: list[dict], returning: bool = False) -> list:
    """Plain multi-row INSERTs of already validated rows (the ORM's per-object work dominated big
    imports). Columns missing from a row take the field's default. With `returning`, the new ids in
    insertion order (SQLite ≥ 3.35 and PostgreSQL keep it for a multi-row VALUES, as bulk_create relies on)."""
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    defaults = {
        f.name: (
            f.get_default() if f.has_default() else ("" if f.empty_strings_allowed and not f.null else None)
        )
        for f in fields
    }
    adapt = {
        f.name: connection.ops.adapt_datetimefield_value
        if f.get_internal_type() == "DateTimeField"
        else connection.ops.adapt_datefield_value
        if f.get_internal_type() == "DateField"
        else None
        for f in fields
    }
    values, adapted = [], {}  # the same dates and timestamps recur: adapt each once
    for row in rows:
        for f in fields:
            value = row.get(f.name, defaults[f.name])
            if adapt[f.name] is not None and value is not None:
                key = (f.name, value)
                if key not in adapted:
                    adapted[key] = adapt[f.name](value)
                value = adapted[key]
            values.append(value)
    ids = []
    per_row = len(fields)
    batch = max(1, 900 // per_row)  # stay under SQLite's 999 bound parameters
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch):
            part = values[i * per_row : (i + batch) * per_row]
            n = len(part) // per_row
            placeholders = ", ".join(["(" + ", ".join(["%s"] * per_row) + ")"] * n)
            sql = f"INSERT INTO {table} ({columns}) VALUES {placeholders}"  # noqa: S608
            if returning:
                cursor.execute(sql + f" RETURNING {quote(model._meta.pk.column)}", part)
                ids += [r[0] for r in cursor.fetchall()]
            else:
                cursor.execute(sql, part)
    return ids

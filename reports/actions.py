"""Writes of the reports app: narratives, and imports of Kobo/ODK submissions (all-or-nothing).

Imported activities, attendance and tallies are written through activities/actions.py, which keeps
the indicator engine's derived tables right in the same transaction.
"""

from django.db import transaction
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
    for start in range(0, len(new), 5000):
        chunk = new[start : start + 5000]
        activities = Activity.objects.bulk_create(
            [
                Activity(
                    partnership=partnership,
                    structure=r.structure,
                    kind=kind,
                    title=r.title,
                    date=r.date,
                    created_by=user,
                )
                for r in chunk
            ]
        )
        links, tallies, attendance, submissions = [], [], [], []
        for activity, r in zip(activities, chunk, strict=True):
            links += [
                Activity.results.through(activity_id=activity.pk, result_id=res.pk) for res in r.results
            ]
            tallies += [
                Tally(activity=activity, sex=sex, target_group=r.target_group, count=n, date=r.date)
                for sex, n in r.tallies.items()
                if n
            ]
            attendance += [
                Attendance(activity=activity, person=p, date=r.date)
                for p in {p.pk: p for p in r.people}.values()
            ]
            submissions.append(ImportedSubmission(partnership=partnership, uuid=r.uuid, activity=activity))
        Activity.results.through.objects.bulk_create(links)
        Tally.objects.bulk_create(tallies)
        Attendance.objects.bulk_create(attendance)
        ImportedSubmission.objects.bulk_create(submissions)
        if progress:
            progress(start + len(chunk), len(new))
    engine.rebuild(partnership)
    return len(new)

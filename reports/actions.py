"""Writes of the reports app: narratives; background jobs and the import's steps; imports of
Kobo/ODK submissions (all-or-nothing).

A job moves queued → running → done or failed (reports/tasks.py runs it). An import's job waits,
queued, through its steps first: opened with its upload (`open_import`), mapped and checked in the
background (`map_import`, every new mapping checked again), then started once (`start_import`: one
conditional UPDATE, so a double click queues it once). Each step is one transaction; its task is
queued once that transaction is over (a task run at once, as in the tests, must not run inside it).

Imported activities, attendance and tallies are written through activities/actions.py, which keeps
the indicator engine's derived tables right in the same transaction; big imports through
activities/bulk.py, then the partnership is recounted.
"""

import contextlib
import itertools
import secrets
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from activities import actions as activity_actions
from activities import bulk
from activities.models import Activity
from core.locking import claim
from indicators import engine
from partnerships.models import Partnership
from people import actions as people_actions

from . import kobo, xlsx
from .models import ImportedSubmission, ImportMapping, Job, Narrative
from .tasks import check_import, run_job


class Locked(Exception):
    """The narrative's final version is locked."""


@transaction.atomic
def save_narrative(partnership, result, year: int, text: str, version: int, final: bool, user) -> Narrative:
    """The coordinator saves a draft (or the final, locked version) of a result's narrative.

    Refuses any change to a final version, and raises Stale, writing nothing, when someone saved the
    narrative since `version` (docs/security.md 21); a narrative not yet written is at version 0.
    """
    narrative, _created = Narrative.objects.get_or_create(
        partnership=partnership, result=result, year=year, defaults={"version": 0}
    )
    if narrative.locked:
        raise Locked(_("La version finale de ce récit est verrouillée."))
    claim(narrative, version)
    narrative.text = text
    narrative.status = Narrative.Status.FINAL if final else Narrative.Status.DRAFT
    narrative.updated_by = user
    narrative.save()
    return narrative


# Jobs and the import's steps ---------------------------------------------------------------------


class ImportStarted(Exception):
    """The import is already queued, running or over: its mapping and check can no longer change."""


class NotChecked(Exception):
    """The import has no check, or its check found problems: it cannot start."""


def queue_job(partnership: Partnership, user: User, kind: str, params: dict) -> Job:
    """Creates a job (a report file or an export; `params` say what) in the user's language, and
    queues its task. The caller has checked the user may have it; the task checks again as it runs."""
    job = Job.objects.create(
        partnership=partnership,
        user=user,
        kind=kind,
        params={**params, "lang": translation.get_language()},
    )
    run_job.enqueue(job.pk)
    return job


def open_import(partnership: Partnership, user: User, kind: str, upload: UploadedFile) -> Job:
    """Step 1 of an import: keeps the upload encrypted on disk (docs/security.md 33: never read whole),
    reads its headers, and opens a queued import job whose mapping is the one remembered for these
    headers, or else a guess. Raises kobo.UnreadableFile, keeping nothing, for a file that cannot be
    read. The caller has checked the user may import."""
    upload_file = Job.store_upload(upload)
    try:
        # The form's FileField refuses a file without a name: "" is never read here.
        headers, _rows = kobo.read_table(upload.file, upload.name or "")
        remembered = ImportMapping.objects.filter(
            partnership=partnership, kind=kind, fingerprint=kobo.fingerprint(headers)
        ).first()
        return Job.objects.create(
            partnership=partnership,
            user=user,
            kind=Job.Kind.IMPORT,
            params={
                "kind": kind,
                "filename": upload.name,
                "upload_file": upload_file,
                "mapping": remembered.columns if remembered else kobo.guess_mapping(headers),
                "remembered": bool(remembered),
                "lang": translation.get_language(),
            },
        )
    except BaseException:
        Job(params={"upload_file": upload_file}).delete_upload()
        raise


def _waiting(job: Job) -> QuerySet[Job]:
    """The job's row while it is an import still waiting for its start."""
    return Job.objects.filter(pk=job.pk, kind=Job.Kind.IMPORT, status=Job.Status.QUEUED).exclude(
        params__has_key="enqueued"
    )


def map_import(job: Job, mapping: dict, headers: list[str]) -> Job:
    """Step 2: the import's mapping (field key → column), remembered for files with these headers,
    and its dry run queued (a previous check no longer counts). Raises ImportStarted, writing
    nothing, once the import has started."""
    token = secrets.token_hex(8)
    params = {**job.params, "mapping": mapping, "check_token": token, "check": None}
    with transaction.atomic():
        if not _waiting(job).update(params=params, done=0, total=0, updated_at=timezone.now()):
            raise ImportStarted(_("Cet import est déjà lancé : sa correspondance ne change plus."))
        ImportMapping.objects.update_or_create(
            partnership=job.partnership,
            kind=job.params["kind"],
            fingerprint=kobo.fingerprint(headers),
            defaults={"columns": mapping},
        )
    job.params, job.done, job.total = params, 0, 0
    check_import.enqueue(job.pk, token)
    return job


def start_import(job: Job) -> bool:
    """Step 3: starts an import whose check found no problem. One UPDATE decides which request queues
    it, so a double click (or two tabs) queues it once: True for the one that did, False when it was
    already started. Raises NotChecked, writing nothing, while the check runs or when it failed."""
    check = job.params.get("check")
    if not check or check.get("unreadable") or check.get("problem_count"):
        raise NotChecked(_("Cet import n'a pas été vérifié sans erreur : rien n'a été importé."))
    params = {**job.params, "enqueued": True}
    with transaction.atomic():
        claimed = _waiting(job).update(
            total=check["new"] + check["known"], params=params, updated_at=timezone.now()
        )
    if claimed:
        job.params = params
        run_job.enqueue(job.pk)
    return bool(claimed)


# Imports ---------------------------------------------------------------------------------------


SAMPLE = 500  # submissions a dry run shows
BULK_FROM = 1000  # from this many rows, write in bulk then recount the partnership's indicators


@dataclass
class ImportOutcome:
    new: int = 0
    known: int = 0
    created: int = 0
    problems: list = field(default_factory=list)  # the first Validator.PROBLEMS_KEPT, in row order
    problem_count: int = 0
    sample: list = field(default_factory=list)  # the first SAMPLE submissions that would be created


def import_file(
    partnership, kind, user, structures, data, filename, mapping, *, dry_run=False, progress=None
) -> ImportOutcome:
    """Checks a Kobo/ODK export and, unless `dry_run` or a problem is found, creates one activity per
    new submission (results, tallies, attendance) — all or nothing, in one pass over the file.

    Rows are read, checked and written a chunk at a time, so memory stays bounded whatever the size;
    an import happens in one transaction, rolled back at the end if any row had a problem, so a bad
    row anywhere writes nothing (a dry run only reads). A `_uuid` already imported is counted as
    known and skipped, so importing the same file twice adds nothing. `structures` are those the
    user may import for.
    Small files go through activities/actions.py row by row (the indicators kept up to date as they
    go); bigger ones are written in bulk, then the partnership's indicators are recounted in the
    same transaction. Raises kobo.UnreadableFile for a file that cannot be read. `data` is bytes or
    a seekable binary file (a job's upload, decrypted into a temporary file).
    """
    headers, rows = kobo.read_table(data, filename)
    validator = kobo.Validator(partnership, kind, structures, user, mapping, headers)
    outcome = ImportOutcome()
    try:
        with contextlib.nullcontext() if dry_run else transaction.atomic():
            chunks = validator.chunks(rows, rows.first_row)
            first, second = next(chunks, []), next(chunks, None)
            bulk = second is not None or len(first) >= BULK_FROM
            write = _create_bulk if bulk else _create_each
            done = 0
            for chunk in itertools.chain([first], [] if second is None else [second], chunks):
                known = _known_uuids(partnership, [s.uuid for s in chunk])
                new = [s for s in chunk if s.uuid not in known]
                outcome.new, outcome.known = outcome.new + len(new), outcome.known + len(chunk) - len(new)
                outcome.sample += new[: max(0, SAMPLE - len(outcome.sample))]
                if not dry_run and not validator.problem_count:
                    outcome.created += write(partnership, kind, new, user)
                done += validator.CHUNK
                if progress:
                    progress(min(done, rows.estimate), rows.estimate)
            outcome.problems, outcome.problem_count = validator.problems, validator.problem_count
            if outcome.problem_count and not dry_run:
                transaction.set_rollback(True)
                outcome.created = 0
            elif bulk and outcome.created:
                engine.rebuild(partnership)
    except xlsx.BadWorkbook as error:
        raise kobo.UnreadableFile(
            _("Ce fichier est endommagé : il n'a pas pu être lu jusqu'au bout.")
        ) from error
    return outcome


def _known_uuids(partnership, uuids: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(uuids), 900):
        known.update(
            ImportedSubmission.objects.filter(
                partnership=partnership, uuid__in=uuids[start : start + 900]
            ).values_list("uuid", flat=True)
        )
    return known


def create_submissions(partnership, kind: str, submissions: list, user) -> list[Activity]:
    """Writes checked submissions (kobo.Validator's), one activity each, through
    activities/actions.py, which keeps the indicators: the activity (its own kind, or `kind`), its
    results, its new people registered (people.actions.register_person, in the submission's
    structure) then marked present with the others, its tallies; and its `_uuid` kept, so the same
    submission is never written twice (the import and collect/intake.py both write through here).
    All or nothing inside the caller's transaction. The caller has checked the user may record for
    the submissions' structures."""
    activities = []
    with transaction.atomic():
        for row in submissions:
            activity = activity_actions.create_activity(
                Activity(
                    partnership=partnership,
                    structure=row.structure,
                    kind=row.kind or kind,
                    title=row.title,
                    date=row.date,
                    place=row.place,
                    douar=row.douar,
                    created_by=user,
                ),
                results=row.results,
            )
            newcomers = [
                people_actions.register_person(
                    partnership, structure=row.structure, created_by=user, **person
                )
                for person in row.new_people
            ]
            if row.tallies:
                activity_actions.set_tallies(activity, row.tallies)
            if row.people or newcomers:
                activity_actions.record_attendance(activity, [*row.people, *newcomers])
            ImportedSubmission.objects.create(partnership=partnership, uuid=row.uuid, activity=activity)
            activities.append(activity)
    return activities


def _create_each(partnership, kind: str, submissions: list, user) -> int:
    """Small imports: each submission through `create_submissions`, which keeps the indicators."""
    return len(create_submissions(partnership, kind, submissions, user))


def _create_bulk(partnership, kind: str, submissions: list, user) -> int:
    """Big imports: the same rows as `_create_each`, in bulk (activities/bulk.py), with their keys.
    The caller recounts the partnership's indicators once every chunk is written. An export's rows
    hold no new people (no column names them): only collect/intake.py's do, one at a time."""
    ids = bulk.insert_activities(partnership, kind, user, submissions)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    bulk.insert_rows(
        ImportedSubmission,
        ["partnership", "uuid", "activity", "created_at", "updated_at"],
        [(partnership.pk, s.uuid, activity, now, now) for activity, s in zip(ids, submissions, strict=True)],
    )
    return len(submissions)

"""Writes of the reports app: narratives, and imports of Kobo/ODK submissions (all-or-nothing).

Imported activities, attendance and tallies are written through activities/actions.py, which keeps
the indicator engine's derived tables right in the same transaction.
"""

import contextlib
import itertools
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import actions as activity_actions
from activities.models import Activity, Attendance, Tally
from core.locking import claim
from indicators import engine

from . import kobo, xlsx
from .models import ImportedSubmission, Narrative


class Locked(Exception):
    """The narrative's final version is locked."""


@transaction.atomic
def save_narrative(partnership, result, year: int, text: str, version: int, final: bool, user) -> Narrative:
    """The coordinator saves a draft (or the final, locked version) of a result's narrative.

    Refuses any change to a final version, and raises Stale, writing nothing, when someone saved the
    narrative since `version` (SECURITY.md 21); a narrative not yet written is at version 0.
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
    known = set()
    for start in range(0, len(uuids), 900):
        known.update(
            ImportedSubmission.objects.filter(
                partnership=partnership, uuid__in=uuids[start : start + 900]
            ).values_list("uuid", flat=True)
        )
    return known


def _create_each(partnership, kind: str, submissions: list, user) -> int:
    """Small imports: each submission through activities/actions.py, which keeps the indicators."""
    for row in submissions:
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
            activity_actions.set_results(activity, row.results)
        for sex, count in row.tallies.items():
            activity_actions.set_tally(activity, sex, row.target_group, count)
        if row.people:
            activity_actions.record_attendance(activity, row.people)
        ImportedSubmission.objects.create(partnership=partnership, uuid=row.uuid, activity=activity)
    return len(submissions)


def _create_bulk(partnership, kind: str, submissions: list, user) -> int:
    """Big imports: the same rows as `_create_each`, in a few multi-row INSERTs per chunk. The caller
    recounts the partnership's indicators once every chunk is written."""
    if not submissions:
        return 0
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    dates = {d: ops.adapt_datefield_value(d) for d in {s.date for s in submissions}}
    ids = _insert(
        Activity,
        ["partnership", "structure", "kind", "title", "date", "created_by", "created_at", "updated_at"],
        [
            (
                partnership.pk,
                s.structure.pk if s.structure else None,
                kind,
                s.title,
                dates[s.date],
                user.pk,
                now,
                now,
            )
            for s in submissions
        ],
        returning=True,
    )
    links, tallies, attendance, keys = [], [], [], []
    for activity, s in zip(ids, submissions, strict=True):
        date = dates[s.date]
        links += [(activity, result.pk) for result in s.results]
        group = s.target_group.pk if s.target_group else None
        tallies += [(activity, sex, group, n, date, now, now) for sex, n in s.tallies.items()]
        attendance += [(activity, pk, date, now, now) for pk in {p.pk for p in s.people}]
        keys.append((partnership.pk, s.uuid, activity, now, now))
    _insert(Activity.results.through, ["activity", "result"], links)
    _insert(Tally, ["activity", "sex", "target_group", "count", "date", "created_at", "updated_at"], tallies)
    _insert(Attendance, ["activity", "person", "date", "created_at", "updated_at"], attendance)
    _insert(ImportedSubmission, ["partnership", "uuid", "activity", "created_at", "updated_at"], keys)
    return len(submissions)


def _insert(model, names: list[str], rows: list[tuple], returning: bool = False) -> list:
    """Plain multi-row INSERTs of validated rows (the ORM's per-object work dominated big imports),
    on the database connection's own cursor. `names` are the fields the rows' values go to, already
    adapted for the database; the other columns take their field's default. With `returning`, the new
    ids in insertion order (SQLite ≥ 3.35 and PostgreSQL keep it for a multi-row VALUES, as
    bulk_create relies on)."""
    if not rows:
        return []
    given = [model._meta.get_field(name) for name in names]
    others = [f for f in model._meta.concrete_fields if not f.primary_key and f not in given]
    tail = tuple(
        f.get_default() if f.has_default() else ("" if f.empty_strings_allowed and not f.null else None)
        for f in others
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [*given, *others])
    width = len(given) + len(others)
    mark = "?" if connection.vendor == "sqlite" else "%s"
    row_marks = "(" + ", ".join([mark] * width) + ")"
    batch = max(1, 30000 // width)  # under SQLite's 32766 and PostgreSQL's 65535 bound parameters
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
    returning_sql = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    ids = []
    try:
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            values = (
                [value for row in part for value in row + tail] if tail else [v for row in part for v in row]
            )
            cursor.execute(sql + ", ".join([row_marks] * len(part)) + returning_sql, values)
            if returning:
                ids += [r[0] for r in cursor.fetchall()]
    finally:
        cursor.close()
    return ids

"""Bulk writes of new activities with their result links, tallies and attendance, for big imports.

The ORM's per-object work dominated imports of a hundred thousand rows: these are plain INSERTs of
rows already checked (by the import's validator), through Django's cursor wrapper with bound
parameters. They bypass `actions.py`, and so the indicators' upkeep: the caller recounts the
partnership (`indicators.engine.rebuild`) in the same transaction, once every chunk is written.
"""

import datetime
from collections.abc import Sequence
from typing import Any, Protocol

from django.db import connection, models, transaction
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone

from accounts.models import User
from partnerships.models import Douar, Partnership, Structure
from people.models import Person, TargetGroup
from programme.models import Result

from .models import Activity, Attendance, Tally


class NewActivity(Protocol):
    """One activity to create, as the import's validator reads it from a row."""

    title: str
    date: datetime.date
    structure: Structure | None
    results: list[Result]
    kind: str  # "" for the import's kind
    place: str
    douar: Douar | None  # a douar of the partnership, as the validator checked
    tallies: dict[tuple[str, TargetGroup | None], int]  # (sex, group) -> unregistered participants
    people: list[Person]  # registered participants, present


def insert_activities(
    partnership: Partnership, kind: str, user: User, rows: Sequence[NewActivity]
) -> list[int]:
    """Creates one activity of `kind` per row, with its result links, tallies and attendance; answers
    their ids in the order of `rows`. The rows are of `partnership` (its structures, results and
    people), as the validator checked. Must run inside the caller's transaction, which then recounts
    the partnership's indicators."""
    if not connection.in_atomic_block:
        raise RuntimeError("insert_activities() must run inside the import's transaction")
    if not rows:
        return []
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    dates = {d: ops.adapt_datefield_value(d) for d in {row.date for row in rows}}
    ids = insert_rows(
        Activity,
        [
            "partnership",
            "structure",
            "kind",
            "title",
            "date",
            "place",
            "douar",
            "created_by",
            "created_at",
            "updated_at",
        ],
        [
            (partnership.pk, row.structure.pk if row.structure else None, row.kind or kind, row.title)
            + (dates[row.date], row.place, row.douar.pk if row.douar else None, user.pk, now, now)
            for row in rows
        ],
        returning=True,
    )
    links, tallies, attendance = [], [], []
    for activity, row in zip(ids, rows, strict=True):
        date = dates[row.date]
        links += [(activity, result.pk) for result in row.results]
        tallies += [
            (activity, sex, group.pk if group else None, n, date, now, now)
            for (sex, group), n in row.tallies.items()
        ]
        attendance += [(activity, pk, date, now, now) for pk in {p.pk for p in row.people}]
    insert_rows(Activity.results.through, ["activity", "result"], links)
    insert_rows(
        Tally, ["activity", "sex", "target_group", "count", "date", "created_at", "updated_at"], tallies
    )
    insert_rows(Attendance, ["activity", "person", "date", "created_at", "updated_at"], attendance)
    return ids


# Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
MAX_PARAMETERS = 30_000


def insert_rows(
    model: type[models.Model], names: list[str], rows: list[tuple[Any, ...]], *, returning: bool = False
) -> list[int]:
    """INSERTs `rows` into `model`'s table: `names` are the fields the rows' values go to, in order,
    already adapted for the database (`connection.ops.adapt_*`); every other column takes its field's
    default. Multi-row INSERTs of as many rows as the bound parameters allow (`executemany` of a
    one-row INSERT took 2.3 times as long on SQLite). With `returning`, the new ids in insertion
    order (SQLite ≥ 3.35 and PostgreSQL keep it for a multi-row VALUES, as `bulk_create` relies on)."""
    if not rows:
        return []
    given = [model._meta.get_field(name) for name in names]
    others = [f for f in model._meta.concrete_fields if not f.primary_key and f not in given]
    tail = tuple(
        f.get_default() if f.has_default() else ("" if f.empty_strings_allowed and not f.null else None)
        for f in others
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(f)) for f in [*given, *others])
    width = len(given) + len(others)
    row_marks = "(" + ", ".join(["%s"] * width) + ")"  # the wrapper's marks, on every database
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608 (names from the model)
    # Batches of one size (the few rows left over apart): the wrapper turns the statement's marks into
    # the database's once for all the batches of `executemany`, not once a batch.
    parts = -(-len(rows) // max(1, MAX_PARAMETERS // width))
    size = len(rows) // parts
    batches = [rows[i * size : (i + 1) * size] for i in range(parts)]
    left = rows[parts * size :]
    returning_sql = f" RETURNING {quote(_column(model._meta.pk))}" if returning else ""
    ids: list[int] = []
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if not returning:
            cursor.executemany(sql + ", ".join([row_marks] * size), [_flat(batch, tail) for batch in batches])
        for batch in batches if returning else []:
            cursor.execute(sql + ", ".join([row_marks] * size) + returning_sql, _flat(batch, tail))
            ids += [row[0] for row in cursor.fetchall()]
        if left:
            cursor.execute(sql + ", ".join([row_marks] * len(left)) + returning_sql, _flat(left, tail))
            ids += [row[0] for row in cursor.fetchall()] if returning else []
    return ids


def _column(field: models.Field[Any, Any] | ForeignObjectRel) -> str:
    """The column of a field of the table (a reverse relation or a field without a column is refused)."""
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"insert_rows: {field.name} is not a column of the table")
    return field.column


def _flat(rows: list[tuple[Any, ...]], tail: tuple[Any, ...]) -> list[Any]:
    return [value for row in rows for value in row + tail]

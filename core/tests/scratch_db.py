"""Scratch databases for the tests that migrate: an empty database of the test database's kind (a
SQLite file, or a PostgreSQL database created and dropped here), never the shared test database.

Migrating the shared one back and forth drops the columns added since, and the demo world's values
in them (its translations) with them: under xdist a worker runs other tests after such a test."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import ConnectionHandler
from django.test.utils import override_settings


@contextmanager
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """The name of an empty database beside the test database, removed afterwards."""
    default = connections["default"]
    if default.vendor != "postgresql":
        yield str(tmp_path / "scratch.sqlite3")
        return
    name = f"twiza_scratch_{uuid.uuid4().hex[:12]}"
    with default._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with default._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrating(name: str, modules: dict[str, str] | None = None) -> Iterator[MigrationExecutor]:
    """A MigrationExecutor on the scratch database `name`, which is `default` meanwhile: data
    migrations read and write through the default connection."""
    settings_dict = {**connections["default"].settings_dict, "NAME": name}
    handler = ConnectionHandler({"default": settings_dict})
    connection, saved = handler["default"], connections["default"]
    # Django's private per-thread store of connections: the one way to swap `default` for a while.
    connections._connections.default = connection  # type: ignore[attr-defined]
    try:
        with override_settings(MIGRATION_MODULES=modules or {}):
            yield MigrationExecutor(connection)
    finally:
        connection.close()
        connections._connections.default = saved  # type: ignore[attr-defined]

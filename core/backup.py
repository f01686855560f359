"""Backup, restore and the restore drill (docs/security.md 24), for `manage.py backup`, `restore`, `backup_drill`.

A backup is a whole-database copy: SQLite's online backup API (consistent while the app runs) or
`pg_dump --format=custom`. Row counts are taken in the same snapshot as the copy, so the drill can
compare them with the restored database even while the app keeps writing. Encrypted fields stay
encrypted in the file; the keys (FIELD_ENCRYPTION_KEYS) are never in it, by design.
"""

import os
import re
import secrets
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import environ
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import load_backend
from django.utils.translation import gettext as _

from core.crypto import decrypt, decrypt_bytes, encrypted_binary_fields, encrypted_fields

SQLITE = "django.db.backends.sqlite3"
POSTGRES = "django.db.backends.postgresql"
MAGIC = {SQLITE: b"SQLite format 3\x00", POSTGRES: b"PGDMP"}
# Where the restore target's URL may be given instead of --database-url: off the command line, so a
# password in it is not visible to other users (ps, /proc) nor kept in the shell's history.
RESTORE_URL_VARIABLE = "TWIZA_RESTORE_DATABASE_URL"
# Files SQLite keeps beside a database while it is open: replacing one loses or corrupts data.
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def live_config() -> dict:
    return connections[DEFAULT_DB_ALIAS].settings_dict


def mask_url(url: str) -> str:
    """The URL fit for a message: its password (and any `password=` parameter) replaced by ***.

    Errs on the safe side for malformed URLs: everything between the user name and the last `@`
    is masked, so a password with an unencoded `/`, `@` or `#` does not show either.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        scheme, rest = "", url
    userinfo, at, hostpart = rest.rpartition("@")
    if at and ":" in userinfo:
        rest = f"{userinfo.split(':', 1)[0]}:***@{hostpart}"
    masked = f"{scheme}{separator}{rest}"
    return re.sub(r"(?i)(password=)[^&#;\s]*", r"\1***", masked)


def config_from_url(url: str) -> dict:
    """Settings of a database given by URL, completed from the live ones (time zone, etc.)."""
    try:
        parsed = environ.Env.db_url_config(url)
    except Exception:  # django-environ raises several kinds for a bad URL; their text may hold the password
        raise CommandError(
            _("Adresse de base de données non reconnue : %(url)s") % {"url": mask_url(url)}
        ) from None
    if parsed.get("ENGINE") not in MAGIC:
        raise CommandError(
            _("Seules SQLite et PostgreSQL sont prises en charge : %(url)s") % {"url": mask_url(url)}
        )
    return {**live_config(), "OPTIONS": {}, **parsed}


def restore_url(option: str | None) -> str:
    """The restore target's URL: --database-url, or else the TWIZA_RESTORE_DATABASE_URL variable."""
    url = option or os.environ.get(RESTORE_URL_VARIABLE, "")
    if not url:
        raise CommandError(
            _(
                "Indiquez la base cible : --database-url, ou la variable d'environnement %(variable)s "
                "(à préférer si l'adresse contient un mot de passe)."
            )
            % {"variable": RESTORE_URL_VARIABLE}
        )
    return url


def is_live(config: dict) -> bool:
    """Whether a target may be the live database. For PostgreSQL the name alone decides (safe side)."""
    live = live_config()
    if config["ENGINE"] != live["ENGINE"]:
        return False
    if config["ENGINE"] == SQLITE:  # the live file or one of its -wal/-shm/-journal files
        return Path(config["NAME"]).resolve() == Path(live["NAME"]).resolve() or is_live_file(
            Path(config["NAME"])
        )
    return config["NAME"] == live["NAME"]


def is_live_file(path: Path) -> bool:
    """Whether `path` is the live SQLite database or one of its -wal/-shm/-journal files.

    Compares resolved paths (symbolic links, `..`, relative paths), and for existing files the file
    itself (hard links). Always false for PostgreSQL, whose files are not ours to name.
    """
    live = live_config()
    if live["ENGINE"] != SQLITE:
        return False
    name = str(live["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:  # in memory (the tests'): no file
        return False
    if name.startswith("file:"):  # a URI filename (Django opens SQLite with uri=True)
        name = unquote(urlsplit(name).path)
    target = Path(path).resolve()
    for base in {Path(name).absolute(), Path(name).resolve()}:
        for suffix in SQLITE_COMPANIONS:
            companion = Path(f"{base}{suffix}")
            if target == companion.resolve():
                return True
            if target.exists() and companion.exists() and os.path.samefile(target, companion):
                return True
    return False


def _pg_args(config: dict) -> tuple[list[str], dict]:
    """Connection arguments for pg_dump/pg_restore; the password goes in the environment only."""
    args = ["--no-password"]
    if config.get("HOST"):
        args.append(f"--host={config['HOST']}")
    if config.get("PORT"):
        args.append(f"--port={config['PORT']}")
    if config.get("USER"):
        args.append(f"--username={config['USER']}")
    env = dict(os.environ)
    if config.get("PASSWORD"):  # else keep the admin's PGPASSWORD, if any (or ~/.pgpass)
        env["PGPASSWORD"] = config["PASSWORD"]
    if config.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = config["OPTIONS"]["sslmode"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise CommandError(
            _("%(program)s est introuvable : installez le paquet postgresql-client.")
            % {"program": command[0]}
        ) from exc
    if result.returncode != 0:
        raise CommandError(
            _("%(program)s a échoué : %(error)s") % {"program": command[0], "error": result.stderr.strip()}
        )


def row_counts(connection) -> dict[str, int]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


def backup(path: Path, force: bool = False) -> dict[str, int]:
    """Writes a backup of the live database to `path` (atomically); returns its row count per table."""
    path = Path(path)
    if is_live_file(path):  # os.replace onto it would lose the open connections' writes
        raise CommandError(
            _(
                "%(path)s est un fichier de la base de données en service : sauvegarde refusée, "
                "même avec --force. Choisissez un autre fichier."
            )
            % {"path": path}
        )
    if path.exists() and not force:
        raise CommandError(
            _("%(path)s existe déjà : choisissez un autre nom ou ajoutez --force.") % {"path": path}
        )
    if not path.parent.is_dir():
        raise CommandError(_("Le dossier %(dir)s n'existe pas.") % {"dir": path.parent})
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        # SQLite would wait for ever on its own write lock; PostgreSQL needs a fresh snapshot.
        raise CommandError(_("La sauvegarde doit être lancée hors de toute transaction."))
    # mkstemp creates the file readable by its owner only (0600): the backup holds personal data.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    # On SQLite a read transaction, not the write lock that IMMEDIATE mode takes (config/settings.py):
    # the app's writers go on during a long copy instead of timing out.
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        # transaction_mode: SQLite's backend only (django-stubs types the base class): attr-defined below.
        write_mode = connection.transaction_mode  # type: ignore[attr-defined]
        connection.transaction_mode = None  # type: ignore[attr-defined]
    try:
        with transaction.atomic():  # one snapshot for the counts and the copy
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cursor.execute("SELECT pg_export_snapshot()")
                    snapshot = cursor.fetchone()[0]
            counts = row_counts(connection)
            if connection.vendor == "sqlite":
                target = sqlite3.connect(temporary)
                try:
                    connection.connection.backup(target)
                finally:
                    target.close()
            else:
                args, env = _pg_args(connection.settings_dict)
                _run(
                    [
                        "pg_dump",
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        f"--file={temporary}",
                        *args,
                        connection.settings_dict["NAME"],
                    ],
                    env,
                )
        os.replace(temporary, path)
    finally:
        if connection.vendor == "sqlite":
            connection.transaction_mode = write_mode  # type: ignore[attr-defined]
        Path(temporary).unlink(missing_ok=True)
    return counts


def restore(path: Path, config: dict, replace_live: bool = False) -> None:
    """Restores a backup file into the database described by `config` (never the live one by default)."""
    path = Path(path)
    if not path.is_file():
        raise CommandError(_("Fichier de sauvegarde introuvable : %(path)s") % {"path": path})
    if is_live(config) and not replace_live:
        raise CommandError(
            _(
                "La cible est la base en service : restauration refusée. Restaurez dans une autre base, "
                "ou ajoutez --replace-live-database si c'est vraiment voulu."
            )
        )
    with path.open("rb") as file:
        head = file.read(16)
    if not head.startswith(MAGIC[config["ENGINE"]]):
        raise CommandError(
            _("%(path)s n'est pas une sauvegarde pour ce type de base (%(engine)s).")
            % {"path": path, "engine": config["ENGINE"].rsplit(".", 1)[-1]}
        )
    if config["ENGINE"] == SQLITE:
        try:
            source = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
            target = sqlite3.connect(config["NAME"])
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        except sqlite3.Error as exc:
            raise CommandError(_("Restauration impossible : %(error)s") % {"error": exc}) from exc
    else:
        args, env = _pg_args(config)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                f"--dbname={config['NAME']}",
                str(path),
            ],
            env,
        )


@contextmanager
def connected(config: dict) -> Iterator[Any]:
    """A Django connection to another database (the restored copy), outside `connections`."""
    connection = load_backend(config["ENGINE"]).DatabaseWrapper(config, "restore-check")
    try:
        yield connection
    finally:
        connection.close()


@contextmanager
def scratch_database() -> Iterator[dict]:
    """A new empty database beside the live one (a temporary file, or a PostgreSQL database), then gone."""
    live = connections[DEFAULT_DB_ALIAS]
    if live.vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="twiza-drill-") as folder:
            yield {**live.settings_dict, "OPTIONS": {}, "NAME": str(Path(folder) / "restored.sqlite3")}
        return
    name = f"{live.settings_dict['NAME']}_drill_{secrets.token_hex(4)}"[-63:]
    quoted = live.ops.quote_name(name)
    try:
        with live._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quoted}")
    except Exception as exc:
        raise CommandError(
            _(
                "Impossible de créer la base de contrôle (%(error)s) : donnez le droit CREATEDB, "
                "ou passez --database-url d'une base vide."
            )
            % {"error": exc}
        ) from exc
    try:
        yield {**live.settings_dict, "NAME": name}
    finally:
        with live._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


def check_restored(expected: dict[str, int], config: dict) -> tuple[list[str], list[str]]:
    """Compares the restored database with the counts of the backup and decrypts every encrypted value.

    Returns (report lines, problems); no problem means every row is there and every value reads.
    """
    report, problems = [], []
    with connected(config) as connection:
        counts = row_counts(connection)
        for table in sorted(expected.keys() | counts.keys()):
            if expected.get(table) != counts.get(table):
                problems.append(
                    _("%(table)s : %(expected)s ligne(s) sauvegardée(s), %(restored)s restaurée(s)")
                    % {
                        "table": table,
                        "expected": expected.get(table, "—"),
                        "restored": counts.get(table, "—"),
                    }
                )
        report.append(
            _("%(tables)d tables, %(rows)d lignes restaurées.")
            % {"tables": len(counts), "rows": sum(counts.values())}
        )
        quote = connection.ops.quote_name
        columns: list[tuple[Any, Any, Callable[[Any], Any], str]]
        columns = [(m, f, decrypt, "<> ''") for m, f in encrypted_fields()]
        columns += [(m, f, decrypt_bytes, "IS NOT NULL") for m, f in encrypted_binary_fields()]
        for model, field, read, present in columns:
            if model._meta.db_table not in counts:  # missing table: already reported by its count
                continue
            readable = unreadable = 0
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {quote(field.column)} FROM {quote(model._meta.db_table)} "  # noqa: S608
                    f"WHERE {quote(field.column)} {present}"
                )
                for (stored,) in cursor:
                    try:
                        read(stored)
                        readable += 1
                    except ValueError:
                        unreadable += 1
            label = f"{model._meta.label}.{field.name}"
            report.append(
                _("%(field)s : %(count)d valeur(s) chiffrée(s) lisible(s)")
                % {"field": label, "count": readable}
            )
            if unreadable:
                problems.append(
                    _("%(field)s : %(count)d valeur(s) illisible(s) avec les clés actuelles")
                    % {"field": label, "count": unreadable}
                )
    return report, problems


def drill(target: dict | None = None) -> tuple[list[str], list[str]]:
    """Backs up the live database, restores it into a scratch one and checks the copy (see check_restored)."""
    with tempfile.TemporaryDirectory(prefix="twiza-drill-") as folder:
        path = Path(folder) / "drill.backup"
        expected = backup(path)
        if target is not None:
            restore(path, target)
            return check_restored(expected, target)
        with scratch_database() as scratch:
            restore(path, scratch)
            return check_restored(expected, scratch)

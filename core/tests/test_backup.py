"""Backup, restore and the restore drill (docs/security.md 24), on the backend the suite runs on.

pg_dump reads committed data only, and SQLite's backup would wait for ever on the test's own write
lock, so the tests that back up do not run in the usual rolled-back test transaction: they read the
committed shared world, write one sentinel into a committed row, and put the original back.
"""

import os
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.backup import (
    POSTGRES,
    SQLITE,
    _pg_args,
    check_restored,
    config_from_url,
    connected,
    is_live_file,
    mask_url,
    row_counts,
    scratch_database,
)
from core.crypto import decrypt

SENTINEL = "Sentinelle-Sauvegarde-Q7Z"


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """The test database in autocommit: what is written here is committed (and must be undone)."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def sentinel_case(committed_db):
    case_model = apps.get_model("cases", "Case")  # only the model's name: no import of cases.models
    referral_model = apps.get_model("cases", "Referral")
    case = case_model._base_manager.order_by("pk").first()
    referral = referral_model._base_manager.order_by("pk").first()  # the partner: docs/security.md 13
    case_model._base_manager.filter(pk=case.pk).update(full_name=SENTINEL)
    referral_model._base_manager.filter(pk=referral.pk).update(partner=f"Partenaire {SENTINEL}")
    try:
        yield case
    finally:
        case_model._base_manager.filter(pk=case.pk).update(full_name=case.full_name)
        referral_model._base_manager.filter(pk=referral.pk).update(partner=referral.partner)


def url(config):
    if config["ENGINE"].endswith("sqlite3"):
        return "sqlite:///" + str(Path(config["NAME"]).resolve())
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    host = f"{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}"
    return f"postgres://{config['USER']}{password}@{host}/{config['NAME']}"


def raw_content(path):
    """The backup as text: the SQLite file's bytes, or the SQL that pg_restore writes from a dump."""
    if connection.vendor == "sqlite":
        return path.read_bytes().decode("utf-8", errors="replace")
    return subprocess.run(
        ["pg_restore", "--file=-", str(path)],  # noqa: S607 - the client on PATH, as the command uses
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_backup_file_holds_no_clear_sentinel(sentinel_case, tmp_path):
    path = tmp_path / "twiza.backup"
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    assert "Sauvegarde écrite" in out.getvalue()
    content = raw_content(path)
    assert sentinel_case.code in content  # the data is there, readable where it is not encrypted
    assert "enc1:" in content
    assert SENTINEL not in content
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_restore_gives_back_every_row_and_the_encrypted_sentinel(sentinel_case, tmp_path):
    path = tmp_path / "twiza.backup"
    call_command("backup", str(path), stdout=StringIO())
    live_counts = row_counts(connection)
    with scratch_database() as target:
        call_command("restore", str(path), "--database-url", url(target), stdout=StringIO())
        with connected(target) as restored, restored.cursor() as cursor:
            assert row_counts(restored) == live_counts
            cursor.execute("SELECT full_name FROM cases_case WHERE id = %s", [sentinel_case.pk])
            assert decrypt(cursor.fetchone()[0]) == SENTINEL
        # A missing row is caught by the check that the drill runs.
        _, problems = check_restored({**live_counts, "cases_case": live_counts["cases_case"] + 1}, target)
        assert [p for p in problems if p.startswith("cases_case")]


def test_the_drill_reads_every_row_and_every_encrypted_field(sentinel_case):
    out = StringIO()
    call_command("backup_drill", stdout=out)
    report = out.getvalue()
    assert "cases.Case.full_name" in report
    assert "cases.Referral.partner" in report
    assert "people.Person.last_name" in report
    assert "Exercice de restauration réussi" in report


def test_the_drill_fails_without_the_keys(committed_db, settings):
    """A backup is unreadable without its keys, by design: keep FIELD_ENCRYPTION_KEYS elsewhere."""
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    err = StringIO()
    with pytest.raises(CommandError, match="Exercice de restauration échoué"):
        call_command("backup_drill", stdout=StringIO(), stderr=err)
    assert "cases.Case.full_name" in err.getvalue()
    assert "illisible" in err.getvalue()


def test_backup_refuses_to_overwrite_without_force(committed_db, tmp_path):
    path = tmp_path / "twiza.backup"
    path.write_text("précédente")
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("backup", str(path))
    assert path.read_text() == "précédente"
    call_command("backup", str(path), "--force", stdout=StringIO())
    assert path.read_bytes()[:5] in {b"SQLit", b"PGDMP"}
    assert [p.name for p in tmp_path.iterdir()] == ["twiza.backup"]  # no temporary file left


def test_backup_into_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="n'existe pas"):
        call_command("backup", str(tmp_path / "absent" / "twiza.backup"))


def test_backup_refuses_to_run_inside_a_transaction(db, tmp_path):
    with pytest.raises(CommandError, match="hors de toute transaction"):
        call_command("backup", str(tmp_path / "twiza.backup"))


def test_restore_refuses_the_live_database(tmp_path, monkeypatch):
    path = tmp_path / "twiza.backup"
    path.write_bytes(b"SQLite format 3\x00" if connection.vendor == "sqlite" else b"PGDMP")
    if connection.vendor == "sqlite":  # the test database is in memory: pretend it is a file
        monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "live.sqlite3"))
    with pytest.raises(CommandError, match="base en service"):
        call_command("restore", str(path), "--database-url", url(connection.settings_dict))
    assert not (tmp_path / "live.sqlite3").exists()


def test_restore_of_a_missing_or_foreign_file_is_a_clear_error(tmp_path):
    target = "sqlite:///" + str(tmp_path / "restored.sqlite3")
    with pytest.raises(CommandError, match="introuvable"):
        call_command("restore", str(tmp_path / "absent.backup"), "--database-url", target)
    other = tmp_path / "notes.txt"
    other.write_text("pas une sauvegarde")
    with pytest.raises(CommandError, match="n'est pas une sauvegarde"):
        call_command("restore", str(other), "--database-url", target)
    with pytest.raises(CommandError, match="non reconnue|prises en charge"):
        call_command("restore", str(other), "--database-url", "ftp://example.org/base")


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_backup_never_replaces_the_live_database_even_with_force(tmp_path, monkeypatch, suffix):
    """os.replace onto the live SQLite file would lose the open connections' writes."""
    live = tmp_path / "db.sqlite3"
    # The live database is pretended to be this file (the test database is in memory, or PostgreSQL).
    monkeypatch.setitem(connection.settings_dict, "ENGINE", SQLITE)
    monkeypatch.setitem(connection.settings_dict, "NAME", str(live))
    target = Path(f"{live}{suffix}")
    target.write_text("en service")
    (tmp_path / "lien").symlink_to(target)
    (tmp_path / "sous").mkdir()
    monkeypatch.chdir(tmp_path / "sous")
    for given in [target, tmp_path / "lien", f"../{target.name}", tmp_path / "sous" / ".." / target.name]:
        with pytest.raises(CommandError, match="base de données en service"):
            call_command("backup", str(given), "--force")
        assert target.read_text() == "en service"
    hard = tmp_path / "sous" / "lien-dur"
    os.link(target, hard)
    with pytest.raises(CommandError, match="base de données en service"):
        call_command("backup", str(hard), "--force")
    # Not there yet: the -wal file SQLite would create beside the database is refused all the same.
    target.unlink()
    with pytest.raises(CommandError, match="base de données en service"):
        call_command("backup", str(target))
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["lien", "lien-dur", "sous"]  # no temporary file


def test_backup_beside_the_live_database_is_allowed(tmp_path, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "ENGINE", SQLITE)
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "db.sqlite3"))
    for name in ["db.sqlite3.backup", "db.sqlite3-wal.old", "autre.sqlite3"]:
        assert not is_live_file(tmp_path / name)
    assert is_live_file(tmp_path / "db.sqlite3-wal")


def test_restore_takes_its_target_from_the_environment(sentinel_case, tmp_path, monkeypatch):
    """A password belongs in TWIZA_RESTORE_DATABASE_URL, not on the command line."""
    path = tmp_path / "twiza.backup"
    call_command("backup", str(path), stdout=StringIO())
    monkeypatch.delenv("TWIZA_RESTORE_DATABASE_URL", raising=False)
    with pytest.raises(CommandError, match="TWIZA_RESTORE_DATABASE_URL"):
        call_command("restore", str(path))
    with scratch_database() as target:
        monkeypatch.setenv("TWIZA_RESTORE_DATABASE_URL", url(target))
        out = StringIO()
        call_command("restore", str(path), stdout=out)
        assert f"Restauré dans {target['NAME']}" in out.getvalue()
        with connected(target) as restored:
            assert row_counts(restored)["cases_case"] == row_counts(connection)["cases_case"]
        # --database-url, when given, wins over the variable.
        monkeypatch.setenv("TWIZA_RESTORE_DATABASE_URL", "ftp://example.org/base")
        call_command("restore", str(path), "--database-url", url(target), stdout=StringIO())


@pytest.mark.parametrize(
    "given",
    [
        "ftp://admin:S3cret-Pw@example.org/base",
        "postgres://admin:S3cret-Pw@db.example.org:notaport/base",
        "postgres://admin:S3cret/Pw@db.example.org/base",  # unencoded /: not a valid URL
        "mysql://admin:S3cret-Pw@db.example.org/base?password=S3cret-Pw",
    ],
)
def test_an_unusable_url_is_reported_without_its_password(given):
    with pytest.raises(CommandError) as error:
        config_from_url(given)
    message = str(error.value)
    assert "S3cret" not in message
    assert "admin:***@" in message
    # Nor in a traceback (--traceback): django-environ's own error may quote part of the password.
    assert error.value.__cause__ is None
    assert error.value.__context__ is None or error.value.__suppress_context__


def test_mask_url():
    assert mask_url("postgres://twiza:p%40ss@db:5432/twiza?sslmode=require") == (
        "postgres://twiza:***@db:5432/twiza?sslmode=require"
    )
    assert mask_url("postgres://twiza@db/twiza") == "postgres://twiza@db/twiza"
    assert mask_url("sqlite:////srv/a@b.sqlite3") == "sqlite:////srv/a@b.sqlite3"
    assert mask_url("postgres://u:a@b@db/x") == "postgres://u:***@db/x"
    assert mask_url("postgres://db/x?password=secret&sslmode=require") == (
        "postgres://db/x?password=***&sslmode=require"
    )


def test_pg_args_keep_the_admins_pgpassword_unless_a_password_is_known(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "exporte-par-l-admin")
    config = {"ENGINE": POSTGRES, "NAME": "twiza", "USER": "twiza", "PASSWORD": "", "HOST": "db", "PORT": ""}
    args, env = _pg_args(config)
    assert env["PGPASSWORD"] == "exporte-par-l-admin"
    assert not any("exporte" in arg for arg in args)
    args, env = _pg_args({**config, "PASSWORD": "de-la-configuration"})
    assert env["PGPASSWORD"] == "de-la-configuration"
    assert not any("configuration" in arg for arg in args)  # never on the command line
    monkeypatch.delenv("PGPASSWORD")
    _, env = _pg_args(config)
    assert "PGPASSWORD" not in env  # not an empty one: libpq then tries ~/.pgpass


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's companion files")
def test_restore_refuses_the_live_databases_wal_file(tmp_path, monkeypatch):
    path = tmp_path / "twiza.backup"
    path.write_bytes(b"SQLite format 3\x00")
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "live.sqlite3"))
    with pytest.raises(CommandError, match="base en service"):
        call_command(
            "restore", str(path), "--database-url", "sqlite:///" + str(tmp_path / "live.sqlite3-wal")
        )
    assert not (tmp_path / "live.sqlite3-wal").exists()

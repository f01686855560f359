from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.crypto import (
    encrypted_binary_fields,
    encrypted_fields,
    rotate,
    rotate_bytes,
    rotate_encrypted_file,
)


def _quoted_names(model, field) -> tuple[str, str, str]:
    """The quoted table, column and primary-key column of an encrypted field of `model`."""
    if field.column is None or model._meta.pk is None:  # a field or model without a column of its own
        raise CommandError(f"{model._meta.label}.{field.name}: no database column to re-encrypt")
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)


class Command(BaseCommand):
    """Re-encrypts every encrypted field under the first key of FIELD_ENCRYPTION_KEYS.

    For the system administrator, after putting a new key first in FIELD_ENCRYPTION_KEYS (keep the
    old keys after it until this command has run). Works on the stored ciphertexts with SQL, so no
    clear value is ever held longer than one row. Idempotent; one transaction per column. Encrypted
    files (a job's output, an older job's upload) are read and rewritten one row at a time, to bound
    memory; the uploaded files under JOB_FILES_ROOT a chunk at a time, each replaced at once.
    """

    help = "Rechiffre tous les champs chiffrés avec la première clé de FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options) -> None:
        total = 0
        for model, field in encrypted_fields():
            table, column, pk = _quoted_names(model, field)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
                rows = cursor.fetchall()
                for row_pk, stored in rows:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [rotate(stored), row_pk],
                    )
            total += len(rows)
            self.stdout.write(f"{model._meta.label}.{field.name} : {len(rows)}")
        for model, field in encrypted_binary_fields():
            table, column, pk = _quoted_names(model, field)
            count = 0
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SELECT {pk} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
                for (row_pk,) in cursor.fetchall():
                    cursor.execute(f"SELECT {column} FROM {table} WHERE {pk} = %s", [row_pk])  # noqa: S608
                    stored = (cursor.fetchone() or [None])[0]
                    if stored is None:  # purged meanwhile
                        continue
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [rotate_bytes(stored), row_pk],
                    )
                    count += 1
            total += count
            self.stdout.write(f"{model._meta.label}.{field.name} : {count}")
        root, files = Path(settings.JOB_FILES_ROOT), 0
        for path in sorted(root.glob("*.upload")) if root.is_dir() else []:
            try:
                rotate_encrypted_file(path)
            except FileNotFoundError:  # the import ended meanwhile
                continue
            files += 1
        total += files
        self.stdout.write(f"{root} : {files}")
        self.stdout.write(self.style.SUCCESS(f"{total} valeur(s) rechiffrée(s)."))

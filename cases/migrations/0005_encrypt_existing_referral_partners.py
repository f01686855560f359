"""Encrypts the referral partners written in clear before 0004 (docs/security.md 13); reversible.

Raw SQL, because the historical model already decrypts on read and the clear rows would not read.
A row already encrypted (prefix `enc1:`) is left alone, so running it twice changes nothing.
"""

from django.db import migrations

from core.crypto import PREFIX, decrypt, encrypt


def _rewrite(schema_editor, transform, wanted) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, partner FROM cases_referral WHERE partner <> ''")
        for pk, stored in cursor.fetchall():
            if stored.startswith(PREFIX) == wanted:
                cursor.execute(
                    "UPDATE cases_referral SET partner = %s WHERE id = %s", [transform(stored), pk]
                )


def encrypt_partners(apps, schema_editor):
    _rewrite(schema_editor, encrypt, wanted=False)


def decrypt_partners(apps, schema_editor):
    _rewrite(schema_editor, decrypt, wanted=True)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_referral_partner_encrypted_column")]

    operations = [migrations.RunPython(encrypt_partners, decrypt_partners)]

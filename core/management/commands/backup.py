from pathlib import Path

from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.backup import backup


class Command(BaseCommand):
    """Writes a backup of the live database to a file (docs/security.md 24).

    For the system administrator (whoever can read the server's environment). SQLite: the online
    backup API, safe while Twiza runs; PostgreSQL: `pg_dump --format=custom`. Refuses to overwrite a
    file unless --force. The encryption keys are not in the backup: keep them elsewhere.
    """

    help = _("Sauvegarde la base de données dans un fichier (SQLite ou pg_dump).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help=_("fichier de sauvegarde à écrire"))
        parser.add_argument("--force", action="store_true", help=_("remplacer le fichier s'il existe"))

    def handle(self, *args, file, force, **options) -> None:
        counts = backup(file, force=force)
        self.stdout.write(
            self.style.SUCCESS(
                _("Sauvegarde écrite : %(path)s (%(size)s), %(tables)d tables, %(rows)d lignes.")
                % {
                    "path": file,
                    "size": filesizeformat(file.stat().st_size),
                    "tables": len(counts),
                    "rows": sum(counts.values()),
                }
            )
        )

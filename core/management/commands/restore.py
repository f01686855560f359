from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from core.backup import RESTORE_URL_VARIABLE, config_from_url, connected, restore, restore_url, row_counts


class Command(BaseCommand):
    """Restores a backup file into the database given by --database-url (docs/security.md 24).

    For the system administrator. The target is explicit: --database-url, or else the environment
    variable TWIZA_RESTORE_DATABASE_URL (the way to give a password: not on the command line, where
    `ps` and the shell's history would show it). It is never the live database unless
    --replace-live-database is given. PostgreSQL: the target database must exist (`createdb`); its
    tables are replaced (`pg_restore --clean --if-exists --no-owner`, in one transaction). SQLite: the
    target file is created or replaced. The encrypted fields read only with the same keys.
    """

    help = _(
        "Restaure une sauvegarde dans la base indiquée par --database-url ou par la variable "
        "d'environnement TWIZA_RESTORE_DATABASE_URL."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help=_("fichier de sauvegarde à lire"))
        parser.add_argument(
            "--database-url",
            help=_(
                "base cible, par ex. sqlite:////srv/essai.sqlite3 ou postgres://twiza@localhost/essai ; "
                "sinon la variable d'environnement %(variable)s (pour un mot de passe : jamais sur la "
                "ligne de commande)"
            )
            % {"variable": RESTORE_URL_VARIABLE},
        )
        parser.add_argument(
            "--replace-live-database",
            action="store_true",
            help=_("autoriser la restauration par-dessus la base en service"),
        )

    def handle(self, *args, file, database_url, replace_live_database, **options) -> None:
        config = config_from_url(restore_url(database_url))
        restore(file, config, replace_live=replace_live_database)
        with connected(config) as connection:
            counts = row_counts(connection)
        self.stdout.write(
            self.style.SUCCESS(
                _("Restauré dans %(name)s : %(tables)d tables, %(rows)d lignes.")
                % {"name": config["NAME"], "tables": len(counts), "rows": sum(counts.values())}
            )
        )

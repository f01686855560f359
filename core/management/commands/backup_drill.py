from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.backup import config_from_url, drill


class Command(BaseCommand):
    """Restore drill: backs up, restores into a scratch database, checks every row and encrypted value.

    For the system administrator, on the server (it needs the current FIELD_ENCRYPTION_KEYS). The
    scratch database is a temporary file (SQLite) or a new PostgreSQL database created then dropped
    (the database user needs CREATEDB), or an existing empty one given by --database-url. Exits
    non-zero on any missing row or unreadable value.
    """

    help = _("Exercice de restauration : sauvegarde, restaure dans une base de contrôle et vérifie tout.")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--database-url",
            help=_("base de contrôle existante (sinon une base temporaire est créée)"),
        )

    def handle(self, *args, database_url, **options) -> None:
        target = config_from_url(database_url) if database_url else None
        report, problems = drill(target)
        for line in report:
            self.stdout.write(line)
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(
                _("Exercice de restauration échoué : %(count)d problème(s).") % {"count": len(problems)}
            )
        self.stdout.write(self.style.SUCCESS(_("Exercice de restauration réussi : tout est lisible.")))

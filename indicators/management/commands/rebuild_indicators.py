from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicators import engine
from partnerships.models import Partnership


class Command(BaseCommand):
    """Recomputes every derived indicator table from the raw rows (all partnerships, or one by slug).

    For the system administrator. The values are kept up to date at each write; this command is the
    reference that the incremental upkeep must equal, and a repair tool. One transaction.
    """

    help = "Recalcule toutes les valeurs des indicateurs depuis les présences, comptages et activités."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", nargs="?", help="slug d'un partenariat (tous par défaut)")

    def handle(self, *args, slug=None, **options) -> None:
        partnership = None
        if slug:
            partnership = Partnership.objects.filter(slug=slug).first()
            if partnership is None:
                raise CommandError(f"Aucun partenariat « {slug} ».")
        with transaction.atomic():
            engine.rebuild(partnership)
        self.stdout.write(self.style.SUCCESS("Indicateurs recalculés."))

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.partnerships import DEMO_USERNAMES
from demo.world import foreign_data, load_all, load_collection, load_jobs


class Command(BaseCommand):
    """Loads the Belfaa–Jette partnership of the roadmap and the demo users (docs/api.md).

    Anyone with shell access may run it, only with DEBUG on (the demo never runs in production),
    and only on an empty or demo database: it refuses a database holding other data. Safe to run twice.
    """

    help = "Charge le partenariat Belfaa–Jette de la feuille de route et les utilisateurs de démo."

    def handle(self, *args: str, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("load_demo refuse de s'exécuter avec DEBUG désactivé (production).")
        found = foreign_data()
        if found:
            raise CommandError(
                "Cette base contient des données hors démo (" + ", ".join(found) + ") : "
                "load_demo refuse de la modifier."
            )
        with transaction.atomic():
            partnership = load_all()
            load_jobs(partnership)
            load_collection(partnership)
        self.stdout.write(
            self.style.SUCCESS(
                f"Démo chargée : {partnership.name}. Utilisateurs : "
                + ", ".join(sorted(DEMO_USERNAMES))
                + " — mot de passe : "
                # The default is public (README); one set in the environment is never echoed.
                + (
                    "la valeur de TWIZA_DEMO_PASSWORD."
                    if "TWIZA_DEMO_PASSWORD" in os.environ
                    else f"{settings.TWIZA_DEMO_PASSWORD}."
                )
            )
        )
        self.stdout.write(
            "Second facteur (TOTP) pour admin, ecoute et centre : "
            "`.venv/bin/python manage.py demo_otp USERNAME` affiche le code du moment."
        )

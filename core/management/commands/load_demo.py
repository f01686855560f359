import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from accounts.models import User
from activities import demo as activities_demo
from cases import demo as cases_demo
from indicators import engine
from participation import demo as participation_demo
from partnerships import demo as partnerships_demo
from partnerships.models import Partnership
from people import demo as people_demo
from portal import demo as portal_demo
from programme import demo as programme_demo


def foreign_data() -> list[str]:
    """What in the database is not demo data (then the demo must not touch it)."""
    found = []
    users = User.objects.exclude(username__in=partnerships_demo.DEMO_USERNAMES)
    if users.exists():
        found.append(f"{users.count()} utilisateur(s) hors démo")
    partnerships = Partnership.objects.exclude(slug__in=partnerships_demo.DEMO_PARTNERSHIP_SLUGS)
    if partnerships.exists():
        found.append(f"{partnerships.count()} partenariat(s) hors démo")
    return found


def load_roadmap() -> Partnership:
    """What the roadmap itself says: the partnership, its framework and targets, the demo users."""
    people_demo.load_target_groups()
    partnership = partnerships_demo.load_partnership()
    programme_demo.load_framework(partnership)
    partnerships_demo.load_users(partnership)
    participation_demo.load(partnership)
    return partnership


def load_all() -> Partnership:
    """Every demo loader, in dependency order; each is idempotent."""
    partnership = load_roadmap()
    activities_demo.load(partnership)
    participation_demo.link_activities(partnership)
    accounts_demo.load_devices()
    cases_demo.load(partnership)
    portal_demo.load(partnership)  # good practices, and the network's second (fictional) partnership
    # The demo's bulk loaders bypass the actions: compute the derived indicator tables once.
    for demo_partnership in Partnership.objects.filter(slug__in=partnerships_demo.DEMO_PARTNERSHIP_SLUGS):
        engine.rebuild(demo_partnership)
    return partnership


class Command(BaseCommand):
    """Loads the Belfaa–Jette partnership of the roadmap and the demo users (CONTRACT.md).

    Anyone with shell access may run it, only with DEBUG on (the demo never runs in production),
    and only on an empty or demo database: it refuses a database holding other data. Safe to run twice.
    """

    help = "Charge le partenariat Belfaa–Jette de la feuille de route et les utilisateurs de démo."

    def handle(self, *args, **options) -> None:
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
        self.stdout.write(
            self.style.SUCCESS(
                f"Démo chargée : {partnership.name}. Utilisateurs : "
                + ", ".join(sorted(partnerships_demo.DEMO_USERNAMES))
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

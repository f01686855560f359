from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.otp import confirmed_device, current_code
from demo.partnerships import DEMO_USERNAMES
from demo.world import foreign_data


class Command(BaseCommand):
    """Prints, as its last word, the current TOTP code of a demo user (docs/api.md).

    For whoever tries the demo. Refuses with DEBUG off, on a database holding non-demo data, and for
    a user who is not a demo user or has no confirmed device.
    """

    help = "Affiche le code à usage unique actuel d'un utilisateur de démo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: str, username: str, **options: Any) -> None:
        if not settings.DEBUG or foreign_data():
            raise CommandError("demo_otp refuse de s'exécuter hors d'une base de démo.")
        user = User.objects.filter(username=username, username__in=DEMO_USERNAMES).first()
        device = confirmed_device(user) if user else None
        if device is None:
            raise CommandError(f"« {username} » n'est pas un utilisateur de démo avec second facteur.")
        self.stdout.write(f"Code actuel de {username} : {current_code(device)}")

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import ApiToken, User


class Command(BaseCommand):
    """Prints a new personal API token for USERNAME (docs/api.md), and when it expires.

    For the system administrator (shell access). Only the token's hash is stored: the printed value
    cannot be shown again. The token carries exactly the user's roles, no more, and expires after
    `API_TOKEN_DAYS` days (default 90); its owner sees and revokes it on /comptes/jetons/. The token
    alone goes to standard output (so `TOKEN=$(manage.py create_api_token …)` works), the expiry to
    standard error.
    """

    help = "Affiche un nouveau jeton d'API personnel pour cet utilisateur, et sa date d'expiration."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="Un nom pour reconnaître le jeton dans la liste.")

    def handle(self, *args, username, name, **options) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Aucun utilisateur actif nommé « {username} ».")
        if len(name) > 80:
            raise CommandError("Le nom du jeton est limité à 80 caractères.")
        raw = ApiToken.issue(user, name=name)
        expires = timezone.localtime(ApiToken.objects.for_raw(raw).get().expires_at)
        self.stdout.write(raw)
        self.stderr.write(f"Ce jeton expire le {expires:%Y-%m-%d à %H:%M} ({expires:%Z}).")

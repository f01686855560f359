from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken, User


class Command(BaseCommand):
    """Prints a new personal API token for USERNAME (CONTRACT.md).

    For the system administrator (shell access). Only the token's hash is stored: the printed value
    cannot be shown again. The token carries exactly the user's roles, no more.
    """

    help = "Affiche un nouveau jeton d'API personnel pour cet utilisateur."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Aucun utilisateur actif nommé « {username} ».")
        self.stdout.write(ApiToken.issue(user))

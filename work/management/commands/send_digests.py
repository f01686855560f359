from django.core.management.base import BaseCommand

from work.digest import send_digests


class Command(BaseCommand):
    help = (
        "Envoie le résumé quotidien (combien de tâches attendent, jamais lesquelles) à chaque "
        "personne active qui l'a gardé et pour qui quelque chose attend ; une seule fois par jour."
    )

    def handle(self, *args, **options) -> None:
        sent = send_digests()
        self.stdout.write(f"{sent} résumé(s) envoyé(s).")

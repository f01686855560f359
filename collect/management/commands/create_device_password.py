from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from collect.access import collecting_structures
from collect.actions import create_device
from partnerships.access import access_for
from partnerships.models import Partnership


class Command(BaseCommand):
    """Prints a new device password for USERNAME: ODK Collect signs in with her username and it
    (HTTPS Basic) on /openrosa/<partnership>/ (README: "Offline collection"), for one structure.

    For the system administrator (shell access). Only for a user who may collect: an active account,
    the coordinator of a partnership or the staff of one of its structures — never the listening
    centre's, a partner or network officer, or the platform administrator. `--structure` (its code)
    and `--partnership` (its slug) choose among the structures she collects for; they are required
    only when there are several. Only the password's digest is stored; it is the last word printed.
    """

    help = "Affiche un nouveau mot de passe d'appareil (ODK Collect) pour cet utilisateur, en dernier mot."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--structure", default="", help="Le code de la structure.")
        parser.add_argument("--partnership", default="", help="Le slug du partenariat.")
        parser.add_argument(
            "--label", default="ligne de commande", help="Un nom pour reconnaître l'appareil."
        )

    def handle(self, *args, username, structure, partnership, label, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_active:
            raise CommandError(f"Aucun utilisateur actif nommé « {username} ».")
        if not label or len(label) > 100:
            raise CommandError("Le nom de l'appareil doit faire de 1 à 100 caractères.")
        partnerships = Partnership.objects.visible_to(user)
        if partnership:
            partnerships = partnerships.filter(slug=partnership)
        choices = [
            found
            for p in partnerships
            for found in collecting_structures(access_for(user, p))
            if not structure or found.code == structure
        ]
        if not choices:
            raise CommandError(
                f"« {username} » ne collecte pour aucune structure"
                + (" correspondant à ces options" if structure or partnership else "")
                + " : seuls la coordination et le personnel d'une structure (hors centre d'écoute) en ont."
            )
        if len(choices) > 1:
            listed = ", ".join(f"{s.partnership.slug}/{s.code}" for s in choices)
            raise CommandError(
                f"Plusieurs structures possibles ({listed}) : précisez --partnership et --structure."
            )
        device, password = create_device(user, choices[0], label, created_by=None)
        expires = timezone.localtime(device.expires_at)
        self.stdout.write(
            f"Appareil « {label} » de {username} pour {choices[0].partnership.slug}/{choices[0].code}, "
            f"expire le {expires:%Y-%m-%d}. Mot de passe : {password}"
        )

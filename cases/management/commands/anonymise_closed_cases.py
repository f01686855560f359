import calendar
import datetime
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import QuerySet
from django.utils import timezone

from cases.actions import StaleVersion, anonymise_case
from cases.models import Case

NAME = "anonymise_closed_cases"


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier (the month's last day when that month is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def due(cutoff: datetime.date) -> QuerySet[Case]:
    """Closed before `cutoff` and not anonymised yet. A reopened case is not closed (its closing
    date is cleared when it is reopened), so it is never due."""
    return Case.objects.filter(status=Case.Status.CLOSED, closed_on__lt=cutoff, anonymised_on__isnull=True)


class Command(BaseCommand):
    """Anonymises the listening centre's cases closed more than CASE_RETENTION_MONTHS months ago
    (docs/security.md 25).

    For the system administrator, monthly from cron. What is removed and what is kept (so that no
    published figure changes): `cases.actions.anonymise_case` and docs/decisions.md. Idempotent: an
    anonymised case is never due again, so a second run changes nothing and says so. One transaction
    per case: an interrupted run leaves whole cases, done or untouched, and the next run finishes
    the rest. Each case gets a history row and an append-only access-log row naming this command,
    with field names, never values. `--dry-run` counts the cases due per partnership and writes
    nothing.
    """

    help = (
        "Anonymise les dossiers du centre d'écoute clos depuis plus de CASE_RETENTION_MONTHS mois "
        "(--dry-run : les compte par partenariat sans rien changer)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="compter sans rien changer")

    def handle(self, *args, dry_run=False, **options) -> None:
        months = settings.CASE_RETENTION_MONTHS
        if months < 1:
            raise CommandError("CASE_RETENTION_MONTHS doit valoir au moins 1.")
        today = timezone.localdate()
        cutoff = months_before(today, months)
        cases = list(due(cutoff).select_related("partnership").order_by("partnership__slug", "pk"))
        rule = f"clos avant le {cutoff:%Y-%m-%d} (conservation : {months} mois)"
        if not cases:
            self.stdout.write(f"Aucun dossier à anonymiser, {rule} : rien n'a été modifié.")
            return
        if dry_run:
            self.stdout.write(f"Simulation, rien n'est modifié. Dossiers à anonymiser, {rule} :")
            self._per_partnership(cases)
            return
        done, skipped = [], 0
        for case in cases:
            try:
                anonymise_case(case, on=today, command=NAME)
            except StaleVersion:
                skipped += 1  # changed (e.g. reopened) since it was read: left as it is
            else:
                done.append(case)
        self.stdout.write(f"Dossiers anonymisés, {rule} :")
        self._per_partnership(done)
        if skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"{skipped} dossier(s) modifié(s) pendant l'exécution, laissé(s) tels quels."
                )
            )
        self.stdout.write(self.style.SUCCESS(f"{len(done)} dossier(s) anonymisé(s)."))

    def _per_partnership(self, cases) -> None:
        counts = Counter(case.partnership.slug for case in cases)
        for slug, count in sorted(counts.items()):
            self.stdout.write(f"  {slug} : {count}")
        self.stdout.write(f"  total : {sum(counts.values())}")

from django.core.management.base import BaseCommand
from django.db.models import Count, Q
from django.utils import timezone

from activities.models import Activity


class Command(BaseCommand):
    """Lists the activities dated after today that hold attendance or tallies.

    Since issue 12 they are refused (nothing counts before its date); rows recorded before that rule
    would still be counted by the indicators. For the system administrator after an upgrade: each
    one is to be corrected by its coordinator (the activity's real date, or the rows removed). Exits
    with status 1 when there are some, so a deployment script can stop on it.
    """

    help = "Liste les activités datées après aujourd'hui qui ont des présences ou des comptages."

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        found = (
            Activity.objects.filter(date__gt=today)
            .annotate(
                present=Count("attendances", distinct=True),
                counted=Count("tallies", filter=Q(tallies__count__gt=0), distinct=True),
            )
            .filter(Q(present__gt=0) | Q(counted__gt=0))
            .select_related("partnership")
            .order_by("partnership__slug", "date", "pk")
        )
        rows = list(found)
        for a in rows:
            self.stdout.write(
                f"{a.partnership.slug}\t{a.pk}\t{a.date:%Y-%m-%d}\t{a.title}\t"
                f"{a.present} présence(s), {a.counted} comptage(s)"
            )
        if rows:
            self.stderr.write(
                f"{len(rows)} activité(s) datée(s) après le {today:%d/%m/%Y} avec des présences ou comptages."
            )
            raise SystemExit(1)
        self.stdout.write(
            self.style.SUCCESS(f"Aucune activité après le {today:%d/%m/%Y} n'a de présences ni de comptages.")
        )

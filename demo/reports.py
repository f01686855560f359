"""Demo background jobs: one import of the coordinator that failed, so "Mon travail" shows it (issue
16). A failed import leaves nothing behind but its job and its message; there is no action that
fails one on purpose, so the row is written as the worker leaves it. Idempotent."""

import datetime

from django.utils import timezone

from accounts.models import User
from partnerships.models import Partnership
from reports.models import Job

FAILED_IMPORT = "presences-octobre.xlsx"


def load(partnership: Partnership) -> None:
    coordination = User.objects.filter(username="coordination").first()
    if coordination is None:
        return
    if Job.objects.filter(partnership=partnership, user=coordination, params__demo=FAILED_IMPORT).exists():
        return
    now = timezone.now()
    Job.objects.create(
        partnership=partnership,
        user=coordination,
        kind=Job.Kind.IMPORT,
        status=Job.Status.FAILED,
        params={"demo": FAILED_IMPORT},
        message="Ligne 14 : la date « 31/09/2026 » n'existe pas. Rien n'a été importé.",
        finished_at=now - datetime.timedelta(hours=20),
        attempts=1,
    )

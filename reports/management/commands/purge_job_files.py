import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.models import Job
from reports.tasks import recover_stale_jobs


class Command(BaseCommand):
    """Deletes the files of background jobs finished more than JOB_FILES_HOURS hours ago (their output
    and any upload; the row stays, and its page says the file has expired), and ends the imports left
    at the mapping or dry-run step for as long (their uploaded file is deleted). First, a running job
    whose worker stopped beating JOB_STALE_MINUTES ago is retried once, then failed (SECURITY.md 29).

    For the system administrator, hourly from cron. Idempotent: a second run finds nothing to do.
    """

    help = "Efface les fichiers des tâches en arrière-plan terminées depuis plus de JOB_FILES_HOURS heures."

    def handle(self, *args, **options):
        hours = settings.JOB_FILES_HOURS
        if hours < 1:
            raise CommandError("JOB_FILES_HOURS doit valoir au moins 1.")
        retried, failed = recover_stale_jobs()
        now = timezone.now()
        cutoff = now - datetime.timedelta(hours=hours)
        purged = (
            Job.objects.filter(status__in=[Job.Status.DONE, Job.Status.FAILED], finished_at__lt=cutoff)
            .filter(Q(output__isnull=False) | Q(upload__isnull=False))
            .update(output=None, upload=None)
        )
        abandoned = (
            Job.objects.filter(kind=Job.Kind.IMPORT, status=Job.Status.QUEUED, created_at__lt=cutoff)
            .exclude(params__has_key="enqueued")
            .only("pk", "params")
        )
        ended = 0
        for job in abandoned:
            with translation.override(job.params.get("lang") or "fr"):
                message = _("Import abandonné : le fichier envoyé a été effacé ; envoyez-le de nouveau.")
            ended += (
                Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED)
                .exclude(params__has_key="enqueued")
                .update(status=Job.Status.FAILED, finished_at=now, upload=None, message=message)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{purged} tâche(s) terminée(s) depuis plus de {hours} h : fichiers effacés ; "
                f"{ended} import(s) abandonné(s) clos ; {retried} tâche(s) interrompue(s) relancée(s), "
                f"{failed} en échec."
            )
        )

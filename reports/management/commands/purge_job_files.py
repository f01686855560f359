import datetime
from pathlib import Path

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
    at the mapping or dry-run step for as long (their uploaded file is deleted; uploaded files live
    under JOB_FILES_ROOT, swept by age: `_sweep_uploads`). First, a running job
    whose worker stopped beating JOB_STALE_MINUTES ago is retried once, then failed (docs/security.md 29).

    For the system administrator, hourly from cron. Idempotent: a second run finds nothing to do.
    """

    help = "Efface les fichiers des tâches en arrière-plan terminées depuis plus de JOB_FILES_HOURS heures."

    def handle(self, *args, **options) -> None:
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
            if (
                Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED)
                .exclude(params__has_key="enqueued")
                .update(status=Job.Status.FAILED, finished_at=now, upload=None, message=message)
            ):
                job.delete_upload()
                ended += 1
        swept = self._sweep_uploads(cutoff.timestamp())
        self.stdout.write(
            self.style.SUCCESS(
                f"{purged} tâche(s) terminée(s) depuis plus de {hours} h : fichiers effacés ; "
                f"{ended} import(s) abandonné(s) clos ; {retried} tâche(s) interrompue(s) relancée(s), "
                f"{failed} en échec ; {swept} fichier(s) envoyé(s) effacé(s)."
            )
        )

    @staticmethod
    def _sweep_uploads(cutoff: float) -> int:
        """Deletes the uploaded files under JOB_FILES_ROOT older than the cutoff that no queued or
        running job needs: an import deletes its own when it ends, so this catches those left by an
        ended import whose process died, an abandoned one, or a refused upload."""
        root = Path(settings.JOB_FILES_ROOT)
        if not root.is_dir():
            return 0
        needed = set(
            Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
            .filter(params__has_key="upload_file")
            .values_list("params__upload_file", flat=True)
        )
        swept = 0
        for path in root.iterdir():
            if path.name not in needed and path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                swept += 1
        return swept

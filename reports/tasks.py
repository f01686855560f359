"""Long work run by the task worker (`manage.py db_worker`): report PDFs and XLSX, imports and exports.

Each task works on a `Job` row: it moves it to running, updates its progress, and stores its output
or a clear message. The tests run tasks immediately (ImmediateBackend).
"""

import io
import logging

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from partnerships.access import access_for

from .models import Job

log = logging.getLogger(__name__)

# An export writes its progress every so many rows: often enough for the bar, not a query per row.
EXPORT_PROGRESS_EVERY = 2000


def _progress(job):
    def update(done, total):
        Job.objects.filter(pk=job.pk).update(done=done, total=total)

    return update


@task()
def run_job(job_id: int) -> str:
    """Runs one job (report file, import or export) and records its outcome on the row."""
    job = Job.objects.select_related("partnership", "user").get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    try:
        with translation.override(job.params.get("lang") or "fr"):
            if job.kind in (Job.Kind.PDF, Job.Kind.XLSX):
                _report_file(job)
            elif job.kind == Job.Kind.IMPORT:
                _import(job)
            elif job.kind == Job.Kind.EXPORT:
                _export(job)
    except Exception:  # the user sees a clear message; the traceback goes to the log only
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, message=_("La tâche a échoué ; rien n'a été enregistré.")
        )
        return "failed"
    return "done"


def _report_file(job):
    from . import annual, outputs

    year = job.params["year"]
    job.total = 2
    job.save(update_fields=["total", "updated_at"])
    report = annual.annual_report(job.partnership, access_for(job.user, job.partnership), year)
    Job.objects.filter(pk=job.pk).update(done=1)
    if job.kind == Job.Kind.PDF:
        data, ext, mime = outputs.report_pdf(report), "pdf", "application/pdf"
    else:
        data = outputs.report_xlsx(report)
        ext, mime = "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        done=2,
        output=data,
        filename=f"rapport-{job.partnership.slug}-{year}.{ext}",
        content_type=mime,
    )


def _import(job):
    from . import actions, kobo
    from .access import importable_structures

    access = access_for(job.user, job.partnership)
    headers, rows = kobo.read_table(bytes(job.upload), job.params["filename"])
    validator = kobo.Validator(
        job.partnership,
        job.params["kind"],
        importable_structures(access),
        job.user,
        job.params["mapping"],
        headers,
    )
    submissions, problems = validator.validate(rows)
    if problems:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            message=_("Le fichier a changé ou contient des erreurs ; rien n'a été importé."),
        )
        return
    with transaction.atomic():
        write = (
            actions.import_submissions_bulk
            if len(submissions) >= actions.BULK_FROM
            else actions.import_submissions
        )
        created = write(job.partnership, job.params["kind"], submissions, job.user, progress=_progress(job))
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        done=len(submissions),
        total=len(submissions),
        message=_("%(created)s activité(s) créée(s), %(skipped)s déjà importée(s).")
        % {"created": created, "skipped": len(submissions) - created},
    )


def _export(job):
    """The CSV of the direct export, for the job's author with the access she holds now."""
    from . import exports
    from .access import may_export

    access = access_for(job.user, job.partnership)
    if not may_export(access):
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            message=_("Vous n'avez plus le droit d'exporter ces données ; aucun fichier n'a été préparé."),
        )
        return
    what, filters = job.params["what"], job.params["filters"]
    total = exports.QUERYSETS[what](job.user, access, filters).count()
    progress = _progress(job)
    progress(0, total)
    out, done = io.StringIO(), 0
    # stream_csv yields the BOM, the header, then one chunk per row: the same bytes as the download.
    for n, chunk in enumerate(exports.stream_csv(exports.ROWS[what](job.user, access, filters))):
        out.write(chunk)
        done = max(n - 1, 0)
        if done and done % EXPORT_PROGRESS_EVERY == 0:
            progress(done, max(total, done))
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        done=done,
        total=done,
        output=out.getvalue().encode("utf-8"),
        filename=f"{what}-{job.partnership.slug}.csv",
        content_type="text/csv; charset=utf-8",
    )

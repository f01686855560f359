"""Long work run by the task worker (`manage.py db_worker`): report PDFs and XLSX, imports and exports.

Each task works on a `Job` row: it moves it from queued to running (only once: a task queued twice
runs once), updates its progress, and stores its output or a clear message; a finished job keeps no
upload. The tests run tasks immediately (ImmediateBackend).

A worker can die mid-job (killed, out of memory, machine restarted): the job would stay "en cours"
for ever. So the running task beats — `heartbeat_at`, written with every progress report — and
`recover_stale_jobs` (run by `purge_job_files` and whenever the job's page is opened) retries once,
then fails with a clear message, a job whose worker stopped beating (docs/security.md 29). An import is
one transaction, so a dead worker's import left nothing behind and can simply run again.
"""

import datetime
import functools
import io
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from django_tasks import task

from partnerships.access import access_for

from .models import Job

log = logging.getLogger(__name__)

# An export writes its progress every so many rows: often enough for the bar, not a query per row.
EXPORT_PROGRESS_EVERY = 2000


# A job retried this many times after its worker died is failed, not retried again.
MAX_ATTEMPTS = 2


def _progress(job) -> Callable[..., None]:
    """Writes a job's progress and heartbeat where its page can read them while the work goes on.
    Inside an open transaction (an import) it takes a connection of its own on PostgreSQL. SQLite
    allows one writer at a time: there the import's own connection writes them, seen when it
    commits — meanwhile the worker is known alive by its process (`_alive_here`)."""

    def update(done, total) -> None:
        now = timezone.now()
        if not connection.in_atomic_block or connection.vendor != "postgresql":
            _this_run(job).update(done=done, total=total, heartbeat_at=now)
            return
        side = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with side.cursor() as cursor:
                table = side.ops.quote_name(Job._meta.db_table)
                sql = f"UPDATE {table} SET done = %s, total = %s, heartbeat_at = %s WHERE id = %s AND attempts = %s"  # noqa: S608, E501
                cursor.execute(sql, [done, total, now, job.pk, job.attempts])
        finally:
            side.close()

    return update


def _this_run(job) -> QuerySet[Job]:
    """The job's row while this run owns it: a run taken for dead and retried writes nothing more."""
    return Job.objects.filter(pk=job.pk, attempts=job.attempts)


def _finish(job, status, **fields) -> None:
    """The job's outcome: finished now (its files expire from now on), without its upload."""
    if _this_run(job).update(status=status, finished_at=timezone.now(), upload=None, **fields):
        job.delete_upload()


def _started(pid: int) -> str:
    """When a process started (Linux: /proc), so that a dead worker's reused process id is not
    taken for it; empty where unknown."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _worker_id() -> str:
    """host:pid:start of this process."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_started(pid)}"


def _alive_here(worker: str) -> bool:
    """Whether the process that runs a job is known alive: on this machine, still running (the
    same process, not another that got its id since). A worker on another machine is known only by
    its heartbeat."""
    host, pid, start = (worker.rsplit(":", 2) + ["", ""])[:3]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, run by another user
        pass
    return not start or _started(int(pid)) in (start, "")


def recover_stale_jobs(jobs=None, *, now=None) -> tuple[int, int]:
    """Retries once, then fails, each running job (of `jobs`, default all) whose worker stopped
    beating JOB_STALE_MINUTES ago and is not known alive. Returns (retried, failed). A failed job
    loses its upload at once; its row is purged like any other by `purge_job_files`. Safe to run
    from several processes: each change is one conditional UPDATE on the attempt it saw."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.JOB_STALE_MINUTES)
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, updated_at__lt=cutoff)
    stale = (Job.objects.all() if jobs is None else jobs).filter(silent, status=Job.Status.RUNNING)
    retried = failed = 0
    for job in stale.only("pk", "attempts", "worker", "params"):
        if _alive_here(job.worker):
            continue
        this_run = _this_run(job).filter(status=Job.Status.RUNNING)
        retry = gettext_noop("Reprise : le service des tâches s'est arrêté pendant le traitement.")
        gave_up = gettext_noop(
            "La tâche s'est interrompue deux fois (le service des tâches s'est arrêté) ; "
            "rien n'a été enregistré. Relancez-la."
        )
        ended = 0
        try:
            with transaction.atomic():
                if job.attempts < MAX_ATTEMPTS:
                    changed = this_run.update(status=Job.Status.QUEUED, done=0, worker="", message=retry)
                    if changed:
                        transaction.on_commit(functools.partial(run_job.enqueue, job.pk))
                    retried += changed
                else:
                    ended = this_run.update(
                        status=Job.Status.FAILED, finished_at=now, upload=None, message=gave_up
                    )
                    failed += ended
        except OperationalError:  # SQLite: a writer holds the database, so the worker lives on
            continue
        if ended:  # committed: its uploaded file is no longer needed
            job.delete_upload()
    return retried, failed


@task()
def run_job(job_id: int) -> str:
    """Runs one job (report file, import or export) and records its outcome on the row. Only the
    task that moves the job from queued to running runs it: a duplicate does nothing."""
    started = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        heartbeat_at=timezone.now(),
        worker=_worker_id(),
        attempts=F("attempts") + 1,
        message="",  # a retry's note gives way to the progress bar
    )
    if not started:
        return "skipped"
    job = Job.objects.select_related("partnership", "user").get(pk=job_id)
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
        _finish(job, Job.Status.FAILED, message=gettext_noop("La tâche a échoué ; rien n'a été enregistré."))
        return "failed"
    return "done"


def _report_file(job) -> None:
    from . import annual, outputs

    year, progress = job.params["year"], _progress(job)
    progress(0, 2)
    report = annual.annual_report(job.partnership, access_for(job.user, job.partnership), year)
    progress(1, 2)
    if job.kind == Job.Kind.PDF:
        data, ext, mime = outputs.report_pdf(report), "pdf", "application/pdf"
    else:
        data = outputs.report_xlsx(report)
        ext, mime = "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    _finish(
        job,
        Job.Status.DONE,
        done=2,
        output=data,
        filename=f"rapport-{job.partnership.slug}-{year}.{ext}",
        content_type=mime,
    )


def _import_file(job, dry_run: bool) -> Any:
    from . import actions

    access = access_for(job.user, job.partnership)
    with job.open_upload() as file:  # docs/security.md 33: decrypted a chunk at a time, never whole
        job.upload = None  # an older job's copy from its column: free it before reading
        return actions.import_file(
            job.partnership,
            job.params["kind"],
            job.user,
            access.work_structures,
            file,
            job.params["filename"],
            job.params["mapping"],
            dry_run=dry_run,
            progress=_progress(job),
        )


def _import(job) -> None:
    from . import kobo

    try:
        outcome = _import_file(job, dry_run=False)
    except kobo.UnreadableFile as problem:
        _finish(job, Job.Status.FAILED, message=str(problem))
        return
    if outcome.problem_count:
        _finish(
            job,
            Job.Status.FAILED,
            message=gettext_noop("Le fichier a changé ou contient des erreurs ; rien n'a été importé."),
        )
        return
    total = outcome.new + outcome.known
    _finish(
        job,
        Job.Status.DONE,
        done=total,
        total=total,
        message=gettext_noop("%(created)s activité(s) créée(s), %(skipped)s déjà importée(s)."),
        params={**job.params, "message_args": {"created": outcome.created, "skipped": outcome.known}},
    )


@task()
def check_import(job_id: int, token: str) -> str:
    """The dry run of an import: what it would create and every problem, written on the job's
    `params["check"]`; writes nothing else. A newer check (the mapping changed) wins: `token`."""
    from . import kobo

    job = Job.objects.select_related("partnership", "user").get(pk=job_id)
    check: dict[str, Any]
    with translation.override(job.params.get("lang") or "fr"):
        try:
            outcome = _import_file(job, dry_run=True)
        except kobo.UnreadableFile as problem:
            check = {"unreadable": str(problem)}
        except Exception:  # the user sees a clear message; the traceback goes to the log only
            log.exception("check of job %s failed", job.pk)
            check = {"unreadable": translation.gettext("La vérification a échoué ; rien n'a été importé.")}
        else:
            check = {
                "new": outcome.new,
                "known": outcome.known,
                "problem_count": outcome.problem_count,
                "problems": [
                    {"row": p.row, "column": p.column, "message": p.message} for p in outcome.problems
                ],
                "sample": [
                    {
                        "row": s.row,
                        "date": s.date.isoformat(),
                        "title": s.title,
                        "structure": s.structure.code if s.structure else "",
                        **{
                            sex: sum(n for (of, _group), n in s.tallies.items() if of == sex)
                            for sex in ("F", "M", "X")
                        },
                        "people": len(s.people),
                        "results": [r.code for r in s.results],
                    }
                    for s in outcome.sample
                ],
            }
    with transaction.atomic():
        current = Job.objects.select_for_update().get(pk=job.pk)
        if current.params.get("check_token") != token:
            return "superseded"
        current.params = {**current.params, "check": check}
        current.save(update_fields=["params", "updated_at"])
    return "done"


def _export(job) -> None:
    """The CSV of the direct export, for the job's author with the access she holds now."""
    from . import exports

    access = access_for(job.user, job.partnership)
    if not access.records_work:
        _finish(
            job,
            Job.Status.FAILED,
            message=gettext_noop(
                "Vous n'avez plus le droit d'exporter ces données ; aucun fichier n'a été préparé."
            ),
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
    _finish(
        job,
        Job.Status.DONE,
        done=done,
        total=done,
        output=out.getvalue().encode("utf-8"),
        filename=f"{what}-{job.partnership.slug}.csv",
        content_type="text/csv; charset=utf-8",
    )

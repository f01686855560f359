"""Jobs survive the death of their worker (docs/security.md 29): the running task beats; a job whose
worker stopped beating is retried once, then failed with a clear message, by `purge_job_files` and
as soon as its page is opened; an import killed mid-way leaves nothing half written."""

import datetime
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from reports import tasks
from reports.models import Job
from reports.tests.test_imports import rows, run_import, xlsx

ROOT = Path(__file__).resolve().parents[2]


def url(job):
    return f"/p/{job.partnership.slug}/rapports/taches/{job.pk}/"


def silent_job(world, *, attempts, minutes=None, worker="machine-morte:4242", kind=Job.Kind.EXPORT):
    """A job left running by a worker that stopped beating `minutes` ago (default: past the window)."""
    minutes = settings.JOB_STALE_MINUTES + 1 if minutes is None else minutes
    return Job.objects.create(
        partnership=world["partnership"],
        user=world["users"]["jour"],
        kind=kind,
        status=Job.Status.RUNNING,
        params={"what": "personnes", "filters": {}, "lang": "fr"},
        upload=b"fichier envoye",
        attempts=attempts,
        worker=worker,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=minutes),
    )


def test_a_running_import_beats_and_names_its_worker(demo_activity, client_for):
    partnership, client = demo_activity["partnership"], client_for("coordination")
    before = timezone.now()
    dry_url, _page = run_import(client, partnership.slug, xlsx(rows(partnership)))
    client.post(dry_url)
    job = Job.objects.get()
    assert job.status == Job.Status.DONE
    assert job.heartbeat_at >= before and job.attempts == 1
    assert job.worker == tasks._worker_id()  # the immediate backend runs it in this process


def test_a_silent_job_is_retried_when_its_page_is_opened_and_then_done(
    world, client_for, django_capture_on_commit_callbacks
):
    job = silent_job(world, attempts=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client_for("jour").get(url(job))
    assert page.status_code == 200 and len(callbacks) == 1  # re-enqueued
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2 and job.output


def test_a_job_silent_twice_is_failed_with_a_clear_message_and_its_upload_deleted(world, client_for):
    job = silent_job(world, attempts=2)
    page = client_for("jour").get(url(job)).content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.upload is None and job.finished_at
    assert "La tâche s&#x27;est interrompue deux fois" in page
    assert "rien n&#x27;a été enregistré" in page


def test_a_job_still_beating_or_whose_worker_lives_here_is_left_alone(world):
    beating = silent_job(world, attempts=1, minutes=settings.JOB_STALE_MINUTES - 1)
    alive = silent_job(world, attempts=1, worker=tasks._worker_id())  # this very process
    assert tasks.recover_stale_jobs() == (0, 0)
    for job in (beating, alive):
        job.refresh_from_db()
        assert job.status == Job.Status.RUNNING and job.upload is not None


def test_a_process_id_reused_since_is_not_taken_for_the_dead_worker(world):
    host, pid, _start = tasks._worker_id().split(":")
    job = silent_job(world, attempts=2, worker=f"{host}:{pid}:1")  # this pid, another start time
    assert tasks.recover_stale_jobs() == (0, 1)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_purge_job_files_recovers_silent_jobs(world, django_capture_on_commit_callbacks):
    retried, failed = silent_job(world, attempts=1), silent_job(world, attempts=2)
    out = io.StringIO()
    with django_capture_on_commit_callbacks() as enqueued:
        call_command("purge_job_files", stdout=out)
    assert "1 tâche(s) interrompue(s) relancée(s), 1 en échec" in out.getvalue()
    retried.refresh_from_db()
    failed.refresh_from_db()
    assert retried.status == Job.Status.QUEUED and len(enqueued) == 1  # enqueued once committed
    assert failed.status == Job.Status.FAILED and failed.upload is None


def test_a_run_taken_for_dead_writes_nothing_more(world):
    """A worker that was only slow, whose job was retried meanwhile, cannot overwrite the new run."""
    job = silent_job(world, attempts=1)
    old_run = Job.objects.get(pk=job.pk)
    Job.objects.filter(pk=job.pk).update(attempts=2, status=Job.Status.RUNNING, message="")
    tasks._progress(old_run)(10, 20)
    tasks._finish(old_run, Job.Status.FAILED, message="ancien")
    job.refresh_from_db()
    assert (job.status, job.done, job.message) == (Job.Status.RUNNING, 0, "")


# The fault test: a real worker process killed in the middle of an import --------------------------

ROWS = 200  # five chunks of 40 rows: killed after the first chunk is written, before the commit

SETUP = f"""
import django; django.setup()
from partnerships.models import Partnership
from accounts.models import User
from reports import kobo
from reports.models import Job
from reports.tasks import run_job
from reports.tests.test_imports import HEADERS
lines = [",".join(HEADERS)] + [
    f"kill-{{i}},2025-04-02T10:00:00,Import interrompu {{i}},2025-04-01,bureau-migrants,1,0,2,1,0,,"
    for i in range({ROWS})
]
job = Job.objects.create(
    partnership=Partnership.objects.get(slug="belfaa-jette-2022-2026"),
    user=User.objects.get(username="coordination"),
    kind=Job.Kind.IMPORT,
    upload=("\\n".join(lines) + "\\n").encode(),
    params={{"kind": "reunion-info", "filename": "kobo.csv", "mapping": kobo.guess_mapping(HEADERS), "lang": "fr"}},
)
run_job.enqueue(job.pk)
print(job.pk)
"""

# `manage.py db_worker`, with smaller chunks and a pause after the first progress report (where the
# first chunk is written but not committed), so that the test knows when to kill it.
WORKER = """
import time, django; django.setup()
from reports import kobo, tasks
kobo.Validator.CHUNK = 40
beating = tasks._progress
def paused(job):
    update = beating(job)
    def progress(done, total):
        update(done, total)
        print("progress", done, flush=True)
        time.sleep(120)
    return progress
tasks._progress = paused
from django.core.management import call_command
call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay")
"""

RECOVER = """
import datetime, django; django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db.models import F
from reports.models import Job
if {age}:  # the heartbeat window has passed
    Job.objects.filter(pk={pk}).update(
        heartbeat_at=F("heartbeat_at") - datetime.timedelta(minutes=settings.JOB_STALE_MINUTES + 1)
    )
call_command("purge_job_files")
"""

STATE = """
import json, django; django.setup()
from activities.models import Activity
from django_tasks_db.models import DBTaskResult
from reports.models import ImportedSubmission, Job
job = Job.objects.get(pk={pk})
print(json.dumps({{
    "status": job.status, "attempts": job.attempts, "message": job.message,
    "upload": job.upload is not None, "finished": job.finished_at is not None,
    "activities": Activity.objects.filter(title__startswith="Import interrompu").count(),
    "submissions": ImportedSubmission.objects.filter(uuid__startswith="kill-").count(),
    "queued": DBTaskResult.objects.filter(status="READY").count(),
}}))
"""


def django_process(database_url, code, **popen):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",  # a real queue, not the tests' immediate one
    }
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, text=True, **popen)  # noqa: S603


def run(database_url, code) -> str:
    process = django_process(database_url, code, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err[-3000:]
    return out


def kill_mid_import(database_url):
    """Starts `db_worker`, waits until it has written the first chunk inside the import's
    transaction, and kills it (SIGKILL: no clean-up of any kind)."""
    worker = django_process(database_url, WORKER, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        line = worker.stdout.readline()
        assert line.startswith("progress"), f"the worker never reached the import: {line!r}"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)  # reaped: its process id no longer exists


@pytest.fixture
def database_url(django_db_setup, django_db_blocker, tmp_path):
    """A database holding the shared world that other processes can open: a file copy of SQLite's
    in-memory test database, or PostgreSQL's test database itself (cleaned after)."""
    with django_db_blocker.unblock():
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            path = tmp_path / "twiza.sqlite3"
            copy = sqlite3.connect(path)
            connection.connection.backup(copy)
            copy.close()
            yield f"sqlite:///{path}"
            return
        config = connection.settings_dict
        password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
        host = f"{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}"
        before = set(Job.objects.values_list("pk", flat=True))
        try:
            yield f"postgres://{config['USER']}{password}@{host}/{config['NAME']}"
        finally:
            from django_tasks_db.models import DBTaskResult

            from activities.models import Activity

            Activity.objects.filter(title__startswith="Import interrompu").delete()
            Job.objects.exclude(pk__in=before).delete()
            DBTaskResult.objects.all().delete()
        connection.close()


def test_a_worker_killed_mid_import_leaves_nothing_and_the_job_ends(database_url):
    pk = int(run(database_url, SETUP))

    kill_mid_import(database_url)
    state = json.loads(run(database_url, STATE.format(pk=pk)))
    assert (state["status"], state["attempts"]) == ("running", 1)  # as the dead worker left it
    assert state["activities"] == state["submissions"] == 0  # its transaction died with it
    run(database_url, RECOVER.format(pk=pk, age=False))
    assert json.loads(run(database_url, STATE.format(pk=pk)))["status"] == "running"  # within its window

    run(database_url, RECOVER.format(pk=pk, age=True))
    state = json.loads(run(database_url, STATE.format(pk=pk)))
    assert (state["status"], state["queued"], state["upload"]) == ("queued", 1, True)  # retried once

    kill_mid_import(database_url)  # the retry dies too
    run(database_url, RECOVER.format(pk=pk, age=True))
    state = json.loads(run(database_url, STATE.format(pk=pk)))
    assert (state["status"], state["attempts"], state["finished"]) == ("failed", 2, True)
    assert "interrompue deux fois" in state["message"] and "rien n'a été enregistré" in state["message"]
    assert not state["upload"]  # the uploaded file is gone
    assert state["activities"] == state["submissions"] == state["queued"] == 0  # nothing half written

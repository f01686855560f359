"""A background job's files: encrypted at rest, served for a limited time, an export's only while its
author may still export; an import queued and run once however many times "Importer" is clicked."""

import copy
import datetime
import io
import os
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from activities.models import Activity
from partnerships.models import Membership, Role
from people.models import Person
from reports import actions, tasks, views
from reports.models import ImportedSubmission, Job
from reports.tests.test_imports import HEADERS, rows, run_import, upload, xlsx

SENTINEL = "Sentinelle-Job-9c2e"


def raw_job_table() -> bytes:
    """Every row of `reports_job`, read with raw SQL (blobs as their stored bytes)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(Job._meta.db_table)}")  # noqa: S608
        values = [v for row in cursor.fetchall() for v in row]
    return b"\n".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in values)


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    """Each test's uploaded files apart: rotation and purge go through the whole folder."""
    settings.JOB_FILES_ROOT = tmp_path / "jobs"


def csv(lines) -> bytes:
    return ("\n".join([",".join(HEADERS), *(",".join(map(str, line)) for line in lines)]) + "\n").encode()


def url(slug, job, file=False):
    return f"/p/{slug}/rapports/taches/{job.pk}/" + ("fichier" if file else "")


def export_job(client, slug):
    response = client.post(f"/p/{slug}/rapports/exports/personnes/en-arriere-plan/", {})
    assert response.status_code == 302
    job = Job.objects.filter(kind=Job.Kind.EXPORT).latest("pk")
    assert job.status == Job.Status.DONE, job.message
    return job


@pytest.fixture
def named(world):
    person = Person.objects.filter(partnership=world["partnership"], structure__code="centre-jour").first()
    person.first_name, person.last_name = SENTINEL, SENTINEL
    person.save()
    return person


def test_a_staff_export_is_encrypted_in_the_database_and_clear_in_the_download(world, named, client_for):
    slug, client = world["partnership"].slug, client_for("jour")
    job = export_job(client, slug)
    assert SENTINEL.encode() not in raw_job_table()
    if connection.vendor == "sqlite":
        assert SENTINEL not in "\n".join(connection.connection.iterdump())
    assert SENTINEL.encode() in client.get(url(slug, job, file=True)).content
    job.refresh_from_db()
    assert SENTINEL.encode() in job.output and job.finished_at is not None


def test_rotation_re_encrypts_job_files(world, settings):
    job = Job.objects.create(
        partnership=world["partnership"],
        user=world["users"]["jour"],
        kind=Job.Kind.EXPORT,
        status=Job.Status.DONE,
        output=SENTINEL.encode(),
    )
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_field_keys", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new]
    job.refresh_from_db()
    assert bytes(job.output) == SENTINEL.encode()


def test_an_import_keeps_its_upload_encrypted_then_drops_it(demo_activity, client_for):
    partnership = demo_activity["partnership"]
    client = client_for("coordination")
    lines = [[*row[:2], SENTINEL, *row[3:]] for row in rows(partnership)]
    data = ("\n".join([",".join(HEADERS), *(",".join(map(str, line)) for line in lines)]) + "\n").encode()
    dry_url, page = run_import(client, partnership.slug, data, name="export.csv")
    assert page.status_code == 200
    # docs/security.md 33: the file is not in the database but on disk, encrypted.
    with connection.cursor() as cursor:
        cursor.execute("SELECT upload FROM reports_job")
        assert cursor.fetchone() == (None,)
    job = Job.objects.get()
    assert job.upload_path.is_file() and SENTINEL.encode() not in job.upload_path.read_bytes()
    client.post(dry_url)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.upload is None
    assert not job.upload_path.exists()


def test_an_upload_is_never_read_whole(demo_activity, client_for, settings, monkeypatch):
    """docs/security.md 33: the upload is streamed, a chunk at a time, from Django's temporary file to
    the job's encrypted file, and back to a temporary file when the import runs."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django keeps every upload in a temporary file

    def read_a_chunk(self, size=-1):
        assert size is not None and size > 0, "the whole upload read at once"
        return self.file.read(size)

    monkeypatch.setattr(TemporaryUploadedFile, "read", read_a_chunk)
    partnership = demo_activity["partnership"]
    client = client_for("coordination")
    for name, data in [("export.xlsx", xlsx(rows(partnership))), ("export.csv", csv(rows(partnership)))]:
        dry_url, page = run_import(client, partnership.slug, data, name=name)
        assert page.status_code == 200 and page.context["job"].params["check"]["new"] == 2
        job = Job.objects.latest("pk")
        assert job.upload is None and job.upload_path.is_file()
        client.post(dry_url)
        job.refresh_from_db()
        assert job.status == Job.Status.DONE, job.message
        assert not job.upload_path.exists()
        Activity.objects.filter(pk__in=ImportedSubmission.objects.values("activity")).delete()
        ImportedSubmission.objects.all().delete()


def test_an_older_job_with_its_upload_in_the_column_still_imports(demo_activity, client_for):
    partnership = demo_activity["partnership"]
    client = client_for("coordination")
    assert upload(client, partnership.slug, xlsx(rows(partnership))).status_code == 302
    job = Job.objects.get()
    with job.open_upload() as file:
        data = file.read()
    job.delete_upload()
    job.params = {key: value for key, value in job.params.items() if key != "upload_file"}
    job.upload = data
    job.save()
    mapping_url = f"/p/{partnership.slug}/imports/{job.pk}/correspondance/"
    form = client.get(mapping_url).context["form"]
    response = client.post(mapping_url, {k: form.initial.get(k, "") for k in form.fields})
    client.post(response["Location"])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.upload is None, job.message


def test_an_import_whose_file_is_gone_asks_for_it_again(demo_activity, client_for):
    """Uploaded files are not in the backup: after a restore, the import asks for the file again."""
    partnership = demo_activity["partnership"]
    client = client_for("coordination")
    assert upload(client, partnership.slug, xlsx(rows(partnership))).status_code == 302
    job = Job.objects.get()
    job.delete_upload()
    response = client.get(f"/p/{partnership.slug}/imports/{job.pk}/correspondance/", follow=True)
    assert response.redirect_chain[-1][0] == f"/p/{partnership.slug}/imports/"
    assert "envoyez-le de nouveau" in response.content.decode()


def test_rotation_re_encrypts_uploaded_files(demo_activity, client_for, settings):
    partnership = demo_activity["partnership"]
    assert upload(client_for("coordination"), partnership.slug, xlsx(rows(partnership))).status_code == 302
    job = Job.objects.get()
    with job.open_upload() as file:
        clear = file.read()
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_field_keys", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new]
    with job.open_upload() as file:
        assert file.read() == clear


def test_purge_sweeps_old_uploaded_files_no_job_needs(demo_activity, client_for, settings):
    partnership = demo_activity["partnership"]
    assert upload(client_for("coordination"), partnership.slug, xlsx(rows(partnership))).status_code == 302
    needed = Job.objects.get().upload_path
    left = needed.with_name("left-by-a-dead-process.upload")
    left.write_bytes(b"x")
    recent = needed.with_name("being-uploaded.upload")
    recent.write_bytes(b"x")
    long_ago = (datetime.datetime.now() - datetime.timedelta(hours=settings.JOB_FILES_HOURS + 1)).timestamp()
    for path in (needed, left):
        os.utime(path, (long_ago, long_ago))
    out = io.StringIO()
    call_command("purge_job_files", stdout=out)
    assert "1 fichier(s) envoyé(s) effacé(s)" in out.getvalue()
    assert needed.exists() and recent.exists() and not left.exists()


def test_a_finished_jobs_file_expires_then_is_purged(world, client_for, settings):
    slug, client = world["partnership"].slug, client_for("jour")
    job = export_job(client, slug)
    page = client.get(url(slug, job)).content.decode()
    assert "Fichier disponible jusqu" in page and "a expiré" not in page
    Job.objects.filter(pk=job.pk).update(
        finished_at=job.finished_at - datetime.timedelta(hours=settings.JOB_FILES_HOURS, minutes=1)
    )
    assert client.get(url(slug, job, file=True)).status_code == 404  # before the purge already
    page = client.get(url(slug, job)).content.decode()
    assert "Le fichier a expiré" in page and "/fichier" not in page
    assert "fichier expiré" in client.get(f"/p/{slug}/rapports/exports/").content.decode()
    recent = export_job(client, slug)
    out = io.StringIO()
    call_command("purge_job_files", stdout=out)
    assert "1 tâche(s)" in out.getvalue()
    job.refresh_from_db()
    recent.refresh_from_db()
    assert job.output is None and job.filename and recent.output is not None
    assert "Le fichier a expiré" in client.get(url(slug, job)).content.decode()
    out = io.StringIO()
    call_command("purge_job_files", stdout=out)
    assert "0 tâche(s)" in out.getvalue() and "0 import(s)" in out.getvalue()


def test_an_abandoned_import_is_ended_and_its_upload_deleted(demo_activity, client_for, settings):
    slug, client = demo_activity["partnership"].slug, client_for("coordination")
    assert upload(client, slug, xlsx(rows(demo_activity["partnership"]))).status_code == 302
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(
        created_at=job.created_at - datetime.timedelta(hours=settings.JOB_FILES_HOURS, minutes=1)
    )
    call_command("purge_job_files", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.upload is None and job.finished_at
    assert not job.upload_path.exists()
    assert "Import abandonné" in client.get(url(slug, job)).content.decode()
    # The import's pages send back to the job's page.
    assert client.get(f"/p/{slug}/imports/{job.pk}/correspondance/").status_code == 302


def test_an_export_is_served_only_while_its_author_may_export(world, named, client_for):
    partnership, user = world["partnership"], world["users"]["jour"]
    client = client_for("jour")
    job = export_job(client, partnership.slug)
    file_url = url(partnership.slug, job, file=True)
    assert file_url in client.get(url(partnership.slug, job)).content.decode()
    Membership.objects.filter(user=user, partnership=partnership).update(
        role=Role.PARTNER_OFFICER, structure=None
    )
    page = client.get(url(partnership.slug, job))
    assert page.status_code == 200 and file_url not in page.content.decode()  # no dead link
    assert client.get(file_url).status_code == 404


def test_a_report_file_keeps_the_reports_rule(world, client_for):
    partnership, user = world["partnership"], world["users"]["coordination"]
    client = client_for("coordination")
    client.post(f"/p/{partnership.slug}/rapports/2025/en-arriere-plan/")
    job = Job.objects.get(kind=Job.Kind.PDF)
    Membership.objects.filter(user=user, partnership=partnership).update(role=Role.PARTNER_OFFICER)
    assert client.get(url(partnership.slug, job, file=True)).status_code == 200


def test_importer_clicked_twice_imports_once(demo_activity, client_for, monkeypatch):
    """Both requests read the job before either queued it (a double click): one import queued; a
    task run twice imports once and the job ends done."""
    partnership, user = demo_activity["partnership"], demo_activity["users"]["coordination"]
    client = client_for("coordination")
    dry_url, _page = run_import(client, partnership.slug, xlsx(rows(partnership)))
    job = Job.objects.get()
    stale = views.get_job_for_user(user, partnership.slug, job.pk)
    monkeypatch.setattr(views, "get_job_for_user", lambda *args: (copy.copy(stale[0]), stale[1]))
    queued = []
    monkeypatch.setattr(actions, "run_job", SimpleNamespace(enqueue=queued.append))
    before = Activity.objects.count()
    assert client.post(dry_url).status_code == 302
    assert client.post(dry_url).status_code == 302
    assert queued == [job.pk]
    assert [tasks.run_job.call(job.pk), tasks.run_job.call(job.pk)] == ["done", "skipped"]
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert Activity.objects.count() == before + 2 and ImportedSubmission.objects.count() == 2

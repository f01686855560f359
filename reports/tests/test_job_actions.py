"""The jobs' and the import's steps as actions, tested directly (tasks run at once in the tests):
opened, mapped and checked, started once; a file that cannot be read keeps nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities.models import Activity
from reports import actions, kobo
from reports.models import ImportedSubmission, ImportMapping, Job
from reports.tests.test_imports import HEADERS, rows, xlsx


@pytest.fixture
def opened(demo_activity, coordination):
    partnership = demo_activity["partnership"]
    upload = SimpleUploadedFile("export.xlsx", xlsx(rows(partnership)))
    return actions.open_import(partnership, coordination, "reunion-info", upload)


def test_open_import_keeps_the_upload_and_guesses_the_mapping(opened, coordination):
    job = Job.objects.get(pk=opened.pk)
    assert (job.kind, job.status, job.user) == (Job.Kind.IMPORT, Job.Status.QUEUED, coordination)
    assert job.params["mapping"] == kobo.guess_mapping(HEADERS) and not job.params["remembered"]
    assert job.upload_path.exists()  # encrypted on disk until the job ends
    assert "check_token" not in job.params and "enqueued" not in job.params


def test_open_import_of_an_unreadable_file_keeps_nothing(demo_activity, coordination, settings, tmp_path):
    settings.JOB_FILES_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("export.xlsx", b"PK\x03\x04 not a workbook")

    with pytest.raises(kobo.UnreadableFile):
        actions.open_import(demo_activity["partnership"], coordination, "reunion-info", upload)

    assert not Job.objects.exists() and not list(tmp_path.iterdir())


def test_map_import_remembers_the_mapping_and_checks_it(opened):
    mapping = kobo.guess_mapping(HEADERS)

    actions.map_import(opened, mapping, HEADERS)

    job = Job.objects.get(pk=opened.pk)
    assert job.params["mapping"] == mapping and job.params["check_token"]
    assert job.params["check"]["new"] == 2 and not job.params["check"]["problem_count"]  # checked at once
    remembered = ImportMapping.objects.get(partnership=job.partnership, fingerprint=kobo.fingerprint(HEADERS))
    assert remembered.columns == mapping
    assert job.status == Job.Status.QUEUED and not Activity.objects.filter(title="Réunion douar").exists()


def test_start_import_is_refused_before_a_clean_check(opened):
    with pytest.raises(actions.NotChecked, match="vérifié"):
        actions.start_import(opened)
    without_dates = {k: v for k, v in kobo.guess_mapping(HEADERS).items() if k != "date"}
    actions.map_import(opened, without_dates, HEADERS)  # the date is required: the check fails
    job = Job.objects.get(pk=opened.pk)
    assert job.params["check"].get("problem_count") or job.params["check"].get("unreadable")

    with pytest.raises(actions.NotChecked):
        actions.start_import(job)

    assert Job.objects.get(pk=opened.pk).status == Job.Status.QUEUED
    assert not ImportedSubmission.objects.exists()


def test_start_import_claims_once(opened):
    actions.map_import(opened, kobo.guess_mapping(HEADERS), HEADERS)
    first_read = Job.objects.get(pk=opened.pk)
    second_read = Job.objects.get(pk=opened.pk)  # a double click: both requests read the job queued

    assert actions.start_import(first_read) is True
    assert actions.start_import(second_read) is False

    job = Job.objects.get(pk=opened.pk)
    assert job.status == Job.Status.DONE and job.params["enqueued"] and job.total == 2
    assert ImportedSubmission.objects.filter(partnership=job.partnership).count() == 2  # imported once


def test_a_started_import_keeps_its_mapping(opened):
    mapping = kobo.guess_mapping(HEADERS)
    actions.map_import(opened, mapping, HEADERS)
    stale = Job.objects.get(pk=opened.pk)
    actions.start_import(Job.objects.get(pk=opened.pk))

    with pytest.raises(actions.ImportStarted):
        actions.map_import(stale, {k: v for k, v in mapping.items() if k != "title"}, HEADERS)

    assert Job.objects.get(pk=opened.pk).params["mapping"] == mapping


@pytest.mark.parametrize(
    ("kind", "params"),
    [(Job.Kind.XLSX, {"year": 2025}), (Job.Kind.EXPORT, {"what": "activites", "filters": {}})],
)
def test_queue_job_creates_and_runs_it(demo_activity, coordination, kind, params):
    job = actions.queue_job(demo_activity["partnership"], coordination, kind, params)

    job.refresh_from_db()
    assert job.params["lang"] and all(job.params[k] == v for k, v in params.items())
    assert job.status == Job.Status.DONE and job.output

"""Long work as tasks (run immediately in the tests): a PDF prepared in the background, with its progress page."""

from reports.models import Job


def test_background_pdf_then_download_for_its_author_only(demo_activity, client_for):
    slug = demo_activity["partnership"].slug
    client = client_for("coordination")
    response = client.post(f"/p/{slug}/rapports/2025/en-arriere-plan/")
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and job.percent == 100
    page = client.get(response["Location"])
    assert "Télécharger" in page.content.decode()
    assert 'hx-trigger="every 2s"' not in page.content.decode()  # finished: no more polling
    file = client.get(f"/p/{slug}/rapports/taches/{job.pk}/fichier")
    assert file.status_code == 200 and file.content.startswith(b"%PDF")
    assert client_for("jette").get(f"/p/{slug}/rapports/taches/{job.pk}/fichier").status_code == 404


def test_unfinished_job_page_polls(demo_activity, client_for):
    job = Job.objects.create(
        partnership=demo_activity["partnership"],
        user=demo_activity["users"]["coordination"],
        kind="import",
        total=10,
        done=4,
    )
    page = client_for("coordination").get(f"/p/{demo_activity['partnership'].slug}/rapports/taches/{job.pk}/")
    html = page.content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="40"' in html


def test_tasks_use_the_database_backend_outside_tests():
    import os

    from config import settings as config_settings

    assert os.environ["TASKS_BACKEND"].endswith("ImmediateBackend")
    assert "django_tasks_db" in config_settings.INSTALLED_APPS

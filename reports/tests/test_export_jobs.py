"""Exports prepared in the background (tasks run immediately in the tests): the same CSV as the
direct download, the same allow-list, the author's only, and checked again when the task runs."""

import csv
import io

import pytest

from partnerships.models import Membership
from people.models import Person
from reports import tasks
from reports.exports import IDENTITY_COLUMNS, PEOPLE_COLUMNS
from reports.models import Job

SENTINEL = "Zoubida-Sentinelle"
FILTERS = {"personnes": {"sex": "F"}, "activites": {"kind": "reunion-info", "date_from": "2025-01-01"}}


def direct(client, slug, what, filters):
    response = client.get(f"/p/{slug}/rapports/exports/{what}.csv", filters)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def background(client, slug, what, filters):
    """Starts a background export; returns the job and the downloaded file."""
    response = client.post(f"/p/{slug}/rapports/exports/{what}/en-arriere-plan/", filters)
    assert response.status_code == 302
    job = Job.objects.filter(kind=Job.Kind.EXPORT).latest("pk")
    assert response["Location"] == f"/p/{slug}/rapports/taches/{job.pk}/"
    assert job.status == Job.Status.DONE, job.message
    file = client.get(f"/p/{slug}/rapports/taches/{job.pk}/fichier")
    assert file.status_code == 200
    assert file["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{what}-{slug}.csv"' in file["Content-Disposition"]
    return job, file.content


def parse(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def named(world):
    person = Person.objects.filter(partnership=world["partnership"], structure__code="centre-jour").first()
    person.first_name, person.phone = SENTINEL, "0600000000"
    person.save()
    return person


@pytest.mark.parametrize("persona", ["coordination", "jour", "accueil"])
@pytest.mark.parametrize("what", ["personnes", "activites"])
def test_background_csv_equals_the_direct_one(world, named, client_for, persona, what):
    slug, client = world["partnership"].slug, client_for(persona)
    job, data = background(client, slug, what, FILTERS[what])
    assert data == direct(client, slug, what, FILTERS[what])
    assert job.params["filters"] == FILTERS[what]
    assert job.done == job.total == len(parse(data))


@pytest.mark.parametrize(
    "persona, identity", [("coordination", False), ("jour", True), ("accueil", True), ("ecoute", True)]
)
def test_background_export_holds_only_the_allow_list(world, named, client_for, persona, identity):
    _job, data = background(client_for(persona), world["partnership"].slug, "personnes", {})
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    allowed = set(PEOPLE_COLUMNS) | (set(IDENTITY_COLUMNS) if identity else set())
    assert set(header) <= allowed and set(PEOPLE_COLUMNS) <= set(header)
    # The day centre's name and phone leave only with the day centre's own staff.
    assert (SENTINEL.encode() in data) == (persona == "jour")
    assert (b"0600000000" in data) == (persona == "jour")


def test_background_export_applies_the_filters_and_keeps_no_search(world, client_for):
    slug, client = world["partnership"].slug, client_for("coordination")
    _job, everyone = background(client, slug, "personnes", {})
    job, women = background(client, slug, "personnes", {"sex": "F", "q": SENTINEL})
    women = parse(women)
    assert women and all(r["sexe"] == "F" for r in women)
    assert len(women) < len(parse(everyone))
    # A search may be a name: it is not kept in the job's parameters (stored in clear).
    assert "q" not in job.params["filters"] and SENTINEL not in str(job.params)


@pytest.mark.parametrize("persona", ["jour", "jette", "reseau", "admin", "autre_coordination", "outsider"])
def test_nobody_else_sees_or_downloads_the_job(world, client_for, persona):
    slug = world["partnership"].slug
    job, _data = background(client_for("coordination"), slug, "personnes", {})
    client = client_for(persona)
    assert client.get(f"/p/{slug}/rapports/taches/{job.pk}/").status_code == 404
    assert client.get(f"/p/{slug}/rapports/taches/{job.pk}/fichier").status_code == 404
    page = client.get(f"/p/{slug}/rapports/exports/")
    assert page.status_code == 404 or f"/taches/{job.pk}/" not in page.content.decode()


def test_a_user_who_lost_the_role_gets_a_failed_job_without_output(world):
    partnership, user = world["partnership"], world["users"]["jour"]
    job = Job.objects.create(
        partnership=partnership,
        user=user,
        kind=Job.Kind.EXPORT,
        params={"what": "personnes", "filters": {}, "lang": "fr"},
    )
    Membership.objects.filter(user=user, partnership=partnership).delete()
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.output is None and not job.filename
    assert "plus le droit d'exporter" in job.message


def test_progress_is_written_every_so_many_rows(world, monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "EXPORT_PROGRESS_EVERY", 2)
    monkeypatch.setattr(tasks, "_progress", lambda job: lambda done, total: calls.append((done, total)))
    job = Job.objects.create(
        partnership=world["partnership"],
        user=world["users"]["coordination"],
        kind=Job.Kind.EXPORT,
        params={"what": "personnes", "filters": {}, "lang": "fr"},
    )
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.total >= 4
    assert calls == [(0, job.total)] + [(n, job.total) for n in range(2, job.total + 1, 2)]


def test_exports_page_lists_the_users_export_jobs(world, client_for):
    slug, client = world["partnership"].slug, client_for("jour")
    html = client.get(f"/p/{slug}/rapports/exports/").content.decode()
    assert "Aucun export préparé en arrière-plan" in html
    assert "ligne" in html  # the row count that tells when to prefer the background
    job, _data = background(client, slug, "activites", {"kind": "reunion-info"})
    html = client.get(f"/p/{slug}/rapports/exports/?sex=F").content.decode()
    assert f"/taches/{job.pk}/fichier" in html and "terminé" in html
    assert "Aucun export préparé en arrière-plan" not in html
    assert 'name="sex" value="F"' in html  # the page's filters go with both buttons


def test_the_background_button_posts_with_its_csrf_token(world, users):
    """The token is the button's own value: sent with the background POST, never in the download's address."""
    import re

    from django.test import Client

    from conftest import verify_second_factor

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["jour"])
    verify_second_factor(client, users["jour"])
    slug = world["partnership"].slug
    html = client.get(f"/p/{slug}/rapports/exports/?sex=F").content.decode()
    token = re.search(
        r'formaction="[^"]*/personnes/en-arriere-plan/" name="csrfmiddlewaretoken" value="([^"]+)"', html
    )
    assert (
        client.post(f"/p/{slug}/rapports/exports/personnes/en-arriere-plan/", {"sex": "F"}).status_code == 403
    )
    response = client.post(
        f"/p/{slug}/rapports/exports/personnes/en-arriere-plan/",
        {"sex": "F", "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert Job.objects.get(kind=Job.Kind.EXPORT).params["filters"] == {"sex": "F"}

"""The review queue (issue 17, points 4 and 6): the structure's staff see what waits with its problems
in plain words, correct it (applied through the same path) or reject it; a stale review is refused;
other structures' staff and the listening centre get 404; "Mon travail" lists what waits."""

import pytest
from django.urls import reverse

from activities.models import Activity
from collect import intake
from collect.models import Submission
from collect.tests.factories import DeviceFactory, FormVersionFactory
from collect.tests.test_intake import xml
from work.waiting import waiting_for


@pytest.fixture
def waiting(world):
    """A submission of the migrant office with an unknown result: it waits."""
    partnership = world["partnership"]
    bureau = partnership.structures.get(code="bureau-migrants")
    device = DeviceFactory(structure=bureau, user=world["users"]["accueil"])
    form = FormVersionFactory(structure=bureau)
    data = xml(form.form_id, "queue-1", results="R9", tallies=[("migrants", "2", "1", "")])
    submission = intake.receive_xml(device, data).submission
    assert submission.status == Submission.Status.WAITING
    return submission


def urls(submission):
    slug = submission.partnership.slug
    return reverse("collect:queue", kwargs={"slug": slug}), reverse(
        "collect:review", kwargs={"slug": slug, "pk": submission.pk}
    )


def shown(client, review) -> dict:
    """The review form's answers as the page shows them, to post back with a correction."""
    form = client.get(review).context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_the_queue_lists_what_waits_and_the_review_shows_each_problem_by_its_field(waiting, client_for):
    queue, review = urls(waiting)
    page = client_for("accueil").get(queue).content.decode()
    assert review in page
    html = client_for("accueil").get(review).content.decode()
    assert "Résultat inconnu : « R9 »." in html
    field = html.index('name="activite/resultats"')
    assert html.index("Résultat inconnu") > field  # beside its field, after it


def test_an_empty_queue_says_so(world, client_for):
    page = client_for("jour").get(reverse("collect:queue", kwargs={"slug": world["partnership"].slug}))
    assert "Aucun envoi n'attend de révision." in page.content.decode()


def test_a_correction_applies_it_through_the_same_path(waiting, client_for):
    queue, review = urls(waiting)
    client = client_for("accueil")
    data = shown(client, review)
    data["activite/resultats"] = "R1"
    before = Activity.objects.count()
    response = client.post(review, data)
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Submission.Status.APPLIED and waiting.problems == []
    assert Activity.objects.count() == before + 1
    assert [r.code for r in waiting.activity.results.all()] == ["R1"]
    assert waiting.activity.tallies.get(sex="F").count == 2
    page = client.get(queue).content.decode()
    assert (
        reverse("activities:detail", kwargs={"slug": waiting.partnership.slug, "pk": waiting.activity.pk})
        in page
    )
    assert client.post(review, data).status_code == 302  # no longer waiting: nothing more written
    assert Activity.objects.count() == before + 1


def test_a_correction_still_wrong_stays_waiting_with_its_new_problems(waiting, client_for):
    _queue, review = urls(waiting)
    client = client_for("coordination")
    data = shown(client, review)
    data["activite/resultats"], data["activite/date"] = "R1", "2025-02-30"
    client.post(review, data)
    waiting.refresh_from_db()
    assert waiting.status == Submission.Status.WAITING
    assert [p["message"] for p in waiting.problems] == [
        "Date impossible : « 2025-02-30 » (attendu AAAA-MM-JJ)."
    ]


def test_a_stale_review_is_refused_and_writes_nothing(waiting, client_for):
    _queue, review = urls(waiting)
    client = client_for("accueil")
    data = shown(client, review)
    data["activite/resultats"] = "R1"
    Submission.objects.filter(pk=waiting.pk).update(version=waiting.version + 1)  # someone reviewed it
    before = Activity.objects.count()
    assert client.post(review, data).status_code == 409
    assert Activity.objects.count() == before


def test_a_rejection_keeps_the_reason_and_writes_nothing(waiting, client_for):
    queue, review = urls(waiting)
    before = Activity.objects.count()
    response = client_for("accueil").post(
        review, {"reject": "1", "version": waiting.version, "reason": "Doublon de la réunion du 1er avril"}
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Submission.Status.REJECTED and waiting.reject_reason.startswith("Doublon")
    assert Activity.objects.count() == before
    assert client_for("accueil").get(queue).context["page"].object_list.count() == 0


@pytest.mark.parametrize("name", ["jour", "ecoute", "centre", "jette", "reseau", "admin", "outsider"])
def test_other_structures_and_the_centre_get_404(name, waiting, client_for):
    _queue, review = urls(waiting)
    assert client_for(name).get(review).status_code == 404


def test_my_work_lists_the_submissions_waiting(waiting, world):
    for name, expected in [("accueil", 1), ("coordination", 1), ("jour", 0), ("ecoute", 0)]:
        found = next(w for w in waiting_for(world["users"][name]) if w.kind == "submissions")
        assert found.count == expected, name
    _queue, review = urls(waiting)
    assert (
        found.url == ""
        and next(w for w in waiting_for(world["users"]["accueil"]) if w.kind == "submissions").items[0].url
        == review
    )

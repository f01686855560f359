"""Kobo's REST push (issue 17, point 5): a hook's URL takes Kobo's JSON through the same path,
idempotent on `_uuid`; a revoked hook or a user who no longer collects is refused; bad JSON is a 400."""

import json

import pytest
from django.urls import reverse

from activities.models import Activity
from collect.models import KoboHook, Submission
from collect.tests.factories import FormVersionFactory, KoboHookFactory
from partnerships.models import Membership


@pytest.fixture
def hook(world):
    bureau = world["partnership"].structures.get(code="bureau-migrants")
    form = FormVersionFactory(structure=bureau)
    hook = KoboHookFactory(structure=bureau, user=world["users"]["accueil"])
    hook.form = form
    return hook


def push(client, hook, body, secret=None):
    url = reverse("openrosa:kobo", kwargs={"slug": hook.partnership.slug, "secret": secret or hook.secret})
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def kobo_json(hook, uuid, **answers):
    return {
        "_uuid": uuid,
        "_xform_id_string": hook.form.form_id,
        "__version__": "vAbc",
        "activite/type": "campagne",
        "activite/date": "2025-06-10",
        "activite/resultats": "R2",
        "comptages": [{"comptages/public": "migrants", "comptages/femmes": "5", "comptages/hommes": "3"}],
        "meta/instanceID": f"uuid:{uuid}",
        **answers,
    }


def test_a_push_is_applied_once_and_a_resend_adds_nothing(hook, client):
    before = Activity.objects.count()
    first = push(client, hook, kobo_json(hook, "k-1"))
    assert first.status_code == 201, first.json()
    submission = Submission.objects.get(instance_id="k-1")
    assert submission.hook == hook and submission.activity.kind == "campagne"
    assert submission.activity.tallies.get(sex="F").count == 5
    again = push(client, hook, kobo_json(hook, "k-1", **{"activite/resultats": "R9"}))
    assert again.status_code == 200
    assert Activity.objects.count() == before + 1 and Submission.objects.count() == 1
    assert KoboHook.objects.get(pk=hook.pk).last_seen_at is not None


def test_a_push_with_a_problem_waits_for_review(hook, client):
    response = push(client, hook, kobo_json(hook, "k-2", **{"activite/type": "pique-nique"}))
    assert response.status_code == 202
    assert Submission.objects.get(instance_id="k-2").problems == [
        {"field": "activite/type", "message": "Type d'activité inconnu : « pique-nique »."}
    ]


def test_bad_json_unknown_secret_revoked_hook_and_a_user_gone(hook, client):
    assert push(client, hook, b"{not json").status_code == 400
    assert push(client, hook, ["a list"]).status_code == 400
    assert push(client, hook, kobo_json(hook, "k-3"), secret="pas-le-bon").status_code == 404
    assert push(client, hook, {**kobo_json(hook, "k-3"), "_xform_id_string": "autre"}).status_code == 404
    Membership.objects.filter(user=hook.user).delete()
    assert push(client, hook, kobo_json(hook, "k-3")).status_code == 403
    KoboHook.objects.filter(pk=hook.pk).update(revoked_at="2026-01-01T00:00:00Z")
    response = push(client, hook, kobo_json(hook, "k-3"))
    assert response.status_code == 403 and response.json()["message"]
    assert not Submission.objects.exists()


def test_the_hook_page_shows_the_secret_once_and_revokes(world, client_for):
    client = client_for("accueil")
    url = reverse("collect:hooks", kwargs={"slug": world["partnership"].slug})
    bureau = world["partnership"].structures.get(code="bureau-migrants")
    page = client.post(url, {"structure": bureau.pk, "kind": "activite", "label": "Campagne douars"})
    assert page.status_code == 200
    shown = page.context["created_url"]
    assert "/kobo/" in shown and "Services REST" in page.content.decode()
    hook = KoboHook.objects.get(label="Campagne douars")
    assert shown.rsplit("/", 1)[1] not in client.get(url).content.decode()  # never shown again
    assert client.post(url, {"structure": bureau.pk, "kind": "seance_jour", "label": "x"}).status_code == 400
    revoke = reverse("collect:hook_revoke", kwargs={"slug": world["partnership"].slug, "pk": hook.pk})
    assert client.post(revoke).status_code == 302
    hook.refresh_from_db()
    assert hook.revoked_at is not None

"""Issue 14: a listener's long account, typed while her session ended, is never lost: kept encrypted,
it lands in the case once, after she signs in again with her password and her code (accounts/kept.py)."""

import pytest
from django.urls import reverse

from accounts.tests.signing_in import (
    NARRATIVE,
    SENTINEL,
    idle_too_long,
    kept_after_expiry,
    send_kept,
    sign_in_again,
    signed_in,
)

pytestmark = pytest.mark.small_world


def test_a_listeners_long_account_survives_expiry_and_lands_in_the_case(sentinel_case, users):
    client = signed_in(users["ecoute"].username)
    url = reverse(
        "cases:case_add",
        kwargs={"slug": sentinel_case.partnership.slug, "code": sentinel_case.code, "kind": "incident"},
    )
    assert client.get(url).status_code == 200
    idle_too_long(client)
    typed = {
        "type": "agression-physique",
        "context": "partenaire",
        "month_of": "2025-02",
        "narrative": NARRATIVE,
    }
    resume = kept_after_expiry(client, url, typed)
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))  # signed out indeed

    response = sign_in_again(client, users["ecoute"].username, resume)  # password, then her code
    assert response["Location"] == resume
    response = send_kept(client, resume)
    assert response.status_code == 302 and response["Location"].endswith(f"/dossiers/{sentinel_case.code}/")
    assert [i.narrative for i in sentinel_case.incidents.all()].count(NARRATIVE.strip()) == 1


def test_a_form_sent_twice_after_signing_in_again_is_applied_once(sentinel_case, users):
    client = signed_in(users["ecoute"].username)
    url = reverse(
        "cases:case_add",
        kwargs={"slug": sentinel_case.partnership.slug, "code": sentinel_case.code, "kind": "note"},
    )
    idle_too_long(client)
    text = f"Note {SENTINEL}"
    resume = kept_after_expiry(client, url, {"date": "2025-03-07", "text": text})
    sign_in_again(client, users["ecoute"].username, resume)
    first = send_kept(client, resume)
    kept_id = resume.rstrip("/").rsplit("/", 1)[1]
    second = client.post(url, {"_twiza_kept": kept_id}, follow=True)  # a double tap, or a reload
    assert first.status_code == 302
    assert "déjà été envoyé" in second.content.decode()
    assert [note.text for note in sentinel_case.notes.all()].count(text) == 1


def test_a_failed_send_keeps_the_copy(sentinel_case, users, monkeypatch):
    from cases import views

    client = signed_in(users["ecoute"].username)
    url = reverse(
        "cases:case_add",
        kwargs={"slug": sentinel_case.partnership.slug, "code": sentinel_case.code, "kind": "note"},
    )
    idle_too_long(client)
    resume = kept_after_expiry(client, url, {"date": "2025-03-07", "text": NARRATIVE})
    sign_in_again(client, users["ecoute"].username, resume)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    form, _action, title = views.ADD_KINDS["note"]
    monkeypatch.setitem(views.ADD_KINDS, "note", (form, broken, title))
    client.raise_request_exception = False
    assert send_kept(client, resume).status_code == 500
    monkeypatch.undo()
    assert send_kept(client, resume).status_code == 302
    assert [note.text for note in sentinel_case.notes.all()].count(NARRATIVE.strip()) == 1

"""Issue 14, "work survives": a form sent after the session ended is kept, encrypted, for its author
alone; she signs in again and sends it once; a stale tab's CSRF failure gets a friendly, translated
page that offers to send it again (accounts/kept.py). The case narratives: cases/tests."""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import KeptSubmission
from activities.models import Activity

from .signing_in import SENTINEL, idle_too_long, kept_after_expiry, send_kept, sign_in_again, signed_in

pytestmark = pytest.mark.small_world


def test_a_normal_form_survives_expiry(partnership, coordination):
    client = signed_in(coordination.username)
    url = reverse("activities:create", kwargs={"slug": partnership.slug})
    idle_too_long(client)
    typed = {"kind": "comite", "title": f"Comité {SENTINEL}", "date": "2025-01-10"}
    resume = kept_after_expiry(client, url, typed)
    assert not Activity.objects.filter(title__contains=SENTINEL).exists()

    login_page = client.get(f"{reverse('accounts:login')}?next={resume}")
    assert "Ce que vous aviez saisi est gardé" in login_page.content.decode()
    assert sign_in_again(client, coordination.username, resume)["Location"] == resume
    page = client.get(resume)
    assert SENTINEL in page.content.decode()  # she reads what she typed before sending it
    response = send_kept(client, resume)
    activity = Activity.objects.get(title=f"Comité {SENTINEL}")
    assert response.status_code == 302 and f"/activites/{activity.pk}/" in response["Location"]
    assert not KeptSubmission.objects.exists()


def test_the_kept_copy_is_encrypted_and_expires(partnership, coordination):
    client = signed_in(coordination.username)
    url = reverse("activities:create", kwargs={"slug": partnership.slug})
    idle_too_long(client)
    resume = kept_after_expiry(client, url, {"kind": "comite", "title": SENTINEL, "date": "2025-01-10"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT content, expires_at FROM accounts_keptsubmission")
        rows = cursor.fetchall()
    assert len(rows) == 1 and SENTINEL.encode() not in bytes(rows[0][0])
    kept = KeptSubmission.objects.get()
    hours = (kept.expires_at - kept.created_at).total_seconds() / 3600
    assert 3.9 < hours < 4.1  # KEPT_SUBMISSION_HOURS

    KeptSubmission.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = sign_in_again(client, coordination.username, resume)
    home = client.get(response["Location"], follow=True)
    assert "Aucune saisie n&#x27;attend" in home.content.decode()
    kept_id = resume.rstrip("/").rsplit("/", 1)[1]
    assert client.post(url, {"_twiza_kept": kept_id})["Location"] == "/"
    assert not Activity.objects.filter(title=SENTINEL).exists()
    # The next copy kept, by anyone, deletes the expired ones.
    idle_too_long(client)
    kept_after_expiry(client, url, {"kind": "comite", "title": "autre", "date": "2025-01-10"})
    assert KeptSubmission.objects.count() == 1 and KeptSubmission.objects.get().pk != kept.pk


def test_another_user_on_that_browser_never_sees_it(partnership, coordination, jour):
    client = signed_in(coordination.username)
    url = reverse("activities:create", kwargs={"slug": partnership.slug})
    idle_too_long(client)
    resume = kept_after_expiry(client, url, {"kind": "comite", "title": SENTINEL, "date": "2025-01-10"})
    kept_id = resume.rstrip("/").rsplit("/", 1)[1]

    # "jour" sits down at the same browser and signs in from the very same sign-in link.
    response = sign_in_again(client, jour.username, resume)
    seen = [client.get(response["Location"], follow=True)]
    seen.append(client.get(resume, follow=True))
    seen.append(client.post(url, {"_twiza_kept": kept_id}, follow=True))
    for page in seen:
        assert SENTINEL not in page.content.decode()
    assert "Aucune saisie n&#x27;attend" in seen[1].content.decode()
    assert not Activity.objects.filter(title=SENTINEL).exists()
    assert KeptSubmission.objects.filter(pk=kept_id).exists()  # still hers
    # The author, back later, finds it waiting right after signing in.
    author = Client()
    response = sign_in_again(author, coordination.username, "/")
    assert response["Location"] == resume


def test_stay_signed_in_renews_the_session(client_for):
    client = client_for("coordination")
    page = client.get("/").content.decode()
    assert 'role="alertdialog"' in page and "Continuer ma session" in page
    assert 'name="twiza-author"' in page and "js/session.js" in page
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=2))
    assert client.post(reverse("accounts:keepalive")).status_code == 204
    left = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert left > datetime.timedelta(minutes=29)


@pytest.mark.parametrize(
    "language, words",
    [
        ("fr", "Ce formulaire a expiré"),
        ("ar", 'dir="rtl"'),
        ("nl", "Dit formulier is verlopen"),
        ("en", "This form has expired"),
    ],
)
def test_a_stale_tab_gets_a_friendly_translated_page_that_resends(partnership, coordination, language, words):
    client = signed_in(coordination.username, Client(enforce_csrf_checks=True))
    client.cookies["django_language"] = language
    url = reverse("activities:create", kwargs={"slug": partnership.slug})
    typed = {"csrfmiddlewaretoken": "stale" * 8, "kind": "comite", "title": SENTINEL, "date": "2025-01-10"}
    response = client.post(
        url, typed, headers={"Origin": "http://testserver", "Referer": f"http://testserver{url}"}
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert words in body and "piraté" not in body and "CSRF" not in body
    assert f'href="http://testserver{url}"' in body  # the way back
    assert 'name="_twiza_kept"' in body
    assert not Activity.objects.filter(title=SENTINEL).exists()

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    kept_id = re.search(r'name="_twiza_kept" value="([^"]+)"', body).group(1)
    again = client.post(url, {"csrfmiddlewaretoken": token, "_twiza_kept": kept_id})
    assert again.status_code == 302
    assert Activity.objects.filter(title=SENTINEL).count() == 1


def test_a_cross_site_post_is_never_kept(partnership, coordination):
    client = signed_in(coordination.username, Client(enforce_csrf_checks=True))
    url = reverse("activities:create", kwargs={"slug": partnership.slug})
    forged = {"kind": "comite", "title": SENTINEL, "date": "2025-01-10"}
    response = client.post(url, forged, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and "Ce formulaire a expiré" in response.content.decode()
    assert not KeptSubmission.objects.exists()

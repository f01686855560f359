"""Helpers of the "work survives" tests (accounts/kept.py): a browser signed in with password and
code, its session expired, a form kept, then sent after signing in again."""

import datetime
import re

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.otp import current_code
from conftest import PASSWORD

SENTINEL = "Sentinelle-gardee-91c2"
# A listener's long account, typed on a slow phone for more than 30 minutes.
NARRATIVE = f"{SENTINEL} " + "Elle raconte ce qui s'est passé depuis son mariage, année après année. " * 80


def signed_in(username, client=None):
    """A browser where she signed in with her password (and her code), then opened a page."""
    client = client or Client()
    sign_in_again(client, username, "/")
    assert client.get("/").status_code == 200
    return client


def csrf(client) -> str:
    """The CSRF token her browser holds (a client that checks CSRF needs it in each form)."""
    if "csrftoken" not in client.cookies:
        client.get(reverse("accounts:login"))
    return client.cookies["csrftoken"].value


def give_code(client, device, next_url="/"):
    # Her authenticator's code now; a code is good once, and these tests sign in twice a minute.
    device.throttling_failure_count, device.throttling_failure_timestamp, device.last_t = 0, None, -1
    device.save()
    data = {"token": current_code(device), "next": next_url, "csrfmiddlewaretoken": csrf(client)}
    return client.post(reverse("accounts:otp"), data)


def idle_too_long(client):
    """Her session's 30 idle minutes are over (the server's row expired; the browser still sends it)."""
    past = timezone.now() - datetime.timedelta(seconds=1)
    Session.objects.filter(session_key=client.cookies["sessionid"].value).update(expire_date=past)


def sign_in_again(client, username, next_url):
    data = {"username": username, "password": PASSWORD, "next": next_url, "csrfmiddlewaretoken": csrf(client)}
    response = client.post(reverse("accounts:login"), data)
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:
        assert response["Location"].startswith(reverse("accounts:otp"))
        response = give_code(client, device, next_url)
    return response


def kept_after_expiry(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse("accounts:login") + "?next=/comptes/reprendre/")
    return re.search(r"next=(/comptes/reprendre/[0-9a-f-]+/)", location).group(1)


def send_kept(client, resume):
    page = client.get(resume)
    assert page.status_code == 200
    action = re.search(r'<form method="post" action="([^"]+)"', page.content.decode()).group(1)
    kept_id = resume.rstrip("/").rsplit("/", 1)[1]
    return client.post(action, {"_twiza_kept": kept_id})

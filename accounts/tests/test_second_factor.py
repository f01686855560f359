"""docs/security.md 16, 17: TOTP for listening-centre staff and the platform admin, before any page;
login throttling (django-axes) per username + IP: 5 failures, then 30 minutes locked."""

import datetime
import io

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.otp import current_code, requires_otp
from conftest import PASSWORD


def password_login(username, password=PASSWORD, client=None):
    client = client or Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return client, response


@pytest.mark.small_world
def test_who_needs_a_second_factor(users):
    assert {name for name, user in users.items() if requires_otp(user)} == {
        "admin",
        "ecoute",
        "centre",
        "autre_ecoute",
    }


@pytest.mark.small_world
@pytest.mark.parametrize("persona", ["ecoute", "centre", "admin"])
def test_staff_must_give_the_code_before_any_page(persona, users, partnership):
    username = users[persona].username
    client, response = password_login(username)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp"))
    home = reverse("partnerships:detail", kwargs={"slug": partnership.slug})
    for url in [reverse("cases:centre", kwargs={"slug": partnership.slug}), "/", "/admin/", home]:
        blocked = client.get(url)
        assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("accounts:otp")), url
    wrong = client.post(reverse("accounts:otp"), {"token": "000000", "next": "/"})
    assert wrong.status_code == 200 and "pas valable" in wrong.content.decode()
    device = TOTPDevice.objects.get(user__username=username)
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post(reverse("accounts:otp"), {"token": current_code(device), "next": "/"})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.small_world
def test_other_personas_need_no_code(coordination):
    client, response = password_login(coordination.username)
    assert response.status_code == 302 and not response["Location"].startswith(reverse("accounts:otp"))
    assert client.get("/").status_code == 200


@pytest.mark.small_world
def test_a_listener_without_device_must_set_one_up(users):
    client, _ = password_login(users["autre_ecoute"].username)
    assert client.get(reverse("accounts:otp")).status_code == 302
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=users["autre_ecoute"], confirmed=False)
    assert client.get("/").status_code == 302  # still blocked
    client.post(reverse("accounts:otp_setup"), {"token": current_code(device), "next": "/"})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_demo_otp_prints_the_current_code_as_its_last_word(world, settings):
    settings.DEBUG = True
    from django.contrib.auth import get_user_model

    # The test world holds non-demo users: the command refuses it…
    with pytest.raises(CommandError):
        call_command("demo_otp", "ecoute", stdout=io.StringIO())
    get_user_model().objects.exclude(
        username__in=["admin", "ecoute", "centre", "coordination", "accueil", "jour", "jette", "reseau"]
    ).delete()
    from partnerships.models import Partnership

    Partnership.objects.filter(slug="ailleurs-2023-2027").delete()
    out = io.StringIO()
    call_command("demo_otp", "ecoute", stdout=out)
    code = out.getvalue().split()[-1]
    device = TOTPDevice.objects.get(user__username="ecoute")
    assert code == current_code(device) and len(code) == 6
    with pytest.raises(CommandError):
        call_command("demo_otp", "coordination", stdout=io.StringIO())  # no second factor
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_otp", "ecoute", stdout=io.StringIO())


@pytest.mark.small_world
def test_five_failures_lock_the_username_and_ip_for_thirty_minutes(coordination, jette, settings):
    settings.AXES_ENABLED = True
    for attempt in range(1, 6):
        _, response = password_login(coordination.username, "mauvais-mot-de-passe")
        # The fifth failure locks: a clear page with HTTP 429.
        assert response.status_code == (429 if attempt == 5 else 200)
    _, response = password_login(coordination.username)  # the right password, but locked
    assert response.status_code == 429
    # Another username from the same IP is not locked.
    _, other = password_login(jette.username)
    assert other.status_code == 302
    # 29 minutes later: still locked; 31 minutes later: free again.
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=29)
    )
    assert password_login(coordination.username)[1].status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=31)
    )
    assert password_login(coordination.username)[1].status_code == 302

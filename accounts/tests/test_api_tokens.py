"""docs/security.md 32: API tokens stored hashed, expiring, listed and revoked by their owner; deactivation
ends sessions and tokens for good; request ids made by the server."""

import datetime as dt
import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, User
from conftest import PASSWORD, verify_second_factor
from core.middleware import RequestIdFilter, RequestIdMiddleware

API = "/api/v1/partnerships"
TOKENS = "/comptes/jetons/"


def api(client, raw):
    return client.get(API, headers={"Authorization": f"Bearer {raw}"}).status_code


def test_only_a_hash_is_stored(world, users):
    raw = ApiToken.issue(users["jette"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_hash FROM accounts_apitoken")
        stored = [row[0] for row in cursor.fetchall()]
    assert raw not in stored and not any(raw[4:] in value for value in stored)


def test_a_token_expires_after_api_token_days(world, users, client, settings):
    settings.API_TOKEN_DAYS = 7
    raw = ApiToken.issue(users["jette"])
    token = ApiToken.objects.for_raw(raw).get()
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=1)
    assert api(client, raw) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api(client, raw) == 401


def test_default_expiry_is_ninety_days():
    from importlib import reload

    import config.settings as production_settings

    assert reload(production_settings).API_TOKEN_DAYS == 90


def test_the_command_prints_the_token_then_its_expiry(world, client, capsys):
    call_command("create_api_token", "jour", "--name", "tableur")
    out, err = capsys.readouterr()
    token = ApiToken.objects.get(user__username="jour", name="tableur")
    assert api(client, out.strip()) == 200
    assert timezone.localtime(token.expires_at).strftime("%Y-%m-%d") in err


def test_her_page_creates_a_token_shown_once_lists_and_revokes_it(world, users, client_for, client):
    other = ApiToken.issue(users["jette"], name="pas à moi")
    page = client_for("jour")
    response = page.post(TOKENS, {"name": "tableur de suivi"})
    assert response.status_code == 200
    raw = re.search(r"twz_[\w-]+", response.content.decode()).group(0)
    assert api(client, raw) == 200
    listing = page.get(TOKENS).content.decode()
    assert raw not in listing  # shown once
    assert "tableur de suivi" in listing and "pas à moi" not in listing
    token = ApiToken.objects.get(user=users["jour"], name="tableur de suivi")
    assert timezone.localtime(token.expires_at).strftime("%d/%m/%Y") in listing
    assert page.post(reverse("accounts:token_revoke", kwargs={"pk": token.pk})).status_code == 302
    assert api(client, raw) == 401
    assert "révoqué le" in page.get(TOKENS).content.decode()
    # Someone else's token is a 404 and stays active.
    mine_not = ApiToken.objects.get(name="pas à moi")
    assert page.post(reverse("accounts:token_revoke", kwargs={"pk": mine_not.pk})).status_code == 404
    assert api(client, other) == 200


def test_a_too_long_name_is_refused_and_nothing_is_made(world, users, client_for):
    response = client_for("jour").post(TOKENS, {"name": "x" * 81})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=users["jour"]).exists()


def test_the_page_waits_for_the_second_factor(world, client):
    client.post(reverse("accounts:login"), {"username": "ecoute", "password": PASSWORD})
    response = client.post(TOKENS, {"name": "sans second facteur"})
    assert response.status_code == 302 and reverse("accounts:otp") in response["Location"]
    assert not ApiToken.objects.filter(user__username="ecoute").exists()


def _signed_in_with_token(client, username):
    client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert client.get(reverse("core:home")).status_code == 200
    return ApiToken.issue(User.objects.get(username=username))


def _deactivate_by_save(user):
    user.is_active = False
    user.save()


def _deactivate_by_update(user):
    User.objects.filter(pk=user.pk).update(is_active=False)


def _deactivate_in_the_admin(user):
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    verify_second_factor(admin, User.objects.get(username="admin"))
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and not isinstance(value, bool | list)
    }
    joined = timezone.localtime(user.date_joined)
    data.update(
        date_joined_0=joined.strftime("%Y-%m-%d"),
        date_joined_1=joined.strftime("%H:%M:%S"),
        last_login_0="",
        last_login_1="",
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = admin.post(url, data)  # is_active left unticked
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.mark.parametrize("deactivate", [_deactivate_by_save, _deactivate_by_update, _deactivate_in_the_admin])
def test_deactivation_ends_sessions_and_tokens_for_good(world, client, deactivate):
    raw = _signed_in_with_token(client, "jour")
    user = User.objects.get(username="jour")
    deactivate(user)
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    assert ApiToken.objects.get(user=user).revoked_at is not None
    User.objects.filter(pk=user.pk).update(is_active=True)
    # Reactivated: her old session and her old token stay dead; she signs in again.
    assert client.get(reverse("accounts:tokens")).status_code == 302
    assert api(Client(), raw) == 401
    assert _signed_in_with_token(Client(), "jour")


def test_saving_an_inactive_user_again_touches_nobody_else(world, users, client):
    other = ApiToken.issue(users["jette"])
    _deactivate_by_save(users["jour"])
    users["jour"].save()
    assert api(client, other) == 200


def test_request_ids_are_made_by_the_server_the_clients_logged_beside(world, client):
    first = client.get(reverse("core:healthz"), headers={"X-Request-ID": "chosenbyclient"})
    second = client.get(reverse("core:healthz"), headers={"X-Request-ID": "chosenbyclient"})
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert second["X-Request-ID"] != first["X-Request-ID"]

    seen = []

    def view(request):
        record = logging.LogRecord("twiza", logging.INFO, __file__, 1, "message", None, None)
        RequestIdFilter().filter(record)
        seen.append((request.request_id, record.request_id))
        return HttpResponse()

    middleware = RequestIdMiddleware(view)
    middleware(RequestFactory().get("/", headers={"X-Request-ID": "proxy42"}))
    middleware(RequestFactory().get("/", headers={"X-Request-ID": "forged id"}))
    (server, line), (other_server, other_line) = seen
    assert server != "proxy42" and line == f"{server} client=proxy42"
    assert other_line == other_server  # a malformed id is not logged at all

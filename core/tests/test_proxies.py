"""docs/security.md 31: behind a proxy, the throttles and the login lockout see the client's address —
the right-most hop of X-Forwarded-For that is not a trusted proxy — and nobody else's word for it."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import PASSWORD
from core.proxies import client_ip
from participation.models import Forum
from participation.tests.test_forums import new_forum, proposal_data, public_url

PROXY = "10.0.0.1"


def _ip(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert _ip("198.51.100.7", "203.0.113.5") == "198.51.100.7"
    assert _ip(PROXY, "203.0.113.5") == PROXY


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        (PROXY, "203.0.113.5", "203.0.113.5"),
        # Hops written by the client itself (left of its own address) are not believed.
        (PROXY, "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        # Two trusted proxies in a row (a network of them): the first untrusted hop from the right.
        ("10.0.0.2", "1.2.3.4, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        # An untrusted peer sends what it likes: its own address counts.
        ("198.51.100.7", "203.0.113.5, 10.0.0.1", "198.51.100.7"),
        # No header, or nothing but proxies: the last address known.
        (PROXY, None, PROXY),
        (PROXY, "10.0.0.3", "10.0.0.3"),
        # Not an address: not written by a proxy of ours, so the last sure one is kept.
        (PROXY, "203.0.113.5, nonsense", PROXY),
        ("10.0.0.2", "::1, 2001:db8::7", "2001:db8::7"),
    ],
)
def test_behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client(
    settings, remote, forwarded, client
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert _ip(remote, forwarded) == client


def _propose(forum, remote, forwarded):
    return Client().post(
        public_url("propose", forum), proposal_data(), REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded
    )


def test_two_visitors_behind_the_proxy_have_a_budget_each(partnership, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    forum = new_forum(partnership)
    for _ in range(5):
        assert _propose(forum, PROXY, "203.0.113.5").status_code == 200
    assert _propose(forum, PROXY, "203.0.113.5").status_code == 429
    assert _propose(forum, PROXY, "203.0.113.6").status_code == 200  # another young person
    assert Forum.objects.get(pk=forum.pk).proposals.count() == 6


def test_a_spoofed_header_from_an_untrusted_peer_does_not_reset_the_budget(partnership, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    forum = new_forum(partnership)
    answers = [_propose(forum, "198.51.100.7", f"203.0.113.{n}").status_code for n in range(8)]
    assert answers == [200] * 5 + [429] * 3


def _login(username, password, forwarded):
    return Client().post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_the_login_lockout_locks_the_client_behind_the_proxy_not_everyone(world, settings):
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(5):
        _login("coordination", "mauvais-mot-de-passe", "203.0.113.5")
    assert _login("coordination", PASSWORD, "203.0.113.5").status_code == 429
    # The real coordinator, at the office behind the same proxy, still signs in.
    assert _login("coordination", PASSWORD, "203.0.113.6").status_code == 302

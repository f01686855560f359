"""docs/security.md 15 (passwords), 18 (sessions), 19 (headers) and 20 (deploy settings)."""

import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.middleware import SESSION_STARTED
from conftest import PASSWORD


def test_argon2_is_the_production_hasher():
    # conftest swaps in a fast hasher for tests; the settings file itself must say Argon2 first.
    from importlib import reload

    import config.settings as production_settings

    reload(production_settings)
    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize(
    "password",
    ["court-123", "password1234", "1q2w3e4r5t6y", "123456789012"],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    validate_password("figuier-de-barbarie-toulaasri-7")


def login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.mark.small_world
def test_login_gives_a_new_session_key_and_logout_ends_it(coordination, client):
    client.get(reverse("accounts:login"))
    before = client.session.session_key
    response = login(client, coordination.username)
    assert response.status_code == 302
    after = client.session.session_key
    assert after and after != before
    assert client.get(reverse("core:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:tokens")).status_code == 302  # `/` is the front door: not a test


@pytest.mark.small_world
def test_wrong_password_is_refused_with_a_clear_message(coordination, client):
    response = login(client, coordination.username, "not-the-password-at-all")
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()


def test_idle_timeout_is_thirty_minutes_renewed_on_each_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.small_world
def test_session_ends_after_eight_hours_whatever_the_activity(coordination, client):
    login(client, coordination.username)
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - 8 * 3600 - 1
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert client.get(reverse("accounts:tokens")).status_code == 302  # logged out for good


@pytest.mark.small_world
def test_deactivated_user_is_signed_out_at_her_next_request(client, coordination):
    login(client, coordination.username)
    coordination.is_active = False
    coordination.save()
    assert client.get(reverse("accounts:tokens")).status_code == 302


@pytest.mark.small_world
def test_security_headers_on_an_authenticated_page(client_for, partnership):
    response = client_for("coordination").get(
        reverse("partnerships:detail", kwargs={"slug": partnership.slug})
    )
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(client_for, partnership):
    client = client_for("coordination")
    for url in [
        reverse("core:home"),
        reverse("partnerships:detail", kwargs={"slug": partnership.slug}),
        reverse("programme:framework", kwargs={"slug": partnership.slug}),
    ]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and "onclick" not in html
        # htmx injects a <style> for its indicators unless told not to: the CSP blocks it, and the
        # browser's console reported a violation on every page.
        assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in html


def test_anonymous_login_page_is_cacheable_but_private_pages_are_not(world, client):
    response = client.get(reverse("accounts:login"))
    assert response.get("Cache-Control") != "no-store"


def test_production_cookies_are_secure():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DEBUG": "0",
        # Keys of its own: the demo's are refused with DEBUG off (core/tests/test_secrets.py).
        "SECRET_KEY": "7Hk2-qP9vX" * 6,
        "FIELD_ENCRYPTION_KEYS": "3q2-7wQx1Yz8Vb4Nm6Lk0Jh5Gf9Dd2Ss7Aa1Pp3Oo8I=",
        "FIELD_INDEX_KEY": "index-Zr4Wq8Lm2Tn6Yb0Kc5Vd9Hs3Fe7Gu1",
    }
    code = (
        "import config.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS > 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True", "Lax", "True"]


def test_production_refuses_to_start_without_secret_key():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    out = subprocess.run(
        [sys.executable, "-c", "import config.settings"], env=env, capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "SECRET_KEY" in out.stderr

"""Issue 16, every person manages her own account: her password (changed, or reset from an e-mailed
link), her second factor (QR enrolment, one-time backup codes), her e-mail and its language
(docs/security.md 15, 17, 26)."""

import base64
import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.otp import BACKUP_CODE_COUNT, current_code
from conftest import PASSWORD
from partnerships import actions as role_actions
from partnerships.actions import centre_of
from partnerships.models import RoleLog
from partnerships.tests.factories import persona

NEW_PASSWORD = "Un-autre-mot-de-passe-2026"
CODE = re.compile(r"\b[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}\b")


def signed_in(user, password=PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def link_in(message) -> str:
    found = re.search(r"https?://[^/\s]+(/comptes/mot-de-passe/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def choose_password(client: Client, link: str, password: str = NEW_PASSWORD):
    response = client.get(link)
    assert response.status_code == 302  # Django hides the token behind a redirect
    return client.post(response["Location"], {"new_password1": password, "new_password2": password})


def forgotten(client: Client, email: str, ip: str = "203.0.113.7"):
    return client.post(reverse("accounts:password_forgotten"), {"email": email}, REMOTE_ADDR=ip)


# ---- password change ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_person_changes_her_password_and_her_other_sessions_end():
    user = persona("coordination")
    here, elsewhere = signed_in(user), signed_in(user)
    url = reverse("accounts:password_change")
    wrong = here.post(
        url, {"old_password": "pas-le-bon", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert wrong.status_code == 200 and "ancien mot de passe est incorrect" in wrong.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    done = here.post(
        url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == reverse("accounts:account")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert here.get(reverse("accounts:account")).status_code == 200  # this session goes on
    ended = elsewhere.get(reverse("accounts:account"))
    assert ended.status_code == 302 and ended["Location"].startswith(reverse("accounts:login"))


# ---- forgotten password ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_from_a_link_that_works_once():
    user = persona("jour")
    login_page = Client().get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:password_forgotten") in login_page and "Mot de passe oublié ?" in login_page

    response = forgotten(Client(), user.email.upper())  # the case of the address does not matter
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_forgotten_sent")
    assert [m.to for m in mail.outbox] == [[user.email]]
    link = link_in(mail.outbox[0])

    browser = Client()
    assert choose_password(browser, link).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    again = Client().get(link, follow=True)
    assert "plus valable" in again.content.decode()  # used once: the link no longer opens the form
    signed_in(user, NEW_PASSWORD)


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_answer_and_no_mail():
    user = persona("jour")
    known = forgotten(Client(), user.email)
    unknown = forgotten(Client(), "personne@tests.twiza.invalid")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [[user.email]]
    page = Client().get(unknown["Location"]).content.decode()
    assert "Si un compte utilise cette adresse" in page
    # A deactivated account is no account: no link either.
    user.is_active = False
    user.save()
    forgotten(Client(), user.email, ip="203.0.113.8")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_forgotten_password_requests_are_throttled_per_address_and_per_client():
    user = persona("jour")
    for n in range(3):
        assert forgotten(Client(), user.email, ip=f"198.51.100.{n}").status_code == 302
    refused = forgotten(Client(), user.email, ip="198.51.100.99")  # a new client, the same address
    assert refused.status_code == 429 and "Trop de demandes" in refused.content.decode()
    assert len(mail.outbox) == 3
    # One client asking for many addresses: ten in the hour, then refused, known address or not.
    for n in range(10):
        assert forgotten(Client(), f"inconnue-{n}@tests.twiza.invalid", ip="192.0.2.1").status_code == 302
    assert forgotten(Client(), "encore@tests.twiza.invalid", ip="192.0.2.1").status_code == 429
    assert forgotten(Client(), "encore@tests.twiza.invalid", ip="192.0.2.2").status_code == 302


@pytest.mark.django_db
def test_a_link_asked_by_centre_staff_is_logged_for_her_coordinator():
    listener, other = persona("ecoute"), persona("jour")
    forgotten(Client(), listener.email)
    forgotten(Client(), other.email)
    rows = RoleLog.objects.filter(action=RoleLog.Action.PASSWORD_RESET_SENT)
    assert [(r.subject_id, r.actor_id, r.structure_id) for r in rows] == [
        (listener.pk, listener.pk, centre_of(listener).pk)
    ]
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_no_password_e_mail_carries_a_name_a_code_or_the_key():
    """Both ways a link is sent (her own request, the administrator's) write the same e-mail: the link
    and its validity. The sentinels are what an e-mail must never carry (docs/security.md 26)."""
    listener = persona("ecoute", username="sentinelle-identifiant", first_name="Sentinelle-Prenom")
    listener.last_name = "Sentinelle-Nom"
    listener.save()
    key = base64.b32encode(TOTPDevice.objects.get(user=listener).bin_key).decode()
    admin = persona("admin")
    forgotten(Client(), listener.email)
    request = RequestFactory().post("/")
    role_actions.send_password_reset(admin, listener, request)
    assert len(mail.outbox) == 2
    sentinels = ["sentinelle", "Sentinelle", key, key.lower(), listener.username, str(centre_of(listener))]
    for message in mail.outbox:
        text = message.subject + "\n" + message.body
        assert not [s for s in sentinels if s in text], text
        assert link_in(message)
    # The same words for both: one way to send a link.
    strip = [re.sub(r"https?://\S+", "", m.body) for m in mail.outbox]
    assert strip[0] == strip[1]


@pytest.mark.django_db
def test_the_password_e_mail_is_in_her_language():
    user = persona("jour", language="nl")
    forgotten(Client(), user.email)
    french = persona("jour")
    forgotten(Client(), french.email)
    dutch_mail, french_mail = mail.outbox
    assert dutch_mail.subject != french_mail.subject
    assert "Twiza" in dutch_mail.subject and "choisissez" in french_mail.subject


# ---- second factor: QR enrolment, backup codes ----------------------------------------------------


def enrol(user) -> tuple[Client, list[str], str]:
    """She signs in, scans the QR code, confirms with a code: her backup codes, shown once."""
    client = signed_in(user)
    page = client.get(reverse("accounts:otp_setup"), {"next": "/"})
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    key = base64.b32encode(device.bin_key).decode()
    assert "<svg" in html and 'id="otp-qr"' in html
    assert key in html.replace(" ", "")  # the key as text too, for manual entry
    response = client.post(reverse("accounts:otp_setup"), {"token": current_code(device), "next": "/"})
    assert response.status_code == 200
    codes = CODE.findall(response.content.decode())
    return client, codes, key


@pytest.mark.django_db
def test_enrolment_by_qr_code_gives_ten_backup_codes_then_never_shows_the_key():
    user = persona("ecoute", device=False)
    client, codes, key = enrol(user)
    assert len(set(codes)) == BACKUP_CODE_COUNT
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/").status_code == 200  # verified: she goes on
    # Stored hashed: no code is in the database as shown.
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == BACKUP_CODE_COUNT and not stored & (
        {c.replace("-", "") for c in codes} | set(codes)
    )
    # The key is never shown again, wherever she looks.
    for url in [reverse("accounts:otp_setup"), reverse("accounts:account"), reverse("accounts:otp")]:
        response = client.get(url, follow=True)
        html = response.content.decode().replace(" ", "")
        assert key not in html and key.lower() not in html and "<svg" not in html, url
    assert "10 codes de secours restants" in client.get(reverse("accounts:account")).content.decode()


@pytest.mark.django_db
def test_a_backup_code_passes_the_second_factor_once():
    user = persona("ecoute", device=False)
    _client, codes, _key = enrol(user)
    client = signed_in(user)
    ok = client.post(reverse("accounts:otp"), {"token": codes[0].upper(), "next": "/"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/").status_code == 200
    again = signed_in(user)
    refused = again.post(reverse("accounts:otp"), {"token": codes[0], "next": "/"})
    assert refused.status_code == 200 and "pas valable" in refused.content.decode()
    assert again.get("/").status_code == 302  # still not past the second factor
    assert StaticToken.objects.filter(device__user=user).count() == BACKUP_CODE_COUNT - 1


@pytest.mark.django_db
def test_new_backup_codes_ask_her_password_and_replace_the_old_ones():
    user = persona("ecoute", device=False)
    client, old, _key = enrol(user)
    url = reverse("accounts:backup_codes")
    wrong = client.post(url, {"password": "pas-le-bon"})
    assert wrong.status_code == 400 and not CODE.findall(wrong.content.decode())
    response = client.post(url, {"password": PASSWORD})
    new = CODE.findall(response.content.decode())
    assert len(set(new)) == BACKUP_CODE_COUNT and not set(new) & set(old)
    fresh = signed_in(user).post(reverse("accounts:otp"), {"token": new[1], "next": "/"})
    assert fresh.status_code == 302
    stale = signed_in(user).post(reverse("accounts:otp"), {"token": old[1], "next": "/"})
    assert stale.status_code == 200 and "pas valable" in stale.content.decode()


@pytest.mark.django_db
def test_backup_codes_cannot_be_made_before_the_second_factor():
    """Signed in with her password only, she is sent to the code page, not to new backup codes."""
    user = persona("ecoute")
    client = signed_in(user)
    response = client.post(reverse("accounts:backup_codes"), {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp"))
    assert not StaticToken.objects.filter(device__user=user).exists()


@pytest.mark.django_db
def test_a_second_factor_reset_also_ends_her_backup_codes():
    user = persona("ecoute", device=False)
    enrol(user)
    role_actions.reset_second_factor(persona("admin"), user)
    assert not StaticToken.objects.filter(device__user=user).exists()


# ---- Mon compte -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_her_account_page_changes_her_e_mail_only_with_her_password():
    user = persona("jour")
    client = signed_in(user)
    page = client.get(reverse("accounts:account")).content.decode()
    assert (
        user.username in page
        and reverse("accounts:password_change") in page
        and reverse("accounts:tokens") in page
    )
    assert reverse("accounts:account") in client.get("/").content.decode()  # in the header

    url = reverse("accounts:account")
    refused = client.post(
        url, {"email": "nouvelle@tests.twiza.invalid", "language": "fr", "daily_digest": "on"}
    )
    assert refused.status_code == 400
    user.refresh_from_db()
    assert user.email != "nouvelle@tests.twiza.invalid"

    choices = {"email": user.email, "language": "ar"}  # no digest box ticked: opted out
    assert client.post(url, choices).status_code == 302  # her own address again: no password asked
    user.refresh_from_db()
    assert (user.language, user.daily_digest) == ("ar", False)

    changed = {"email": "nouvelle@tests.twiza.invalid", "language": "ar", "password": PASSWORD}
    assert client.post(url, changed).status_code == 302
    user.refresh_from_db()
    assert user.email != "nouvelle@tests.twiza.invalid"  # not before she confirms it (next test)


def confirmation_link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/comptes/mon-compte/adresse/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.mark.django_db
def test_a_new_address_is_hers_only_once_she_opens_the_link_sent_to_it():
    """An address nobody confirmed opens no invitation meant for it and receives no password link:
    the change waits for the link sent to the new address, opened by her, signed in."""
    user, other = persona("jour"), persona("accueil")
    old = user.email
    client = signed_in(user)
    changed = {"email": "nouvelle@tests.twiza.invalid", "language": "fr", "password": PASSWORD}
    mail.outbox.clear()
    assert client.post(reverse("accounts:account"), changed).status_code == 302
    user.refresh_from_db()
    assert user.email == old
    (message,) = mail.outbox
    assert message.to == ["nouvelle@tests.twiza.invalid"]
    link = confirmation_link(message)

    assert signed_in(other).get(link).status_code == 400  # another account's link
    assert Client().get(link).status_code == 302  # to the sign-in page
    page = client.get(link)
    assert page.status_code == 200 and "nouvelle@tests.twiza.invalid" in page.content.decode()
    user.refresh_from_db()
    assert user.email == old  # opening (a mail scanner) changes nothing
    assert client.post(link).status_code == 302
    user.refresh_from_db()
    assert user.email == "nouvelle@tests.twiza.invalid"
    assert client.post(link).status_code == 400  # her address changed since: the link is spent


@pytest.mark.django_db
def test_an_address_of_another_account_is_refused():
    user, other = persona("jour"), persona("accueil")
    client = signed_in(user)
    taken = {"email": other.email.upper(), "language": "fr", "password": PASSWORD}
    mail.outbox.clear()
    response = client.post(reverse("accounts:account"), taken)
    assert (
        response.status_code == 400
        and "Un autre compte utilise déjà cette adresse" in response.content.decode()
    )
    assert not mail.outbox


@pytest.mark.django_db
def test_her_account_page_rejects_a_bad_address_and_language():
    client = signed_in(persona("jour"))
    response = client.post(reverse("accounts:account"), {"email": "pas-une-adresse", "language": "xx"})
    assert response.status_code == 400

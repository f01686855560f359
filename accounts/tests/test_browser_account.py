"""Issue 16 on a 360-px phone: a forgotten password, from the sign-in page to signing in with the new
one, through the e-mailed link; no page of the way is wider than the phone."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import log_in
from partnerships.tests.factories import persona

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Un-autre-mot-de-passe-2026"


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width}px wide"


def test_a_forgotten_password_on_a_phone(browser_page):
    user = persona("jour")
    page = browser_page
    page.goto(page.base_url + "/comptes/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    fits_the_phone(page)
    page.fill("#id_email", user.email)
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("Si un compte utilise cette adresse")
    fits_the_phone(page)

    assert [m.to for m in mail.outbox] == [[user.email]]
    link = re.search(r"https?://\S+/comptes/mot-de-passe/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    fits_the_phone(page)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Mot de passe enregistré")

    log_in(page, user.username, NEW_PASSWORD)
    page.goto(page.base_url + "/comptes/mon-compte/")
    expect(page.locator("h1")).to_have_text("Mon compte")
    fits_the_phone(page)


def test_second_factor_enrolment_by_qr_code_on_a_phone(browser_page):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.otp import current_code

    user = persona("ecoute", device=False)
    page = browser_page
    log_in(page, user.username)
    expect(page.locator("#otp-qr svg")).to_be_visible()
    assert page.locator("#otp-qr svg").bounding_box()["width"] <= 360
    fits_the_phone(page)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.fill("#id_token", current_code(device))
    page.click("main button[type=submit]")
    expect(page.locator("#backup-codes li")).to_have_count(10)
    fits_the_phone(page)
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(page.locator("#otp-qr")).to_have_count(0)

"""Issue 16 on a 360-px phone: the coordinator invites the partnership's admin; the e-mail, written
as a file as the demo writes it (Django's file backend) → its link → username and password → the
second factor's enrolment (her role needs one) → her backup codes → the partnership's page."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.otp import current_code
from conftest import build_world, log_in
from partnerships.models import Membership, Role

pytestmark = pytest.mark.browser

NEW_PASSWORD = "un-mot-de-passe-bien-long-2026"


def test_invitation_email_password_second_factor_first_page(browser_page, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    world = build_world()
    partnership = world["partnership"]
    page = browser_page
    log_in(page, "coordination")
    page.goto(f"{page.base_url}/p/{partnership.slug}/equipe/inviter/")
    page.fill("#id_email", "administratrice@example.org")
    page.select_option("#id_role", Role.ADMIN.value)
    page.click("main form button[type=submit]")
    expect(page.locator("#invitations")).to_contain_text("administratrice@example.org")

    (written,) = [f.read_text() for f in tmp_path.iterdir() if "administratrice@example.org" in f.read_text()]
    link = re.search(r"https?://\S+/comptes/invitation/\S+/", written)
    assert link, written
    path = link.group(0).split("/comptes/", 1)[1]

    # She opens the link in her own browser.
    context = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    hers = context.new_page()
    hers.set_default_timeout(10_000)
    hers.goto(f"{page.base_url}/comptes/{path}")
    expect(hers.locator("main")).to_contain_text(partnership.name)
    hers.fill("#id_username", "administratrice")
    hers.fill("#id_password1", NEW_PASSWORD)
    hers.fill("#id_password2", NEW_PASSWORD)
    hers.click("main form button[type=submit]")

    # Her role needs a second factor: the enrolment page, then her code.
    expect(hers.locator("#otp-key")).to_be_visible()
    device = TOTPDevice.objects.get(user__username="administratrice", confirmed=False)
    hers.fill("#id_token", current_code(device))
    hers.click("main form button[type=submit]")

    # Her backup codes, shown once; then her first page.
    hers.click("text=J'ai noté mes codes, continuer")
    hers.wait_for_url(f"**/p/{partnership.slug}/")
    expect(hers.locator("h1")).to_have_text(partnership.name)
    assert Membership.objects.filter(
        user__username="administratrice", partnership=partnership, role=Role.ADMIN
    ).exists()
    assert TOTPDevice.objects.get(user__username="administratrice").confirmed
    context.close()

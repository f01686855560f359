"""Issue 14 on a 360-px phone: the warning before the idle limit and its one button; then a listener's
long account, sent after her session ended, lands in the case once she has signed in again with her
password and her code and confirmed the sending (accounts/kept.py)."""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from accounts.otp import current_code
from cases import actions
from cases.access import listening_centre
from cases.models import Case
from conftest import PASSWORD, build_world, log_in

pytestmark = pytest.mark.browser

ACCOUNT = "Elle a quitté la maison en pleine nuit avec ses deux enfants. " * 60


def give_code(page, username):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    device.last_t = -1  # the same code is given twice in this test
    device.save()
    page.fill("#id_token", current_code(device))
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.usefixtures("purge_access_log_after")
def test_warning_then_a_long_account_survives_the_end_of_the_session(browser_page, settings):
    settings.SESSION_COOKIE_AGE = 125  # the warning comes 2 minutes before: within seconds here
    world = build_world()
    ecoute = world["users"]["ecoute"]
    case = actions.open_case(
        structure=listening_centre(world["partnership"]),
        by=ecoute,
        assigned_to=ecoute,
        data={"opened_on": datetime.date(2026, 3, 2), "channel": "famille", "age_band": "25-34"},
    )
    page = browser_page
    log_in(page, "ecoute")
    give_code(page, "ecoute")
    url = f"{page.base_url}/p/{world['partnership'].slug}/centre/dossiers/{case.code}/ajouter/incident/"
    page.goto(url)

    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("Votre session va se terminer")
    box = warning.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    stay = warning.get_by_role("button", name="Continuer ma session")
    expect(stay).to_be_focused()
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()

    page.check("input[name=type][value=agression-physique]")
    page.select_option("#id_context", "partenaire")
    page.fill("#id_month_of", "2026-02")
    page.fill("#id_narrative", ACCOUNT)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/comptes/connexion/\?next=/comptes/reprendre/"))
    expect(page.locator("main")).to_contain_text("Ce que vous aviez saisi est gardé")

    page.fill("#id_username", "ecoute")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    give_code(page, "ecoute")
    expect(page).to_have_url(re.compile(r"/comptes/reprendre/"))
    page.click("text=Envoyer maintenant")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"/dossiers/{case.code}/$"))
    narratives = [incident.narrative for incident in Case.objects.get(pk=case.pk).incidents.all()]
    assert narratives == [ACCOUNT.strip()]

"""A listener's day on a phone: sign in with her TOTP code, take in a woman, record a listening
session; the partnership's coordinator then gets a 404 on that case's URL."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from conftest import build_world, log_in

pytestmark = pytest.mark.browser


def test_listener_takes_in_a_woman_and_records_a_session(browser_page, purge_access_log_after):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    world = build_world()
    page = browser_page
    log_in(page, "ecoute")
    expect(page).to_have_url(re.compile(r"/comptes/second-facteur/"))
    device = TOTPDevice.objects.get(user__username="ecoute", confirmed=True)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill("#id_token", f"{code:06d}")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    slug = world["partnership"].slug
    page.goto(f"{page.base_url}/p/{slug}/centre/")
    expect(page.locator("h1")).to_contain_text("Centre d'écoute")
    page.click("text=Nouvel accueil")
    page.fill("#id_opened_on", "2026-03-02")
    page.select_option("#id_channel", "association")
    page.select_option("#id_age_band", "25-34")
    page.fill("#id_full_name", "Bénéficiaire navigateur")
    page.check("#id_consent_services")
    page.check("#id_consent_statistics")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/dossiers/ce-2026-\d{3}/$"))
    code_in_url = page.url.rstrip("/").split("/")[-1]
    expect(page.locator("#full-name")).to_have_text("Bénéficiaire navigateur")

    page.click("#add >> text=Séance d'écoute")
    page.fill("#id_date", "2026-03-03")
    page.fill("#id_duration_minutes", "50")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("#sessions")).to_contain_text("50 min")
    expect(page.locator(".tag").first).to_have_text("suivi")

    coordination = Client()
    coordination.force_login(world["users"]["coordination"])
    response = coordination.get(f"/p/{slug}/centre/dossiers/{code_in_url}/")
    assert response.status_code == 404
    assert "navigateur" not in response.content.decode()

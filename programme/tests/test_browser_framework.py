import re

import pytest
from playwright.sync_api import expect

from conftest import build_world, log_in

pytestmark = pytest.mark.browser


def test_coordination_reads_oc2_targets_then_switches_to_arabic(browser_page):
    build_world()
    page = browser_page
    log_in(page, "coordination")
    page.goto(page.base_url + "/p/belfaa-jette-2022-2026/cadre-de-resultats/")
    oc2 = page.locator("#indicator-OC\\.2")
    expect(oc2).to_contain_text("Jeunes porteurs d'un handicap")
    first_year = oc2.locator("tbody tr").first
    expect(first_year.locator("td").nth(0)).to_have_text("43")
    expect(first_year.locator("td").nth(1)).to_have_text("51")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    page.select_option("#lang-select", "ar")
    page.click(".lang button")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page).to_have_url(re.compile(r"/cadre-de-resultats/$"))
    expect(page.locator("#indicator-OC\\.2 tbody tr").first.locator("td").nth(0)).to_have_text("43")

import pytest
from playwright.sync_api import expect

from conftest import build_world, log_in

pytestmark = pytest.mark.browser


def test_dashboard_in_french_then_arabic_at_360px(browser_page):
    from demo import activities as activities_demo
    from indicators import engine

    world = build_world()
    activities_demo.load(world["partnership"])
    engine.rebuild(world["partnership"])
    page = browser_page
    log_in(page, "jette")
    page.goto(page.base_url + "/p/belfaa-jette-2022-2026/tableau-de-bord/?annee=2025")
    oc2 = page.locator("#dash-indicator-OC\\.2")
    expect(oc2).to_contain_text("Jeunes porteurs d'un handicap")
    expect(oc2.locator("tr.current-year")).to_contain_text("/ 43")
    expect(oc2.locator("svg.chart")).to_be_visible()
    # At 360 px the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.select_option("#lang-select", "ar")
    page.click(".lang button")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#dash-indicator-OC\\.2 tr.current-year")).to_contain_text("/ 51")
    expect(page.locator("#dash-indicator-OC\\.2")).to_contain_text("الشباب في وضعية إعاقة")

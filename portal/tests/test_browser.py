"""The public portal on a 360 px phone, in French and in Arabic (right to left)."""

import pytest

pytestmark = pytest.mark.browser


def test_public_portal_on_a_phone_in_french_and_arabic(browser_page):
    from demo import portal as demo
    from demo.world import load_roadmap

    partnership = load_roadmap()
    demo.load(partnership)
    page = browser_page
    response = page.goto(f"{page.base_url}/public/{partnership.slug}/")
    assert response.status < 400 and len(response.body()) < 100_000
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_role("heading", level=1).inner_text() == partnership.name
    assert page.locator("section[aria-labelledby=gp] a", has_text="Le vivre ensemble").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.select_option("#lang-select", "ar")
    page.click("form.lang button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_text("مركز الاستماع للنساء ضحايا العنف").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("nav a[href$='/bonnes-pratiques/']")
    page.wait_for_load_state()
    assert page.locator("ul.practices a", has_text="فيلم « العيش المشترك »").is_visible()
    page.click("nav a[href$='/activites/']")
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

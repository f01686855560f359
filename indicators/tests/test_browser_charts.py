import pytest
from playwright.sync_api import expect

from conftest import build_world, log_in

pytestmark = pytest.mark.browser

# Per chart: its width on screen, its smallest text's height in px, its years' x (in order).
MEASURE = """svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll('text')];
  const years = texts.filter(t => /^20\\d\\d$/.test(t.textContent));
  return {
    width: svg.getBoundingClientRect().width,
    font: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale)),
    years: years.map(t => [t.textContent, t.getBoundingClientRect().x]),
  };
}"""


def switch_to(page, language):
    page.select_option("#lang-select", language)
    page.click(".lang button")
    page.wait_for_load_state()


def test_charts_read_at_360px_in_french_and_arabic(browser_page):
    from demo import activities as activities_demo
    from indicators import engine

    world = build_world()
    activities_demo.load(world["partnership"])
    engine.rebuild(world["partnership"])
    page = browser_page
    for path in [
        "/public/belfaa-jette-2022-2026/?annee=2025",
        "/p/belfaa-jette-2022-2026/tableau-de-bord/?annee=2025",
    ]:
        if path.startswith("/p/"):
            log_in(page, "jette")  # the portal first, as a visitor; then the dashboard
        for language in ["fr", "ar"]:
            page.goto(page.base_url + path)
            if language == "ar":
                switch_to(page, "ar")
            chart = page.locator("#chart-OC-2")
            expect(chart).to_be_visible()
            seen = chart.evaluate(MEASURE)
            assert seen["font"] >= 12 and seen["width"] <= 330
            xs = [x for _year, x in seen["years"]]
            assert [y for y, _x in seen["years"]] == ["2022", "2023", "2024", "2025"]
            assert xs == sorted(xs, reverse=language == "ar")  # earliest year on the right in Arabic
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.locator("#indicator-OC\\.2, #dash-indicator-OC\\.2").first.locator(
                "details.chart-data summary"
            ).click()
            expect(page.locator("#chart-OC-2 ~ details.chart-data table").first).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            if language == "ar":
                switch_to(page, "fr")

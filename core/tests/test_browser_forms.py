"""Forms on a 360-px phone (issue 14): checkbox labels wrap between words, never cut inside the
screen's edge; the "Afficher" button never sits on the help text below it; a wrong number is refused
beside its field."""

import pytest

from conftest import build_world, log_in

pytestmark = pytest.mark.browser

SLUG = "belfaa-jette-2022-2026"


def test_the_activity_form_fits_a_phone_and_speaks_beside_the_field(browser_page):
    build_world()
    page = browser_page
    log_in(page, "coordination")
    page.goto(f"{page.base_url}/p/{SLUG}/activites/nouvelle/")
    # Every checkbox label stays inside the screen and inside its own box.
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('main input[type=checkbox]')].map(i => i.closest('label'))
          .filter(l => { const r = l.getBoundingClientRect(); return r.right > innerWidth + 0.5 || r.left < -0.5
                          || l.scrollWidth > l.clientWidth + 1; }).map(l => l.textContent.trim())"""
    )
    assert overflowing == []
    # ... and says the whole statement, never one cut off after 60 characters.
    from programme.models import Result

    labels = [" ".join(t.split()) for t in page.locator("#id_results label").all_inner_texts()]
    for result in Result.objects.filter(partnership__slug=SLUG):
        assert f"{result.code} — {' '.join(result.name.split())}" in labels
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The hours field refuses a negative number in the page itself (min="0") ...
    assert page.get_attribute("#id_hours", "min") == "0"


@pytest.mark.parametrize("path", ["/public/{slug}/activites/", "/p/{slug}/tableau-de-bord/"])
def test_the_show_button_does_not_cover_the_text_below(browser_page, path):
    build_world()
    page = browser_page
    log_in(page, "coordination")
    page.goto(page.base_url + path.format(slug=SLUG))
    button = page.locator("main form.inline-form button[type=submit]").bounding_box()
    below = page.locator("main form.inline-form + .meta").bounding_box()
    assert button["y"] + button["height"] <= below["y"]

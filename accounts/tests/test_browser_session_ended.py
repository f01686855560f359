"""Issue 14 on a 360-px phone: once the session has ended, the box says so in its title and leaves the
form's last button reachable, since it asks her to send the form."""

import pytest
from playwright.sync_api import expect

from activities.models import Activity
from conftest import build_world, log_in

pytestmark = pytest.mark.browser


def test_the_ended_box_says_ended_and_hides_no_button(browser_page, settings):
    world = build_world()
    page = browser_page
    log_in(page, "coordination")
    settings.SESSION_COOKIE_AGE = 3  # the page below says: ended within 3 seconds
    activity = Activity.objects.filter(partnership=world["partnership"]).first()
    page.goto(f"{page.base_url}/p/{world['partnership'].slug}/activites/{activity.pk}/modifier/")

    warning = page.get_by_role("alertdialog")
    expect(warning.locator("#session-warning-ended")).to_be_visible(timeout=15_000)
    expect(warning.locator("#session-warning-title-ended")).to_have_text("Votre session est terminée")
    expect(warning.locator("#session-warning-title-ended")).to_be_visible()
    expect(warning.locator("#session-warning-title-soon")).to_be_hidden()

    button = page.locator("main form button[type=submit]").last
    button.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    box = button.bounding_box()
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('button')?.textContent.trim()",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == button.text_content().strip()

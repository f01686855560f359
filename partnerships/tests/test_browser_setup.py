"""The set-up pages (issue 16, item 3) on a 360 × 740 phone, in French, Arabic (right to left), Dutch
and English: no sideways scrolling, no serious axe violation. The same checks as
core/tests/test_browser_every_page.py, on these pages alone (that file walks them too)."""

import pytest

from conftest import build_world
from core.tests.test_browser_every_page import LANGUAGES, check_page, pages_of, sign_in

pytestmark = pytest.mark.browser

SETUP_PAGES = (
    "setup:",
    "partnerships:setup",
    "partnerships:structure",
    "people:target_group",
    "programme:framework_edit",
    "programme:result",
    "programme:targets_edit",
    "indicators:indicator_define",
)


@pytest.mark.parametrize("persona", ["coordination", "reseau"])
def test_the_set_up_pages_fit_a_phone_in_every_language(persona, browser_page, purge_access_log_after):
    world = build_world()
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page.context, page.base_url, persona, world)
    pages = [(name, url) for name, url in pages_of(persona, world) if name.startswith(SETUP_PAGES)]
    assert pages
    failures = []
    for language in LANGUAGES:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
        for name, url in pages:
            failures.extend(f"{name} [{language}] {url}: {p}" for p in check_page(page, url, language))
    assert not failures, f"{persona}: {len(failures)} problems\n" + "\n".join(failures)

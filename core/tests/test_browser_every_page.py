"""Every page of every persona on a 360 × 740 phone, in French, Arabic, Dutch and English.

The pages are the authorisation matrix's (each `<app>/tests/matrix.py` row a persona may GET with a
200, anonymous included): each must fit the screen (no horizontal scrolling; the failure names the
widest element), and axe-core (core/tests/vendor/axe.min.js) finds no serious or critical violation.
Axe runs once per page in French and Arabic (left to right, right to left), as the first persona who
opens it sees it (the coordinator and the centre coordinator, who see the most, come first); the
overflow check runs for every persona in all four languages. One test per persona: her session is made
once, not typed in (the login and second-factor pages are the anonymous visitor's).
"""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from conftest import ALL_PERSONAS, build_world, verify_second_factor
from core.navigation import navigation
from core.tests.test_authorisation_matrix import ROWS
from partnerships.access import access_for

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
LANGUAGES = ["fr", "ar", "nl", "en"]
AXE_LANGUAGES = {"fr", "ar"}
AXED: set[tuple[str, str]] = (
    set()
)  # (url, language): axe runs once per page, as the first persona who opens it sees it
ORDER = ["coordination", "centre"]  # who sees the most forms and buttons: axe sees their pages
PERSONAS = [
    *ORDER,
    *(p for p in ALL_PERSONAS if p not in ORDER and any(p in r.allowed for r in ROWS.values())),
]

# The element sticking out furthest past the end edge (right, or left in Arabic) that no scrolling
# ancestor clips: the one that makes the page scroll sideways.
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const rtl = getComputedStyle(document.documentElement).direction === 'rtl';
  const clipped = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false;
  };
  let worst = null, excess = 0, fallback = null;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    const out = rtl ? -r.left : r.right - width;
    if (out > excess + 0.5) {
      if (!clipped(el)) { excess = out; worst = el; } else if (!fallback) fallback = el;
    }
  }
  worst = worst || fallback;  // absolutely positioned: a scrolling ancestor does not clip it
  if (!worst) return '?';
  const id = worst.id ? '#' + worst.id : '';
  const cls = worst.classList.length ? '.' + [...worst.classList].join('.') : '';
  const text = (worst.innerText || '').trim().slice(0, 60).replace(/\\s+/g, ' ');
  const r = worst.getBoundingClientRect();
  return `<${worst.tagName.toLowerCase()}${id}${cls}> ${Math.round(r.width)} px wide, `
    + `${Math.round(rtl ? -r.left : r.right - width)} px out: "${text}"`;
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v =>
    `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
}"""


def pages_of(persona, world):
    """(name, url) of every page the matrix lets this persona GET with a 200."""
    for name, row in sorted(ROWS.items()):
        if row.method == "get" and not row.token and row.ok == 200 and persona in row.allowed:
            yield name, reverse(name.split("#")[0], kwargs=row.kwargs(world))


def sign_in(context, base_url, persona, world):
    """The persona's session (second factor passed where her role needs it) handed to the browser."""
    if persona == "anonymous":
        return
    client = Client()
    user = world["users"][persona]
    client.force_login(user)
    verify_second_factor(client, user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])


def check_page(page, url, language):
    """The problems of one page in one language: overflow always, axe in AXE_LANGUAGES."""
    try:
        response = page.goto(page.base_url + url)
    except Exception as error:  # a download (a file served as an attachment): not a page
        if "Download is starting" in str(error):
            return []
        raise
    if response is None or not response.headers.get("content-type", "").startswith("text/html"):
        return []
    problems = []
    if response.status != 200:
        problems.append(f"answered {response.status}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{overflow} px too wide; widest: {page.evaluate(WIDEST)}")
    if language in AXE_LANGUAGES and (url, language) not in AXED:
        AXED.add((url, language))
        page.evaluate(AXE.read_text())  # evaluated, not a <script>: the CSP stays on
        problems.extend(page.evaluate(AXE_RUN))
    return problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_fits_a_phone_and_passes_axe(persona, browser_page, purge_access_log_after):
    world = build_world()
    page = browser_page
    sign_in(page.context, page.base_url, persona, world)
    pages = list(pages_of(persona, world))
    failures = []
    for language in LANGUAGES:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
        for name, url in pages:
            failures.extend(f"{name} [{language}] {url}: {p}" for p in check_page(page, url, language))
    assert not failures, f"{persona}: {len(failures)} problems\n" + "\n".join(failures)


def test_the_navigation_reaches_every_item_on_a_phone_and_a_laptop(browser_page):
    """The coordinator has the most entries: on a phone a menu button opens them all, one a line; on a
    laptop they all show, wrapped; both mark where she is. Dutch has the longest labels."""
    world = build_world()
    page = browser_page
    sign_in(page.context, page.base_url, "coordination", world)
    page.context.add_cookies([{"name": "django_language", "value": "nl", "url": page.base_url}])
    url = reverse("activities:list", kwargs={"slug": world["partnership"].slug})
    # Every entry her roles open (core/navigation.py), the team's page included.
    expected = [
        e["url"] for e in navigation(access_for(world["users"]["coordination"], world["partnership"]))
    ]
    inside = "el => { const r = el.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth; }"
    for width, entries in [(360, ".nav-menu a"), (1280, ".nav-wide a")]:
        page.set_viewport_size({"width": width, "height": 740})
        page.goto(page.base_url + url)
        if width == 360:
            assert not page.locator(".nav-wide").is_visible()
            assert not page.locator(entries).first.is_visible()
            page.click(".nav-menu summary")
        else:
            assert not page.locator(".nav-menu").is_visible()
        links = page.locator(entries)
        assert links.count() == len(expected) >= 12
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == expected
        for i in range(links.count()):
            assert links.nth(i).is_visible() and links.nth(i).evaluate(inside), (
                width,
                links.nth(i).inner_text(),
            )
        assert page.locator(f"{entries}[aria-current=page]").get_attribute("href") == url

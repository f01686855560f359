"""In a browser, on a 360 px phone, in French and in Arabic (right to left): the migrant office's agent
opens Collecte, creates a device password (shown once, with the QR code for ODK Collect), revokes
it, and corrects the demo's waiting submission in the review queue so that it is applied. Every page
fits the screen and axe finds no serious or critical violation."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from collect.models import Device, Submission
from conftest import build_world
from core.tests.test_browser_every_page import AXE, AXE_RUN, WIDEST, sign_in

pytestmark = pytest.mark.browser


def problems(page) -> list[str]:
    """The page as the phone shows it: nothing sticking out sideways, no axe violation."""
    found = []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        found.append(f"{page.url}: {overflow} px too wide; widest: {page.evaluate(WIDEST)}")
    page.evaluate(AXE.read_text())  # evaluated, not a <script>: the CSP stays on
    found += [f"{page.url}: {v}" for v in page.evaluate(AXE_RUN)]
    return found


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_office_agent_sets_up_a_phone_revokes_it_and_corrects_a_submission(
    language, browser_page, purge_access_log_after
):
    from demo.world import load_collection

    world = build_world()
    partnership = world["partnership"]
    load_collection(partnership)  # the office's phone and its submission waiting for review
    waiting = Submission.objects.get(status=Submission.Status.WAITING)
    page = browser_page
    sign_in(page.context, page.base_url, "accueil", world)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    failures: list[str] = []
    slug = partnership.slug

    page.goto(page.base_url + reverse("collect:index", kwargs={"slug": slug}))
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    expect(page.locator("#devices")).to_contain_text("Téléphone du bureau")
    failures += problems(page)

    page.click(f"a[href='{reverse('collect:device_new', kwargs={'slug': slug})}']")
    failures += problems(page)
    page.fill("#id_label", "Téléphone de la caravane")
    page.click("main form button[type=submit]")
    password = page.locator("#device-password").inner_text().strip()
    assert len(password) == 24 and page.locator("#device-qr svg").count() == 1
    device = Device.objects.get(label="Téléphone de la caravane")
    assert device.user == world["users"]["accueil"] and device.structure.code == "bureau-migrants"
    failures += problems(page)
    page.goto(page.base_url + reverse("collect:index", kwargs={"slug": slug}))
    assert password not in page.content()  # shown once: never again

    revoke = reverse("collect:device_revoke", kwargs={"slug": slug, "pk": device.pk})
    page.click(f"form[action='{revoke}'] button")
    page.wait_for_load_state()
    device.refresh_from_db()
    assert device.revoked_at is not None and page.locator(f"form[action='{revoke}']").count() == 0
    failures += problems(page)

    review = reverse("collect:review", kwargs={"slug": slug, "pk": waiting.pk})
    page.goto(page.base_url + reverse("collect:queue", kwargs={"slug": slug}))
    failures += problems(page)
    page.click(f"#queue a[href='{review}']")
    expect(page.locator("#review")).to_be_visible()
    failures += problems(page)
    field = page.locator("[name='presences/presents']")
    own = field.input_value().split()[0]  # the office's own person; the other is the day centre's
    field.fill(own)
    page.click("#review button[name=apply]")
    page.wait_for_url(page.base_url + reverse("collect:queue", kwargs={"slug": slug}))
    waiting.refresh_from_db()
    assert waiting.status == Submission.Status.APPLIED and waiting.activity is not None
    assert list(waiting.activity.attendances.values_list("person__code", flat=True)) == [own]
    expect(page.locator("#applied")).to_contain_text(waiting.activity.title)
    failures += problems(page)
    assert not failures, "\n".join(failures)

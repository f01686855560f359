import time

import pytest
from playwright.sync_api import expect

from activities.models import Attendance, Tally
from conftest import build_world, log_in
from people.models import Person

pytestmark = pytest.mark.browser


def test_educator_takes_a_30_person_attendance_and_a_tally_on_a_phone(browser_page):
    world = build_world()
    partnership = world["partnership"]
    from activities.models import Activity

    activity = Activity.objects.create(
        partnership=partnership,
        structure=partnership.structures.get(code="centre-jour"),
        kind="accueil-jour",
        title="Séance du test",
        date="2025-03-03",
    )
    people = list(Person.objects.filter(structure__code="centre-jour").order_by("number")[:29])
    page = browser_page
    log_in(page, "jour")
    page.goto(f"{page.base_url}/p/{partnership.slug}/activites/{activity.pk}/presences/")
    assert page.viewport_size == {"width": 360, "height": 740}

    started = time.monotonic()
    # One by name, as you type (names are decrypted in Python within the day centre).
    first = people[0]
    page.fill("#q", first.last_name)
    page.locator(f"#results button[data-code='{first.code}']").click()
    expect(page.locator("#present-count")).to_have_text("1")
    # 28 by code.
    for n, person in enumerate(people[1:], start=2):
        page.fill("#q", person.code)
        page.locator(f"#results button[data-code='{person.code}']").click()
        expect(page.locator("#present-count")).to_have_text(str(n))
    # The 30th is new: created on the fly with sex and birth year.
    page.click(".quick summary")
    page.check("input[name=sex][value=F]")
    page.fill("input[name=birth_year]", "2010")
    page.click(".quick button[type=submit]")
    expect(page.locator("#present-count")).to_have_text("30")
    elapsed = time.monotonic() - started
    print(f"\n30-person attendance taken in the browser in {elapsed:.1f} s")
    assert Attendance.objects.filter(activity=activity).count() == 30

    # The tally table: − / + change the number on the phone (no request per tap), a number is typed
    # straight in, and one submit saves every row.
    women = page.locator(".tally[data-sex=F][data-group=''] input[type=number]")
    plus = page.locator(".tally[data-sex=F][data-group=''] .plus")
    box = plus.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # a thumb's target
    requests = []
    page.on("request", lambda request: requests.append(request.url) if "comptages" in request.url else None)
    for expected in ["1", "2", "3"]:
        plus.click()
        expect(women).to_have_value(expected)
    page.locator(".tally[data-sex=F][data-group=''] .minus").click()
    expect(women).to_have_value("2")
    page.locator(".tally[data-sex=M][data-group=''] input[type=number]").fill("28")
    assert requests == [] and not Tally.objects.filter(activity=activity).exists()
    page.click(".save-tallies")
    expect(page.locator("#tallies .saved")).to_contain_text("femmes : 2")
    expect(page.locator("#tallies .saved")).to_contain_text("hommes : 28")
    assert len(requests) == 1
    assert sorted(Tally.objects.filter(activity=activity).values_list("sex", "count")) == [
        ("F", 2),
        ("M", 28),
    ]
    # Saving the same numbers again (a double tap, a resend) counts nothing more.
    page.click(".save-tallies")
    expect(page.locator("#tallies .saved")).to_have_attribute("data-changed", "0")
    assert sorted(Tally.objects.filter(activity=activity).values_list("sex", "count")) == [
        ("F", 2),
        ("M", 28),
    ]
    # Nothing overflows the phone's width.
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 361)"
        ".map(e => e.tagName + '.' + e.className)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide

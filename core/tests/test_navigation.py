"""The partnership's navigation says where you are: aria-current="page" on the entry's own page,
"true" on the entry of the section a deeper page belongs to, on no other entry."""

import re

from django.urls import reverse

from activities.models import Activity


def current_entries(html):
    return set(re.findall(r'<a href="([^"]+)" aria-current="(page|true)"', html))


def test_the_navigation_marks_the_page_and_the_section_you_are_in(client_for, partnership):
    client = client_for("coordination")
    slug = {"slug": partnership.slug}
    activities = reverse("activities:list", kwargs=slug)
    html = client.get(activities).content.decode()
    # Once in the phone's menu, once in the wide list: the same entry, nothing else.
    assert current_entries(html) == {(activities, "page")}
    assert html.count('aria-current="page"') == 2
    assert "Menu" in html and '<span class="nav-here"> · Activités</span>' in html

    activity = Activity.objects.filter(partnership=partnership).first()
    html = client.get(reverse("activities:detail", kwargs={**slug, "pk": activity.pk})).content.decode()
    assert current_entries(html) == {(activities, "true")}

    html = client.get(reverse("partnerships:detail", kwargs=slug)).content.decode()
    assert current_entries(html) == {(reverse("partnerships:detail", kwargs=slug), "page")}

"""Activity pages seen outside the services (partner commune, network, platform admin) follow the
annual report's allow-list (docs/security.md 9) and the one disclosure rule (docs/security.md 8)."""

import datetime

import pytest
from django.urls import reverse

from activities import actions
from activities.models import Activity
from people.models import Person

TITLE = "Atelier très secret chez Fatima"
PLACE = "Douar Toulaasri, maison 12"


@pytest.fixture
def small_activity(partnership, coordination):
    """An activity with 3 women and 40 men: the women are a small count, the men would reveal them."""
    activity = actions.create_activity(
        Activity(
            partnership=partnership,
            kind=Activity.Kind.WORKSHOP,
            title=TITLE,
            place=PLACE,
            date=datetime.date(2025, 3, 17),
            created_by=coordination,
        )
    )
    women = list(Person.objects.filter(partnership=partnership, sex="F")[:3])
    assert len(women) == 3
    actions.record_attendance(activity, women)
    actions.set_tally(activity, "M", None, 40)
    return activity


@pytest.mark.parametrize("persona", ["jette", "reseau"])
def test_outside_detail_shows_kind_month_and_disclosed_counts_only(persona, client_for, small_activity):
    url = reverse(
        "activities:detail", kwargs={"slug": small_activity.partnership.slug, "pk": small_activity.pk}
    )
    html = client_for(persona).get(url).content.decode()
    assert TITLE not in html and PLACE not in html
    assert "17/03/2025" not in html and "2025-03-17" not in html
    assert "03/2025" in html
    # F 3 is a small count; M 40 beside the total 43 would give it away, so M is hidden as "×"
    # (a reader then knows only F in 1–4 and M ≥ 5 with F + M = 43: F cannot be worked out).
    cells = [c.split("<")[0] for c in html.split('<td class="num">')[1:]]
    assert cells == ["&lt; 5", "×", "0", "43"]


def test_coordinator_sees_the_activity_as_it_is(client_for, small_activity):
    url = reverse(
        "activities:detail", kwargs={"slug": small_activity.partnership.slug, "pk": small_activity.pk}
    )
    html = client_for("coordination").get(url).content.decode()
    assert TITLE in html and PLACE in html


def test_outside_list_hides_titles_and_days_and_ignores_filters_that_single_out(client_for, small_activity):
    url = reverse("activities:list", kwargs={"slug": small_activity.partnership.slug})
    client = client_for("jette")
    html = client.get(url).content.decode()
    assert TITLE not in html and "2025-03-17" not in html
    # A day filter would tell whether an activity happened that day: it is not offered outside.
    html = client.get(url, {"date_from": "2025-03-17", "date_to": "2025-03-17"}).content.decode()
    assert 'name="date_from"' not in html
    assert client_for("coordination").get(url, {"date_from": "2025-03-17"}).status_code == 200

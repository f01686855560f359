"""The demo's territory (issue 18): ten douars of Belfaa with plausible points near the commune's
centre, Toulaasri among them; the demo's activities, visits and people spread across them, not all."""

import math

from activities.models import Activity, Visit
from people.models import Person


def km(a, b) -> float:
    """Distance between two douars' points (equirectangular: enough at 15 km)."""
    lat = math.radians(float(a.latitude + b.latitude) / 2)
    dx = math.radians(float(a.longitude - b.longitude)) * math.cos(lat)
    dy = math.radians(float(a.latitude - b.latitude))
    return 6371 * math.hypot(dx, dy)


def test_ten_douars_of_belfaa_around_its_centre(partnership):
    douars = {d.code: d for d in partnership.douars.all()}
    assert len(douars) == 10 and {"toulaasri", "belfaa-centre"} <= set(douars)
    centre = douars["belfaa-centre"]
    assert all(km(centre, d) <= 15 for d in douars.values())
    assert all(d.variants().get("ar") for d in douars.values())
    assert all(100 <= d.population <= 10_000 for d in douars.values())


def test_activities_visits_and_people_spread_across_them_not_all(partnership):
    for rows in (
        Activity.objects.filter(partnership=partnership),
        Visit.objects.filter(partnership=partnership),
        Person.objects.filter(partnership=partnership),
    ):
        placed = rows.exclude(douar=None)
        assert placed.exists() and rows.filter(douar=None).exists()
        assert placed.values("douar").distinct().count() >= 4
    campaign = Activity.objects.filter(partnership=partnership, place__contains="Toulaasri").first()
    assert campaign.douar.code == "toulaasri"

import datetime

import pytest


@pytest.fixture
def demo_portal(world):
    """Belfaa's good practices and the fictional second partnership of the Brulocalis network."""
    from demo import portal as demo

    other = demo.load(world["partnership"])
    return {**world, "fictional": other}


@pytest.fixture
def small_counts(world):
    """A partnership of 2023–2026 of the world's network with one published indicator, OC.3 (people
    of a target group at information meetings, targets 10 women and 20 men a year), and one
    information meeting in 2024: 2 women, 6 men (small cells). Made by factories."""
    from activities.models import Activity, Tally
    from indicators import engine
    from partnerships.tests.factories import PartnershipFactory
    from people.tests.factories import TargetGroupFactory
    from programme.models import Indicator, Target
    from programme.tests.factories import IndicatorFactory

    other = PartnershipFactory(network=world["partnership"].network, start_year=2023, end_year=2026)
    migrants = TargetGroupFactory()
    oc3 = IndicatorFactory(
        result__outcome=True,
        result__partnership=other,
        code="OC.3",
        source=Indicator.Source.PARTICIPATIONS,
        target_groups=[migrants.code],
        activity_kinds=[Activity.Kind.INFO_MEETING],
        public=True,
        unit="participations",
    )
    for year in other.years:
        for sex, value in (("F", 10), ("M", 20)):
            Target.objects.create(indicator=oc3, year=year, sex=sex, value=value)
    meeting = Activity.objects.create(
        partnership=other,
        kind=Activity.Kind.INFO_MEETING,
        title="SENTINEL-TITRE",
        place="SENTINEL-LIEU",
        date=datetime.date(2024, 5, 17),
    )
    Tally.objects.create(activity=meeting, sex="F", target_group=migrants, count=2, date=meeting.date)
    Tally.objects.create(activity=meeting, sex="M", target_group=migrants, count=6, date=meeting.date)
    engine.rebuild(other)
    return {**world, "fictional": other}

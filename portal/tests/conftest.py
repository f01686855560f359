import datetime

import pytest


@pytest.fixture
def demo_portal(world):
    """Belfaa's good practices and the fictional second partnership of the Brulocalis network."""
    from demo import portal as demo

    other = demo.load(world["partnership"])
    return {**world, "fictional": other}


@pytest.fixture
def small_counts(demo_portal):
    """The fictional partnership with one information meeting in 2024: 2 women, 6 men (small cells)."""
    from activities.models import Activity, Tally
    from indicators import engine
    from people.models import TargetGroup

    other = demo_portal["fictional"]
    Activity.objects.filter(partnership=other).delete()
    meeting = Activity.objects.create(
        partnership=other,
        kind="reunion-info",
        title="SENTINEL-TITRE",
        place="SENTINEL-LIEU",
        date=datetime.date(2024, 5, 17),
    )
    migrants = TargetGroup.objects.get(code="migrants")
    Tally.objects.create(activity=meeting, sex="F", target_group=migrants, count=2, date=meeting.date)
    Tally.objects.create(activity=meeting, sex="M", target_group=migrants, count=6, date=meeting.date)
    engine.rebuild(other)
    return demo_portal

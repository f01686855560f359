"""Activities for the tests, created through `activities.actions` so the indicators' derived rows
follow, as when a page creates one."""

import datetime

import factory

from activities import actions
from activities.models import Activity
from partnerships.tests.factories import PartnershipFactory


class ActivityFactory(factory.Factory):
    """An activity of `partnership`; `trained_staff=[…]` for a training (`formation`) they attended."""

    class Meta:
        model = Activity

    partnership = factory.SubFactory(PartnershipFactory)
    kind = Activity.Kind.WORKSHOP
    title = factory.Sequence(lambda n: f"Activité de test {n}")
    date = datetime.date(2024, 5, 14)

    class Params:
        formation = factory.Trait(kind=Activity.Kind.TRAINING, hours=6)

    @classmethod
    def _create(cls, model_class, trained_staff=(), **fields):
        activity = actions.create_activity(model_class(**fields))
        activity.trained_staff.set(trained_staff)
        return activity

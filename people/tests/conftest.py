"""The registry's structures in the test's world, and held sessions to take attendance at.

In a `small_world` test the structures are those the personas' factories made (found by kind, never
by the demo's codes): `jour`'s day centre, `accueil`'s migrant office, `ecoute`'s listening centre."""

import datetime

import pytest

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from partnerships.models import Structure


def _of_kind(partnership, kind) -> Structure:
    return partnership.structures.get(kind=kind)


@pytest.fixture
def day_centre(partnership) -> Structure:
    return _of_kind(partnership, Structure.Kind.DAY_CENTRE)


@pytest.fixture
def office(partnership) -> Structure:
    return _of_kind(partnership, Structure.Kind.MIGRANT_OFFICE)


@pytest.fixture
def listening_centre(partnership) -> Structure:
    return _of_kind(partnership, Structure.Kind.LISTENING_CENTRE)


@pytest.fixture
def held_session(day_centre):
    """`held_session(date=…, structure=…)`: a day-centre session already held (attendance is taken
    from the day on, issue 12), of the day centre unless another structure is given."""

    def make(date=datetime.date(2025, 3, 4), structure=None) -> Activity:
        structure = structure or day_centre
        # factory_boy's __new__ is untyped: calling a factory gives its model's row, here an Activity.
        return ActivityFactory(  # type: ignore[return-value]
            partnership=structure.partnership, structure=structure, kind=Activity.Kind.DAY_SESSION, date=date
        )

    return make

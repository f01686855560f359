import datetime

import pytest

from cases import actions
from cases.access import listening_centre
from cases.models import Case

SENTINEL = "Sentinelle-7f3a"


@pytest.fixture
def centre(partnership):
    return listening_centre(partnership)


@pytest.fixture
def sentinel_case(partnership, users):
    """A case of Belfaa's centre assigned to `ecoute`, with the sentinel in every encrypted field."""
    structure = listening_centre(partnership)
    ecoute, centre_user = users["ecoute"], users["centre"]
    case = actions.open_case(
        structure=structure,
        by=ecoute,
        assigned_to=ecoute,
        data={
            "opened_on": datetime.date(2025, 3, 4),
            "channel": "famille",
            "age_band": "25-34",
            "children_with_her": True,
            "children_count": 2,
            "full_name": f"Nom {SENTINEL}",
            "phone": f"Tel {SENTINEL}",
            "address": f"Adresse {SENTINEL}",
            "consent_services": True,
            "consent_referral": False,
            "consent_statistics": True,
        },
    )
    actions.add_incident(
        case,
        by=ecoute,
        date=datetime.date(2025, 3, 4),
        type="agression-physique",
        context="partenaire",
        year=2025,
        month=2,
        narrative=f"Récit {SENTINEL}",
    )
    actions.add_note(case, by=ecoute, date=datetime.date(2025, 3, 5), text=f"Note {SENTINEL}")
    actions.refer(
        case,
        by=centre_user,
        role="centre_coordinator",
        date=datetime.date(2025, 3, 6),
        kind="medicale",
        partner=f"Partenaire {SENTINEL}",
        override_reason=f"Motif {SENTINEL}",
    )
    return Case.objects.get(pk=case.pk)


def case_url(case, name="cases:case", **extra):
    from django.urls import reverse

    return reverse(name, kwargs={"slug": case.partnership.slug, "code": case.code, **extra})

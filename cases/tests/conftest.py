"""Fixtures of the cases tests. The security tests are marked `small_world`: they run on factory
rows, never on the demo's, so a change of demo text cannot break them."""

import pytest

from cases.access import listening_centre
from cases.models import Case

from .factories import CaseFactory, IncidentFactory, NoteFactory, ReferralFactory

SENTINEL = "Sentinelle-7f3a"


@pytest.fixture
def centre(partnership):
    return listening_centre(partnership)


@pytest.fixture
def sentinel_case(partnership, users):
    """A case of the partnership's centre assigned to `ecoute`, with the sentinel in every encrypted
    field, written through the actions."""
    structure = listening_centre(partnership)
    ecoute, centre_user = users["ecoute"], users["centre"]
    case = CaseFactory(
        structure=structure,
        by=ecoute,
        children_with_her=True,
        children_count=2,
        full_name=f"Nom {SENTINEL}",
        phone=f"Tel {SENTINEL}",
        address=f"Adresse {SENTINEL}",
        consent_referral=False,
    )
    IncidentFactory(case=case, by=ecoute, narrative=f"Récit {SENTINEL}")
    NoteFactory(case=case, by=ecoute, text=f"Note {SENTINEL}")
    ReferralFactory(
        case=case,
        by=centre_user,
        role="centre_coordinator",
        partner=f"Partenaire {SENTINEL}",
        override_reason=f"Motif {SENTINEL}",
    )
    return Case.objects.get(pk=case.pk)


def case_url(case, name="cases:case", **extra):
    from django.urls import reverse

    return reverse(name, kwargs={"slug": case.partnership.slug, "code": case.code, **extra})

"""The demo: about 80 fictional cases 2022–2026, placeholder names, deterministic and idempotent."""

from collections import Counter

from cases.access import listening_centre
from cases.models import Case, Complaint, GroupSession, ShelterStay
from demo import cases as demo


def fingerprint(partnership):
    return [
        (c.code, c.opened_on, c.age_band, c.channel, c.consent_statistics, c.status, c.full_name)
        for c in Case.objects.filter(partnership=partnership).order_by("code")
    ]


def test_demo_cases_spread_over_the_programme(partnership):
    cases = Case.objects.filter(partnership=partnership)
    assert 75 <= cases.count() <= 85
    assert set(Counter(c.opened_on.year for c in cases)) == {2022, 2023, 2024, 2025, 2026}
    assert all(c.full_name.startswith("Bénéficiaire ") for c in cases)
    assert Complaint.objects.filter(case__in=cases).count() >= 10
    assert ShelterStay.objects.filter(case__in=cases).count() >= 5
    assert GroupSession.objects.filter(group__structure__partnership=partnership).count() >= 10
    assert len({i.type for c in cases for i in c.incidents.all()}) == 6
    assert listening_centre(partnership).capacity == demo.SHELTER_CAPACITY


def test_demo_is_idempotent_and_deterministic(partnership):
    first = fingerprint(partnership)
    demo.load(partnership)
    assert fingerprint(partnership) == first
    Case.objects.filter(partnership=partnership).delete()
    demo.load(partnership)
    assert fingerprint(partnership) == first

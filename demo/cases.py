"""About 80 fictional case files of the listening centre, 2022–2026 (placeholder names, no real data).

Deterministic (seeded random) and idempotent: cases are found by code; a case's services are created
only with the case. OC.1's progress toward 150 comes out realistic (about half-way).

Cases are opened through `open_case` (the centre's numbering, the opening in the history) and group
sessions held through `hold_group_session`. The services are bulk-created with the status they led
to: their actions would each add a line to the history and move the case's version, and the demo's
history holds the openings only, as it always has (the test world is built from it).
"""

import datetime
import random

from django.db.models import Model

from accounts.models import User
from cases.actions import hold_group_session, open_case
from cases.models import (
    AgeBand,
    Case,
    Channel,
    Complaint,
    ComplaintStep,
    GroupMembership,
    Incident,
    IncidentContext,
    IncidentType,
    ListeningSession,
    Note,
    Referral,
    ShelterStay,
    SpeechGroup,
)
from partnerships.models import Partnership

CASES_PER_YEAR = {2022: 8, 2023: 16, 2024: 20, 2025: 22, 2026: 14}
SHELTER_CAPACITY = 12
TODAY = datetime.date(2026, 11, 15)  # fixed, so the demo is the same whenever it is loaded
GROUPS = [
    ("Groupe de parole « Nour »", datetime.date(2022, 10, 4)),
    ("Groupe de parole « Amal »", datetime.date(2023, 9, 12)),
    ("Groupe de parole « Tifawt »", datetime.date(2024, 10, 1)),
    ("Groupe de parole « Tilelli »", datetime.date(2025, 9, 16)),
]
PARTNERS: dict[str, str] = {
    Referral.Kind.MEDICAL: "Centre de santé de Belfaa",
    Referral.Kind.LEGAL: "Permanence juridique de l'association partenaire",
    Referral.Kind.ECONOMIC: "Coopérative féminine de Toulaasri",
    Referral.Kind.PSYCHOLOGICAL: "Psychologue de l'hôpital provincial",
}


def _day(rng: random.Random, start: datetime.date, days: int) -> datetime.date:
    return min(start + datetime.timedelta(days=rng.randint(0, days)), TODAY)


def load(partnership: Partnership) -> None:
    """The centre's shelter capacity, its speech groups and the demo cases (see the module docstring)."""
    centre = partnership.structures.filter(code="centre-ecoute").first()
    if centre is None:
        return
    if centre.capacity != SHELTER_CAPACITY:
        centre.capacity = SHELTER_CAPACITY
        centre.save(update_fields=["capacity", "updated_at"])
    listener = User.objects.filter(username="ecoute").first()
    coordinator = User.objects.filter(username="centre").first()
    if listener is None or coordinator is None:
        return
    groups = {}
    for name, started in GROUPS:
        groups[name], _ = SpeechGroup.objects.get_or_create(
            structure=centre, name=name, defaults={"started_on": started}
        )
    if Case.objects.filter(structure=centre).exists():
        return  # already loaded: the cases and their services are created together, once
    rng = random.Random(2026)
    number = 0
    rows: dict[type[Model], list[Model]] = {
        model: [] for model in (Incident, ListeningSession, Note, Referral, ShelterStay)
    }
    complaints: list[tuple[Case, User, random.Random]] = []
    memberships: list[GroupMembership] = []
    for year, count in CASES_PER_YEAR.items():
        for n in range(1, count + 1):
            number += 1
            opened = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 360))
            opened = min(opened, TODAY - datetime.timedelta(days=20))
            children = rng.random() < 0.35
            data = {
                "opened_on": opened,
                "channel": rng.choice(Channel.values),
                "age_band": rng.choices(AgeBand.values[:5], weights=[1, 5, 8, 6, 2])[0],
                "children_with_her": children,
                "children_count": rng.randint(1, 3) if children else 0,
                "full_name": f"Bénéficiaire {number:03d}",
                "phone": f"+212 600 000 {number:03d}" if rng.random() < 0.6 else "",
                "address": f"Douar fictif n° {number}, Belfaa" if rng.random() < 0.5 else "",
                "consent_services": True,
                "consent_referral": rng.random() < 0.7,
                "consent_statistics": rng.random() < 0.9,
            }
            assigned_to = listener if rng.random() < 0.7 else None
            # Where the case stands today, as the services below would have left it.
            if (TODAY - opened).days > 365 and rng.random() < 0.6:
                data["status"] = Case.Status.CLOSED
                data["closure_reason"] = rng.choice(Case.ClosureReason.values)
                data["closed_on"] = _day(rng, opened + datetime.timedelta(days=120), 200)
            else:
                data["status"] = Case.Status.FOLLOWED
            by = assigned_to or coordinator
            case = open_case(structure=centre, by=by, data=data, assigned_to=assigned_to)
            if case.code != f"ce-{year}-{n:03d}":  # the year's n-th case, as the centre numbers them
                raise RuntimeError(f"demo: opened {case.code}, expected ce-{year}-{n:03d}")
            for _i in range(rng.choice([1, 1, 1, 2])):
                when = opened - datetime.timedelta(days=rng.randint(0, 90))
                rows[Incident].append(
                    Incident(
                        case=case,
                        by=by,
                        date=opened,
                        type=rng.choices(IncidentType.values, weights=[2, 3, 8, 2, 4, 9])[0],
                        context=rng.choices(IncidentContext.values, weights=[8, 4, 2, 2, 1])[0],
                        year=when.year,
                        month=when.month,
                        narrative="Récit fictif de démonstration : aucune personne réelle.",
                    )
                )
            for _i in range(rng.randint(1, 6)):
                rows[ListeningSession].append(
                    ListeningSession(
                        case=case,
                        by=by,
                        date=_day(rng, opened, 150),
                        duration_minutes=rng.choice([30, 45, 60]),
                    )
                )
            rows[Note].append(
                Note(case=case, by=by, date=_day(rng, opened, 60), text="Note fictive de suivi.")
            )
            if case.consent_referral and rng.random() < 0.45:
                kind = rng.choice(Referral.Kind.values)
                rows[Referral].append(
                    Referral(case=case, by=by, date=_day(rng, opened, 90), kind=kind, partner=PARTNERS[kind])
                )
            if rng.random() < 0.14:
                start = _day(rng, opened, 10)
                end = start + datetime.timedelta(days=rng.randint(3, 60))
                rows[ShelterStay].append(
                    ShelterStay(
                        case=case,
                        by=by,
                        date=start,
                        end=end if end < TODAY else None,
                        children_count=case.children_count,
                    )
                )
            if rng.random() < 0.25:
                complaints.append((case, by, rng))
            eligible = [name for name, started in GROUPS if started <= opened + datetime.timedelta(days=200)]
            if eligible and rng.random() < 0.35:
                name = rng.choice(eligible[-2:])
                memberships.append(
                    GroupMembership(
                        case=case, by=by, group=groups[name], date=max(opened, groups[name].started_on)
                    )
                )
    # Someone is in the shelter now: the latest stay of a case the demo listener follows is ongoing.
    ongoing = [
        stay
        for stay in rows[ShelterStay]
        if isinstance(stay, ShelterStay) and stay.case.assigned_to == listener
    ]
    if ongoing:
        ongoing[-1].end = None
    for model, objects in rows.items():
        model._default_manager.bulk_create(objects)
    GroupMembership.objects.bulk_create(memberships)
    stages = list(Complaint.Stage.values)
    for case, by, crng in complaints:
        start = _day(crng, case.opened_on, 30)
        reached = crng.randint(0, 3)
        complaint = Complaint.objects.create(
            case=case,
            by=by,
            date=start,
            authority=crng.choice(Complaint.Authority.values),
            stage=stages[reached],
        )
        ComplaintStep.objects.bulk_create(
            ComplaintStep(complaint=complaint, stage=stage, date=_day(crng, start, 40 * i), by=by)
            for i, stage in enumerate(stages[: reached + 1])
        )
    cases = Case.objects.filter(structure=centre).in_bulk()
    for group in groups.values():
        members = list(group.memberships.values_list("case_id", flat=True))
        first = group.started_on
        for month in range(10):
            date = first + datetime.timedelta(days=28 * month)
            if date > TODAY or not members:
                break
            attendees = rng.sample(members, k=max(1, len(members) * 2 // 3))
            hold_group_session(group, by=coordinator, date=date, attendees=[cases[pk] for pk in attendees])

"""Deterministic, clearly fictional activity 2022–2026 shaped by the roadmap (seeded random).

Idempotent: if the partnership already has activities, nothing is added. People, activities, their
result links, attendance and tallies are written through the registry's and activities' actions (the
indicators follow); the rest (principles, partners, decisions, visits) has no action and is bulk-created.
The activities after the day it is loaded are planned: they hold no attendance nor tallies (nothing
is recorded before an activity's date), whatever that day; the rest does not depend on it.
"""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from activities.actions import add_to_tally, create_activity, record_attendance, set_results
from activities.models import Activity, ActivityPartner, Decision, StructurePartner, Visit
from partnerships.models import Douar, Organisation, Partnership, Structure
from people.actions import register_person
from people.models import Person, PersonSequence, TargetGroup
from programme.models import GovernancePrinciple, Result

from .territory import home, load_douars, where

FIRST_F = ["Aïcha", "Fatima", "Khadija", "Meryem", "Salma", "Awa", "Mariam", "Nadia", "Imane", "Sara"]
FIRST_M = ["Youssef", "Omar", "Hamza", "Mamadou", "Ibrahima", "Karim", "Ayoub", "Moussa", "Bilal", "Issa"]
LAST = "Fictif"  # every demo name says it is not a real person


def load(partnership: Partnership) -> None:
    """Adds the demo activity once (a second run finds activities and adds nothing)."""
    if Activity.objects.filter(partnership=partnership).exists():
        return
    rng = random.Random(20222026)  # noqa: S311 — demo data, not security
    s = {st.code: st for st in partnership.structures.all()}
    groups = {g.code: g for g in TargetGroup.objects.all()}
    results = {r.code: r for r in Result.objects.filter(partnership=partnership)}
    principles = list(GovernancePrinciple.objects.filter(partnership=partnership))
    orgs = {o.slug: o for o in Organisation.objects.all()}
    staff = {u.username: u for u in User.objects.filter(username__in=["ecoute", "centre", "coordination"])}
    douars = load_douars(partnership)

    youth = _people(
        partnership, s["centre-jour"], groups["jeunes-handicap"], 52, 60, (2002, 2012), rng, douars
    )
    migrants = _people(
        partnership, s["bureau-migrants"], groups["migrants"], 9, 62, (1980, 2004), rng, douars
    )

    planned: list[tuple[Activity, str]] = []  # each activity with the code of its result
    attendance: list[tuple[Activity, Person]] = []
    tallies: list[tuple[Activity, str, TargetGroup | None, int]] = []
    today = timezone.localdate()

    def attends(i: int, dates: list[datetime.date]) -> list[int]:
        """The sessions (indexes) the i-th of a roster attends: one in turn, and each other with a
        chance of 0.3, among those held by today (the same draws whatever the day)."""
        draws = [rng.random() < 0.3 for _ in dates]
        held = [j for j, day in enumerate(dates) if day <= today]
        return sorted(({held[i % len(held)]} if held else set()) | {j for j in held if draws[j]})

    def activity(
        kind: str,
        title: str,
        date: datetime.date,
        structure: Structure | None = None,
        place: str = "",
        result: str = "R2",
        **extra: Any,
    ) -> Activity:
        a = Activity(
            partnership=partnership,
            structure=structure,
            kind=kind,
            title=title,
            date=date,
            place=place,
            douar=where(douars, place, date.year),
            created_by=staff.get("coordination"),
            **extra,
        )
        planned.append((a, result))
        return a

    def tally(a: Activity, sex: str, group: TargetGroup | None, count: int) -> None:
        tallies.append((a, sex, group, count))

    for year in partnership.years:
        # Day centre: a yearly roster near OC.2 (43 F / 51 M), ten sessions each year.
        roster = rng.sample(youth["F"], rng.randint(40, 43)) + rng.sample(youth["M"], rng.randint(47, 51))
        sessions = [
            activity(
                "accueil-jour",
                f"Séance du centre de jour — {month:02d}/{year}",
                datetime.date(year, month, rng.randint(3, 26)),
                s["centre-jour"],
                "Centre d'accueil de jour",
            )
            for month in (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)
        ]
        for i, person in enumerate(roster):
            attendance.extend((sessions[j], person) for j in attends(i, [a.date for a in sessions]))
        if year >= 2024:  # the parents' support group was planned, then opened in 2024
            for month in (3, 6, 10):
                g = activity(
                    "groupe-parents",
                    f"Groupe de soutien des parents — {month:02d}/{year}",
                    datetime.date(year, month, 15),
                    s["centre-jour"],
                    "Centre d'accueil de jour",
                )
                tally(g, "F", groups["parents-autisme"], rng.randint(6, 12))
                tally(g, "M", groups["parents-autisme"], rng.randint(2, 6))
        # Migrants' information meetings: yearly roster near OC.3 (6 F / 46 M).
        roster = rng.sample(migrants["F"], rng.randint(5, 6)) + rng.sample(migrants["M"], rng.randint(42, 46))
        meetings = [
            activity(
                "reunion-info",
                f"Réunion d'information des migrants — {label} {year}",
                datetime.date(year, month, rng.randint(5, 25)),
                s["bureau-migrants"],
                "Salle communale de Belfaa",
            )
            for month, label in ((2, "droits et séjour"), (6, "santé"), (11, "emploi"))
        ]
        for i, person in enumerate(roster):
            attendance.extend((meetings[j], person) for j in attends(i, [a.date for a in meetings]))
        # Awareness campaigns in farms and associations, tallied.
        for month, place in (
            (4, "Ferme du douar Toulaasri (fictive)"),
            (10, "Association féminine de Belfaa"),
        ):
            c = activity(
                "campagne",
                f"Campagne de sensibilisation aux violences — {place}",
                datetime.date(year, month, rng.randint(5, 25)),
                None,
                place,
                "R4",
            )
            tally(c, "F", groups["ouvrieres-agricoles"], rng.randint(20, 45))
            tally(c, "M", None, rng.randint(0, 8))
        # Listeners' continuing training, from the centre's opening.
        if year >= 2023:
            for month, topic in ((3, "Écoute active et accueil"), (9, "Accompagnement d'une plainte")):
                activity(
                    "formation",
                    f"Formation continue des écoutantes — {topic}",
                    datetime.date(year, month, rng.randint(5, 25)),
                    s["centre-ecoute"],
                    "Centre d'écoute",
                    "R1",
                    hours=Decimal(rng.choice([6, 8, 12])),
                    topics=topic,
                )
        # Open youth forum, each year.
        forum = activity(
            "forum",
            f"Forum ouvert des jeunes {year}",
            datetime.date(year, 5, 14),
            None,
            "Maison des jeunes",
            "R3",
        )
        tally(forum, "F", groups["jeunes-citoyens"], rng.randint(25, 40))
        tally(forum, "M", groups["jeunes-citoyens"], rng.randint(25, 40))
        # Steering committees.
        for month in (1, 7):
            activity(
                "comite",
                f"Comité de pilotage — {'janvier' if month == 1 else 'juillet'} {year}",
                datetime.date(year, month, 20),
                None,
                "Salle du conseil communal",
                "R2",
            )
    # One-off events of the roadmap.
    for kind, title, date, result, group, f, m in [
        (
            "exposition",
            "Exposition « Parcours migratoires »",
            datetime.date(2023, 12, 18),
            "R3",
            "migrants",
            60,
            85,
        ),
        (
            "theatre-action",
            "Théâtre-action sur l'accueil des nouveaux habitants",
            datetime.date(2024, 4, 20),
            "R3",
            None,
            70,
            65,
        ),
        (
            "projection",
            "Projection du film « Le vivre ensemble »",
            datetime.date(2025, 3, 21),
            "R3",
            "jeunes-citoyens",
            80,
            75,
        ),
        (
            "salon",
            "Salon de création inclusif « Belfaa accueille l'Afrique »",
            datetime.date(2025, 10, 11),
            "R3",
            "migrants",
            90,
            120,
        ),
        (
            "evenement",
            "Fête communale avec les jeunes du centre de jour",
            datetime.date(2024, 7, 30),
            "R2",
            "jeunes-handicap",
            15,
            18,
        ),
    ]:
        a = activity(
            kind, title, date, s["maison-creation"] if kind != "evenement" else None, "Belfaa", result
        )
        tally(a, "F", groups[group] if group else None, f)
        tally(a, "M", groups[group] if group else None, m)

    for a, result in planned:
        create_activity(a)
        set_results(a, [results[result]])
    activities = [a for a, _result in planned]
    Activity.principles.through.objects.bulk_create(
        [
            Activity.principles.through(activity_id=a.pk, governanceprinciple_id=p.pk)
            for a in activities
            for p in rng.sample(principles, 2)
        ]
    )
    present: dict[
        Activity, list[Person]
    ] = {}  # activity → the people present, as each session's list is entered
    for a, p in attendance:
        present.setdefault(a, []).append(p)
    for a, people in present.items():
        record_attendance(a, people)
    for a, sex, target, n in tallies:
        if a.date <= today:
            add_to_tally(a, sex, target, n)  # from zero: a count of nobody is recorded too
    trainings = [a for a in activities if a.kind == "formation"]
    Activity.trained_staff.through.objects.bulk_create(
        [
            Activity.trained_staff.through(activity_id=a.pk, user_id=staff[u].pk)
            for a in trainings
            for u in ("ecoute", "centre")
            if u in staff
        ]
    )
    committees = [a for a in activities if a.kind == "comite"]
    ActivityPartner.objects.bulk_create(
        [
            ActivityPartner(activity=a, organisation=orgs[slug], role=role, present=rng.random() < 0.85)
            for a in committees
            for slug, role in (
                ("belfaa", "présidence"),
                ("jette", "partenaire"),
                ("associations-belfaa", "membre"),
            )
            if slug in orgs
        ]
    )
    Decision.objects.bulk_create(
        [
            Decision(
                activity=a,
                text=text,
                follow_up_by=who,
                due_date=a.date + datetime.timedelta(days=90),
                done=a.date.year < 2025,
            )
            for a in committees
            for text, who in rng.sample(DECISIONS, 2)
        ]
    )
    for code, slug, role in [
        ("centre-ecoute", "services-etat", "Orientation médicale et juridique des femmes"),
        ("bureau-migrants", "associations-belfaa", "Accompagnement des migrants vers les services"),
        ("centre-jour", "associations-belfaa", "Gestion quotidienne du centre de jour"),
        ("figuiers-toulaasri", "cooperatives", "Coopérative des femmes du douar"),
    ]:
        if slug in orgs and code in s:
            StructurePartner.objects.get_or_create(
                structure=s[code], organisation=orgs[slug], defaults={"role": role}
            )
    reasons = [
        "Papiers de séjour",
        "Inscription scolaire d'un enfant",
        "Soins",
        "Recherche d'emploi",
        "Logement",
    ]
    visits: list[Visit] = []
    for year in partnership.years:
        for _ in range(24):
            anonymous = rng.random() < 0.4
            rank = len(visits)
            visitor = None if anonymous else rng.choice(migrants["F"] + migrants["M"])
            visits.append(
                Visit(
                    partnership=partnership,
                    structure=s["bureau-migrants"],
                    date=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                    person=visitor,
                    sex=visitor.sex if visitor else rng.choice("FMM"),
                    reason=rng.choice(reasons),
                    orientation=rng.choice(Visit.Orientation.values),
                    referred_to=orgs.get(rng.choice(["services-etat", "associations-belfaa"])),
                    # Where the visitor came from: her residence, or said at the desk.
                    douar=visitor.douar if visitor else home(douars, rank * 7 + 3),
                )
            )
    Visit.objects.bulk_create(visits)


DECISIONS = [
    ("Finaliser l'équipement du centre d'écoute pour l'hébergement", "Service social de Belfaa"),
    ("Préparer le prochain forum ouvert avec les jeunes", "Coordination"),
    ("Traduire la brochure « À la rencontre des nouveaux habitants »", "Commune de Jette"),
    ("Élargir les campagnes aux fermes de la commune", "Associations locales"),
    ("Planifier la formation continue des écoutantes", "Centre d'écoute"),
    ("Étudier le groupe de soutien des parents de jeunes autistes", "Centre de jour"),
]


def _people(
    partnership: Partnership,
    structure: Structure,
    group: TargetGroup,
    n_f: int,
    n_m: int,
    years: tuple[int, int],
    rng: random.Random,
    douars: dict[str, Douar],
) -> dict[str, list[Person]]:
    """`n_f` women and `n_m` men with fictional names, registered by `structure` with the next codes
    (the fictional surname carries the number the registration gives)."""
    last = PersonSequence.objects.filter(partnership=partnership).values_list("last", flat=True).first()
    people = []
    for i, sex in enumerate(["F"] * n_f + ["M"] * n_m):
        number = (last or 0) + 1 + i
        first = rng.choice(FIRST_F if sex == "F" else FIRST_M)
        person = register_person(
            partnership,
            sex=sex,
            birth_year=rng.randint(*years),
            target_groups=[group],
            structure=structure,
            consent=True,
            first_name=first,
            last_name=f"{LAST} {number}",
            douar=home(douars, number),
        )
        if person.number != number:  # the name would tell another number than the code
            raise RuntimeError(f"demo: registered {person.code}, expected number {number}")
        people.append(person)
    return {"F": [p for p in people if p.sex == "F"], "M": [p for p in people if p.sex == "M"]}

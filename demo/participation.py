"""Demo forums: the 2024 forum (closed, with results and followed projects), the 2026 one (voting)
December 2026's (open for proposals, none yet: a visitor can propose one) and a neighbourhood forum
held three days after the demo is loaded (its proposals phase ends this week: "Mon travail").

Deterministic (seeded) and idempotent: a forum that exists is left as it is. Written as the
coordinator and the voters would, through participation's actions: proposals submitted and decided,
phases moved (and logged), ballots cast with one-time codes, the paper batch confirmed by a second
officer. The unused voting codes
of the 2026 forum are `demo_codes()[USED_2026:]`, so the demo can be tried end to end.
"""

import datetime
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from participation.actions import (
    CODE_ALPHABET,
    advance_phase,
    cast_ballot,
    code_hash,
    confirm_batch,
    decide_admissibility,
    start_follow_up,
    submit_proposal,
)
from participation.models import (
    AgeBand,
    Forum,
    PaperBatch,
    Phase,
    Proposal,
    Sex,
    VotingCode,
)
from partnerships.models import Partnership
from projects.actions import move_stage
from projects.models import Milestone, Project, Stage

PROPOSALS_2024 = [
    ("Jardin partagé au douar", "environnement", 18000, "F", "18-24", "recevable"),
    ("Bibliothèque de quartier à la maison de la création", "culture", 25000, "F", "moins-18", "recevable"),
    ("Terrain de sport éclairé", "sport", 40000, "M", "18-24", "recevable"),
    ("Atelier vélo solidaire", "solidarite", 12000, "M", "25-35", "recevable"),
    ("Cours de soutien scolaire entre jeunes", "education", 8000, "F", "25-35", "recevable"),
    ("Voyage d'étude à l'étranger", "autre", 90000, "M", "18-24", "irrecevable"),
]
PROPOSALS_2026 = [
    ("Festival « Belfaa accueille l'Afrique » des jeunes", "culture", 15000, "F", "18-24"),
    ("Nettoyage et plantation de l'oued", "environnement", 6000, "M", "moins-18"),
    ("Rampe d'accès à la maison des jeunes", "amenagement", 20000, "F", "25-35"),
    ("Club de théâtre-action", "culture", 7000, "M", "18-24"),
    ("Tournoi de football inclusif", "sport", 5000, "F", "moins-18"),
]
REASON_OK = "Projet d'intérêt collectif, faisable par la commune dans l'année."
REASON_KO = "Hors du champ du forum : il ne bénéficie pas à la collectivité de Belfaa."
USED_2026 = 12
OPEN_FORUM = "forum-2026-decembre"
# A neighbourhood forum held three days after the demo is loaded: its phase ends this week ("Mon travail").
NEAR_FORUM = "forum-quartier"


def demo_codes(seed: int = 2026, count: int = 40) -> list[str]:
    """The 2026 forum's voting codes (the demo's only: real codes come from `issue_codes`)."""
    rng = random.Random(seed)
    return ["".join(rng.choice(CODE_ALPHABET) for _ in range(8)) for _ in range(count)]


def _voter(rng: random.Random) -> tuple[str, str]:
    sex = rng.choices(Sex.values, weights=[50, 44, 6])[0]
    age = rng.choices(AgeBand.values, weights=[25, 45, 25, 0, 5])[0]
    return sex, age


def _open(
    partnership: Partnership,
    coordination: User,
    slug: str,
    proposals: list[dict[str, Any]],
    decide: Callable[[Proposal], bool],
    **forum_fields: Any,
) -> tuple[Forum, list[Proposal]]:
    """A forum taken, as its coordinator would, from proposals through review and deliberation to
    the vote: each proposal submitted, then decided with its public reason (`decide` tells which are
    admissible)."""
    forum = Forum.objects.create(partnership=partnership, slug=slug, phase=Phase.PROPOSALS, **forum_fields)
    for fields in proposals:
        submit_proposal(forum, **fields)
    advance_phase(forum, coordination)
    submitted = list(forum.proposals.select_related("forum").order_by("number"))  # in review now
    for proposal in submitted:
        admissible = decide(proposal)
        decide_admissibility(
            proposal, coordination, admissible=admissible, reason=REASON_OK if admissible else REASON_KO
        )
    advance_phase(forum, coordination)  # deliberation
    advance_phase(forum, coordination)  # the vote
    forum.refresh_from_db()
    return forum, submitted


def _vote(
    forum: Forum,
    rng: random.Random,
    codes: list[str],
    count: int,
    pick: Callable[[random.Random], list[Proposal]],
    batch_every: int | None = None,
    batch: PaperBatch | None = None,
) -> None:
    """`count` ballots cast with the first `count` of `codes` (issued first, unused), as voters do."""
    VotingCode.objects.bulk_create([VotingCode(forum=forum, code_hash=code_hash(forum, c)) for c in codes])
    for i in range(count):
        sex, age = _voter(rng)
        chosen = pick(rng)
        in_batch = batch if batch_every and i % batch_every == 0 else None
        cast_ballot(forum, codes[i], [p.pk for p in chosen], sex=sex, age_band=age, batch=in_batch)


@transaction.atomic
def load(partnership: Partnership) -> None:
    """Both demo forums of the partnership; does nothing for a forum already there."""
    coordination = User.objects.get(username="coordination")
    jour = User.objects.get(username="jour")
    if not Forum.objects.filter(partnership=partnership, slug="forum-2024").exists():
        _load_2024(partnership, coordination, jour)
    if not Forum.objects.filter(partnership=partnership, slug="forum-2026").exists():
        _load_2026(partnership, coordination)
    if not Forum.objects.filter(partnership=partnership, slug=OPEN_FORUM).exists():
        # As the coordinator makes one on the page "Forums des jeunes": it opens for proposals.
        Forum.objects.create(
            partnership=partnership,
            slug=OPEN_FORUM,
            title="Forum des jeunes de décembre 2026",
            date=datetime.date(2026, 12, 12),
            place="Maison des jeunes de Belfaa",
            theme="Emploi et formation des jeunes",
            phase=Phase.PROPOSALS,
            rule=Forum.Rule.APPROVAL,
            max_choices=2,
            seats=2,
        )
    if not Forum.objects.filter(partnership=partnership, slug=NEAR_FORUM).exists():
        # Relative to the day the demo is loaded, as the activities are: its proposals close this week.
        Forum.objects.create(
            partnership=partnership,
            slug=NEAR_FORUM,
            title="Forum des jeunes du quartier Al Amal",
            date=timezone.localdate() + datetime.timedelta(days=3),
            place="Maison des jeunes de Belfaa",
            theme="Espaces de sport et de culture du quartier",
            phase=Phase.PROPOSALS,
            rule=Forum.Rule.APPROVAL,
            max_choices=2,
            seats=1,
        )


def _load_2024(partnership: Partnership, coordination: User, jour: User) -> None:
    rng = random.Random(2024)
    forum, proposals = _open(
        partnership,
        coordination,
        "forum-2024",
        [
            {
                "title": title,
                "description": f"{title} : proposé par des jeunes lors du forum ouvert de 2024.",
                "category": category,
                "estimated_cost": cost,
                "sex": sex,
                "age_band": age,
                # A paper form entered by the coordinator, one in two; the others came online.
                "entered_by": coordination if number % 2 else None,
            }
            for number, (title, category, cost, sex, age, _status) in enumerate(PROPOSALS_2024, start=1)
        ],
        lambda proposal: PROPOSALS_2024[proposal.number - 1][5] == "recevable",
        title="Forum ouvert des jeunes 2024",
        date=datetime.date(2024, 4, 20),
        place="Maison des jeunes de Belfaa",
        theme="Des projets des jeunes pour la commune",
        rule=Forum.Rule.BUDGET,
        budget=60000,
    )
    admissible = proposals[:5]
    weights = [9, 8, 5, 6, 7]
    budget = forum.budget
    if budget is None:  # a budget vote (Forum.Rule.BUDGET) always has one
        raise RuntimeError("demo: the 2024 forum has no budget")

    def pick(rng: random.Random) -> list[Proposal]:
        chosen: list[Proposal] = []
        left = budget
        for p in rng.sample(admissible, counts=weights, k=3):
            if p not in chosen and p.estimated_cost <= left:
                chosen.append(p)
                left -= p.estimated_cost
        return chosen

    batch = PaperBatch.objects.create(
        forum=forum, label="Urne de la maison des jeunes", entered_by=coordination
    )
    _vote(forum, rng, demo_codes(seed=2024, count=80), 62, pick, batch_every=3, batch=batch)
    confirm_batch(batch, jour)
    advance_phase(forum, coordination)  # results
    advance_phase(forum, coordination)  # follow-up: a followed project for each winner
    projects = start_follow_up(forum, coordination)  # idempotent: the projects the move started
    for i, project in enumerate(projects):
        if project.stage != Stage.IDEA:
            continue  # a demo user has moved it on since
        for j, title in enumerate(["Devis et conventions", "Travaux et achats", "Inauguration"]):
            due = datetime.date(2024, 9 + 3 * j, 1) if j < 2 else datetime.date(2025, 6, 1)
            reached = due if (i == 0 or j == 0) and due <= timezone.localdate() else None
            Milestone.objects.create(project=project, title=title, due=due, done_on=reached)
        project.kind = Project.Kind.SOCIAL
        project.progress = 100 if i == 0 else 40 + 15 * i
        project.save(update_fields=["kind", "progress", "updated_at"])
        for stage, day in [
            (Stage.FORMULATED, datetime.date(2024, 7, 1)),
            (Stage.PLANNED, datetime.date(2024, 8, 15)),
            (Stage.IN_PROGRESS, datetime.date(2024, 9, 2)),
        ]:
            if day > timezone.localdate():
                break  # the demo loaded on an earlier day: the project is where it was that day
            project = move_stage(project, stage, by=coordination, date=day)


def _load_2026(partnership: Partnership, coordination: User) -> None:
    rng = random.Random(2026)
    forum, proposals = _open(
        partnership,
        coordination,
        "forum-2026",
        [
            {
                "title": title,
                "description": f"{title} : proposé au forum ouvert de 2026.",
                "category": category,
                "estimated_cost": cost,
                "sex": sex,
                "age_band": age,
            }
            for title, category, cost, sex, age in PROPOSALS_2026
        ],
        lambda proposal: True,
        title="Forum ouvert des jeunes 2026",
        date=datetime.date(2026, 3, 14),
        place="Maison de la création multiculturelle",
        theme="Vivre ensemble à Belfaa",
        rule=Forum.Rule.APPROVAL,
        max_choices=3,
        seats=2,
    )
    _vote(forum, rng, demo_codes(), USED_2026, lambda rng: rng.sample(proposals, k=rng.randint(1, 3)))


def link_activities(partnership: Partnership) -> None:
    """Ties the 2024 forum's followed projects to the demo's youth activities (after the activities demo)."""
    activities = list(
        partnership.activities.filter(kind__in=["forum", "atelier"], date__year__gte=2024).order_by(
            "date", "pk"
        )[:6]
    )
    for i, project in enumerate(
        Project.objects.filter(proposal__forum__partnership=partnership).order_by("pk")
    ):
        if not project.activities.exists():
            project.activities.set(activities[2 * i : 2 * i + 2])

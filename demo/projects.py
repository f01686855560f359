"""The demo's two projects of result 4, from the roadmap (issue 18): "projet de plantation de figues
de barbarie dans le douar de Toulaasri" (evaluated, with its cooperative of women) and "les travaux
d'aménagement du centre d'écoute … seront finalisés et il sera équipé pour l'écoute et l'hébergement"
(in progress, the shelter still to equip). And the plantation's plants season by season: R4.1's
figure of the 2024 season, entered and submitted by one user and approved by another (four eyes);
the 2025 season's waits for approval (demo/programme.py, `load_figures`: "Mon travail").

Written as the coordinator would, through projects' and programme's actions: each project created at
the idea step, then moved along its cycle with dated steps; spendings with their documents (one over
its line, with its reason); the plantation's participatory evaluation. Plain creates where no action
exists (partners, milestones, budget lines). Idempotent: a project already there is left as it is
(a demo user may have moved it on), a figure already there too. No case data anywhere, and the
centre's project has no douar (a listening-centre record never says where: docs/security.md 9).
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from partnerships.models import Organisation, Partnership
from people.models import TargetGroup
from programme.actions import approve_measurement, save_measurement, submit_measurement
from programme.models import Indicator, Measurement, Result
from projects.actions import create_project, move_stage, record_evaluation, record_spending
from projects.models import BudgetLine, Milestone, Project, ProjectPartner, Stage

PLANTATION = "Plantation de figuiers de Barbarie à Toulaasri"
CENTRE_WORKS = "Travaux et équipement du centre d'écoute"
COOPERATIVE = "cooperative-feminine-toulaasri"
# R4.1 (cumulative, counted per year): the plants of the autumn 2024 season, approved. The 2025
# season's 1,850 are entered and wait for approval (programme.load_figures).
PLANTS = {2024: 1200}


def D(value: str) -> Decimal:
    return Decimal(value)


@transaction.atomic
def load(partnership: Partnership) -> None:
    """Both projects and the plants' approved figures; does nothing for what is already there."""
    coordination = User.objects.get(username="coordination")
    jour = User.objects.get(username="jour")
    if not Project.objects.filter(partnership=partnership, title=PLANTATION).exists():
        _plantation(partnership, coordination)
    if not Project.objects.filter(partnership=partnership, title=CENTRE_WORKS).exists():
        _centre_works(partnership, coordination)
    load_plants(partnership, entered_by=jour, approved_by=coordination)


def load_plants(partnership: Partnership, *, entered_by: User, approved_by: User) -> None:
    """R4.1's figure of each past planting season, counted with the cooperative: entered and submitted
    by the educator, approved by the coordinator (who did neither)."""
    indicator = Indicator.objects.filter(result__partnership=partnership, code="R4.1").first()
    if indicator is None:
        return
    for year, value in PLANTS.items():
        if (
            year >= timezone.localdate().year
            or Measurement.objects.filter(indicator=indicator, period=year).exists()
        ):
            continue  # a season still to come, or a figure already there
        measurement = save_measurement(indicator, year, "T", value, entered_by)
        measurement = submit_measurement(measurement, entered_by)
        approve_measurement(measurement, approved_by)


def _cooperative() -> Organisation:
    cooperative, _ = Organisation.objects.get_or_create(
        slug=COOPERATIVE,
        defaults={
            "name": "Coopérative féminine de Toulaasri",
            "kind": Organisation.Kind.COOPERATIVE,
            "country": "MA",
        },
    )
    return cooperative


def _lines(project: Project, lines: list[tuple], by: User) -> None:
    """Budget lines and their spendings: (category, label, funder, year, amount, currency, rate,
    rate date, [(date, amount, document, reason for an overrun)])."""
    for category, label, funder, year, amount, currency, rate, rate_date, spendings in lines:
        line = BudgetLine.objects.create(
            project=project,
            category=category,
            label=label,
            funder=funder,
            year=year,
            amount=D(amount),
            currency=currency,
            rate=D(rate),
            rate_date=rate_date,
        )
        for date, spent, document, reason in spendings:
            if date > timezone.localdate():
                continue  # the demo loaded on an earlier day holds nothing from its future
            record_spending(line, date=date, amount=D(spent), document=document, by=by, over_reason=reason)


def _move(project: Project, steps: list[tuple[str, datetime.date, str]], by: User) -> Project:
    for stage, date, note in steps:
        if date > timezone.localdate():
            break  # the demo loaded on an earlier day: the project is where it was that day
        project = move_stage(project, stage, by=by, date=date, note=note)
    return project


def _reached(done_on: datetime.date | None) -> datetime.date | None:
    """A milestone's reached date, unless the demo is loaded before that day."""
    return done_on if done_on is not None and done_on <= timezone.localdate() else None


def _plantation(partnership: Partnership, coordination: User) -> None:
    results = Result.objects.filter(partnership=partnership, code__in=["OC", "R4"])
    women = TargetGroup.objects.get(code="ouvrieres-agricoles")
    youth = TargetGroup.objects.get(code="jeunes-citoyens")
    project = create_project(
        partnership,
        title=PLANTATION,
        origin=Project.Origin.CONSULTATION,
        origin_note="Assemblée des habitantes et habitants du douar de Toulaasri, mars 2023",
        by=coordination,
        date=datetime.date(2023, 3, 14),
        results=list(results),
        structure=partnership.structures.get(code="figuiers-toulaasri"),
        kind=Project.Kind.SOCIO_ENVIRONMENTAL,
        summary=(
            "Planter des figuiers de Barbarie sur les terres collectives du douar de Toulaasri pour "
            "concilier la préservation des ressources naturelles (sols, eau, parcours) et "
            "l'amélioration des conditions de vie d'une population qui dépend de l'élevage. Les "
            "femmes de la coopérative plantent, entretiennent et valorisent la récolte : une "
            "activité économique face au changement et aux variabilités climatiques."
        ),
        progress=90,
        starts=datetime.date(2024, 9, 1),
        ends=datetime.date(2026, 12, 31),
    )
    project.target_groups.set([women])
    project.douars.set(partnership.douars.filter(code="toulaasri"))
    for organisation, role in [
        (_cooperative(), "Porte la plantation : les femmes plantent, entretiennent et récoltent"),
        (
            Organisation.objects.get(slug="belfaa"),
            "Maître d'ouvrage : terrain, préparation de la parcelle et point d'eau",
        ),
        (
            Organisation.objects.get(slug="jette"),
            "Cofinance les plants et la formation (programme fédéral belge)",
        ),
        (
            Organisation.objects.get(slug="services-etat"),
            "Conseil technique : choix des variétés, calendrier de plantation",
        ),
    ]:
        ProjectPartner.objects.create(project=project, organisation=organisation, role=role)
    for title, due, done_on in [
        ("Préparation et clôture de la parcelle", datetime.date(2024, 9, 30), datetime.date(2024, 9, 27)),
        (
            "Point d'eau en service (bassin, citerne, goutte-à-goutte)",
            datetime.date(2024, 10, 15),
            datetime.date(2024, 11, 5),
        ),
        ("Plantation, saison 1 (automne 2024)", datetime.date(2024, 11, 30), datetime.date(2024, 11, 28)),
        ("Plantation, saison 2 (automne 2025)", datetime.date(2025, 11, 30), datetime.date(2025, 11, 22)),
        (
            "Évaluation participative avec la coopérative",
            datetime.date(2026, 6, 30),
            datetime.date(2026, 6, 18),
        ),
        ("Bilan présenté au comité de pilotage", datetime.date(2026, 12, 15), None),
    ]:
        Milestone.objects.create(project=project, title=title, due=due, done_on=_reached(done_on))
    project = _move(
        project,
        [
            (Stage.FORMULATED, datetime.date(2023, 6, 20), "Fiche projet validée avec la coopérative"),
            (Stage.PLANNED, datetime.date(2024, 2, 12), "Calendrier et budget arrêtés"),
            (Stage.IN_PROGRESS, datetime.date(2024, 9, 2), "Début de la préparation de la parcelle"),
        ],
        coordination,
    )
    cat, funder, MAD, EUR = BudgetLine.Category, BudgetLine.Funder, "MAD", "EUR"
    _lines(
        project,
        [
            (
                cat.WORKS,
                "Préparation du terrain et clôture",
                funder.COMMUNE,
                2024,
                "45000.00",
                MAD,
                "1",
                datetime.date(2024, 2, 12),
                [
                    (datetime.date(2024, 9, 18), "38400.00", "FAC-2024-011", ""),
                    (datetime.date(2024, 9, 30), "6150.00", "FAC-2024-014", ""),
                ],
            ),
            (
                cat.WORKS,
                "Point d'eau : bassin, citerne et goutte-à-goutte",
                funder.COMMUNE,
                2024,
                "60000.00",
                MAD,
                "1",
                datetime.date(2024, 2, 12),
                [
                    (datetime.date(2024, 11, 5), "58900.00", "FAC-2024-017", ""),
                    (
                        datetime.date(2025, 4, 10),
                        "4200.00",
                        "FAC-2025-006",
                        "Remplacement de la pompe du bassin après la crue d'avril 2025 "
                        "(accord du comité de pilotage du 8 avril)",
                    ),
                ],
            ),
            (
                cat.SUPPLIES,
                "Raquettes de figuier de Barbarie, saison 1",
                funder.JETTE,
                2024,
                "3200.00",
                EUR,
                "10.8450",
                datetime.date(2024, 2, 12),
                [(datetime.date(2024, 11, 20), "3080.00", "FAC-2024-019", "")],
            ),
            (
                cat.SUPPLIES,
                "Raquettes de figuier de Barbarie, saison 2",
                funder.FEDERAL,
                2025,
                "3500.00",
                EUR,
                "10.8030",
                datetime.date(2025, 3, 3),
                [(datetime.date(2025, 11, 15), "3410.00", "FAC-2025-031", "")],
            ),
            (
                cat.TRAINING,
                "Formation des femmes de la coopérative (plantation, taille, valorisation)",
                funder.FEDERAL,
                2025,
                "1800.00",
                EUR,
                "10.8030",
                datetime.date(2025, 3, 3),
                [(datetime.date(2025, 5, 22), "1650.00", "CONV-2025-004", "")],
            ),
        ],
        coordination,
    )
    evaluated = datetime.date(2026, 6, 18)
    if evaluated > timezone.localdate():
        return  # the demo loaded before the evaluation: the project is still in progress
    record_evaluation(
        project,
        date=evaluated,
        findings=(
            "Deux saisons de plantation : 1 200 raquettes à l'automne 2024 (chiffre approuvé de "
            "R4.1) et 1 850 à l'automne 2025 (saisi, en attente d'approbation) ; environ huit sur dix "
            "ont repris. Le point d'eau a tenu après le remplacement "
            "de la pompe. Les femmes de la coopérative organisent seules l'arrosage et l'entretien."
        ),
        lessons=(
            "Planter après les premières pluies d'automne ; clôturer avant de planter (les troupeaux). "
            "Les tours d'arrosage décidés en assemblée sont respectés."
        ),
        follow_up=(
            "Former la coopérative à la transformation (confiture, huile de pépins) avant la première "
            "récolte ; présenter le bilan au comité de pilotage."
        ),
        by=coordination,
        tallies=[(women, "F", 23), (youth, "F", 5), (youth, "M", 6)],
    )
    _move(
        project,
        [(Stage.EVALUATED, datetime.date(2026, 6, 25), "Évaluation participative du 18 juin 2026")],
        coordination,
    )


def _centre_works(partnership: Partnership, coordination: User) -> None:
    # R4 names the works; R2 names the centre among the partnership's new projects.
    results = Result.objects.filter(partnership=partnership, code__in=["R2", "R4"])
    project = create_project(
        partnership,
        title=CENTRE_WORKS,
        origin=Project.Origin.COMMUNE,
        origin_note="Le centre construit en 2021 grâce à la CIC : reste à l'aménager et à l'équiper",
        by=coordination,
        date=datetime.date(2022, 3, 10),
        results=list(results),
        structure=partnership.structures.get(code="centre-ecoute"),
        kind=Project.Kind.SOCIAL,
        summary=(
            "Finaliser les travaux d'aménagement du centre d'écoute pour les femmes victimes de "
            "violence et l'équiper pour l'écoute (salle d'écoute) et pour l'hébergement des femmes "
            "avec leurs enfants."
        ),
        progress=70,
        starts=datetime.date(2023, 1, 9),
        ends=datetime.date(2026, 12, 31),
    )
    project.target_groups.set(TargetGroup.objects.filter(code="femmes-violence"))
    for slug, role in [
        ("belfaa", "Maître d'ouvrage : travaux d'aménagement et mise aux normes"),
        ("jette", "Cofinance l'équipement de l'écoute et de l'hébergement"),
    ]:
        ProjectPartner.objects.create(
            project=project, organisation=Organisation.objects.get(slug=slug), role=role
        )
    for title, due, done_on in [
        (
            "Travaux d'aménagement finalisés (cloisons, sanitaires, rampe d'accès)",
            datetime.date(2023, 6, 30),
            datetime.date(2023, 7, 12),
        ),
        ("Salle d'écoute équipée", datetime.date(2023, 10, 31), datetime.date(2023, 10, 20)),
        ("Mise aux normes électriques et incendie réceptionnée", datetime.date(2026, 9, 30), None),
        ("Espace d'hébergement équipé", datetime.date(2026, 12, 20), None),
    ]:
        Milestone.objects.create(project=project, title=title, due=due, done_on=_reached(done_on))
    project = _move(
        project,
        [
            (Stage.FORMULATED, datetime.date(2022, 5, 16), "Programme des travaux et de l'équipement"),
            (Stage.PLANNED, datetime.date(2022, 10, 3), "Marché des travaux attribué"),
            (Stage.IN_PROGRESS, datetime.date(2023, 1, 9), "Ouverture du chantier"),
        ],
        coordination,
    )
    cat, funder, MAD, EUR = BudgetLine.Category, BudgetLine.Funder, "MAD", "EUR"
    _lines(
        project,
        [
            (
                cat.WORKS,
                "Travaux d'aménagement (cloisons, sanitaires, rampe d'accès)",
                funder.COMMUNE,
                2023,
                "180000.00",
                MAD,
                "1",
                datetime.date(2022, 10, 3),
                [
                    (datetime.date(2023, 4, 14), "96500.00", "FAC-2023-008", ""),
                    (datetime.date(2023, 7, 10), "81200.00", "FAC-2023-021", ""),
                ],
            ),
            (
                cat.EQUIPMENT,
                "Équipement de la salle d'écoute (mobilier, isolation phonique, poste informatique)",
                funder.JETTE,
                2023,
                "4500.00",
                EUR,
                "11.0210",
                datetime.date(2023, 1, 9),
                [(datetime.date(2023, 10, 12), "4385.50", "FAC-2023-029", "")],
            ),
            (
                cat.WORKS,
                "Mise aux normes électriques et incendie",
                funder.COMMUNE,
                2026,
                "35000.00",
                MAD,
                "1",
                datetime.date(2026, 2, 2),
                [(datetime.date(2026, 9, 15), "12000.00", "FAC-2026-018", "")],
            ),
            (
                cat.EQUIPMENT,
                "Équipement de l'hébergement (lits, literie, cuisine, coin des enfants)",
                funder.FEDERAL,
                2026,
                "9000.00",
                EUR,
                "10.8760",
                datetime.date(2026, 2, 2),
                [(datetime.date(2026, 10, 8), "3960.00", "FAC-2026-022", "")],
            ),
        ],
        coordination,
    )

"""Writes to projects that touch several rows or keep history."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from partnerships.models import Partnership

from .models import (
    STAGE_ORDER,
    BudgetLine,
    Evaluation,
    EvaluationTally,
    Project,
    Spending,
    Stage,
    StageChange,
)


def _by_name(user) -> str:
    return user.get_username() if user is not None else ""


@transaction.atomic
def create_project(
    partnership: Partnership,
    *,
    title: str,
    origin: str,
    by=None,
    date: datetime.date | None = None,
    results=(),
    **fields,
) -> Project:
    """A new project at the idea step, that step dated and signed."""
    project = Project.objects.create(partnership=partnership, title=title, origin=origin, **fields)
    if results:
        project.results.set(results)
    StageChange.objects.create(
        project=project,
        stage=Stage.IDEA,
        date=date or timezone.localdate(),
        by=by,
        by_name=_by_name(by),
    )
    return project


def next_stages(project: Project) -> list[str]:
    """The steps she may move the project to: the next one of the cycle, or abandoning it (from any
    step before the end)."""
    if project.stage in (Stage.CLOSED, Stage.ABANDONED):
        return []
    following = STAGE_ORDER[STAGE_ORDER.index(Stage(project.stage)) + 1]
    return [following, Stage.ABANDONED]


def missing_for(project: Project, stage: str) -> list[str]:
    """What the project lacks to reach `stage` (empty when it may), in plain words."""
    missing = []
    if stage == Stage.FORMULATED:
        if not project.summary.strip():
            missing.append(_("une description"))
        if not project.results.exists():
            missing.append(_("au moins un résultat servi"))
    elif stage == Stage.PLANNED and not project.milestones.exists():
        missing.append(_("au moins un jalon"))
    elif stage == Stage.EVALUATED and not project.evaluations.exists():
        missing.append(_("une évaluation"))
    return missing


@transaction.atomic
def move_stage(
    project: Project, stage: str, *, by, date: datetime.date | None = None, note: str = ""
) -> Project:
    """Move the project one step along its life cycle (or abandon it, with a reason), dated and
    signed. Refuses a step out of order, a date before the last step or in the future, and a step
    the project is not ready for. Who may: projects.access.can_manage (the caller checks)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    day = date or timezone.localdate()
    if stage not in next_stages(project):
        raise ValidationError(
            _("Le projet est à l'étape « %(current)s » : il ne peut pas passer à « %(stage)s ».")
            % {"current": project.get_stage_display(), "stage": Stage(stage).label}
        )
    if stage == Stage.ABANDONED and not note.strip():
        raise ValidationError(_("Dites pourquoi le projet est abandonné."))
    last = project.stage_changes.order_by("-date", "-pk").first()
    if last is not None and day < last.date:
        raise ValidationError(
            _("La date ne peut pas précéder celle de l'étape précédente (%(date)s).") % {"date": last.date}
        )
    if day > timezone.localdate():
        raise ValidationError(_("La date ne peut pas être dans le futur."))
    missing = missing_for(project, stage)
    if missing:
        raise ValidationError(
            _("Pour passer à « %(stage)s », il manque : %(missing)s.")
            % {"stage": Stage(stage).label, "missing": ", ".join(str(m) for m in missing)}
        )
    project.stage = stage
    project.version += 1  # an open edit form of the project is now stale
    project.save(update_fields=["stage", "version", "updated_at"])
    StageChange.objects.create(project=project, stage=stage, date=day, by=by, by_name=_by_name(by), note=note)
    return project


@transaction.atomic
def record_spending(
    line: BudgetLine, *, date: datetime.date, amount: Decimal, document: str, by=None, over_reason: str = ""
) -> Spending:
    """An amount spent against a budget line (in the line's currency). Refuses one that takes the
    line past its planned amount without a reason, a date in the future or before the partnership's
    first year, and the same spending twice (same line, date, amount and document: a double submit),
    checked under the line's lock so two simultaneous submits record it once."""
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    if amount <= 0:
        raise ValidationError(_("Le montant doit être positif."))
    if date > timezone.localdate():
        raise ValidationError(_("La date ne peut pas être dans le futur."))
    first_day = datetime.date(line.project.partnership.start_year, 1, 1)
    if date < first_day:
        raise ValidationError(
            _("La date ne peut pas précéder le début du partenariat (%(date)s).") % {"date": first_day}
        )
    if not document.strip():
        raise ValidationError(_("Indiquez la référence de la pièce justificative."))
    if line.spendings.filter(date=date, amount=amount, document__iexact=document.strip()).exists():
        raise ValidationError(_("Cette dépense est déjà enregistrée."))
    spent = line.spendings.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    spent = spent.quantize(Decimal("0.01"))  # SQLite adds decimals as floats: back to the centime
    if spent + amount > line.amount and not over_reason.strip():
        raise ValidationError(
            _(
                "Cette dépense porte la ligne à %(total)s %(currency)s pour %(planned)s prévus : "
                "indiquez le motif du dépassement."
            )
            % {"total": spent + amount, "currency": line.currency, "planned": line.amount}
        )
    return Spending.objects.create(
        line=line,
        date=date,
        amount=amount,
        document=document.strip(),
        over_reason=over_reason.strip(),
        recorded_by=by,
    )


@transaction.atomic
def record_evaluation(
    project: Project, *, date: datetime.date, findings: str, by=None, tallies=(), **fields
) -> Evaluation:
    """A participatory evaluation with who took part: `tallies` of (target group, sex, count).
    Refuses a date in the future or before the project's idea step, and the same evaluation twice
    (same project, date and findings: a double tap), checked under the project's lock so two
    simultaneous submits record it once."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if date > timezone.localdate():
        raise ValidationError(_("Une évaluation ne peut pas être datée dans le futur."))
    idea = (
        project.stage_changes.filter(stage=Stage.IDEA).order_by("date").values_list("date", flat=True).first()
    )
    if idea is not None and date < idea:
        raise ValidationError(
            _("Une évaluation ne peut pas précéder l'idée du projet (%(date)s).")
            % {"date": date_format(idea, "SHORT_DATE_FORMAT")}
        )
    findings = findings.strip()
    if any(
        known.strip() == findings
        for known in project.evaluations.filter(date=date).values_list("findings", flat=True)
    ):
        raise ValidationError(_("Cette évaluation est déjà enregistrée."))
    evaluation = Evaluation.objects.create(
        project=project, date=date, findings=findings, recorded_by=by, **fields
    )
    for group, sex, count in tallies:
        if count:
            EvaluationTally.objects.create(evaluation=evaluation, target_group=group, sex=sex, count=count)
    return evaluation


@transaction.atomic
def create_project_with_links(partnership: Partnership, *, by, fields: dict, links: dict) -> Project:
    """A new project (`create_project`: the idea step, dated today and signed) with what it serves,
    whom, where, and the activities that implement it."""
    links = dict(links)
    project = create_project(partnership, by=by, results=links.pop("results", ()), **fields)
    for name, rows in links.items():
        getattr(project, name).set(rows)
    return project

"""Projects (R4): from idea to evaluation, with their plan, budget, spending, evaluations and surveys.

One model for every project: a partnership's, a structure's, or a youth forum's followed project
(the forum's proposal points to it: `participation.Proposal.project`). Amounts are exact decimals;
a budget line in euros carries the rate of its date, so its value in dirhams is exact too.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerships.models import Partnership, Role

# Who reads a partnership's projects: its coordination and admin, the partner commune, the staff of
# its structures (a structure's project is its own work). Not the network officer (aggregates only).
READER_ROLES = (
    Role.COORDINATOR,
    Role.ADMIN,
    Role.PARTNER_OFFICER,
    Role.CENTRE_COORDINATOR,
    Role.OFFICE_AGENT,
    Role.EDUCATOR,
)
CENTS = Decimal("0.01")


class Stage(models.TextChoices):
    """The life cycle, in order; `abandonne` ends a project from any step before `cloture`."""

    IDEA = "idee", _("idée")
    FORMULATED = "formule", _("formulé")
    PLANNED = "planifie", _("planifié")
    IN_PROGRESS = "en-cours", _("en cours")
    EVALUATED = "evalue", _("évalué")
    CLOSED = "cloture", _("clôturé")
    ABANDONED = "abandonne", _("abandonné")


STAGE_ORDER = [Stage.IDEA, Stage.FORMULATED, Stage.PLANNED, Stage.IN_PROGRESS, Stage.EVALUATED, Stage.CLOSED]


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Projects of the partnerships where the user holds a reader role; none without one."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(
            partnership__memberships__user=user, partnership__memberships__role__in=READER_ROLES
        ).distinct()


class Project(models.Model):
    class Kind(models.TextChoices):
        SOCIAL = "social", _("social")
        SOCIO_ECONOMIC = "socio-economique", _("socio-économique")
        SOCIO_ENVIRONMENTAL = "socio-environnemental", _("socio-environnemental")

    class Origin(models.TextChoices):
        """Where the idea came from (identification), so that participation is visible."""

        FORUM = "forum", _("forum des jeunes")
        CONSULTATION = "consultation", _("consultation des habitants")
        PARTNER = "partenaire", _("partenaire")
        COMMUNE = "commune", _("commune")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="projects")
    structure = models.ForeignKey(
        "partnerships.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("structure"),
    )
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("type"), max_length=25, choices=Kind.choices, default=Kind.SOCIAL)
    origin = models.CharField(_("origine de l'idée"), max_length=15, choices=Origin.choices)
    origin_note = models.CharField(_("précision sur l'origine"), max_length=300, blank=True)
    results = models.ManyToManyField(
        "programme.Result", blank=True, related_name="projects", verbose_name=_("résultats servis")
    )
    target_groups = models.ManyToManyField(
        "people.TargetGroup", blank=True, related_name="projects", verbose_name=_("publics cibles")
    )
    douars = models.ManyToManyField(
        "partnerships.Douar", blank=True, related_name="projects", verbose_name=_("douars et quartiers")
    )
    activities = models.ManyToManyField(
        "activities.Activity",
        blank=True,
        related_name="projects",
        verbose_name=_("activités qui le mettent en œuvre"),
    )
    stage = models.CharField(_("étape"), max_length=10, choices=Stage.choices, default=Stage.IDEA)
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    starts = models.DateField(_("début"), null=True, blank=True)
    ends = models.DateField(_("fin prévue"), null=True, blank=True)
    # docs/security.md 21: optimistic locking (core/locking.py); every edit claims it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "title", "pk"]
        verbose_name = _("projet")
        verbose_name_plural = _("projets")
        constraints = [
            models.CheckConstraint(name="project_progress_is_a_percentage", condition=Q(progress__lte=100)),
            models.CheckConstraint(
                name="project_ends_after_it_starts",
                condition=Q(starts__isnull=True) | Q(ends__isnull=True) | Q(ends__gte=models.F("starts")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Still under way: a closed or abandoned project is read-only (projects/access.py
        `can_change`), and its milestones are never late."""
        return self.stage not in (Stage.CLOSED, Stage.ABANDONED)


class StageChange(models.Model):
    """A step of the life cycle: when it happened and who recorded it (append-only history)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(_("étape"), max_length=10, choices=Stage.choices)
    date = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_name = models.CharField(_("par"), max_length=150, blank=True)  # kept if the account goes
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "date", "pk"]
        verbose_name = _("étape franchie")
        verbose_name_plural = _("étapes franchies")

    def __str__(self) -> str:
        return f"{self.project} : {self.get_stage_display()} ({self.date})"


class ProjectPartner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "partnerships.Organisation", on_delete=models.PROTECT, related_name="project_roles"
    )
    role = models.CharField(_("rôle"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "organisation__name"]
        verbose_name = _("partenaire du projet")
        verbose_name_plural = _("partenaires du projet")
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="project_partner_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.role}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("étape"), max_length=200)
    due = models.DateField(_("échéance"), null=True, blank=True)
    done_on = models.DateField(_("atteinte le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "due", "pk"]
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.done_on is not None

    def late(self, today) -> bool:
        """Not reached, its due date is past, and its project is still under way (a closed or
        abandoned project's milestones are no longer awaited)."""
        return self.done_on is None and self.due is not None and self.due < today and self.project.is_open


class Currency(models.TextChoices):
    MAD = "MAD", _("dirham (MAD)")
    EUR = "EUR", _("euro (EUR)")


class BudgetLine(models.Model):
    """A planned amount, in MAD or EUR. An amount in euros carries the rate (MAD for 1 EUR) of the
    budget's date, so that every sum in dirhams is exact (`in_mad`)."""

    class Category(models.TextChoices):
        WORKS = "travaux", _("travaux")
        EQUIPMENT = "equipement", _("équipement")
        SUPPLIES = "fournitures", _("fournitures et intrants")
        TRAINING = "formation", _("formation et accompagnement")
        STAFF = "personnel", _("personnel")
        EVENTS = "animation", _("animation et événements")
        OPERATING = "fonctionnement", _("fonctionnement")
        OTHER = "autre", _("autre")

    class Funder(models.TextChoices):
        COMMUNE = "commune", _("commune")
        JETTE = "jette", _("commune de Jette")
        FEDERAL = "programme-federal", _("programme fédéral belge")
        OTHER = "autre", _("autre bailleur")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("catégorie"), max_length=15, choices=Category.choices)
    label = models.CharField(_("libellé"), max_length=200)
    funder = models.CharField(_("bailleur"), max_length=20, choices=Funder.choices)
    funder_other = models.CharField(_("autre bailleur (nom)"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(
        _("année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    amount = models.DecimalField(
        _("montant prévu"), max_digits=14, decimal_places=2, validators=[MinValueValidator(CENTS)]
    )
    currency = models.CharField(_("devise"), max_length=3, choices=Currency.choices, default=Currency.MAD)
    rate = models.DecimalField(
        _("taux (MAD pour 1 EUR)"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    rate_date = models.DateField(_("date du taux"))
    # docs/security.md 21: optimistic locking (core/locking.py); every edit claims it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "year", "category", "pk"]
        verbose_name = _("ligne budgétaire")
        verbose_name_plural = _("lignes budgétaires")
        constraints = [
            models.CheckConstraint(name="budget_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="budget_dirhams_at_par",
                condition=Q(currency="EUR", rate__gt=0) | Q(currency="MAD", rate=1),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.amount} {self.currency}"

    def in_mad(self, amount: Decimal | None = None) -> Decimal:
        """`amount` (the line's own by default), in the line's currency, converted to dirhams at the
        line's rate, rounded to the centime (half up)."""
        value = self.amount if amount is None else amount
        return (value * self.rate).quantize(CENTS, rounding=ROUND_HALF_UP)


class Spending(models.Model):
    """An amount spent against a budget line, in the line's currency, with its document. A spending
    that takes the line past its planned amount needs a recorded reason (`over_reason`)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="spendings")
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("montant"), max_digits=14, decimal_places=2, validators=[MinValueValidator(CENTS)]
    )
    document = models.CharField(_("pièce justificative (référence)"), max_length=100)
    over_reason = models.TextField(_("motif du dépassement"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["line", "date", "pk"]
        verbose_name = _("dépense")
        verbose_name_plural = _("dépenses")
        constraints = [models.CheckConstraint(name="spending_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.date} — {self.amount} ({self.document})"


class Evaluation(models.Model):
    """A participatory evaluation: who took part (tallies), what was found and learnt, what follows."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evaluations")
    date = models.DateField(_("date"))
    findings = models.TextField(_("constats"))
    lessons = models.TextField(_("enseignements"), blank=True)
    follow_up = models.TextField(_("suites décidées"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # docs/security.md 21: optimistic locking (core/locking.py); every edit claims it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "-date", "pk"]
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")

    def __str__(self) -> str:
        return f"{self.project} — {self.date}"


class EvaluationTally(models.Model):
    """How many took part in an evaluation, by target group and sex (no names)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="tallies")
    target_group = models.ForeignKey(
        "people.TargetGroup", on_delete=models.PROTECT, related_name="+", verbose_name=_("public cible")
    )
    sex = models.CharField(_("sexe"), max_length=1, choices=[("F", _("femmes")), ("M", _("hommes"))])
    count = models.PositiveIntegerField(_("nombre"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["evaluation", "target_group", "sex"]
        verbose_name = _("participants à l'évaluation")
        verbose_name_plural = _("participants à l'évaluation")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "target_group", "sex"], name="evaluation_tally_once"
            ),
            models.CheckConstraint(name="evaluation_tally_positive", condition=Q(count__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.target_group} {self.sex}: {self.count}"


class Survey(models.Model):
    """A short questionnaire on a scale, attached to a project or to a result."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="surveys")
    code = models.SlugField(_("code"))
    title = models.CharField(_("titre"), max_length=200)
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("projet"),
    )
    result = models.ForeignKey(
        "programme.Result",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("résultat"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership", "code"]
        verbose_name = _("enquête")
        verbose_name_plural = _("enquêtes")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="survey_code_unique"),
            models.CheckConstraint(
                name="survey_attached_to_a_project_or_a_result",
                condition=Q(project__isnull=False) | Q(result__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A question answered on a scale from `low` to `high`; an answer of `favourable` or more counts
    as favourable (what an indicator on this question counts)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"))
    text = models.CharField(_("question"), max_length=300)
    low = models.PositiveSmallIntegerField(_("bas de l'échelle"), default=1)
    high = models.PositiveSmallIntegerField(_("haut de l'échelle"), default=5)
    favourable = models.PositiveSmallIntegerField(_("favorable à partir de"), default=4)
    low_label = models.CharField(_("libellé du bas"), max_length=100, blank=True)
    high_label = models.CharField(_("libellé du haut"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["survey", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique"),
            models.CheckConstraint(
                name="question_scale_in_order",
                condition=Q(low__lt=models.F("high"))
                & Q(favourable__gte=models.F("low"))
                & Q(favourable__lte=models.F("high")),
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    """One respondent's answers (anonymous: sex and target group only). `instance` identifies the
    filled form (ODK/Kobo instance id, or one made by the app), so an answer imported twice counts once."""

    class Source(models.TextChoices):
        APP = "app", _("saisie dans Twiza")
        IMPORT = "import", _("import Kobo/ODK")
        COLLECT = "collecte", _("ODK Collect")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    instance = models.CharField(_("identifiant du formulaire"), max_length=64)
    date = models.DateField(_("date"))
    sex = models.CharField(_("sexe"), max_length=1, choices=[("F", _("femme")), ("M", _("homme"))])
    target_group = models.ForeignKey(
        "people.TargetGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("public cible"),
    )
    structure = models.ForeignKey(
        "partnerships.Structure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.APP)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "date", "pk"]
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        constraints = [models.UniqueConstraint(fields=["survey", "instance"], name="response_once")]

    def __str__(self) -> str:
        return f"{self.survey} — {self.instance}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.PositiveSmallIntegerField(_("réponse"))

    class Meta:
        ordering = ["response", "question"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.question.code}={self.value}"

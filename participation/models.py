"""Youth open forums (R3): forums and their phases, proposals, voting codes, ballots, followed projects.

Nobody's identity is collected: a proposer leaves an optional contact (encrypted, read by the
coordinator only), a voter holds a one-time code of which only a keyed hash is stored, and a ballot
is never linked to the code that cast it.
"""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from partnerships.models import Partnership, Role

# Roles that may read the staff pages of the forums, and those that may enter paper forms and
# ballots ("officers"). Listening-centre staff and the network officer have no business here.
OFFICER_ROLES = (Role.COORDINATOR, Role.ADMIN, Role.OFFICE_AGENT, Role.EDUCATOR)
READER_ROLES = (*OFFICER_ROLES, Role.PARTNER_OFFICER)


class Sex(models.TextChoices):
    F = "F", _("femme")
    M = "M", _("homme")
    X = "X", _("non renseigné")


class AgeBand(models.TextChoices):
    UNDER_18 = "moins-18", _("moins de 18 ans")
    A18_24 = "18-24", _("18 à 24 ans")
    A25_35 = "25-35", _("25 à 35 ans")
    OVER_35 = "plus-35", _("plus de 35 ans")
    UNKNOWN = "nr", _("non renseigné")


class Phase(models.TextChoices):
    """The phases, in the order the coordinator moves through them."""

    PROPOSALS = "propositions", _("propositions ouvertes")
    REVIEW = "recevabilite", _("examen de recevabilité")
    DELIBERATION = "deliberation", _("délibération")
    VOTING = "vote", _("vote")
    RESULTS = "resultats", _("résultats")
    FOLLOW_UP = "suivi", _("suivi des projets")


PHASE_ORDER = list(Phase.values)


class ForumQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Forums of the partnerships where the user holds a reader role (or the platform admin)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            partnership__memberships__user=user, partnership__memberships__role__in=READER_ROLES
        ).distinct()


class ForumChildQuerySet(models.QuerySet):
    forum_path = "forum"

    def visible_to(self, user) -> Self:
        """Rows of the forums the user may read (ForumQuerySet.visible_to); none without a role."""
        return self.filter(**{f"{self.forum_path}__in": Forum.objects.visible_to(user)})


class Forum(models.Model):
    class Rule(models.TextChoices):
        APPROVAL = "approbation", _("vote par approbation (jusqu'à N choix)")
        BUDGET = "budget", _("vote budgétaire (choix dans la limite du budget)")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="forums")
    slug = models.SlugField(_("code"))
    title = models.CharField(_("titre"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("lieu"), max_length=200)
    theme = models.CharField(_("thème"), max_length=300, blank=True)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.PROPOSALS)
    rule = models.CharField(_("règle de vote"), max_length=20, choices=Rule.choices, default=Rule.APPROVAL)
    max_choices = models.PositiveSmallIntegerField(
        _("nombre maximal de choix"), default=3, help_text=_("Vote par approbation.")
    )
    seats = models.PositiveSmallIntegerField(
        _("nombre de projets retenus"), default=2, help_text=_("Vote par approbation.")
    )
    budget = models.PositiveIntegerField(
        _("budget (DH)"), null=True, blank=True, help_text=_("Vote budgétaire.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForumQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="forum_slug_unique"),
            models.CheckConstraint(
                name="forum_rule_parameters",
                condition=Q(rule="approbation", max_choices__gte=1, seats__gte=1)
                | Q(rule="budget", budget__gte=1),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def phase_index(self) -> int:
        return PHASE_ORDER.index(self.phase)

    def phase_at_least(self, phase) -> bool:
        return self.phase_index >= PHASE_ORDER.index(phase)

    @property
    def next_phase(self) -> Phase | None:
        i = self.phase_index
        return Phase(PHASE_ORDER[i + 1]) if i + 1 < len(PHASE_ORDER) else None

    @property
    def earlier_phases(self) -> list[Phase]:
        return [Phase(p) for p in PHASE_ORDER[: self.phase_index]]


class PhaseChange(models.Model):
    """The log of a forum's phases: every move, and every explicit reopening with its reason."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=20, choices=Phase.choices)
    to_phase = models.CharField(max_length=20, choices=Phase.choices)
    reopening = models.BooleanField(default=False)
    reason = models.TextField(_("motif"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForumChildQuerySet.as_manager()

    class Meta:
        ordering = ["forum", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(name="reopening_has_reason", condition=Q(reopening=False) | ~Q(reason=""))
        ]

    def __str__(self) -> str:
        return f"{self.forum} : {self.from_phase} → {self.to_phase}"


class Proposal(models.Model):
    class Category(models.TextChoices):
        ENVIRONMENT = "environnement", _("environnement")
        CULTURE = "culture", _("culture")
        SPORT = "sport", _("sport et loisirs")
        SOLIDARITY = "solidarite", _("solidarité")
        EDUCATION = "education", _("éducation et formation")
        PUBLIC_SPACE = "amenagement", _("aménagement de l'espace public")
        OTHER = "autre", _("autre")

    class Status(models.TextChoices):
        SUBMITTED = "deposee", _("déposée, en examen")
        ADMISSIBLE = "recevable", _("recevable")
        INADMISSIBLE = "irrecevable", _("irrecevable")

    class Source(models.TextChoices):
        ONLINE = "en-ligne", _("en ligne")
        PAPER = "papier", _("formulaire papier")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveSmallIntegerField(_("numéro"))
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), max_length=3000)
    category = models.CharField(_("catégorie"), max_length=20, choices=Category.choices)
    estimated_cost = models.PositiveIntegerField(_("coût estimé (DH)"))
    # A proposer may skip these: "non renseigné" is then recorded, never a guess (issue 14).
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, default=Sex.X)
    age_band = models.CharField(
        _("tranche d'âge"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    # Seen by the coordinator only, never on a public page (docs/security.md 13: encrypted at rest).
    contact = EncryptedTextField(_("contact (facultatif)"), blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("recevabilité"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    decision_reason = models.TextField(_("motif public de la décision"), blank=True)
    # A selected proposal is followed as a project (projects.Project, origin "forum").
    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="proposal"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # docs/security.md 21: optimistic locking (core/locking.py); every decision claims it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForumChildQuerySet.as_manager()

    class Meta:
        ordering = ["forum", "number"]
        verbose_name = _("proposition")
        verbose_name_plural = _("propositions")
        constraints = [
            models.UniqueConstraint(fields=["forum", "number"], name="proposal_number_unique"),
            models.CheckConstraint(
                name="decision_has_public_reason", condition=Q(status="deposee") | ~Q(decision_reason="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class VotingCode(models.Model):
    """A one-time code printed on the coordinator's list; only its keyed hash is kept."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForumChildQuerySet.as_manager()

    class Meta:
        ordering = ["forum", "pk"]
        constraints = [models.UniqueConstraint(fields=["forum", "code_hash"], name="voting_code_unique")]

    def __str__(self) -> str:
        return f"{self.forum} : code {self.pk}"


class PaperBatch(models.Model):
    """Paper ballots typed in by one officer; counted only once a different user confirmed them."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="batches")
    label = models.CharField(_("intitulé"), max_length=100, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForumChildQuerySet.as_manager()

    class Meta:
        ordering = ["forum", "pk"]
        constraints = [
            models.CheckConstraint(
                name="batch_checked_by_another_user",
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("entered_by")),
            ),
            models.CheckConstraint(
                name="batch_confirmation_complete",
                condition=Q(confirmed_by__isnull=True, confirmed_at__isnull=True)
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.forum} : lot {self.pk}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class BallotQuerySet(ForumChildQuerySet):
    def counted(self) -> Self:
        """Online ballots, and paper ballots of confirmed batches."""
        return self.filter(Q(batch__isnull=True) | Q(batch__confirmed_at__isnull=False))


class Ballot(models.Model):
    """One voter's choices. Deliberately not linked to the code that cast it (secret ballot)."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="ballots")
    batch = models.ForeignKey(
        PaperBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="ballots"
    )
    choices = models.ManyToManyField(Proposal, related_name="ballots", blank=True)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, default=Sex.X)
    age_band = models.CharField(
        _("tranche d'âge"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BallotQuerySet.as_manager()

    class Meta:
        ordering = ["forum", "pk"]

    def __str__(self) -> str:
        return f"{self.forum} : bulletin {self.pk}"

"""Activities of a partnership, their attendance and tallies, trainings, committees, visits, partners.

Attendance and tallies are kept simple and indexed (the indicator engine reads them); every write to
them goes through `activities/actions.py`.
"""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from partnerships.models import Organisation, Partnership, Structure
from people.models import Person, TargetGroup
from programme.models import GovernancePrinciple, Result


def _scope(user) -> tuple[QuerySet, QuerySet, QuerySet]:
    """(partnership ids the user coordinates, structure ids she staffs, partnership ids she may read)."""
    from partnerships.models import Membership, Role

    memberships = Membership.objects.filter(user=user)
    coordinated = memberships.filter(role=Role.COORDINATOR).values("partnership_id")
    staffed = memberships.filter(structure__isnull=False).values("structure_id")
    readable = Partnership.objects.visible_to(user).values("pk")
    return coordinated, staffed, readable


# The largest tally: more people than any activity counts, within a 32-bit integer column.
MAX_COUNT = 1_000_000


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Activities of the partnerships the user holds a role in (activities are not personal data).

        Who attended is a different matter, decided in `activities/access.py`.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class Activity(models.Model):
    class Kind(models.TextChoices):
        INFO_MEETING = "reunion-info", _("réunion d'information")
        CAMPAIGN = "campagne", _("campagne de sensibilisation")
        FORUM = "forum", _("forum ouvert")
        TRAINING = "formation", _("formation")
        EXHIBITION = "exposition", _("exposition")
        THEATRE = "theatre-action", _("théâtre-action")
        SCREENING = "projection", _("projection")
        FAIR = "salon", _("salon")
        WORKSHOP = "atelier", _("atelier")
        DAY_SESSION = "accueil-jour", _("séance du centre de jour")
        PARENTS_GROUP = "groupe-parents", _("groupe de soutien des parents")
        EVENT = "evenement", _("événement communal")
        COMMITTEE = "comite", _("comité de pilotage")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="activities")
    structure = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("structure"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=200)
    date = models.DateField(_("date"))
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    place = models.CharField(
        _("lieu"), max_length=200, blank=True, help_text=_("Douar, ferme, association, salle communale…")
    )
    douar = models.ForeignKey(
        "partnerships.Douar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("douar ou quartier"),
    )
    partners = models.ManyToManyField(
        Organisation, through="ActivityPartner", related_name="activities", blank=True
    )
    results = models.ManyToManyField(
        Result, related_name="activities", blank=True, verbose_name=_("résultats")
    )
    principles = models.ManyToManyField(
        GovernancePrinciple, related_name="activities", blank=True, verbose_name=_("principes de gouvernance")
    )
    # Trainings (`formation`): hours, topics and the staff who attended.
    hours = models.DecimalField(_("heures"), max_digits=5, decimal_places=1, null=True, blank=True)
    topics = models.TextField(_("thèmes"), blank=True)
    trained_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="trainings", blank=True, verbose_name=_("personnel formé")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # docs/security.md 21: optimistic locking (core/locking.py); every edit claims it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("date")),
                name="activity_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0), name="activity_hours_not_negative"
            ),
        ]
        # With the kind, the annual report's GROUP BY over a year of activities reads only this index.
        indexes = [
            models.Index(fields=["partnership", "date", "kind"], name="activity_partnership_date_kind"),
            # One kind over a period (a year's steering committees in the report, the list's filter).
            models.Index(fields=["partnership", "kind", "date"], name="activity_partnership_kind_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class Attendance(models.Model):
    """A registered person attended an activity (once: a database constraint). `date` is the activity's."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendances")
    date = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity", "person__number"]
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="attendance_once")]
        indexes = [models.Index(fields=["person", "date"], name="attendance_person_date")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.activity_id}"


class Tally(models.Model):
    """People not registered, counted by sex (F, M, X = not recorded) and optionally target group."""

    class Sex(models.TextChoices):
        F = "F", _("femmes")
        M = "M", _("hommes")
        X = "X", _("non précisé")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="tallies")
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    target_group = models.ForeignKey(
        TargetGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    count = models.IntegerField(_("nombre"), default=0)
    date = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity", "sex", "target_group"]
        verbose_name = _("comptage")
        verbose_name_plural = _("comptages")
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=0), name="tally_count_not_negative"),
            models.CheckConstraint(condition=Q(sex__in=["F", "M", "X"]), name="tally_sex_known"),
            models.UniqueConstraint(
                fields=["activity", "sex", "target_group"],
                condition=Q(target_group__isnull=False),
                name="tally_once_per_group",
            ),
            models.UniqueConstraint(
                fields=["activity", "sex"], condition=Q(target_group__isnull=True), name="tally_once_no_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.sex} {self.target_group_id}: {self.count}"


class ActivityPartner(models.Model):
    """An organisation's part in an activity; for a steering committee, whether it was present."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="partner_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="activity_roles")
    role = models.CharField(_("rôle"), max_length=200, blank=True)
    present = models.BooleanField(_("présent"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "organisation"], name="activity_partner_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.activity_id}"


class StructurePartner(models.Model):
    """An organisation's part in a structure (the partnership level is partnerships.PartnerRole)."""

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="partner_roles", verbose_name=_("structure")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="structure_roles", verbose_name=_("organisation")
    )
    role = models.CharField(_("rôle"), max_length=200)
    contact_name = models.CharField(_("personne de contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["structure", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "organisation"], name="structure_partner_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.structure}"


class Decision(models.Model):
    """A decision of a steering committee, who follows it up and by when."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("décision"))
    follow_up_by = models.CharField(_("suivi par"), max_length=200, blank=True)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    done = models.BooleanField(_("réalisée"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity", "due_date", "pk"]
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")

    def __str__(self) -> str:
        return self.text[:60]


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Visits of the structures the user staffs, or of the partnerships she coordinates; else none."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        coordinated, staffed, _readable = _scope(user)
        return self.filter(Q(partnership_id__in=coordinated) | Q(structure_id__in=staffed))


class Visit(models.Model):
    """A visit to the migrant reception office: who (registered, or anonymous with sex), why, and where sent."""

    class Orientation(models.TextChoices):
        HEALTH = "sante", _("santé")
        EDUCATION = "education", _("éducation")
        LEGAL = "juridique", _("juridique / séjour")
        EMPLOYMENT = "emploi", _("emploi")
        HOUSING = "logement", _("logement")
        OTHER = "autre", _("autre")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="visits")
    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="visits", verbose_name=_("structure")
    )
    date = models.DateField(_("date"))
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("personne"),
    )
    sex = models.CharField(_("sexe"), max_length=1, choices=Tally.Sex.choices)
    douar = models.ForeignKey(
        "partnerships.Douar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("venu(e) de (douar ou quartier)"),
    )
    reason = models.CharField(_("motif"), max_length=200)
    orientation = models.CharField(_("orientation"), max_length=20, choices=Orientation.choices)
    referred_to = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("orienté vers"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("visite")
        verbose_name_plural = _("visites")
        indexes = [models.Index(fields=["structure", "date"], name="visit_structure_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_orientation_display()}"

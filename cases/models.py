"""The listening centre's case files (confidential): intake, incidents, services, notes, history, audit.

Identifying and free-text fields are `EncryptedTextField` (docs/security.md 13). These models are never
registered in the Django admin and never exposed by the API; statistics leave the app only through
`cases/stats.py`. Reads go through `cases/access.py`, which writes the access log.
"""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from partnerships.models import Partnership, Role, Structure


class Channel(models.TextChoices):
    SELF = "elle-meme", _("elle-même")
    FAMILY = "famille", _("famille")
    ASSOCIATION = "association", _("association")
    POLICE = "police", _("police / gendarmerie")
    HEALTH = "sante", _("centre de santé")
    OTHER = "autre", _("autre")


class AgeBand(models.TextChoices):
    UNDER_18 = "0-17", _("moins de 18 ans")
    A18 = "18-24", _("18 à 24 ans")
    A25 = "25-34", _("25 à 34 ans")
    A35 = "35-49", _("35 à 49 ans")
    A50 = "50+", _("50 ans et plus")
    UNKNOWN = "nr", _("non renseigné")


class IncidentType(models.TextChoices):
    """GBVIMS's six core types: exactly one per incident."""

    RAPE = "viol", _("viol")
    SEXUAL_ASSAULT = "agression-sexuelle", _("agression sexuelle")
    PHYSICAL_ASSAULT = "agression-physique", _("agression physique")
    FORCED_MARRIAGE = "mariage-force", _("mariage forcé")
    DENIAL = "deni-ressources", _("déni de ressources, d'opportunités ou de services")
    PSYCHOLOGICAL = "violence-psychologique", _("violence psychologique ou émotionnelle")


class IncidentContext(models.TextChoices):
    PARTNER = "partenaire", _("partenaire intime")
    FAMILY = "famille", _("famille")
    WORK = "travail", _("lieu de travail ou exploitation agricole")
    PUBLIC = "espace-public", _("espace public")
    OTHER = "autre", _("autre")


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Cases of the centres where the user is centre coordinator, and those assigned to her where
        she is a listener. Nobody else — partnership coordinator, partner, network, platform admin —
        sees a case, not even that it exists (docs/security.md 4)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        from partnerships.models import Membership

        rows = Membership.objects.filter(user=user, structure__kind=Structure.Kind.LISTENING_CENTRE)
        coordinated = rows.filter(role=Role.CENTRE_COORDINATOR).values("structure_id")
        listened = rows.filter(role=Role.LISTENER).values("structure_id")
        return self.filter(Q(structure_id__in=coordinated) | Q(structure_id__in=listened, assigned_to=user))


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "ouvert", _("ouvert")
        FOLLOWED = "suivi", _("suivi")
        CLOSED = "clos", _("clos")

    class ClosureReason(models.TextChoices):
        RESOLVED = "besoins-couverts", _("besoins couverts")
        REFERRED = "orientee", _("orientée vers un partenaire")
        LOST = "perdue-de-vue", _("perdue de vue")
        MOVED = "demenagement", _("déménagement")
        WITHDREW = "retrait", _("retrait de la bénéficiaire")
        OTHER = "autre", _("autre")

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code du dossier"), max_length=20)
    opened_on = models.DateField(_("date d'accueil"))
    channel = models.CharField(_("venue par"), max_length=20, choices=Channel.choices)
    # She may not say: "non renseigné" is the default, never a guessed band (issue 14).
    age_band = models.CharField(
        _("tranche d'âge"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    children_with_her = models.BooleanField(_("enfants avec elle"), default=False)
    children_count = models.PositiveSmallIntegerField(_("nombre d'enfants avec elle"), default=0)
    # Identifying details: optional, encrypted (docs/security.md 13).
    full_name = EncryptedTextField(_("nom et prénom"), blank=True)
    phone = EncryptedTextField(_("téléphone"), blank=True)
    address = EncryptedTextField(_("adresse"), blank=True)
    consent_services = models.BooleanField(_("consent à recevoir des services"), default=False)
    consent_referral = models.BooleanField(_("consent à être orientée vers un partenaire"), default=False)
    consent_statistics = models.BooleanField(
        _("consent à être comptée dans des statistiques non identifiantes"), default=False
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closure_reason = models.CharField(
        _("motif de clôture"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closed_on = models.DateField(_("date de clôture"), null=True, blank=True)
    # docs/security.md 25: set by `manage.py anonymise_closed_cases`; an anonymised case is read-only.
    anonymised_on = models.DateField(_("anonymisé le"), null=True, blank=True, editable=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("écoutante référente"),
    )
    # docs/security.md 21: optimistic locking; every save through actions.py bumps it.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-code"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="case_code_unique"),
            models.CheckConstraint(
                condition=Q(status="clos", closed_on__isnull=False) & ~Q(closure_reason="")
                | (~Q(status="clos") & Q(closed_on__isnull=True)),
                name="case_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(children_with_her=True) | Q(children_count=0), name="case_children_consistent"
            ),
            # An anonymised case stays closed: it can never be reopened (docs/security.md 25).
            models.CheckConstraint(
                condition=Q(anonymised_on__isnull=True) | Q(status="clos"),
                name="case_anonymised_stays_closed",
            ),
        ]

    def __str__(self) -> str:
        # Never a name: the code only (docs/security.md 4, 14).
        return self.code


class CaseChild(models.Model):
    """Common columns of everything recorded in a case: which case, when, by whom."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="%(class)ss")
    date = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("par")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.case.code} {self._meta.verbose_name} {self.date:%Y-%m}"


class Incident(CaseChild):
    """One incident, classified as GBVIMS does (exactly one type). `date` is the intake of the report;
    the incident itself is known to the month only."""

    type = models.CharField(_("type (GBVIMS)"), max_length=30, choices=IncidentType.choices)
    context = models.CharField(_("contexte"), max_length=20, choices=IncidentContext.choices)
    year = models.PositiveSmallIntegerField(_("année de l'incident"))
    month = models.PositiveSmallIntegerField(_("mois de l'incident"))
    narrative = EncryptedTextField(_("récit"), blank=True)

    class Meta(CaseChild.Meta):
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="incident_month_valid")
        ]


class ListeningSession(CaseChild):
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=45)

    class Meta(CaseChild.Meta):
        verbose_name = _("séance d'écoute")
        verbose_name_plural = _("séances d'écoute")


class Note(CaseChild):
    text = EncryptedTextField(_("note de suivi"))

    class Meta(CaseChild.Meta):
        verbose_name = _("note de suivi")
        verbose_name_plural = _("notes de suivi")


class Referral(CaseChild):
    class Kind(models.TextChoices):
        MEDICAL = "medicale", _("médicale")
        LEGAL = "juridique", _("juridique")
        ECONOMIC = "economique", _("économique")
        PSYCHOLOGICAL = "psychologique", _("psychologique")

    kind = models.CharField(_("type d'orientation"), max_length=20, choices=Kind.choices)
    # Which partner she was sent to tells where she is treated: encrypted like her name (docs/security.md 13).
    partner = EncryptedTextField(_("partenaire"), max_length=200)
    # Set only when the coordinator referred without recorded consent; the reason is logged, encrypted.
    override_reason = EncryptedTextField(_("motif de la dérogation au consentement"), blank=True)

    class Meta(CaseChild.Meta):
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")


class Complaint(CaseChild):
    """The accompaniment of a complaint (plainte); `date` is its start, `stage` where it stands."""

    class Stage(models.TextChoices):
        INFORMED = "informee", _("informée de ses droits")
        FILED = "deposee", _("plainte déposée")
        HEARING = "audience", _("audience")
        DECISION = "decision", _("décision")

    class Authority(models.TextChoices):
        POLICE = "police", _("police")
        GENDARMERIE = "gendarmerie", _("gendarmerie royale")
        PROSECUTOR = "parquet", _("parquet (procureur du Roi)")
        COURT = "tribunal", _("tribunal de première instance")
        OTHER = "autre", _("autre")

    authority = models.CharField(_("autorité"), max_length=20, choices=Authority.choices)
    stage = models.CharField(_("étape"), max_length=20, choices=Stage.choices, default=Stage.INFORMED)

    class Meta(CaseChild.Meta):
        verbose_name = _("accompagnement d'une plainte")
        verbose_name_plural = _("accompagnements de plaintes")


class ComplaintStep(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("étape"), max_length=20, choices=Complaint.Stage.choices)
    date = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [models.UniqueConstraint(fields=["complaint", "stage"], name="complaint_stage_once")]

    def __str__(self) -> str:
        return f"{self.complaint.case.code} {self.stage}"


class ShelterStay(CaseChild):
    """`date` is the first night; `end` stays empty while she is sheltered."""

    end = models.DateField(_("fin"), null=True, blank=True)
    children_count = models.PositiveSmallIntegerField(_("enfants hébergés avec elle"), default=0)

    class Meta(CaseChild.Meta):
        verbose_name = _("hébergement")
        verbose_name_plural = _("hébergements")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("date")), name="shelter_end_after_start"
            )
        ]


class SpeechGroupQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Speech groups of the centres where the user is listener or centre coordinator."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        from partnerships.models import Membership

        structures = Membership.objects.filter(
            user=user,
            role__in=[Role.LISTENER, Role.CENTRE_COORDINATOR],
            structure__kind=Structure.Kind.LISTENING_CENTRE,
        ).values("structure_id")
        return self.filter(structure_id__in=structures)


class SpeechGroup(models.Model):
    """A groupe de parole of the centre: its members (cases) and its sessions."""

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("nom"), max_length=120)
    started_on = models.DateField(_("début"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SpeechGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "name"]
        verbose_name = _("groupe de parole")
        verbose_name_plural = _("groupes de parole")
        constraints = [models.UniqueConstraint(fields=["structure", "name"], name="speech_group_name_unique")]

    def __str__(self) -> str:
        return self.name


class GroupMembership(CaseChild):
    group = models.ForeignKey(SpeechGroup, on_delete=models.CASCADE, related_name="memberships")

    class Meta(CaseChild.Meta):
        verbose_name = _("participation à un groupe de parole")
        verbose_name_plural = _("participations à un groupe de parole")
        constraints = [models.UniqueConstraint(fields=["group", "case"], name="group_member_once")]


class GroupSession(models.Model):
    group = models.ForeignKey(SpeechGroup, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attendees = models.ManyToManyField(Case, related_name="group_sessions", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("séance de groupe de parole")
        verbose_name_plural = _("séances de groupe de parole")

    def __str__(self) -> str:
        return f"{self.group} {self.date:%Y-%m-%d}"


class CaseEvent(models.Model):
    """The case's history and timeline. Stores what happened and which fields changed — never a
    value of an identifying or free-text field (docs/security.md 12)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    # Empty when a management command acted (the retention command's anonymisation).
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Action(models.TextChoices):
        OPENED = "ouverture", _("Ouverture du dossier")
        EDITED = "modification", _("Modification de l'accueil")
        FOLLOWED = "suivi", _("Passage en suivi")
        INCIDENT = "incident", _("Incident")
        LISTENING = "ecoute", _("Séance d'écoute")
        NOTE = "note", _("Note de suivi")
        REFERRAL = "orientation", _("Orientation")
        REFERRAL_OVERRIDE = "orientation-derogation", _("Orientation sans consentement, par dérogation")
        COMPLAINT = "plainte", _("Accompagnement d'une plainte")
        COMPLAINT_STEP = "plainte-etape", _("Étape d'une plainte")
        SHELTER = "hebergement", _("Hébergement")
        SHELTER_END = "hebergement-fin", _("Fin d'un hébergement")
        GROUP = "groupe", _("Groupe de parole")
        ASSIGNED = "attribution", _("Attribution")
        CLOSED = "cloture", _("Clôture")
        REOPENED = "reouverture", _("Réouverture")
        ANONYMISED = "anonymisation", _("Anonymisation")

    action = models.CharField(max_length=30, choices=Action.choices)
    fields = models.JSONField(default=list, blank=True)  # names of changed fields only
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case.code} {self.action}"


class AccessLog(models.Model):
    """Append-only audit of every read of a case (docs/security.md 10, 11): database triggers refuse
    UPDATE and DELETE. No foreign keys, so deleting a user or a case never touches it; no content."""

    at = models.DateTimeField(auto_now_add=True)
    user_id = models.BigIntegerField()
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=40)
    case_id = models.BigIntegerField(null=True)
    case_code = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=30)
    request_id = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["case_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.case_code}"

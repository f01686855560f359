"""The tenancy root: networks, partnerships, organisations, structures and who holds which role.

Every tenant-owned query in Twiza starts from `Partnership.objects.visible_to(user)` or from a
structure the user belongs to; a user with no membership sees nothing (docs/security.md 1).
"""

import datetime
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class TranslatedMixin(models.Model):
    """Reference data the roadmap writes in French, readable in every language of the interface.

    French stays in the row's own fields (`TRANSLATED`); the other languages are in `translations`
    ({"ar": {"name": …}, "nl": {…}}). The one accessor: `obj.tr(field)`, in templates
    `{{ obj|tr:"field" }}`, and `obj.label` (or `str(obj)`) for the first field, the name. It picks
    the active language, French when the translation is missing or empty. Forms let users write each
    language (core/translations.py).
    """

    TRANSLATED: tuple[str, ...] = ("name",)

    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    def tr(self, field: str) -> str:
        lang = (get_language() or "fr")[:2]
        return (self.translations or {}).get(lang, {}).get(field) or getattr(self, field)

    def variants(self, field: str = "") -> dict[str, str]:
        """The non-empty translations of a field (the first of `TRANSLATED` by default), by language;
        French is the field itself."""
        field = field or self.TRANSLATED[0]
        return {lang: texts[field] for lang, texts in (self.translations or {}).items() if texts.get(field)}

    @property
    def label(self) -> str:
        """The first of `TRANSLATED` (the name) in the active language."""
        return self.tr(self.TRANSLATED[0])


class Network(TranslatedMixin):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("nom"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("réseau")
        verbose_name_plural = _("réseaux")


class Organisation(TranslatedMixin):
    """A commune, an association, a cooperative… Global: one organisation may serve several partnerships."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("commune")
        ASSOCIATION = "association", _("association")
        COOPERATIVE = "cooperative", _("coopérative")
        LOCAL_AUTHORITY = "autorite-locale", _("autorité locale")
        STATE_SERVICE = "service-etat", _("service de l'État")
        UNIVERSITY = "universite", _("université")
        BELGIAN_COMMUNE = "commune-belge", _("commune belge")
        NETWORK = "reseau", _("réseau")

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    country = models.CharField(_("pays"), max_length=2, default="MA")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")


class PartnershipQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Partnerships where the user holds a role, or of a network she officers; none otherwise.

        The platform administrator sees every partnership (to manage it), never case content.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(Q(memberships__user=user) | Q(network__memberships__user=user)).distinct()


class Partnership(TranslatedMixin):
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="partnerships")
    slug = models.SlugField(unique=True)
    name = models.CharField(_("nom"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("première année"))
    end_year = models.PositiveSmallIntegerField(_("dernière année"))
    communes = models.ManyToManyField(Organisation, related_name="partnerships_as_commune")
    partners = models.ManyToManyField(
        Organisation, through="PartnerRole", related_name="partnerships_as_partner"
    )
    timezone = models.CharField(_("fuseau horaire"), max_length=40, default="Africa/Casablanca")
    code_prefix = models.CharField(
        _("préfixe des codes"), max_length=5, help_text=_("Préfixe des codes des personnes, ex. BLF.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partenariat")
        verbose_name_plural = _("partenariats")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="partnership_years_in_order"
            )
        ]

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    def asked_year(self, value: str | None) -> int | None:
        """The year a page asks for (`?annee=`), brought within the programme's years; None when it
        asks for none or for something that is not a year (the caller's default then applies)."""
        try:
            year = int(value or "")
        except ValueError:
            return None
        return min(max(year, self.start_year), self.end_year)

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError(_("La dernière année précède la première."))


class PartnerRole(TranslatedMixin):
    """An organisation's part in a partnership (roadmap wording, translatable), and who to call there."""

    TRANSLATED = ("role",)

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="partner_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partner_roles")
    role = models.CharField(_("rôle"), max_length=300, blank=True)
    contact_name = models.CharField(_("personne de contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "organisation"], name="one_role_per_partner")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.partnership.slug})"


class StructureQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Structures of the partnerships the user may see (their existence and status are not secret)."""
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class Structure(TranslatedMixin):
    """A service the partnership runs: the listening centre, the migrants' office…"""

    class Kind(models.TextChoices):
        LISTENING_CENTRE = "centre-ecoute", _("centre d'écoute pour femmes victimes de violence")
        MIGRANT_OFFICE = "bureau-migrants", _("bureau d'accueil et d'orientation des migrants")
        CREATION_HOUSE = "maison-creation", _("maison de la création multiculturelle")
        DAY_CENTRE = "centre-jour", _("centre d'accueil de jour pour jeunes porteurs d'un handicap")
        PLANTATION = "plantation", _("plantation")

    class Status(models.TextChoices):
        EXISTING = "existant", _("existant")
        NEW = "nouveau", _("nouveau")
        PLANNED = "en-projet", _("en projet")
        WORKS = "en-travaux", _("en travaux")
        EQUIPPED = "equipe", _("équipé")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="structures")
    code = models.SlugField(_("code"))
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="structures", verbose_name=_("gérée par")
    )
    result = models.CharField(_("résultat"), max_length=3, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacité d'hébergement"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "name"]
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        constraints = [models.UniqueConstraint(fields=["partnership", "code"], name="structure_code_unique")]


class DouarQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """The places of the partnerships she holds a role in (a referential, not personal data)."""
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class Douar(TranslatedMixin):
    """A douar or neighbourhood of the territory a partnership serves: where activities take place,
    visitors and projects come from, and people live (never an address: the douar only). Its name in
    French, in Arabic among its translations; a point for the coverage map; its population, if known,
    for figures per 1,000 inhabitants."""

    class Kind(models.TextChoices):
        DOUAR = "douar", _("douar")
        NEIGHBOURHOOD = "quartier", _("quartier")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="douars")
    code = models.SlugField(_("code"))
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.DOUAR)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DouarQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "name"]
        verbose_name = _("douar ou quartier")
        verbose_name_plural = _("douars et quartiers")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="douar_code_unique"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="douar_point_on_earth",
            ),
        ]


class Role(models.TextChoices):
    ADMIN = "admin", _("administrateur du partenariat")
    COORDINATOR = "coordinator", _("coordination")
    PARTNER_OFFICER = "partner_officer", _("chargé de partenariat")
    NETWORK_OFFICER = "network_officer", _("chargé de réseau")
    LISTENER = "listener", _("écoutante")
    CENTRE_COORDINATOR = "centre_coordinator", _("coordinatrice du centre d'écoute")
    OFFICE_AGENT = "office_agent", _("agent du bureau des migrants")
    EDUCATOR = "educator", _("éducateur")


# Roles held in a structure; the others are held in a partnership, and network_officer in a network.
STRUCTURE_ROLES = {Role.LISTENER, Role.CENTRE_COORDINATOR, Role.OFFICE_AGENT, Role.EDUCATOR}
NETWORK_ROLES = {Role.NETWORK_OFFICER}


class Membership(models.Model):
    """A role held by a user in a network, a partnership, or one structure of a partnership.

    For a structure role, `partnership` is the structure's partnership (kept for fast scoping).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__username", "role"]
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(
                        role="network_officer",
                        network__isnull=False,
                        partnership__isnull=True,
                        structure__isnull=True,
                    )
                    | Q(
                        role__in=["listener", "centre_coordinator", "office_agent", "educator"],
                        network__isnull=True,
                        partnership__isnull=False,
                        structure__isnull=False,
                    )
                    | Q(
                        role__in=["admin", "coordinator", "partner_officer"],
                        network__isnull=True,
                        partnership__isnull=False,
                        structure__isnull=True,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        where = self.structure or self.partnership or self.network
        return f"{self.user} — {self.get_role_display()} — {where}"

    def clean(self) -> None:
        if self.role in STRUCTURE_ROLES:
            if self.structure is None:
                raise ValidationError(_("Ce rôle s'exerce dans une structure."))
            self.partnership_id = self.structure.partnership_id
        elif self.role in NETWORK_ROLES and not self.network_id:
            raise ValidationError(_("Ce rôle s'exerce dans un réseau."))
        elif self.role not in NETWORK_ROLES and self.role not in STRUCTURE_ROLES:
            if not self.partnership_id:
                raise ValidationError(_("Ce rôle s'exerce dans un partenariat."))
            self.structure = None


# docs/security.md 26: the roles that open the listening centre's cases. Nobody outside the centre grants
# them: the first centre coordinator of a structure is appointed by two platform administrators
# (Appointment), later ones and every listener by that structure's centre coordinator.
CENTRE_ROLES = {Role.LISTENER, Role.CENTRE_COORDINATOR}


class Appointment(models.Model):
    """A proposal that `candidate` become the first centre coordinator of `structure`.

    One platform administrator proposes, another confirms; the database refuses a confirmation by
    the proposer. At most one proposal of a structure is pending at a time.
    """

    class Status(models.TextChoices):
        PENDING = "en-attente", _("en attente de confirmation")
        CONFIRMED = "confirmee", _("confirmée")
        WITHDRAWN = "retiree", _("retirée")

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="appointments")
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("candidate")
    )
    # The proposer's account going away takes her pending proposal with it: nobody else's name on it.
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["structure"], condition=Q(status="en-attente"), name="one_pending_appointment"
            ),
            # Four eyes in the database too: the proposer never confirms her own proposal.
            models.CheckConstraint(
                condition=~Q(status="confirmee", decided_by=models.F("proposed_by")),
                name="appointment_confirmed_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} — {self.structure} ({self.get_status_display()})"


class RoleLog(models.Model):
    """Append-only record of who gave, took or reset what on the listening centre's accounts
    (docs/security.md 26), and of every change to a person's access in a partnership (invitations,
    roles, deactivations: the team page's access log): database triggers refuse UPDATE and DELETE, as
    for the case access log. No foreign keys, so deleting a user or a structure never touches it."""

    class Action(models.TextChoices):
        PROPOSED = "proposee", _("nomination proposée")
        WITHDRAWN = "retiree", _("proposition retirée")
        CONFIRMED = "confirmee", _("nomination confirmée")
        GRANTED = "accorde", _("rôle accordé")
        REMOVED = "retire", _("rôle retiré")
        SECOND_FACTOR_RESET = "second-facteur", _("second facteur réinitialisé")
        PASSWORD_RESET_SENT = "lien-mot-de-passe", _("lien de nouveau mot de passe envoyé")
        INVITED = "invitee", _("invitation envoyée")
        INVITATION_REVOKED = "invitation-revoquee", _("invitation révoquée")
        INVITATION_ACCEPTED = "invitation-acceptee", _("invitation acceptée")
        CHANGED = "change", _("rôle changé")
        DEACTIVATED = "desactive", _("compte désactivé")

    at = models.DateTimeField(auto_now_add=True)
    structure_id = models.BigIntegerField(null=True)  # the structure concerned, if any
    # The partnership concerned, if any: its coordinator reads the rows of hers (team page).
    partnership_id = models.BigIntegerField(null=True)
    actor_id = models.BigIntegerField()
    actor_username = models.CharField(max_length=150)
    # An invitation has no account yet: no subject id, and its address stands for the name.
    subject_id = models.BigIntegerField(null=True)
    subject_username = models.CharField(max_length=254)
    action = models.CharField(max_length=20, choices=Action.choices)
    role = models.CharField(max_length=20, blank=True)
    request_id = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["structure_id", "at"]),
            models.Index(fields=["partnership_id", "at"], name="rolelog_partnership_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.subject_username}"

    @property
    def role_label(self) -> StrOrPromise:
        return Role(self.role).label if self.role in Role.values else self.role


# The roles a partnership's coordinator (or, for the first coordinator, its network officer or a
# platform administrator) gives by invitation: never a centre role (docs/security.md 26), never the
# network's own role.
INVITABLE_ROLES = [Role.ADMIN, Role.COORDINATOR, Role.PARTNER_OFFICER, Role.OFFICE_AGENT, Role.EDUCATOR]
INVITATION_HOURS = 72


def invitation_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=INVITATION_HOURS)


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> Self:
        """Neither accepted nor revoked, and not yet expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An e-mailed link that gives a role in a partnership (or one of its structures) to whoever opens
    it within 72 hours and chooses a password (or, already signed in with that address, accepts).

    Only a SHA-256 of the link's token is stored (as for API tokens): the raw token exists only in the
    e-mail. Accepted, revoked or expired, it opens nothing; rows are kept as the team's history.
    """

    email = models.EmailField(_("adresse e-mail"))
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("rôle"), max_length=20, choices=[(r.value, r.label) for r in INVITABLE_ROLES])
    structure = models.ForeignKey(
        Structure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("structure"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(_("expire le"), default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                name="invitation_scope_matches_role",
                condition=Q(role__in=["office_agent", "educator"], structure__isnull=False)
                | Q(role__in=["admin", "coordinator", "partner_officer"], structure__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.get_role_display()} — {self.partnership.slug}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

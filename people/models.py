from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField, blind_index
from partnerships.models import TranslatedMixin

if TYPE_CHECKING:
    from partnerships.models import Membership


class TargetGroup(TranslatedMixin):
    """A public the programme serves (codes fixed by docs/api.md: `femmes-violence`, `migrants`…)."""

    code = models.SlugField(unique=True)
    name = models.CharField(_("nom"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("public cible")
        verbose_name_plural = _("publics cibles")


class Sex(models.TextChoices):
    F = "F", _("femme")
    M = "M", _("homme")


class PersonSequence(models.Model):
    """The last number given to a person in a partnership; bumped by one UPDATE, so codes never collide."""

    partnership = models.OneToOneField(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="person_sequence"
    )
    last = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership"]

    def __str__(self) -> str:
        return f"{self.partnership_id}: {self.last}"


def registry_memberships(user) -> "QuerySet[Membership]":
    """The user's structure roles that open a registry: any but the listening centre's (whose clients
    live only in `cases`, docs/security.md 34)."""
    from partnerships.models import CENTRE_ROLES, Membership, Structure

    return (
        Membership.objects.filter(user=user, structure__isnull=False)
        .exclude(role__in=CENTRE_ROLES)
        .exclude(structure__kind=Structure.Kind.LISTENING_CENTRE)
    )


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """People whose existence (code, sex, birth year, target groups) the user may see.

        The coordinator sees every person of her partnership; structure staff see the people their
        structure holds; the listening centre's roles, partner officers, network officers, the platform
        admin and anyone without a role see none (fail closed; docs/security.md 34). Identifying fields are
        a stricter matter: see `Person.identity_visible_to`.
        """
        from partnerships.models import Membership, Role

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        memberships = Membership.objects.filter(user=user)
        coordinated = memberships.filter(role=Role.COORDINATOR).values("partnership_id")
        staffed = registry_memberships(user).values("structure_id")
        return self.filter(Q(partnership_id__in=coordinated) | Q(structure_id__in=staffed))

    def held_by(self, user) -> Self:
        """People whose identifying fields the user may read: those of the structures she staffs."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        staffed = registry_memberships(user).values("structure_id")
        return self.filter(structure_id__in=staffed)


class Person(models.Model):
    """A pseudonymous record of a person reached, in one partnership.

    Identifying fields are optional, encrypted at rest and shown only to the holding structure's staff.
    """

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="people"
    )
    structure = models.ForeignKey(
        "partnerships.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("structure qui l'a enregistrée"),
    )
    number = models.PositiveIntegerField(_("numéro"))
    code = models.CharField(_("code"), max_length=20, unique=True)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("année de naissance"))
    target_groups = models.ManyToManyField(
        TargetGroup, related_name="people", verbose_name=_("publics cibles")
    )
    consent = models.BooleanField(_("consent à être enregistrée"), default=False)
    first_name = EncryptedTextField(_("prénom"), blank=True)
    last_name = EncryptedTextField(_("nom"), blank=True)
    phone = EncryptedTextField(_("téléphone"), blank=True)
    place = EncryptedTextField(_("douar ou quartier"), blank=True)
    # Where she lives, as the territory's referential knows it (never an address): the coverage map
    # counts people by it, through the disclosure module.
    douar = models.ForeignKey(
        "partnerships.Douar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("douar de résidence"),
    )
    # blind_index(normalised "first last"): duplicates are found without storing names in clear.
    name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # docs/security.md 21: optimistic locking (core/locking.py); every edit claims it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "number"]
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "number"], name="person_number_unique"),
            models.CheckConstraint(condition=Q(sex__in=["F", "M"]), name="person_sex_f_or_m"),
            models.CheckConstraint(
                condition=Q(birth_year__gte=1900) & Q(birth_year__lte=2100), name="person_birth_year_sane"
            ),
        ]
        indexes = [models.Index(fields=["structure", "name_index", "birth_year"], name="person_duplicates")]

    def __str__(self) -> str:
        return self.code

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.first_name, self.last_name] if p)

    def refresh_name_index(self) -> None:
        self.name_index = blind_index(self.full_name) if self.full_name else ""

"""Offline collection: the devices (ODK Collect's passwords), the forms Twiza makes and their
versions, Kobo's push hooks, and every submission received (applied once, or waiting in the review
queue, or rejected).

A device or a hook acts as one user, in one structure of one partnership; every request checks that
the user still holds a role there (collect/access.py). Secrets are random and long, so they are
stored as SHA-256 digests (as API tokens are, accounts.models.hash_token): a slow password hash
would cost a fraction of a second on each of ODK Collect's requests, for nothing.
"""

import datetime as dt
import hashlib
import secrets
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from partnerships.models import Partnership, Structure

# Lower-case letters and digits a person reads off a screen without doubt (no 0/o, 1/l/i).
READABLE = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret(groups: int = 5, size: int = 4) -> str:
    """A secret typed on a phone: `groups` groups of `size` readable characters, ~99 bits for 5×4."""
    return "-".join("".join(secrets.choice(READABLE) for _ in range(size)) for _ in range(groups))


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def device_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=settings.COLLECT_DEVICE_DAYS)


class FormKind(models.TextChoices):
    """The forms Twiza makes for a structure (collect/xlsforms.py says which structure gets which)."""

    ACTIVITY = "activite", _("activité, présences et comptages")
    VISIT = "visite", _("visite au bureau des migrants")
    DAY_SESSION = "seance_jour", _("séance du centre de jour")


class DeviceQuerySet(models.QuerySet):
    def active(self) -> Self:
        """Not revoked and not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class Device(models.Model):
    """A phone's password: ODK Collect signs in with the user's username and this password (HTTPS
    Basic), for one structure of one partnership, until it expires or is revoked."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="devices", verbose_name=_("structure")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="devices",
        verbose_name=_("utilisateur"),
    )
    label = models.CharField(_("nom de l'appareil"), max_length=100)
    secret_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expire le"), default=device_expiry)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_seen_at = models.DateTimeField(_("dernière connexion"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["structure", "-created_at"]
        verbose_name = _("appareil de collecte")
        verbose_name_plural = _("appareils de collecte")

    def __str__(self) -> str:
        return f"{self.label} ({self.user_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class FormVersion(models.Model):
    """One version of a form Twiza made for a structure: the XLSForm (the one source) and the XForm
    pyxform made from it. A new version is kept whenever the XLSForm or its media change (new
    structures, results, people); submissions of older versions still import (collect/intake.py
    reads fields by name)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="form_versions")
    kind = models.CharField(_("formulaire"), max_length=20, choices=FormKind.choices)
    form_id = models.CharField(max_length=100)
    version = models.CharField(max_length=20)
    source_hash = models.CharField(max_length=64)  # SHA-256 of the XLSForm and its media
    xlsform = models.BinaryField()
    xform = models.TextField()
    xform_md5 = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["structure", "kind", "-created_at", "-pk"]
        verbose_name = _("version de formulaire")
        verbose_name_plural = _("versions de formulaire")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "form_id", "version"], name="form_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} v{self.version}"


class PersonLabel(models.TextChoices):
    """What the phone shows of a registered person in the form's choice list (the code always)."""

    INITIALS_YEAR = "initiales-annee", _("code, initiales, année de naissance")
    INITIALS = "initiales", _("code et initiales")
    CODE = "code-seul", _("code seul")
    NAME = "nom", _("code, prénom et initiale du nom")


class CollectSettings(models.Model):
    """A structure's choices for its forms: what the phone shows of each registered person."""

    structure = models.OneToOneField(Structure, on_delete=models.CASCADE, related_name="collect_settings")
    person_label = models.CharField(
        _("les personnes sur le téléphone"),
        max_length=20,
        choices=PersonLabel.choices,
        default=PersonLabel.INITIALS_YEAR,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages de collecte")
        verbose_name_plural = _("réglages de collecte")

    def __str__(self) -> str:
        return str(self.structure_id)


class KoboHookQuerySet(models.QuerySet):
    def active(self) -> Self:
        return self.filter(revoked_at__isnull=True)


class KoboHook(models.Model):
    """A KoboToolbox REST Service: Kobo posts each submission of a project deployed from one of
    Twiza's XLSForms to a URL holding this hook's secret; it lands as the user who made the hook."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="kobo_hooks")
    kind = models.CharField(_("formulaire"), max_length=20, choices=FormKind.choices)
    label = models.CharField(_("projet Kobo"), max_length=100)
    secret_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("dernier envoi"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = KoboHookQuerySet.as_manager()

    class Meta:
        ordering = ["structure", "-created_at"]
        verbose_name = _("lien Kobo")
        verbose_name_plural = _("liens Kobo")

    def __str__(self) -> str:
        return self.label


class Submission(models.Model):
    """A submission received from a device or a hook, once: keyed by its instance id (ODK's
    `instanceID`, Kobo's `_uuid`) in the partnership. Applied (what it created is linked), waiting
    in the review queue with its problems in plain words (nothing of it written), or rejected.

    `payload` holds the answers as read from the XML or the JSON (collect/intake.py's form): it may
    hold new people's names, so it is encrypted."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("appliquée")
        WAITING = "waiting", _("à revoir")
        REJECTED = "rejected", _("rejetée")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="submissions")
    kind = models.CharField(_("formulaire"), max_length=20, choices=FormKind.choices)
    instance_id = models.CharField(max_length=64)
    form_id = models.CharField(max_length=100)
    form_version = models.CharField(max_length=20, blank=True)
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )
    hook = models.ForeignKey(
        KoboHook, on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payload = EncryptedTextField()  # JSON
    status = models.CharField(_("état"), max_length=10, choices=Status.choices)
    problems = models.JSONField(default=list, blank=True)  # [{"field": …, "message": …}], French
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visit = models.ForeignKey(
        "activities.Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("motif du rejet"), max_length=300, blank=True)
    # docs/security.md 21: optimistic locking (core/locking.py); a review claims it.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "instance_id"], name="submission_instance_once"),
            models.CheckConstraint(
                condition=Q(device__isnull=True) | Q(hook__isnull=True), name="submission_one_source"
            ),
        ]
        indexes = [models.Index(fields=["structure", "status", "created_at"], name="submission_queue")]

    def __str__(self) -> str:
        return self.instance_id

import datetime as dt
import hashlib
import secrets
import uuid
from typing import ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice

from core.crypto import EncryptedBinaryField


def end_access(user_ids) -> None:
    """Ends every session and revokes every API token of these users, for good (docs/security.md 18, 32).

    Called wherever a user is deactivated (`User.save`, `User.objects…update(is_active=False)`).
    Revoked tokens stay revoked and deleted sessions are gone: reactivating the user brings neither
    back, she signs in again and makes new tokens. Sessions are in the database without an index by
    user, so the live ones are decoded to find hers: a deactivation is rare, live sessions few.
    """
    from django.contrib.sessions.models import Session

    ids = set(user_ids)
    if not ids:
        return
    now = timezone.now()
    ApiToken.objects.filter(user_id__in=ids, revoked_at__isnull=True).update(revoked_at=now)
    KeptSubmission.objects.filter(user_id__in=ids).delete()
    wanted = {str(pk) for pk in ids}
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=now).iterator()
        if session.get_decoded().get("_auth_user_id") in wanted
    ]
    Session.objects.filter(session_key__in=doomed).delete()


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        """A bulk deactivation ends the sessions and tokens of those it deactivates, like `save`."""
        if "is_active" not in kwargs or kwargs["is_active"]:
            return super().update(**kwargs)
        with transaction.atomic():
            ids = list(self.filter(is_active=True).values_list("pk", flat=True))
            count = super().update(**kwargs)
            end_access(ids)
        return count


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]  # a base made at run time
    pass


class User(AbstractUser):
    """A person who signs in. What she may see comes from her memberships, never from here."""

    objects: ClassVar[UserManager] = UserManager()

    # The language of her e-mails (accounts/mail.py): the one she last chose in the interface.
    language = models.CharField(_("langue"), max_length=5, choices=settings.LANGUAGES, default="fr")
    daily_digest = models.BooleanField(
        _("résumé quotidien par e-mail"),
        default=True,
        help_text=_("Un e-mail par jour dit combien de tâches attendent, jamais lesquelles."),
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def save(self, *args, **kwargs) -> None:
        # Deactivation ends sessions and tokens wherever it is done: the admin, a form, an action.
        fields = kwargs.get("update_fields")
        deactivating = (
            not self.is_active
            and self.pk is not None
            and (fields is None or "is_active" in fields)
            and type(self)._base_manager.filter(pk=self.pk, is_active=True).exists()
        )
        with transaction.atomic():
            super().save(*args, **kwargs)
            if deactivating:
                end_access([self.pk])


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_expiry() -> dt.datetime:
    """When a token made now expires: `API_TOKEN_DAYS` days (default 90) from now."""
    return timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> Self:
        """Tokens that open the API: not revoked, not expired, of an active user."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)

    def for_raw(self, raw: str) -> Self:
        """The active token matching a raw bearer value (only its hash is stored)."""
        return self.active().filter(key_hash=hash_token(raw)).select_related("user")


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the token is stored; the raw value is shown once.

    It expires (`expires_at`, docs/security.md 32) and its owner may revoke it; a revoked token is kept,
    revoked, so that her list shows what was revoked and when.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=80, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Existing tokens got `API_TOKEN_DAYS` from the migration that added the field.
    expires_at = models.DateTimeField(_("expire le"), default=token_expiry)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self) -> str:
        return f"{self.user} — {self.created_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self) -> None:
        """Revokes the token for good (its owner, on her tokens page)."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at", "updated_at"])

    @classmethod
    def issue(cls, user, name: str = "") -> str:
        raw = "twz_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, name=name, key_hash=hash_token(raw))
        return raw


def kept_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=settings.KEPT_SUBMISSION_HOURS)


class KeptSubmissionQuerySet(models.QuerySet):
    def live(self) -> Self:
        return self.filter(expires_at__gt=timezone.now())


class KeptSubmission(models.Model):
    """A form sent after its author's session ended (or refused by the CSRF check), kept for her alone
    until she signs in again and sends it (accounts/kept.py). The page's address and every field are
    in `content`, encrypted (docs/security.md 13): a case narrative is never stored in clear. Deleted once
    sent, and worthless after `expires_at` (`KEPT_SUBMISSION_HOURS`, default 4)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    content = EncryptedBinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(default=kept_expiry, db_index=True)

    objects = KeptSubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("saisie gardée")
        verbose_name_plural = _("saisies gardées")

    def __str__(self) -> str:
        return f"{self.user} — {self.created_at:%Y-%m-%d %H:%M}"


class BackupCodes(StaticDevice):
    """Her one-time backup codes (django-otp's static device), for the day her phone is lost
    (docs/security.md 17). django-otp stores static tokens as typed; here each is stored as the first
    16 hex digits of its SHA-256 (the column holds 16 characters): a code is 16 random base-32
    characters (80 bits), so a copy of the database gives no usable code. A code works once."""

    class Meta:
        proxy = True
        verbose_name = _("codes de secours")
        verbose_name_plural = _("codes de secours")

    def verify_token(self, token) -> bool:
        return bool(super().verify_token(hash_backup_code(token)))


def hash_backup_code(code: str) -> str:
    """What is stored for a backup code: spaces, dashes and case do not matter when she types it."""
    normalised = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()[:16]

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. What she may see comes from her memberships, never from here."""

    class Meta:
        ordering = ["username"]
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def for_raw(self, raw: str):
        """The active token matching a raw bearer value (only its hash is stored)."""
        return self.filter(key_hash=hash_token(raw), user__is_active=True).select_related("user")


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the token is stored; the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self):
        return f"{self.user} — {self.created_at:%Y-%m-%d}"

    @classmethod
    def issue(cls, user) -> str:
        raw = "twz_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, key_hash=hash_token(raw))
        return raw

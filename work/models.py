from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestSent(models.Model):
    """The day a person's daily digest was last sent: `send_digests` sends her at most one a day."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("utilisateur")
    )
    sent_on = models.DateField(_("dernier résumé envoyé le"))

    class Meta:
        verbose_name = _("résumé quotidien envoyé")
        verbose_name_plural = _("résumés quotidiens envoyés")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.sent_on}"

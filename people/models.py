from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.models import TranslatedMixin


class TargetGroup(TranslatedMixin):
    """A public the programme serves (codes fixed by CONTRACT.md: `femmes-violence`, `migrants`…)."""

    code = models.SlugField(unique=True)
    name = models.CharField(_("nom"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("public cible")
        verbose_name_plural = _("publics cibles")

    def __str__(self):
        return self.name

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectConfig(AppConfig):
    """Offline collection: OpenRosa for ODK Collect, Kobo's push, and the review queue."""

    name = "collect"
    verbose_name = _("Collecte hors ligne")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    """ "Mon travail": what waits for each person, computed from the data, and the daily digest."""

    name = "work"
    verbose_name = _("Mon travail")

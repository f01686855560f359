"""The form of a target group, set up with a partnership (people/setup_views.py)."""

from django.utils.translation import gettext_lazy

from core.translations import translated_form

from .models import TargetGroup


class TargetGroupForm(translated_form(TargetGroup)):  # type: ignore[misc]  # a base made at run time
    class Meta:
        model = TargetGroup
        fields = ["code", "name", "order"]
        labels = {
            "code": gettext_lazy("Code"),
            "name": gettext_lazy("Nom"),
            "order": gettext_lazy("Ordre d'affichage"),
        }
        help_texts = {"code": gettext_lazy("Lettres minuscules, chiffres et tirets, ex. jeunes-handicap.")}

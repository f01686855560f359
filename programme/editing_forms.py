"""Forms of the results framework's editor: a result (or the outcome) and an indicator's targets."""

import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.locking import Versioned
from core.translations import translated_form
from partnerships.models import Partnership

from .actions import target_keys
from .models import Indicator, Result, Target

# A code is part of the editor's addresses (`<str:code>`): letters, digits, dots, dashes, underscores.
CODE = re.compile(r"[A-Za-z0-9._-]+")
CODE_MESSAGE = _("Lettres, chiffres, points, tirets ou soulignés, sans espace, ex. R1 ou R1.2.")


class ResultForm(translated_form(Result)):  # type: ignore[misc]  # a base made at run time
    """The outcome (one per partnership) or a result: its code, statement in each language, order."""

    class Meta:
        model = Result
        fields = ["level", "code", "name", "order"]
        labels = {"order": _("Ordre d'affichage")}
        help_texts = {"code": _("OC pour l'objectif, R1, R2… pour les résultats.")}

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.instance.partnership = partnership
        # The level's own label says "(outcome)": here the plain words.
        cast(forms.ChoiceField, self.fields["level"]).choices = [
            (Result.Level.OUTCOME, _("Objectif")),
            (Result.Level.RESULT, _("Résultat")),
        ]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not CODE.fullmatch(code):
            raise forms.ValidationError(CODE_MESSAGE)
        clash = Result.objects.filter(partnership=self.partnership, code=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Un autre résultat de ce partenariat porte déjà ce code."))
        return code

    def clean_level(self) -> str:
        level = self.cleaned_data["level"]
        outcomes = Result.objects.filter(partnership=self.partnership, level=Result.Level.OUTCOME)
        if level == Result.Level.OUTCOME and outcomes.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Ce partenariat a déjà un objectif (outcome)."))
        return level


def _field_name(year: int | None, sex: str) -> str:
    return f"target_{year or 'programme'}_{sex}"


class TargetsForm(Versioned):
    """An indicator's targets: one box per year (annual) or one for the programme (cumulative), per
    sex (F and M) or for the total. An empty box: no target."""

    def __init__(self, *args, indicator: Indicator, **kwargs) -> None:
        kwargs.setdefault("initial", {})["version"] = indicator.version
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        partnership = indicator.result.partnership
        current = {(t.year, t.sex): t.value for t in indicator.targets.all()}
        sexes = dict(Target.Sex.choices)
        self.keys = target_keys(indicator)
        for year, sex in self.keys:
            period = str(year) if year else f"{partnership.start_year}–{partnership.end_year}"
            name = _field_name(year, sex)
            self.fields[name] = forms.IntegerField(
                label=f"{period} · {sexes[sex]}", required=False, min_value=0, max_value=10_000_000
            )
            self.initial.setdefault(name, current.get((year, sex)))

    def targets(self) -> dict[tuple[int | None, str], Any]:
        """{(year, sex): value or None} from the valid form."""
        return {(year, sex): self.cleaned_data.get(_field_name(year, sex)) for year, sex in self.keys}

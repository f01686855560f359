"""Forms of indicator definitions: the engine's own check of a definition, shown on its fields, and
the framework editor's definition form (indicators/editing.py)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from programme.editing_forms import CODE, CODE_MESSAGE
from programme.forms import IndicatorForm

from . import engine


def add_definition_errors(form: "forms.ModelForm[Any]") -> None:
    """Puts `engine.definition_errors` of the form's indicator on its fields (a filter its source
    does not read, an unknown code), so the form says what `actions.save_indicator` would refuse.
    Call it from the form's `_post_clean`, once the instance holds what was typed."""
    if form.instance.result_id is None:
        return
    for name, message in engine.definition_errors(form.instance).items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, message)


class DefinitionForm(IndicatorForm):
    """IndicatorForm with the baseline, and the engine's own check of the filters (so that a filter
    the source does not read is shown on its field, not only refused by the action)."""

    class Meta(IndicatorForm.Meta):
        fields = [*IndicatorForm.Meta.fields, "baseline", "baseline_year"]
        labels = {
            **IndicatorForm.Meta.labels,
            "baseline": gettext_lazy("Valeur de référence"),
            "baseline_year": gettext_lazy("Année de référence"),
        }

    def clean_code(self) -> str:
        code = super().clean_code()
        if not CODE.fullmatch(code):
            raise forms.ValidationError(CODE_MESSAGE)
        return code

    def clean_baseline_year(self) -> int | None:
        year = self.cleaned_data.get("baseline_year")
        if year is not None and not 1990 <= year <= self.partnership.end_year:
            raise forms.ValidationError(
                gettext_lazy("L'année de référence est au plus tard la dernière année du programme.")
            )
        return year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("baseline") is not None and cleaned.get("baseline_year") is None:
            self.add_error("baseline_year", gettext_lazy("Indiquez l'année de la valeur de référence."))
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        add_definition_errors(self)

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from core.locking import Versioned
from core.translations import translated_form
from people.models import TargetGroup
from projects.models import Question

from .models import Indicator, Result, Target


class IndicatorForm(Versioned, translated_form(Indicator)):  # type: ignore[misc]  # a base made at run time
    """An indicator's definition: what it counts and how it is filtered, its name in each language."""

    target_groups = forms.MultipleChoiceField(
        label=_("Publics cibles"), required=False, widget=forms.CheckboxSelectMultiple
    )
    activity_kinds = forms.MultipleChoiceField(
        label=_("Types d'activité"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=Activity.Kind.choices,
    )
    structures = forms.MultipleChoiceField(
        label=_("Structures"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Indicator
        fields = [
            "result",
            "code",
            "name",
            "unit",
            "period",
            "by_sex",
            "source",
            "target_groups",
            "activity_kinds",
            "structures",
            "survey_question",
            "public",
        ]
        labels = {"result": _("Résultat")}

    def __init__(self, *args, partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        cast(forms.ModelChoiceField, self.fields["result"]).queryset = Result.objects.filter(
            partnership=partnership
        )
        cast(forms.ChoiceField, self.fields["target_groups"]).choices = [
            (g.code, g.label) for g in TargetGroup.objects.all()
        ]
        cast(forms.ChoiceField, self.fields["structures"]).choices = [
            (s.code, s.label) for s in partnership.structures.all()
        ]
        self.fields["survey_question"].help_text = _(
            "Pour la source « enquête » : la question dont les réponses favorables sont comptées, "
            "par exemple satisfaction/utile."
        )
        self.fields["by_sex"].help_text = _(
            "Pour les indicateurs qui comptent des personnes. Un nombre d'activités n'a pas de sexe : "
            "il n'est jamais désagrégé (décoché à l'enregistrement). Un chiffre saisi non désagrégé "
            "(des plants, des hectares) est saisi sans sexe."
        )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        clash = Indicator.objects.filter(result__partnership=self.partnership, code=code).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError(_("Un autre indicateur de ce partenariat porte déjà ce code."))
        return code

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("source") == Indicator.Source.ACTIVITIES:
            cleaned["by_sex"] = False  # activities have no sex; the help text says so
        reference = cleaned.get("survey_question", "")
        if cleaned.get("source") == Indicator.Source.SURVEY:
            survey_code, _slash, question_code = reference.partition("/")
            found = Question.objects.filter(
                survey__partnership=self.partnership, survey__code=survey_code, code=question_code
            )
            if not found.exists():
                self.add_error(
                    "survey_question",
                    _(
                        "Aucune question « %(ref)s » dans les enquêtes du partenariat (code-enquête/code-question)."
                    )
                    % {"ref": reference},
                )
        elif reference:
            self.add_error(
                "survey_question",
                _("Seule la source « enquête » compte une question : laissez ce champ vide."),
            )
        return cleaned

    def clean_survey_question(self) -> str:
        return self.cleaned_data.get("survey_question", "").strip()


class MeasurementForm(forms.Form):
    """A year's figure. The sex is asked only of an indicator disaggregated by sex, with no default
    (a wrong default is a wrong figure); the others are stored as T (total)."""

    year = forms.TypedChoiceField(
        label=_("Année"),
        coerce=int,
        error_messages={
            "invalid_choice": _("Choisissez une année du programme, au plus tard l'année en cours.")
        },
    )
    sex = forms.ChoiceField(
        label=_("Sexe"),
        choices=[("", "—"), (Target.Sex.F, Target.Sex.F.label), (Target.Sex.M, Target.Sex.M.label)],
    )
    value = forms.IntegerField(label=_("Valeur"), min_value=0, max_value=10_000_000)

    def __init__(self, *args, indicator, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        partnership = indicator.result.partnership
        today = timezone.localdate().year
        cast(forms.ChoiceField, self.fields["year"]).choices = [
            (y, str(y)) for y in reversed(partnership.years) if y <= today
        ]
        self.fields["year"].initial = min(max(today, partnership.start_year), partnership.end_year)
        if indicator.period == Indicator.Period.CUMULATIVE:
            self.fields["value"].label = _("Réalisé dans l'année")
            self.fields["value"].help_text = _(
                "Ce qui a été réalisé du 1er janvier au 31 décembre de l'année ; le cumul du programme "
                "est la somme des années approuvées."
            )
        if not indicator.by_sex:
            del self.fields["sex"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if "sex" not in self.fields:
            cleaned["sex"] = Target.Sex.TOTAL
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=300)

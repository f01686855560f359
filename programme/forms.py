from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from core.locking import Versioned
from people.models import TargetGroup

from .models import Indicator, Result, Target


class IndicatorForm(Versioned, forms.ModelForm):
    """An indicator's definition: what it counts and how it is filtered."""

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
            "public",
        ]

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["result"].queryset = Result.objects.filter(partnership=partnership)
        self.fields["target_groups"].choices = [(g.code, g.label) for g in TargetGroup.objects.all()]
        self.fields["structures"].choices = [(s.code, s.label) for s in partnership.structures.all()]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = Indicator.objects.filter(result__partnership=self.partnership, code=code).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError(_("Un autre indicateur de ce partenariat porte déjà ce code."))
        return code


class MeasurementForm(forms.Form):
    period = forms.TypedChoiceField(label=_("Période"), coerce=int)
    sex = forms.ChoiceField(label=_("Sexe"), choices=Target.Sex.choices)
    value = forms.IntegerField(label=_("Valeur"), min_value=0, max_value=10_000_000)

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(y, str(y)) for y in partnership.years] + [
            (0, f"{partnership.start_year}–{partnership.end_year}")
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=300)

"""Forms of surveys: a survey, one of its questions, a response entered in Twiza, an export to import."""

import datetime
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.forms import DateInput
from core.forms import bound
from people.models import TargetGroup
from programme.models import Result

from .models import Project, Question, Survey
from .surveys import before_start, first_day, is_import_column

MAX_UPLOAD = 20 << 20
# an export of 20 MB holds far more than a survey's answers


class SurveyForm(forms.ModelForm):
    """A survey of the partnership: its code, its title, and the project or result it serves. The
    project is one she manages (`projects`); a result is the coordination's (`results`, else none)."""

    class Meta:
        model = Survey
        fields = ["code", "title", "project", "result"]

    def __init__(self, *args, partnership, projects=None, results=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        cast(forms.ModelChoiceField, self.fields["project"]).queryset = (
            projects if projects is not None else Project.objects.filter(partnership=partnership)
        )
        cast(forms.ModelChoiceField, self.fields["result"]).queryset = (
            results if results is not None else Result.objects.filter(partnership=partnership)
        )
        self.fields["result"].help_text = _("Un projet ou un résultat : au moins l'un des deux.")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if Survey.objects.filter(partnership=self.partnership, code__iexact=code).exists():
            raise forms.ValidationError(_("Une autre enquête de ce partenariat porte déjà ce code."))
        return code

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and not data.get("project") and not data.get("result"):
            self.add_error("project", _("Choisissez le projet ou le résultat que sert l'enquête."))
        return data


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["code", "text", "low", "high", "favourable", "low_label", "high_label"]

    def __init__(self, *args, survey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        for name in ("low", "high", "favourable"):
            bound(self.fields[name], 0, 100)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if is_import_column(code):
            raise forms.ValidationError(
                _("« %(code)s » est le nom d'une colonne que l'import lit : choisissez un autre code.")
                % {"code": code}
            )
        if self.survey.questions.filter(code__iexact=code).exists():
            raise forms.ValidationError(_("Une autre question de cette enquête porte déjà ce code."))
        return code

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        low, high, favourable = data.get("low"), data.get("high"), data.get("favourable")
        if low is not None and high is not None and favourable is not None:
            if low >= high:
                self.add_error("high", _("Le haut de l'échelle doit dépasser le bas."))
            elif not low <= favourable <= high:
                self.add_error("favourable", _("« Favorable à partir de » doit être dans l'échelle."))
        return data


class ResponseForm(forms.Form):
    """One respondent's answers: date, sex, target group, then a number per question within its scale."""

    date = forms.DateField(label=_("Date"), widget=DateInput)
    sex = forms.ChoiceField(
        label=_("Sexe"), choices=[("F", _("femme")), ("M", _("homme"))], widget=forms.RadioSelect
    )
    target_group = forms.ModelChoiceField(
        label=_("Public cible"), queryset=TargetGroup.objects.all(), required=False, empty_label="—"
    )

    def __init__(self, *args, survey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = list(survey.questions.all())
        self.fields["date"].initial = timezone.localdate()
        self.fields["target_group"].label_from_instance = lambda group: group.label  # type: ignore[attr-defined]
        for q in self.questions:
            scale = (
                f"{q.low} ({q.low_label}) — {q.high} ({q.high_label})"
                if q.low_label
                else f"{q.low} — {q.high}"
            )
            self.fields[f"q-{q.code}"] = forms.IntegerField(
                label=q.text,
                min_value=q.low,
                max_value=q.high,
                help_text=scale,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={
                    "min_value": _("Une réponse entre %(low)s et %(high)s.") % {"low": q.low, "high": q.high},
                    "max_value": _("Une réponse entre %(low)s et %(high)s.") % {"low": q.low, "high": q.high},
                    "invalid": _("Tapez un nombre entier."),
                },
            )

    def clean_date(self) -> datetime.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("La date ne peut pas être dans le futur."))
        if date < (first := first_day(self.survey)):
            raise forms.ValidationError(before_start(first))
        return date

    def values(self) -> dict:
        return {q: self.cleaned_data[f"q-{q.code}"] for q in self.questions}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Export Kobo/ODK (XLSX ou CSV)"))

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Choisissez un fichier .xlsx ou .csv."))
        if file.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Fichier trop volumineux (20 Mo au plus)."))
        return file

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.locking import Versioned
from partnerships.models import Role

from .actions import EDITABLE
from .models import (
    Case,
    Complaint,
    Incident,
    IncidentType,
    ListeningSession,
    Note,
    Referral,
    ShelterStay,
    SpeechGroup,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def today() -> datetime.date:
    return timezone.localdate()


class NotInFuture:
    cleaned_data: dict[str, Any]  # a mixin of forms

    def clean_date(self) -> datetime.date:
        date = self.cleaned_data["date"]
        if date > today():
            raise forms.ValidationError(_("La date ne peut pas être dans le futur."))
        return date


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = EDITABLE
        widgets = {
            "opened_on": DATE,
            "full_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
            "address": forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        }

    def clean_opened_on(self) -> datetime.date:
        value = self.cleaned_data["opened_on"]
        if value > today():
            raise forms.ValidationError(_("La date d'accueil ne peut pas être dans le futur."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("children_count") and not data.get("children_with_her"):
            raise forms.ValidationError(
                _("Des enfants sont comptés, mais « enfants avec elle » n'est pas coché.")
            )
        return data


class CaseEditForm(Versioned, CaseForm):
    """The intake, edited: the version it was read at refuses a stale save (core/locking.py)."""


class IncidentForm(forms.ModelForm):
    month_of = forms.CharField(
        label=_("mois de l'incident"), widget=forms.DateInput(attrs={"type": "month"}), help_text=_("AAAA-MM")
    )

    class Meta:
        model = Incident
        fields = ["type", "context", "narrative"]
        widgets = {"type": forms.RadioSelect, "narrative": forms.Textarea(attrs={"rows": 4})}

    def clean_month_of(self) -> datetime.date:
        try:
            value = datetime.datetime.strptime(self.cleaned_data["month_of"], "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("Indiquez le mois sous la forme AAAA-MM.")) from None
        if value > today() or value.year < 1950:
            raise forms.ValidationError(_("Ce mois n'est pas plausible."))
        return value

    def action_kwargs(self) -> dict[str, Any]:
        data = {k: self.cleaned_data[k] for k in ["type", "context", "narrative"]}
        month = self.cleaned_data["month_of"]
        return {**data, "year": month.year, "month": month.month, "date": today()}


class SessionForm(NotInFuture, forms.ModelForm):
    class Meta:
        model = ListeningSession
        fields = ["date", "duration_minutes"]
        widgets = {"date": DATE}


class NoteForm(NotInFuture, forms.ModelForm):
    class Meta:
        model = Note
        fields = ["date", "text"]
        widgets = {"date": DATE, "text": forms.Textarea(attrs={"rows": 4})}


class ReferralForm(NotInFuture, forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["date", "kind", "partner", "override_reason"]
        widgets = {
            "date": DATE,
            "partner": forms.TextInput,
            "override_reason": forms.Textarea(attrs={"rows": 2}),
        }


class ComplaintForm(NotInFuture, forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ["date", "authority", "stage"]
        widgets = {"date": DATE}


class ComplaintStepForm(NotInFuture, forms.Form):
    stage = forms.ChoiceField(label=_("étape"), choices=Complaint.Stage.choices)
    date = forms.DateField(label=_("date"), widget=DATE)


class ShelterForm(NotInFuture, forms.ModelForm):
    class Meta:
        model = ShelterStay
        fields = ["date", "end", "children_count"]
        widgets = {"date": DATE, "end": DATE}
        labels = {"date": _("début")}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("end") and data.get("date") and data["end"] < data["date"]:
            raise forms.ValidationError(_("La fin de l'hébergement précède son début."))
        return data


class ShelterEndForm(forms.Form):
    end = forms.DateField(label=_("fin"), widget=DATE)


class GroupJoinForm(NotInFuture, forms.Form):
    group = forms.ModelChoiceField(label=_("groupe de parole"), queryset=SpeechGroup.objects.none())
    date = forms.DateField(label=_("date"), widget=DATE)

    def __init__(self, *args, groups, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = groups


class GroupForm(forms.ModelForm):
    class Meta:
        model = SpeechGroup
        fields = ["name", "started_on"]
        widgets = {"started_on": DATE}


class GroupSessionForm(NotInFuture, forms.Form):
    date = forms.DateField(label=_("date"), widget=DATE)
    attendees = forms.ModelMultipleChoiceField(
        label=_("présentes"),
        queryset=Case.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["attendees"]).queryset = members


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("motif de clôture"), choices=Case.ClosureReason.choices)
    date = forms.DateField(label=_("date de clôture"), widget=DATE)


class AssignForm(forms.Form):
    listener = forms.ModelChoiceField(label=_("écoutante"), queryset=User.objects.none())

    def __init__(self, *args, structure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["listener"]).queryset = User.objects.filter(
            memberships__structure=structure, memberships__role=Role.LISTENER, is_active=True
        ).distinct()


TYPE_LABELS = dict(IncidentType.choices)

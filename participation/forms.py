from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.locking import Versioned

from .models import AgeBand, Forum, Phase, Proposal, Sex


class ForumForm(forms.ModelForm):
    class Meta:
        model = Forum
        fields = ["title", "slug", "date", "place", "theme", "rule", "max_choices", "seats", "budget"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("rule") == Forum.Rule.BUDGET and not data.get("budget"):
            self.add_error("budget", _("Le vote budgétaire demande un budget."))
        return data


class Unanswered(forms.Form):
    """Sex and age band are optional: "non renseigné" is offered and preselected, and a form sent
    without them records it too, so a skipped answer is counted as unknown, never as a girl under 18
    (issue 14)."""

    sex = forms.ChoiceField(label=_("Sexe (facultatif)"), choices=Sex.choices, initial=Sex.X, required=False)
    age_band = forms.ChoiceField(
        label=_("Tranche d'âge (facultatif)"),
        choices=AgeBand.choices,
        initial=AgeBand.UNKNOWN,
        required=False,
    )

    def clean_sex(self) -> str:
        return self.cleaned_data["sex"] or Sex.X

    def clean_age_band(self) -> str:
        return self.cleaned_data["age_band"] or AgeBand.UNKNOWN


class ProposalForm(Unanswered, forms.ModelForm):
    """The public form (no account). `site_web` is a honeypot: hidden from people, filled by robots."""

    site_web = forms.CharField(required=False, label=_("Ne pas remplir"))
    contact = forms.CharField(
        label=_("contact (facultatif)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Téléphone ou courriel, si vous voulez être recontacté·e. Seule la coordination le voit."
        ),
    )

    class Meta:
        model = Proposal
        fields = ["title", "description", "category", "estimated_cost", "sex", "age_band", "contact"]

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("site_web"))


class PaperProposalForm(ProposalForm):
    """An officer's entry of a paper form: sex and age band may be missing on paper."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["site_web"]


class DecisionForm(Versioned):
    admissible = forms.TypedChoiceField(
        label=_("Décision"),
        choices=[("1", _("recevable")), ("0", _("irrecevable"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(
        label=_("Motif public"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


class ReopenForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase à rouvrir"), choices=Phase.choices)
    reason = forms.CharField(label=_("Motif (consigné)"), max_length=1000)


class CodesForm(forms.Form):
    count = forms.IntegerField(label=_("Nombre de codes à imprimer"), min_value=1, max_value=2000, initial=50)


class BallotForm(Unanswered):
    code = forms.CharField(label=_("Code de vote"), max_length=20)
    choices = forms.MultipleChoiceField(
        label=_("Projets choisis"), widget=forms.CheckboxSelectMultiple, required=False
    )
    field_order = ["code", "choices", "sex", "age_band"]

    def __init__(self, *args, proposals=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["choices"]).choices = [
            (str(p.pk), f"{p.number}. {p.title} — {p.estimated_cost} DH") for p in proposals
        ]

    def choice_ids(self) -> list[int]:
        return [int(v) for v in self.cleaned_data["choices"]]

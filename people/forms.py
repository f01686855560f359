from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.locking import Versioned
from partnerships.access import Access
from partnerships.models import Douar, Structure

from .access import registering_structures
from .models import Person, Sex, TargetGroup


class PersonForm(forms.Form):
    """A new person: code given automatically; identifying fields only for the holding staff."""

    structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(), required=False, label=_("Structure")
    )
    sex = forms.ChoiceField(choices=Sex.choices, label=_("Sexe"), widget=forms.RadioSelect)
    birth_year = forms.IntegerField(label=_("Année de naissance"), min_value=1900, max_value=2100)
    target_groups = forms.ModelMultipleChoiceField(
        queryset=TargetGroup.objects.all(),
        label=_("Publics cibles"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # Where she lives, among the partnership's douars (never an address): the coverage counts it.
    douar = forms.ModelChoiceField(
        queryset=Douar.objects.none(), required=False, label=_("Douar de résidence")
    )
    consent = forms.BooleanField(label=_("La personne consent à être enregistrée"), required=False)
    first_name = forms.CharField(label=_("Prénom"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Nom"), required=False, max_length=100)
    phone = forms.CharField(label=_("Téléphone"), required=False, max_length=30)
    place = forms.CharField(label=_("Douar ou quartier"), required=False, max_length=100)

    IDENTITY = ["first_name", "last_name", "phone", "place"]

    def __init__(self, *args, structures, identity: bool, douars: QuerySet | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["structure"]).queryset = structures
        # The partnership's own douars only: another's is refused as an invalid choice.
        douar = cast(forms.ModelChoiceField, self.fields["douar"])
        douar.queryset = douars if douars is not None else Douar.objects.none()
        if not identity:
            for name in self.IDENTITY:
                del self.fields[name]

    def clean_birth_year(self) -> int:
        year = self.cleaned_data["birth_year"]
        if year > timezone.now().year:
            raise forms.ValidationError(_("L'année de naissance est dans le futur."))
        return year

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if any(data.get(name) for name in self.IDENTITY) and not data.get("structure"):
            raise forms.ValidationError(
                _("Les données d'identité ne peuvent être saisies que pour une structure.")
            )
        return data


class PersonEditForm(Versioned, PersonForm):
    """Changes a record; its structure stays. Its version refuses a save made from a stale page
    (core/locking.py)."""

    def __init__(self, *args, person, **kwargs) -> None:
        super().__init__(
            *args, structures=Structure.objects.none(), douars=person.partnership.douars.all(), **kwargs
        )
        del self.fields["structure"]
        self.person = person

    def clean(self) -> dict[str, Any]:
        forms.Form.clean(self)
        return self.cleaned_data


class PeopleFilter(forms.Form):
    q = forms.CharField(label=_("Code ou nom"), required=False)
    structure = forms.ModelChoiceField(
        queryset=Structure.objects.none(), required=False, label=_("Structure")
    )
    target_group = forms.ModelChoiceField(
        queryset=TargetGroup.objects.all(), required=False, label=_("Public cible"), to_field_name="code"
    )
    sex = forms.ChoiceField(choices=[("", "—"), *Sex.choices], required=False, label=_("Sexe"))
    sort = forms.ChoiceField(
        choices=[
            ("code", _("code")),
            ("-code", _("code (décroissant)")),
            ("birth_year", _("année de naissance")),
            ("-created_at", _("derniers enregistrés")),
        ],
        required=False,
        label=_("Tri"),
    )

    def __init__(self, *args, structures, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["structure"]).queryset = structures
        cast(forms.ModelChoiceField, self.fields["structure"]).to_field_name = "code"

    def apply(self, people: QuerySet) -> QuerySet:
        """The people matching the filters, without the search `q` (all of them when the form is not
        valid): the one filter of the registry's page and of its export (reports/exports.py)."""
        if not self.is_valid():
            return people
        data = self.cleaned_data
        if data["structure"]:
            people = people.filter(structure=data["structure"])
        if data["target_group"]:
            people = people.filter(target_groups=data["target_group"])
        if data["sex"]:
            people = people.filter(sex=data["sex"])
        return people


def registry_filter(params, access: Access) -> PeopleFilter:
    """The registry's filters as `access` may use them: its structures are those she registers for
    (never the listening centre, which holds no record)."""
    return PeopleFilter(params or None, structures=registering_structures(access))


class MergeForm(forms.Form):
    other = forms.CharField(label=_("Code de la fiche à fusionner dans celle-ci"), max_length=20)

    def __init__(self, *args, person: Person, candidates, **kwargs) -> None:
        self.person, self.candidates = person, candidates
        super().__init__(*args, **kwargs)

    def clean_other(self) -> str:
        code = self.cleaned_data["other"].strip().upper()
        other = self.candidates.filter(code=code).exclude(pk=self.person.pk).first()
        if other is None:
            raise forms.ValidationError(_("Aucune autre fiche de ce code que vous puissiez fusionner."))
        return other

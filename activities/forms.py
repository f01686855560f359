from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import bound
from core.locking import Versioned
from partnerships.models import Douar, Organisation, Structure
from people.models import Sex, TargetGroup

from .models import MAX_COUNT, Activity, Decision, StructurePartner, Tally, Visit


class DateInput(forms.DateInput):
    """The browser's date picker: its value is always ISO (a French "17/12/2026" would show empty
    and block the form's submit, the date being required)."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format)


class ActivityForm(Versioned, forms.ModelForm):
    LINKS = ("results", "partners", "principles", "trained_staff")  # saved by the action, not the form

    partners = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Partenaires impliqués"),
    )

    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "structure",
            "date",
            "end_date",
            "place",
            "douar",
            "results",
            "principles",
            "hours",
            "topics",
            "trained_staff",
        ]
        widgets = {
            "date": DateInput,
            "end_date": DateInput,
            "results": forms.CheckboxSelectMultiple,
            "principles": forms.CheckboxSelectMultiple,
            "trained_staff": forms.CheckboxSelectMultiple,
            "topics": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, partnership, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["structure"].queryset = structures
        # The partnership's own douars only: another's is refused as an invalid choice.
        self.fields["douar"].queryset = partnership.douars.all()
        bound(self.fields["hours"], 0, 9999)  # checked beside the field; the database keeps its check
        self.fields["results"].queryset = partnership.results.all()
        self.fields["principles"].queryset = partnership.principles.all()
        # Checkbox labels wrap on a phone: the whole statement, in the user's language.
        self.fields["results"].label_from_instance = lambda r: f"{r.code} — {r.label}"
        self.fields["principles"].label_from_instance = lambda p: p.label
        self.fields["partners"].queryset = partnership.partners.all()
        self.fields["trained_staff"].queryset = User.objects.filter(
            memberships__partnership=partnership
        ).distinct()
        self.fields["trained_staff"].label_from_instance = lambda u: (
            u.get_full_name() or u.first_name or u.username
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ["date", "end_date"]:
            day = data.get(name)
            if day and not (self.partnership.start_year <= day.year <= self.partnership.end_year):
                self.add_error(
                    name,
                    _("La date doit tomber dans les années du partenariat (%(start)s–%(end)s).")
                    % {"start": self.partnership.start_year, "end": self.partnership.end_year},
                )
        if data.get("date") and data.get("end_date") and data["end_date"] < data["date"]:
            self.add_error("end_date", _("La date de fin précède la date de début."))
        structure = data.get("structure")
        if data.get("douar") and structure is not None and structure.kind == Structure.Kind.LISTENING_CENTRE:
            # Where the centre works is never told finer than the commune (docs/security.md 9).
            self.add_error("douar", _("Une activité du centre d'écoute ne dit pas son douar."))
        return data

    def links(self) -> dict:
        """A valid form's links, as `create_activity` and `update_activity` take them."""
        return {name: list(self.cleaned_data[name]) for name in self.LINKS}

    def edit(self) -> dict:
        """A valid edit form as `update_activity` takes it: the row's fields, the version it was read
        at, and the links."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields if name not in self.LINKS}
        return {"fields": fields, "version": self.cleaned_data["version"], **self.links()}


class ActivityFilter(forms.Form):
    date_from = forms.DateField(label=_("Du"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Au"), required=False, widget=DateInput)
    kind = forms.ChoiceField(choices=[("", "—"), *Activity.Kind.choices], required=False, label=_("Type"))
    structure: forms.ModelChoiceField[Structure] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Structure"), to_field_name="code"
    )
    target_group = forms.ModelChoiceField(
        queryset=TargetGroup.objects.all(), required=False, label=_("Public cible"), to_field_name="code"
    )
    douar: forms.ModelChoiceField[Douar] = forms.ModelChoiceField(
        queryset=Douar.objects.none(), required=False, label=_("Douar ou quartier"), to_field_name="code"
    )
    sort = forms.ChoiceField(
        choices=[("-date", _("plus récentes")), ("date", _("plus anciennes")), ("title", _("titre"))],
        required=False,
        label=_("Tri"),
    )

    def __init__(self, *args, structures, douars=None, outside=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures
        self.fields["douar"].queryset = douars if douars is not None else Douar.objects.none()
        if outside:
            # Outside the services a filter is a question about one activity: a day, a structure, a
            # public or a douar would single it out (docs/security.md 9). Only the kind is left.
            for name in ("date_from", "date_to", "structure", "target_group", "douar", "sort"):
                del self.fields[name]

    def apply(self, activities: QuerySet[Activity]) -> QuerySet[Activity]:
        """The activities matching the filters (all of them when the form is not valid)."""
        if not self.is_valid():
            return activities
        data = {
            "date_from": None,
            "date_to": None,
            "structure": None,
            "target_group": None,
            "douar": None,
            **self.cleaned_data,
        }
        if data["date_from"]:
            activities = activities.filter(date__gte=data["date_from"])
        if data["date_to"]:
            activities = activities.filter(date__lte=data["date_to"])
        if data["kind"]:
            activities = activities.filter(kind=data["kind"])
        if data["structure"]:
            activities = activities.filter(structure=data["structure"])
        if data["douar"]:
            activities = activities.filter(douar=data["douar"])
        if data["target_group"]:
            from .models import Attendance, Tally

            group = data["target_group"]
            activities = activities.filter(
                Q(pk__in=Attendance.objects.filter(person__target_groups=group).values("activity_id"))
                | Q(pk__in=Tally.objects.filter(target_group=group).values("activity_id"))
            )
        return activities


class QuickPersonForm(forms.Form):
    sex = forms.ChoiceField(choices=Sex.choices, label=_("Sexe"), widget=forms.RadioSelect)
    birth_year = forms.IntegerField(label=_("Année de naissance"), min_value=1900, max_value=2100)
    target_group = forms.ModelChoiceField(
        queryset=TargetGroup.objects.all(), required=False, label=_("Public cible"), to_field_name="code"
    )
    first_name = forms.CharField(label=_("Prénom"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Nom"), required=False, max_length=100)


def _count_field(**kwargs):
    """A number of people: a whole number from 0 to MAX_COUNT, refused in plain French otherwise."""
    return forms.IntegerField(
        min_value=0,
        max_value=MAX_COUNT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "tally-count"}),
        error_messages={
            "required": _("Indiquez un nombre (0 s'il n'y avait personne)."),
            "invalid": _("Tapez un nombre entier, par exemple 12."),
            "min_value": _("Un nombre de personnes ne peut pas être négatif."),
            "max_value": _("Plus de %(limit_value)s personnes ? Vérifiez ce nombre."),
        },
        **kwargs,
    )


class TallyTableForm(forms.Form):
    """An activity's tally table, saved in one submit: a number per row (sex, and target group or
    none) with, hidden, the number the form showed (`was-…`), and one new row (a public not in the
    table yet). `rows` are the table's rows, [(sex, group or None, count)]. A bound form keeps only the
    rows it was shown (a row someone added since is not overwritten)."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Tally.Sex.choices)
        self.rows = []
        for sex, group, count in rows:
            name = f"{sex}-{group.code}" if group else sex
            if self.is_bound and f"was-{name}" not in self.data:
                continue
            self.fields[f"n-{name}"] = _count_field(initial=count)
            self.fields[f"was-{name}"] = forms.IntegerField(
                min_value=0, max_value=MAX_COUNT, initial=count, widget=forms.HiddenInput
            )
            label = f"{labels[sex]} · {group.label}" if group else labels[sex]
            self.rows.append({"key": (sex, group), "sex": sex, "group": group, "name": name, "label": label})
        self.fields["new-sex"] = forms.ChoiceField(choices=Tally.Sex.choices, required=False, label=_("Sexe"))
        self.fields["new-group"] = forms.ModelChoiceField(
            queryset=TargetGroup.objects.all(),
            required=False,
            to_field_name="code",
            label=_("Public cible"),
            empty_label="—",
        )
        self.fields["new-group"].label_from_instance = lambda group: group.label
        self.fields["new-n"] = _count_field(required=False, label=_("Nombre"))

    @property
    def new_row(self) -> list[BoundField]:
        return [self["new-sex"], self["new-group"], self["new-n"]]

    def __iter__(self):  # the template walks the rows: label, number field, hidden number shown
        for row in self.rows:
            yield {**row, "field": self[f"n-{row['name']}"], "was": self[f"was-{row['name']}"]}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("new-n"):
            group = data.get("new-group")
            if group is None:
                self.add_error("new-group", _("Choisissez le public cible de ce nombre."))
            elif not data.get("new-sex"):
                self.add_error("new-sex", _("Choisissez le sexe de ce nombre."))
            elif any(row["key"] == (data["new-sex"], group) for row in self.rows):
                self.add_error("new-group", _("Ce public est déjà dans le tableau : changez son nombre."))
        return data

    def counts(self) -> tuple[dict, dict]:
        """The numbers typed and the numbers shown, by (sex, group or None), for actions.set_tallies."""
        data = self.cleaned_data
        counts = {row["key"]: data[f"n-{row['name']}"] for row in self.rows}
        seen = {row["key"]: data[f"was-{row['name']}"] for row in self.rows}
        if data.get("new-n"):
            key = (data["new-sex"], data["new-group"])
            counts[key], seen[key] = data["new-n"], 0
        return counts, seen

    def refuse(self, current: dict) -> None:
        """Shows a TallyConflict beside each row someone else changed, and takes that person's number
        as the one seen: saving again replaces it, knowingly."""
        # The view binds request.POST, a QueryDict (typed as a Mapping): its copy is mutable.
        data = self.data.copy()  # type: ignore[attr-defined]
        names = {(row["sex"], row["group"].pk if row["group"] else None): row["name"] for row in self.rows}
        for key, saved in current.items():
            name = names.get(key)
            if name is None:  # her new row
                message = _(
                    "Quelqu'un vient d'ajouter ce public avec %(saved)s personnes : rechargez la page "
                    "pour le voir dans le tableau."
                )
                self.add_error("new-n", message % {"saved": saved})
                continue
            data[f"was-{name}"] = str(saved)
            message = _(
                "Quelqu'un a enregistré %(saved)s ici depuis que vous avez ouvert la page. "
                "Enregistrez à nouveau pour le remplacer par votre nombre."
            )
            self.add_error(f"n-{name}", message % {"saved": saved})
        self.data = data


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text", "follow_up_by", "due_date"]
        widgets = {"due_date": DateInput, "text": forms.Textarea(attrs={"rows": 2})}


class VisitForm(forms.ModelForm):
    person_code = forms.CharField(label=_("Code de la personne (facultatif)"), required=False, max_length=20)
    field_order = ["structure", "date", "person_code", "sex"]

    class Meta:
        model = Visit
        fields = ["structure", "date", "sex", "douar", "reason", "orientation", "referred_to"]
        widgets = {"date": DateInput}

    def __init__(self, *args, partnership, structures, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership, self.people = partnership, people
        self.fields["structure"].queryset = structures
        self.fields["referred_to"].queryset = Organisation.objects.all()
        self.fields["douar"].queryset = partnership.douars.all()
        # Taken from the person's record when a code is given; an anonymous visitor who does not say
        # is "non renseigné", preselected, never a guessed sex (issue 14).
        self.fields["sex"].required = False
        self.fields["sex"].choices = Tally.Sex.choices
        self.fields["sex"].initial = Tally.Sex.X

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        code = (data.get("person_code") or "").strip().upper()
        data["person"] = None
        if code:
            data["person"] = self.people.filter(code=code).first()
            if data["person"] is None:
                self.add_error("person_code", _("Aucune personne de ce code dans votre structure."))
            else:
                data["sex"] = data["person"].sex
        elif not data.get("sex"):
            self.add_error("sex", _("Indiquez le sexe d'un visiteur anonyme."))
        day = data.get("date")
        if day and not (self.partnership.start_year <= day.year <= self.partnership.end_year):
            self.add_error("date", _("La date doit tomber dans les années du partenariat."))
        return data


class StructurePartnerForm(forms.ModelForm):
    class Meta:
        model = StructurePartner
        fields = ["structure", "organisation", "role", "contact_name"]

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = partnership.structures.all()
        self.fields["organisation"].queryset = Organisation.objects.all()

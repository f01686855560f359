"""Forms of the projects pages: a project (new and edit), a step of its life cycle, a milestone and
a partner. The choices offered are the partnership's own (results, douars, activities, partners):
another partnership's row is refused as an invalid choice."""

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.forms import DateInput
from core.forms import bound
from core.locking import Versioned
from partnerships.models import Organisation, Structure

from .actions import next_stages
from .models import Milestone, Project, ProjectPartner, Stage

LINKS = ("results", "target_groups", "douars", "activities")


class ProjectForm(Versioned, forms.ModelForm):
    """A new project, or an edit of one. `structures` are those she may put the project under (all
    of the partnership's for its coordination; her own for a structure's staff, `own_structure_only`:
    the structure is then required, and not asked at all when she has only one)."""

    class Meta:
        model = Project
        fields = [
            "title",
            "summary",
            "kind",
            "origin",
            "origin_note",
            "structure",
            "results",
            "target_groups",
            "douars",
            "activities",
            "starts",
            "ends",
            "progress",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "results": forms.CheckboxSelectMultiple,
            "target_groups": forms.CheckboxSelectMultiple,
            "douars": forms.CheckboxSelectMultiple,
            "starts": DateInput,
            "ends": DateInput,
        }

    def __init__(self, *args, partnership, structures, own_structure_only: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fixed_structure = None
        structure = self.fields["structure"]
        structure.queryset = structures  # type: ignore[attr-defined]
        if own_structure_only:
            structure.required = True
            if len(structures) == 1:
                # Her one structure: nothing to choose (and no other one to pick).
                self.fixed_structure = structures[0]
                del self.fields["structure"]
        self.fields["results"].queryset = partnership.results.all()  # type: ignore[attr-defined]
        self.fields["results"].label_from_instance = lambda r: f"{r.code} — {r.label}"  # type: ignore[attr-defined]
        self.fields["douars"].queryset = partnership.douars.all()  # type: ignore[attr-defined]
        if _is_centre(self.fixed_structure or self.instance.structure):
            del self.fields["douars"]  # where the centre works is never told (docs/security.md 9)
        self.fields["activities"].queryset = partnership.activities.order_by("-date", "pk")  # type: ignore[attr-defined]
        self.fields["activities"].help_text = _("Seules les activités de ce partenariat peuvent être liées.")
        bound(self.fields["progress"], 0, 100)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("La fin prévue précède le début."))
        structure = self.fixed_structure or data.get("structure", self.instance.structure)
        if _is_centre(structure) and data.get("douars"):
            self.add_error(
                "douars" if "douars" in self.fields else None,
                _(
                    "Un projet du centre d'écoute ne dit pas ses douars : où le centre travaille reste secret."
                ),
            )
        return data

    def creation(self) -> dict[str, Any]:
        """A valid new project's fields and links, as `actions.create_project_with_links` takes them."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields if name not in LINKS and name in data}
        if self.fixed_structure is not None:
            fields["structure"] = self.fixed_structure
        return {"fields": fields, "links": {name: list(data.get(name, ())) for name in LINKS}}


def _is_centre(structure) -> bool:
    return structure is not None and structure.kind == Structure.Kind.LISTENING_CENTRE


class StageForm(forms.Form):
    """The next step of the project's life cycle (or abandoning it), its date and a note."""

    stage = forms.ChoiceField(label=_("Nouvelle étape"), widget=forms.RadioSelect)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    note = forms.CharField(
        label=_("Note (le motif, pour un abandon)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s, Stage(s).label) for s in next_stages(project)]  # type: ignore[attr-defined]
        self.fields["date"].initial = timezone.localdate()


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due"]
        labels = {"title": _("Jalon")}
        widgets = {"due": DateInput}


class MilestoneDoneForm(forms.Form):
    """A milestone reached: today, or the day given."""

    done_on = forms.DateField(label=_("Atteint le"), required=False, widget=DateInput)

    def clean_done_on(self) -> datetime.date:
        day = self.cleaned_data.get("done_on") or timezone.localdate()
        if day > timezone.localdate():
            raise forms.ValidationError(_("La date ne peut pas être dans le futur."))
        return day


class PartnerForm(forms.ModelForm):
    """An organisation taking part in the project, with its role: one of the partnership's partners
    or communes, not already listed."""

    class Meta:
        model = ProjectPartner
        fields = ["organisation", "role"]

    def __init__(self, *args, project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        partnership = project.partnership
        self.fields["organisation"].queryset = (  # type: ignore[attr-defined]
            Organisation.objects.filter(
                Q(partnerships_as_partner=partnership) | Q(partnerships_as_commune=partnership)
            )
            .exclude(project_roles__project=project)
            .distinct()
            .order_by("name")
        )
        self.fields["organisation"].label = _("Organisation")
        self.instance.project = project

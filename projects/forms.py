"""Forms of the projects pages: a project (new and edit), a step of its life cycle, a milestone and
a partner. The choices offered are the partnership's own (results, douars, activities, partners):
another partnership's row is refused as an invalid choice."""

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
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
    """A milestone of the project: its title and due date, within the partnership's years (one year
    before to two after, for the preparation and the follow-up); the same one twice is refused."""

    class Meta:
        model = Milestone
        fields = ["title", "due"]
        labels = {"title": _("Jalon")}
        widgets = {"due": DateInput}

    def __init__(self, *args, project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.instance.project = project
        first, last = milestone_window(project)
        self.fields["due"].widget.attrs.update({"min": first.isoformat(), "max": last.isoformat()})

    def clean_due(self) -> datetime.date | None:
        due = self.cleaned_data.get("due")
        first, last = milestone_window(self.project)
        if due is not None and not first <= due <= last:
            raise forms.ValidationError(
                _("L'échéance doit tomber entre le %(first)s et le %(last)s (les années du partenariat).")
                % {
                    "first": date_format(first, "SHORT_DATE_FORMAT"),
                    "last": date_format(last, "SHORT_DATE_FORMAT"),
                }
            )
        return due

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        title = (data.get("title") or "").strip()
        if title and "due" not in self.errors:
            same = self.project.milestones.filter(title__iexact=title, due=data.get("due"))
            if same.exists():
                raise forms.ValidationError(_("Ce jalon existe déjà, avec la même échéance."))
        return data


def milestone_window(project: Project) -> tuple[datetime.date, datetime.date]:
    """The days a milestone may be due: from the year before the partnership's first to two years
    after its last."""
    partnership = project.partnership
    return datetime.date(partnership.start_year - 1, 1, 1), datetime.date(partnership.end_year + 2, 12, 31)


class MilestoneDoneForm(forms.Form):
    """A milestone reached: today, or the day given (not in the future, not before the project's
    first step)."""

    done_on = forms.DateField(label=_("Atteint le"), required=False, widget=DateInput)

    def __init__(self, *args, project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_done_on(self) -> datetime.date:
        day = self.cleaned_data.get("done_on") or timezone.localdate()
        if day > timezone.localdate():
            raise forms.ValidationError(_("La date ne peut pas être dans le futur."))
        first = self.project.stage_changes.order_by("date").values_list("date", flat=True).first()
        if first is not None and day < first:
            raise forms.ValidationError(
                _("Un jalon ne peut pas être atteint avant le début du projet (%(date)s).")
                % {"date": date_format(first, "SHORT_DATE_FORMAT")}
            )
        return day


class PartnerForm(forms.ModelForm):
    """An organisation taking part in the project, with its role: one of the partnership's partners
    or communes, or already partner of one of its projects, not already listed; or a new one, named
    here (a name already known, whatever its case, is that organisation, not a second one)."""

    new_name = forms.CharField(
        label=_("ou une nouvelle organisation (nom)"),
        required=False,
        max_length=200,
        help_text=_("Seulement si l'organisation n'est pas dans la liste."),
    )
    new_kind = forms.ChoiceField(
        label=_("type de la nouvelle organisation"),
        required=False,
        choices=[("", "---------"), *Organisation.Kind.choices],
    )

    field_order = ["organisation", "new_name", "new_kind", "role"]

    class Meta:
        model = ProjectPartner
        fields = ["organisation", "role"]

    def __init__(self, *args, project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        partnership = project.partnership
        self.project = project
        self.new_organisation: Organisation | None = None
        organisation = self.fields["organisation"]
        organisation.queryset = (  # type: ignore[attr-defined]
            Organisation.objects.filter(
                Q(partnerships_as_partner=partnership)
                | Q(partnerships_as_commune=partnership)
                | Q(project_roles__project__partnership=partnership)
            )
            .exclude(project_roles__project=project)
            .distinct()
            .order_by("name")
        )
        organisation.required = False
        organisation.label = _("Organisation")
        self.instance.project = project

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        chosen, name = data.get("organisation"), " ".join((data.get("new_name") or "").split())
        if "organisation" in self.errors:
            return data
        if chosen and name:
            self.add_error(
                "new_name",
                _("Choisissez une organisation de la liste ou nommez-en une nouvelle, pas les deux."),
            )
            return data
        if not chosen and not name:
            self.add_error(
                "organisation",
                _("Choisissez une organisation de la liste, ou nommez la nouvelle organisation."),
            )
            return data
        if name:
            chosen = same_name(name)
            if chosen is None:
                if not data.get("new_kind"):
                    self.add_error("new_kind", _("Indiquez le type de la nouvelle organisation."))
                    return data
                self.new_organisation = Organisation(name=name, kind=data["new_kind"], country="MA")
            data["organisation"] = chosen
        if chosen is not None and self.project.partners.filter(organisation=chosen).exists():
            self.add_error(None, _("Cette organisation est déjà partenaire du projet."))
        return data

    def save(self, commit: bool = True) -> ProjectPartner:
        """The project's partner, and first the new organisation named in the form, if any."""
        if self.new_organisation is not None:
            self.new_organisation.slug = unique_slug(self.new_organisation.name)
            self.new_organisation.save()
            self.instance.organisation = self.new_organisation
        else:
            self.instance.organisation = self.cleaned_data["organisation"]
        return super().save(commit=commit)


def same_name(name: str) -> Organisation | None:
    """The organisation of this name, whatever its case and spacing (compared in Python: SQLite
    folds only ASCII letters, "Féminine" is not "féminine" to it); the oldest if several."""
    wanted = " ".join(name.split()).casefold()
    for pk, known in Organisation.objects.order_by("pk").values_list("pk", "name"):
        if " ".join(known.split()).casefold() == wanted:
            return Organisation.objects.get(pk=pk)
    return None


def unique_slug(name: str) -> str:
    """A slug for a new organisation, not yet taken (`-2`, `-3`… when it is)."""
    base = slugify(name)[:40] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug

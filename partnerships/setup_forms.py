"""Forms of a partnership's set-up in the browser: the partnership itself, its structures and the
douars of its territory."""

import re
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import bound
from core.translations import translated_form

from .models import Douar, Organisation, Partnership, Structure


class PartnershipForm(translated_form(Partnership)):  # type: ignore[misc]  # a base made at run time
    """A new partnership: its network (among those the creator officers), names, years, communes."""

    start_year = forms.IntegerField(label=_("Première année"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Dernière année"), min_value=2000, max_value=2100)
    communes = forms.ModelMultipleChoiceField(
        label=_("Communes"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.COMMUNE),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    new_communes = forms.CharField(
        label=_("Autres communes (une par ligne)"),
        help_text=_("Les communes qui ne sont pas encore dans la liste : elles y sont ajoutées."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    class Meta:
        model = Partnership
        fields = [
            "network",
            "name",
            "slug",
            "start_year",
            "end_year",
            "communes",
            "new_communes",
            "code_prefix",
        ]
        labels = {"network": _("Réseau"), "slug": _("Identifiant (dans les adresses)")}
        help_texts = {"slug": _("Lettres minuscules, chiffres et tirets, ex. belfaa-jette-2022-2026.")}

    def __init__(self, *args, networks: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["network"]).queryset = networks

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if Partnership.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Un autre partenariat porte déjà cet identifiant."))
        return slug

    def clean_code_prefix(self) -> str:
        prefix = self.cleaned_data["code_prefix"].strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{2,5}", prefix):
            raise forms.ValidationError(_("De 2 à 5 lettres ou chiffres, ex. BLF."))
        if Partnership.objects.filter(code_prefix__iexact=prefix).exists():
            raise forms.ValidationError(_("Un autre partenariat utilise déjà ce préfixe des codes."))
        return prefix

    def clean_new_communes(self) -> list[str]:
        names = [" ".join(line.split()) for line in self.cleaned_data["new_communes"].splitlines()]
        names = list(dict.fromkeys(name for name in names if name))
        if any(len(name) > 200 for name in names):
            raise forms.ValidationError(_("Un nom de commune a au plus 200 caractères."))
        return names

    def clean(self) -> dict[str, Any]:
        super().clean()
        chosen = self.cleaned_data.get("communes") or self.cleaned_data.get("new_communes")
        if not chosen and "new_communes" not in self.errors:
            self.add_error("communes", _("Choisissez au moins une commune."))
        return self.cleaned_data


class StructureForm(translated_form(Structure)):  # type: ignore[misc]  # a base made at run time
    """A structure of the partnership. Its code and its kind are fixed once saved: indicators filter
    on its code, and its kind says whose rules hold there — a listening centre's files are its
    staff's alone (docs/security.md 4, 26): turned into another kind, its staff would lose them and
    the coordinator could invite into it."""

    class Meta:
        model = Structure
        fields = ["code", "name", "kind", "status", "organisation", "result", "capacity"]
        labels = {"organisation": _("Gérée par"), "result": _("Résultat (code, ex. R1)")}

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.instance.partnership = partnership
        if self.instance.pk is not None:
            del self.fields["code"]
            del self.fields["kind"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if self.partnership.structures.filter(code=code).exists():
            raise forms.ValidationError(_("Une autre structure de ce partenariat porte déjà ce code."))
        return code


class DouarForm(translated_form(Douar)):  # type: ignore[misc]  # a base made at run time
    """A douar or neighbourhood of the partnership's territory: its code (unique in the partnership;
    imports and the phones' forms name it by code), names, kind, point and population if known."""

    class Meta:
        model = Douar
        fields = ["code", "name", "kind", "latitude", "longitude", "population"]
        help_texts = {
            "code": _("Lettres minuscules, chiffres et tirets, ex. toulaasri : les imports le citent."),
            "latitude": _("En degrés décimaux, de -90 à 90 (ex. 30.04512)."),
            "longitude": _("En degrés décimaux, de -180 à 180 (ouest négatif, ex. -9.55310)."),
            "population": _("Nombre d'habitants, s'il est connu."),
        }

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.instance.partnership = partnership
        bound(self.fields["latitude"], -90, 90)
        bound(self.fields["longitude"], -180, 180)
        bound(self.fields["population"], 0, None)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if code == "nouveau":  # the address of the page that adds one
            raise forms.ValidationError(_("Ce code est réservé : choisissez-en un autre."))
        others = self.partnership.douars.filter(code=code).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Un autre douar de ce partenariat porte déjà ce code."))
        return code

"""The review queue's forms: the answers of a waiting submission, to correct, and a rejection."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.locking import Versioned

from .models import FormKind
from .xlsforms import forms_for

# What each answer is, in plain words (the last segment of its `group/field` name).
LABELS = {
    "type": _("Type d'activité (code)"),
    "titre": _("Titre"),
    "date": _("Date (AAAA-MM-JJ)"),
    "resultats": _("Résultats visés (codes séparés par des espaces)"),
    "lieu": _("Lieu"),
    "presents": _("Personnes présentes (codes séparés par des espaces)"),
    "public": _("Public cible (code)"),
    "femmes": _("Femmes"),
    "hommes": _("Hommes"),
    "non_precise": _("Sexe non précisé"),
    "prenom": _("Prénom"),
    "nom": _("Nom"),
    "sexe": _("Sexe (F ou M)"),
    "annee_naissance": _("Année de naissance"),
    "personne": _("Code de la personne"),
    "motif": _("Motif"),
    "orientation": _("Orientation (code)"),
    "oriente_vers": _("Orienté vers (code de l'organisation)"),
}
SCALARS: dict[str, list[str]] = {
    FormKind.ACTIVITY: [
        "activite/type",
        "activite/titre",
        "activite/date",
        "activite/resultats",
        "activite/lieu",
        "presences/presents",
    ],
    FormKind.VISIT: ["date", "personne", "sexe", "motif", "orientation", "oriente_vers"],
}
SCALARS[FormKind.DAY_SESSION] = [name for name in SCALARS[FormKind.ACTIVITY] if name != "activite/type"]
REPEATS = {
    "comptages": ("public", "femmes", "hommes", "non_precise"),
    "nouvelles_personnes": ("prenom", "nom", "sexe", "annee_naissance", "public"),
}
REPEAT_LABELS = {
    "comptages": _("Personnes non enregistrées, comptées"),
    "nouvelles_personnes": _("Nouvelles personnes à enregistrer"),
}
EMPTY_ROWS = 1  # blank rows offered after the answered ones


class ReviewForm(Versioned):
    """A waiting submission's answers, to correct: its scalar answers, its tallies and new people
    rows (with a blank one to add), and the present people's codes. Every answer is optional here:
    the one path (collect/intake.py) checks them again and names any problem."""

    def __init__(self, *args, kind: str = FormKind.ACTIVITY, answers: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.original = dict(answers or {})
        self.kind = kind
        self.scalars: list[str] = []
        for default in SCALARS.get(kind, []):
            leaf = default.rsplit("/", 1)[-1]
            name = next(
                (k for k, v in self.original.items() if isinstance(v, str) and k.rsplit("/", 1)[-1] == leaf),
                default,
            )
            self.scalars.append(name)
            self.fields[name] = forms.CharField(label=LABELS[leaf], required=False, max_length=1000)
            self.initial.setdefault(name, self.original.get(name, ""))
        self.repeats: dict[str, list[list[str]]] = {}
        for repeat, leaves in REPEATS.items() if kind != FormKind.VISIT else ():
            rows = [r for r in self.original.get(repeat) or [] if isinstance(r, dict)]
            names = []
            for i in range(len(rows) + EMPTY_ROWS):
                row_names = []
                for leaf in leaves:
                    name = f"{repeat}-{i}-{repeat}/{leaf}"
                    self.fields[name] = forms.CharField(label=LABELS[leaf], required=False, max_length=200)
                    if i < len(rows):
                        self.initial.setdefault(name, rows[i].get(f"{repeat}/{leaf}", ""))
                    row_names.append(name)
                names.append(row_names)
            self.repeats[repeat] = names

    def answers(self) -> dict[str, Any]:
        """The corrected answers, in the shape collect/intake.py reads (rows left blank dropped)."""
        data = self.cleaned_data
        answers = {**self.original, **{name: data.get(name, "").strip() for name in self.scalars}}
        for repeat, rows in self.repeats.items():
            kept = []
            for names in rows:
                row = {name.split("-", 2)[2]: data.get(name, "").strip() for name in names}
                if any(row.values()):
                    kept.append(row)
            answers[repeat] = kept
        return answers


class RejectForm(Versioned):
    """Rejecting a waiting submission: why, in a few words (kept with it)."""

    reason = forms.CharField(label=_("Motif du rejet"), max_length=300)


class KoboHookForm(forms.Form):
    """A new Kobo link: which structure and form, and the Kobo project's name (to recognise it)."""

    structure: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Structure"), queryset=None)
    kind = forms.ChoiceField(label=_("Formulaire"), choices=FormKind.choices)
    label = forms.CharField(label=_("Nom du projet dans KoboToolbox"), max_length=100)

    def __init__(self, *args, structures, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        structure, kind = data.get("structure"), data.get("kind")
        if structure is not None and kind and kind not in forms_for(structure):
            self.add_error("kind", _("Cette structure n'a pas ce formulaire."))
        return data

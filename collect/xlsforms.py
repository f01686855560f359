"""The forms Twiza makes for a structure: one XLSForm per (structure, kind), built here from the
partnership's own definitions (activity kinds, results, target groups, organisations), written to
XLSX with `core.spreadsheets.workbook`, and converted by pyxform into the XForm ODK Collect reads —
one source, never two: the XForm served is the conversion of the XLSX served.

The people a form offers are not in the form but in its media file `personnes.csv` (code and a label
the structure chooses), so that a new person gives a new version without a new form design. A
listening centre has no form: its clients live only in `cases` (docs/security.md 34).

The intake (collect/intake.py) reads a submission by these names (`activite/date`,
`comptages/femmes`…): renaming a question breaks it and every older version still on the phones.
"""

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from activities.models import Activity, Tally, Visit
from core.spreadsheets import csv_writer, workbook
from partnerships.models import Douar, Organisation, Structure, TranslatedMixin
from people.models import Person, Sex, TargetGroup
from programme.models import Result

from .models import CollectSettings, FormKind, FormVersion, PersonLabel

MEDIA = "personnes.csv"
ROOT = "data"  # the XForm's root element (pyxform's default, said once here)
# xlsxwriter stamps the workbook with its creation time: a fixed one keeps one XLSForm's bytes the same.
CREATED = dt.datetime(2022, 1, 1)
# A few tries when two requests build the same new version at once (the loser reads the winner's).
TRIES = 3

Text = StrOrPromise | Callable[[], str]


@dataclass(frozen=True)
class Question:
    type: str
    name: str = ""
    label: Text = ""
    hint: Text = ""
    required: bool = False
    constraint: str = ""
    constraint_message: Text = ""
    relevant: str = ""
    appearance: str = ""
    calculation: str = ""


NOT_FUTURE = ". <= today()"
NOT_FUTURE_MESSAGE = _("La date ne peut pas être dans le futur.")
NOT_NEGATIVE = ". >= 0"
NOT_NEGATIVE_MESSAGE = _("Un nombre positif ou nul.")
# This year read on the phone, not written in the form: a new year needs no new version.
BIRTH_YEAR = ". >= 1900 and . <= int(format-date(today(), '%Y'))"
BIRTH_YEAR_MESSAGE = _("Une année entre 1900 et cette année.")


def form_id(structure: Structure, kind: str) -> str:
    return "twiza_" + kind + "_" + structure.code.replace("-", "_")


def forms_for(structure: Structure) -> list[str]:
    """The FormKind values of the structure's forms: `activite` for all but a listening centre (none),
    and a visit form for a migrants' office, a session form for a day centre."""
    if structure.kind == Structure.Kind.LISTENING_CENTRE:
        return []
    kinds = [FormKind.ACTIVITY.value]
    if structure.kind == Structure.Kind.MIGRANT_OFFICE:
        kinds.append(FormKind.VISIT.value)
    if structure.kind == Structure.Kind.DAY_CENTRE:
        kinds.append(FormKind.DAY_SESSION.value)
    return kinds


# The people's media file ----------------------------------------------------------------------


def _initials(person: Person) -> str:
    return "".join(
        f"{part.strip()[0].upper()}." for part in [person.first_name, person.last_name] if part.strip()
    )


def person_label(person: Person, choice: str) -> str:
    """What the phone shows of a person: her code always, then what the structure chose."""
    if choice == PersonLabel.CODE:
        parts = [person.code]
    elif choice == PersonLabel.INITIALS:
        parts = [person.code, _initials(person)]
    elif choice == PersonLabel.NAME:
        last = person.last_name.strip()
        parts = [person.code, person.first_name.strip(), f"{last[0].upper()}." if last else ""]
    else:
        parts = [person.code, _initials(person), str(person.birth_year)]
    return " ".join(p for p in parts if p)


def label_choice(structure: Structure) -> str:
    found = CollectSettings.objects.filter(structure=structure).values_list("person_label", flat=True).first()
    return found or PersonLabel.INITIALS_YEAR


def people_csv(structure: Structure) -> bytes:
    """`personnes.csv`: `name,label` of the people whose structure is this one (never anyone of a
    listening centre: its file is empty), by number."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["name", "label"])
    if structure.kind != Structure.Kind.LISTENING_CENTRE:
        choice = label_choice(structure)
        for person in Person.objects.filter(structure=structure).order_by("number"):
            writer.writerow([person.code, person_label(person, choice)])
    return out.getvalue().encode()


# The XLSForm's sheets -------------------------------------------------------------------------


def _languages() -> list[tuple[str, str]]:
    """(code, XLSForm language name) of every language of the interface, French (the source) first."""
    return [(code, f"{name} ({code})") for code, name in settings.LANGUAGES]


def _texts(text: Text) -> list[str]:
    """The text in every language (empty where there is none)."""
    texts = []
    for code, _name in _languages():
        with translation.override(code):
            value = text() if callable(text) else text
            texts.append(str(value) if value else "")
    return texts


def _date(label: StrOrPromise) -> Question:
    """The day of the activity or visit: required, never after today on the phone's clock."""
    return Question(
        "date", "date", label, required=True, constraint=NOT_FUTURE, constraint_message=NOT_FUTURE_MESSAGE
    )


def _douar_question(label: StrOrPromise) -> Question:
    """Where, among the partnership's douars (asked only when it has some: an empty list is no form)."""
    return Question("select_one douars", "douar", label, appearance="minimal autocomplete")


def _activity_questions(kind: str, douars: bool = False) -> list[Question]:
    if kind == FormKind.DAY_SESSION:
        # The session's kind is the form's: a calculated field keeps the same name for the intake.
        type_question = Question("calculate", "type", calculation="'accueil-jour'")
    else:
        type_question = Question("select_one types", "type", _("Type d'activité"), required=True)
    return [
        Question("begin_group", "activite", _("Activité")),
        type_question,
        Question("text", "titre", _("Titre de l'activité")),
        _date(_("Date de l'activité")),
        Question("select_multiple resultats", "resultats", _("Résultats visés")),
        Question("text", "lieu", _("Lieu")),
        *([_douar_question(_("Douar ou quartier"))] if douars else []),
        Question("end_group"),
        Question("begin_group", "presences", _("Personnes enregistrées")),
        Question(
            f"select_multiple_from_file {MEDIA}",
            "presents",
            _("Personnes présentes"),
            hint=_("Tapez le code ou les initiales."),
            appearance="minimal autocomplete",
        ),
        Question("end_group"),
        Question("begin_repeat", "comptages", _("Personnes non enregistrées")),
        Question("select_one publics", "public", _("Public cible des comptages")),
        *[
            Question("integer", name, label, constraint=NOT_NEGATIVE, constraint_message=NOT_NEGATIVE_MESSAGE)
            for name, label in [
                ("femmes", _("Femmes non enregistrées")),
                ("hommes", _("Hommes non enregistrés")),
                ("non_precise", _("Personnes au sexe non précisé")),
            ]
        ],
        Question("end_repeat"),
        Question("begin_repeat", "nouvelles_personnes", _("Nouvelles personnes à enregistrer")),
        Question("text", "prenom", _("Prénom"), required=True),
        Question("text", "nom", _("Nom"), required=True),
        Question("select_one sexes", "sexe", _("Sexe"), required=True),
        Question(
            "integer",
            "annee_naissance",
            _("Année de naissance"),
            required=True,
            constraint=BIRTH_YEAR,
            constraint_message=BIRTH_YEAR_MESSAGE,
        ),
        Question("select_one publics", "public", _("Public cible")),
        *([_douar_question(_("Douar de résidence"))] if douars else []),
        Question("end_repeat"),
    ]


def _visit_questions(douars: bool = False) -> list[Question]:
    return [
        _date(_("Date de la visite")),
        Question(
            f"select_one_from_file {MEDIA}",
            "personne",
            _("Personne enregistrée"),
            hint=_("Laissez vide si la personne n'est pas enregistrée."),
            appearance="minimal autocomplete",
        ),
        Question("select_one sexes_visite", "sexe", _("Sexe"), required=True, relevant="${personne} = ''"),
        *([_douar_question(_("Venu(e) de (douar ou quartier)"))] if douars else []),
        Question("text", "motif", _("Motif de la visite"), required=True),
        Question("select_one orientations", "orientation", _("Orientation"), required=True),
        Question("select_one organisations", "oriente_vers", _("Orientée vers")),
    ]


def _label_of(obj: TranslatedMixin) -> Callable[[], str]:
    return lambda: obj.label


def _choices(structure: Structure, kind: str) -> list[tuple[str, str, Text]]:
    """(list_name, name, label) of the lists the form's questions use."""
    douars = [
        ("douars", d.code, _label_of(d))
        for d in Douar.objects.filter(partnership_id=structure.partnership_id)
    ]
    if kind == FormKind.VISIT:
        return [
            *douars,
            *[("sexes_visite", code, label) for code, label in Sex.choices],
            ("sexes_visite", "X", Tally.Sex.X.label),
            *[("orientations", code, label) for code, label in Visit.Orientation.choices],
            *[("organisations", o.slug, _label_of(o)) for o in Organisation.objects.order_by("slug")],
        ]
    lines: list[tuple[str, str, Text]] = []
    if kind == FormKind.ACTIVITY:
        lines += [("types", c, label) for c, label in Activity.Kind.choices if c != Activity.Kind.DAY_SESSION]
    results = Result.objects.filter(partnership_id=structure.partnership_id).order_by("order", "code")
    lines += [("resultats", r.code, _result_label(r)) for r in results]
    groups = TargetGroup.objects.order_by("order", "code")
    lines += [("publics", g.code, _label_of(g)) for g in groups]
    lines += [("sexes", code, label) for code, label in Sex.choices]
    return lines + douars


def _result_label(result: Result) -> Callable[[], str]:
    return lambda: f"{result.code} — {result.label}"


def sheets(structure: Structure, kind: str, version: str = "") -> dict[str, list[list[str]]]:
    """The XLSForm's three sheets as rows of text (the first row the headers)."""
    names = [name for _code, name in _languages()]
    survey = [
        [
            "type",
            "name",
            *[f"label::{n}" for n in names],
            *[f"hint::{n}" for n in names],
            "required",
            "constraint",
            *[f"constraint_message::{n}" for n in names],
            "relevant",
            "appearance",
            "calculation",
        ]
    ]
    douars = Douar.objects.filter(partnership_id=structure.partnership_id).exists()
    questions = _visit_questions(douars) if kind == FormKind.VISIT else _activity_questions(kind, douars)
    for q in questions:
        survey.append(
            [
                q.type,
                q.name,
                *_texts(q.label),
                *_texts(q.hint),
                "yes" if q.required else "",
                q.constraint,
                *_texts(q.constraint_message),
                q.relevant,
                q.appearance,
                q.calculation,
            ]
        )
    choices = [["list_name", "name", *[f"label::{n}" for n in names]]]
    choices += [[list_name, name, *_texts(label)] for list_name, name, label in _choices(structure, kind)]
    with translation.override(settings.LANGUAGE_CODE):
        title = f"{structure.label} — {FormKind(kind).label}"
    settings_rows = [
        ["form_title", "form_id", "version", "default_language"],
        [title, form_id(structure, kind), version, names[0]],
    ]
    return {"survey": survey, "choices": choices, "settings": settings_rows}


def xlsx(book_sheets: dict[str, list[list[str]]]) -> bytes:
    out = io.BytesIO()
    book = workbook(out)
    book.set_properties({"created": CREATED})
    for name, rows in book_sheets.items():
        sheet = book.add_worksheet(name)
        for i, row in enumerate(rows):
            sheet.write_row(i, 0, row)
    book.close()
    return out.getvalue()


def source_hash(book_sheets: dict[str, list[list[str]]], media: bytes) -> str:
    """SHA-256 of the sheets' text and the media file: the same whenever nothing changed (the XLSX's
    bytes are not hashed: the version written in them changes with each new version)."""
    content = json.dumps(book_sheets, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(content + b"\0" + media).hexdigest()


# The versions ---------------------------------------------------------------------------------


def _latest(structure: Structure, kind: str) -> FormVersion | None:
    return FormVersion.objects.filter(structure=structure, kind=kind).order_by("-created_at", "-pk").first()


def _next_version(identifier: str) -> str:
    # Counted over every partnership's form of that id (two partnerships may both have a
    # `centre-jour`): a version is never given twice to one form id.
    versions = FormVersion.objects.filter(form_id=identifier).values_list("version", flat=True)
    return str(max((int(v) for v in versions if v.isdigit()), default=0) + 1)


def current(structure: Structure, kind: str) -> FormVersion:
    """The structure's form of `kind` as it is now: the latest version when its XLSForm and media
    have not changed, else a new version (XLSForm converted by pyxform, XForm kept). Two requests
    at once both find the same one: the second to write reads the first's. ValueError for a kind
    the structure has no form of (a listening centre has none)."""
    from pyxform.xls2xform import convert

    if kind not in forms_for(structure):
        raise ValueError(f"{structure.code} has no {kind} form")
    identifier = form_id(structure, kind)
    for _attempt in range(TRIES):
        book_sheets = sheets(structure, kind)
        media = people_csv(structure)
        digest = source_hash(book_sheets, media)
        latest = _latest(structure, kind)
        if latest is not None and latest.source_hash == digest:
            return latest
        version = _next_version(identifier)
        data = xlsx(sheets(structure, kind, version))
        xform = convert(data, file_type=".xlsx", form_name=ROOT).xform
        try:
            with transaction.atomic():
                return FormVersion.objects.create(
                    partnership_id=structure.partnership_id,
                    structure=structure,
                    kind=kind,
                    form_id=identifier,
                    version=version,
                    source_hash=digest,
                    xlsform=data,
                    xform=xform,
                    xform_md5=hashlib.md5(xform.encode(), usedforsecurity=False).hexdigest(),
                )
        except IntegrityError:
            continue  # another request stored this version meanwhile: read again
    latest = _latest(structure, kind)
    if latest is None:
        raise RuntimeError(f"no version of {identifier} could be stored")
    return latest

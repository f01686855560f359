"""Reading KoboToolbox / ODK exports (XLSX or CSV) of activity forms, and writing those forms (XLSForm).

An export has a header row then one submission per row. Headers are `group/field` (or the field's
label when exported with labels), plus `_uuid` and `_submission_time`. A select-multiple is either
one column of space-separated codes or one 0/1 column per choice (`group/field/choice`).

`FIELDS` are what an activity form holds; a mapping says which column feeds each field, is guessed
from names and labels, corrected by the user, and remembered per form (kind + set of headers).
"""

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Activity
from people.models import Person, TargetGroup
from programme.models import Result


@dataclass(frozen=True)
class Field:
    key: str
    name: str  # the XLSForm name (last segment of `group/field`)
    group: str
    label: str
    required: bool = False


FIELDS = [
    Field("uuid", "_uuid", "", "_uuid", required=True),
    Field("submission_time", "_submission_time", "", "_submission_time"),
    Field("title", "titre", "activite", gettext_lazy("Titre de l'activité")),
    Field("date", "date", "activite", gettext_lazy("Date de l'activité"), required=True),
    Field("structure", "structure", "activite", gettext_lazy("Structure")),
    Field("results", "resultats", "activite", gettext_lazy("Résultats visés")),
    Field("tally_F", "femmes", "comptage", gettext_lazy("Femmes non enregistrées")),
    Field("tally_M", "hommes", "comptage", gettext_lazy("Hommes non enregistrés")),
    Field("tally_X", "non_precise", "comptage", gettext_lazy("Personnes au sexe non précisé")),
    Field("target_group", "public", "comptage", gettext_lazy("Public cible des comptages")),
    Field("people", "presents", "presences", gettext_lazy("Codes des personnes présentes")),
]
BY_KEY = {f.key: f for f in FIELDS}
TRUE = {"1", "1.0", "true", "vrai", "yes", "oui"}


class UnreadableFile(Exception):
    pass


def normalise(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9_/]+", " ", text).strip()


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_table(data: bytes, filename: str):
    """(headers, iterator of rows as lists) of the first sheet of an XLSX, or of a CSV (`,` `;` or tab)."""
    if filename.lower().endswith((".xlsx", ".xls", ".ods")):
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheet = book.get_sheet_by_index(0)
            rows = sheet.iter_rows()
            headers = [cell_text(h) for h in next(rows, [])]
        except Exception as error:  # calamine raises its own types for damaged files
            raise UnreadableFile(_("Ce fichier XLSX est illisible.")) from error
        return headers, rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    headers = [h.strip() for h in next(reader, [])]
    if not headers or not any(headers):
        raise UnreadableFile(_("Le fichier est vide ou n'a pas de ligne d'en-têtes."))
    return headers, reader


def fingerprint(headers) -> str:
    return hashlib.sha256("\n".join(sorted(headers)).encode()).hexdigest()


def column_choices(headers) -> list[str]:
    """The columns a field may be fed from: every header, and every `group/field` prefix of per-choice columns."""
    prefixes = []
    for header in headers:
        parts = header.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix not in prefixes and prefix not in headers:
                prefixes.append(prefix)
    return [*headers, *prefixes]


def guess_mapping(headers) -> dict:
    """For each field, the column whose last segment is the field's name, or whose text is its label."""
    candidates = column_choices(headers)
    mapping = {}
    for f in FIELDS:
        for column in candidates:
            last = column.split("/")[-1]
            if normalise(last) == normalise(f.name) or normalise(column) == normalise(f.label):
                mapping[f.key] = column
                break
    return mapping


@dataclass
class Submission:
    row: int
    uuid: str
    title: str
    date: dt.date
    structure: object
    tallies: dict
    target_group: object
    people: list = field(default_factory=list)
    results: list = field(default_factory=list)
    known: bool = False


@dataclass
class Problem:
    row: int
    column: str
    message: str


class Validator:
    """Turns rows into Submissions, or Problems naming the row and the column. Reads the database once
    per kind of reference (structures, groups, results), and people by the codes the file names."""

    def __init__(self, partnership, kind, structures, user, mapping, headers):
        self.partnership, self.kind, self.user = partnership, kind, user
        self.mapping, self.headers = mapping, headers
        self.index = {h: i for i, h in enumerate(headers)}
        self.structures = {s.code: s for s in structures}
        self.all_structures = {s.code for s in partnership.structures.all()}
        self.groups = {g.code: g for g in TargetGroup.objects.all()}
        self.results = {r.code.lower(): r for r in Result.objects.filter(partnership=partnership)}
        self.people_scope = Person.objects.visible_to(user).filter(partnership=partnership)
        self.kind_label = str(dict(Activity.Kind.choices).get(kind, kind))
        self.years = partnership.years
        self.seen = {}
        multi = mapping.get("results", "")
        self.choice_columns = (
            []
            if not multi or multi in self.index
            else [(h.split("/")[-1], i) for h, i in self.index.items() if h.startswith(multi + "/")]
        )

    def value(self, row, key) -> str:
        column = self.mapping.get(key)
        i = self.index.get(column) if column else None
        return cell_text(row[i]) if i is not None and i < len(row) else ""

    def validate(self, rows, first_row: int = 2):
        """(submissions, problems) for an iterable of raw rows; row numbers as in the spreadsheet."""
        submissions, problems, pending_codes = [], [], []
        for number, row in enumerate(rows, start=first_row):
            if not any(cell_text(c) for c in row):
                continue
            submission = self._one(number, row, problems, pending_codes)
            if submission is not None:
                submissions.append(submission)
        self._resolve_people(submissions, pending_codes, problems)
        problems.sort(key=lambda p: p.row)
        return submissions, problems

    def _column(self, key) -> str:
        return self.mapping.get(key) or str(BY_KEY[key].label)

    def _one(self, number, row, problems, pending_codes):
        def fail(key, message):
            problems.append(Problem(number, self._column(key), message))

        before = len(problems)
        uuid = self.value(row, "uuid")
        if not uuid:
            fail("uuid", _("Identifiant _uuid manquant."))
        elif uuid in self.seen:
            fail("uuid", _("Même _uuid qu'à la ligne %(row)s.") % {"row": self.seen[uuid]})
        else:
            self.seen[uuid] = number
        date = None
        raw_date = self.value(row, "date")
        try:
            date = dt.date.fromisoformat(raw_date[:10])
        except ValueError:
            fail("date", _("Date impossible : « %(value)s » (attendu AAAA-MM-JJ).") % {"value": raw_date})
        else:
            if date.year not in self.years:
                fail("date", _("La date %(date)s est hors des années du partenariat.") % {"date": date})
        code = self.value(row, "structure")
        structure = None
        if code:
            structure = self.structures.get(code)
            if structure is None:
                message = (
                    _("Vous ne pouvez pas importer pour la structure « %(code)s ».")
                    if code in self.all_structures
                    else _("Structure inconnue : « %(code)s ».")
                )
                fail("structure", message % {"code": code})
        elif len(self.structures) == 1 and len(self.all_structures) > 1:
            structure = next(iter(self.structures.values()))  # staff: their own structure
        tallies = {}
        for sex in ("F", "M", "X"):
            raw = self.value(row, f"tally_{sex}")
            try:
                count = int(float(raw)) if raw else 0
                if count < 0 or (raw and float(raw) != count):
                    raise ValueError
            except ValueError:
                fail(f"tally_{sex}", _("Nombre invalide : « %(value)s ».") % {"value": raw})
                count = 0
            tallies[sex] = count
        group_code = self.value(row, "target_group")
        group = self.groups.get(group_code) if group_code else None
        if group_code and group is None:
            fail("target_group", _("Public cible inconnu : « %(code)s ».") % {"code": group_code})
        results = []
        for code in self._result_codes(row):
            result = self.results.get(code.lower())
            if result is None:
                fail("results", _("Résultat inconnu : « %(code)s ».") % {"code": code})
            else:
                results.append(result)
        codes = self.value(row, "people").split()
        if len(problems) > before:
            return None
        pending_codes.append((number, codes))
        title = self.value(row, "title") or f"{self.kind_label} {date:%d/%m/%Y}"
        return Submission(number, uuid, title[:200], date, structure, tallies, group, [], results)

    def _result_codes(self, row) -> list[str]:
        if not self.choice_columns:
            return self.value(row, "results").split()
        return [
            choice for choice, i in self.choice_columns if i < len(row) and cell_text(row[i]).lower() in TRUE
        ]

    def _resolve_people(self, submissions, pending_codes, problems):
        wanted = {c for _n, codes in pending_codes for c in codes}
        found = {}
        wanted_list = sorted(wanted)
        for start in range(0, len(wanted_list), 500):
            chunk = wanted_list[start : start + 500]
            found.update({p.code: p for p in self.people_scope.filter(code__in=chunk)})
        by_row = {s.row: s for s in submissions}
        for number, codes in pending_codes:
            missing = [c for c in codes if c not in found]
            if missing:
                problems.append(
                    Problem(
                        number,
                        self._column("people"),
                        _("Personne inconnue ou hors de votre périmètre : %(codes)s.")
                        % {"codes": ", ".join(missing)},
                    )
                )
                by_row.pop(number, None)
                continue
            by_row[number].people = [found[c] for c in codes]
        submissions[:] = [s for s in submissions if s.row in by_row]


def xlsform(partnership, kind: str) -> bytes:
    """An XLSForm (survey, choices, settings) for one activity kind, for KoboToolbox or ODK Collect."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    survey = book.add_worksheet("survey")
    survey.write_row(0, 0, ["type", "name", "label", "required", "constraint", "hint"])
    kind_label = str(dict(Activity.Kind.choices)[kind])
    rows = [
        ["begin_group", "activite", str(_("Activité")), "", "", ""],
        ["text", "titre", str(BY_KEY["title"].label), "", "", kind_label],
        ["date", "date", str(BY_KEY["date"].label), "yes", "", ""],
        ["select_one structures", "structure", str(BY_KEY["structure"].label), "", "", ""],
        ["select_multiple resultats", "resultats", str(BY_KEY["results"].label), "", "", ""],
        ["end_group", "", "", "", "", ""],
        ["begin_group", "comptage", str(_("Personnes non enregistrées")), "", "", ""],
        ["integer", "femmes", str(BY_KEY["tally_F"].label), "", ". >= 0", ""],
        ["integer", "hommes", str(BY_KEY["tally_M"].label), "", ". >= 0", ""],
        ["integer", "non_precise", str(BY_KEY["tally_X"].label), "", ". >= 0", ""],
        ["select_one publics", "public", str(BY_KEY["target_group"].label), "", "", ""],
        ["end_group", "", "", "", "", ""],
        ["begin_group", "presences", str(_("Personnes enregistrées")), "", "", ""],
        ["text", "presents", str(BY_KEY["people"].label), "", "", str(_("Codes séparés par des espaces"))],
        ["end_group", "", "", "", "", ""],
    ]
    for i, row in enumerate(rows, start=1):
        survey.write_row(i, 0, row)
    choices = book.add_worksheet("choices")
    choices.write_row(0, 0, ["list_name", "name", "label"])
    lines = [("structures", s.code, s.name) for s in partnership.structures.order_by("code")]
    lines += [("resultats", r.code, r.code) for r in Result.objects.filter(partnership=partnership)]
    lines += [("publics", g.code, g.name) for g in TargetGroup.objects.all()]
    for i, line in enumerate(lines, start=1):
        choices.write_row(i, 0, line)
    settings_sheet = book.add_worksheet("settings")
    settings_sheet.write_row(0, 0, ["form_title", "form_id", "version", "default_language"])
    settings_sheet.write_row(
        1, 0, [f"{partnership.name} — {kind_label}", f"twiza_{kind.replace('-', '_')}", "1", "fr"]
    )
    book.close()
    return out.getvalue()

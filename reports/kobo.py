"""Reading KoboToolbox / ODK exports (XLSX or CSV) of activity forms, and writing those forms (XLSForm).

An export has a header row then one submission per row. Headers are `group/field` (or the field's
label when exported with labels), plus `_uuid` and `_submission_time`. A select-multiple is either
one column of space-separated codes or one 0/1 column per choice (`group/field/choice`).

`FIELDS` are what an activity form holds; a mapping says which column feeds each field, is guessed
from names and labels, corrected by the user, and remembered per form (kind + set of headers).
"""

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from activities.models import MAX_COUNT, Activity
from core.spreadsheets import workbook
from partnerships.models import Structure
from people.models import Person, TargetGroup
from programme.models import Result

from . import xlsx
from .models import ImportedSubmission


@dataclass(frozen=True)
class Field:
    key: str
    name: str  # the XLSForm name (last segment of `group/field`)
    group: str
    label: StrOrPromise
    required: bool = False


FIELDS = [
    Field("uuid", "_uuid", "", "_uuid", required=True),
    Field("submission_time", "_submission_time", "", "_submission_time"),
    Field("title", "titre", "activite", gettext_lazy("Titre de l'activité")),
    Field("date", "date", "activite", gettext_lazy("Date de l'activité"), required=True),
    Field("structure", "structure", "activite", gettext_lazy("Structure")),
    Field("kind", "type", "activite", gettext_lazy("Type d'activité")),
    Field("place", "lieu", "activite", gettext_lazy("Lieu")),
    Field("douar", "douar", "activite", gettext_lazy("Douar ou quartier (code)")),
    Field("results", "resultats", "activite", gettext_lazy("Résultats visés")),
    Field("tally_F", "femmes", "comptage", gettext_lazy("Femmes non enregistrées")),
    Field("tally_M", "hommes", "comptage", gettext_lazy("Hommes non enregistrés")),
    Field("tally_X", "non_precise", "comptage", gettext_lazy("Personnes au sexe non précisé")),
    Field("target_group", "public", "comptage", gettext_lazy("Public cible des comptages")),
    Field("people", "presents", "presences", gettext_lazy("Codes des personnes présentes")),
]
BY_KEY = {f.key: f for f in FIELDS}
TRUE = {"1", "1.0", "true", "vrai", "yes", "oui"}
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
UUID_LENGTH = cast(int, ImportedSubmission._meta.get_field("uuid").max_length)  # a CharField's


class UnreadableFile(Exception):
    pass


def normalise(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9_/]+", " ", text).strip()


def read_table(data, filename: str) -> tuple[list[str], "xlsx.Rows"]:
    """(headers, rows) of the first sheet of an XLSX, or of a CSV (`,` `;` or tab), both streamed: rows
    are lists of stripped text, read as they are consumed. `rows.estimate` is the number of rows the
    file announces and `rows.first_row` the spreadsheet number of the first row after the headers.
    `data` is bytes or a seekable binary file (read a chunk at a time: an upload is not held whole)."""
    file = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    try:
        if filename.lower().endswith(".xlsx"):
            rows = xlsx.read(file)
        else:
            encoding = "utf-8-sig" if _is_utf8(file) else "latin-1"
            lines = sum(chunk.count(b"\n") for chunk in _chunks(file))
            first = file.read(4096).decode(encoding, errors="ignore").split("\n", 1)[0]
            file.seek(0)
            delimiter = max([",", ";", "\t"], key=first.count)
            text = io.TextIOWrapper(file, encoding=encoding, newline="")
            reader = csv.reader(text, delimiter=delimiter)
            rows = xlsx.Rows(([cell.strip() for cell in row] for row in reader), lines)
        headers, number = next(rows, None), 1
        while headers is not None and not any(headers):  # blank lines above the headers
            headers, number = next(rows, None), number + 1
    except xlsx.BadWorkbook as error:
        raise UnreadableFile(_("Ce fichier est illisible : est-ce bien un export XLSX ou CSV ?")) from error
    if not headers:
        raise UnreadableFile(_("Le fichier est vide ou n'a pas de ligne d'en-têtes."))
    rows.estimate, rows.first_row = max(0, rows.estimate - number), number + 1
    return headers, rows


def _chunks(file) -> Iterator[bytes]:
    """The file's bytes 1 MiB at a time from its start; the file is back at its start after."""
    file.seek(0)
    while chunk := file.read(1 << 20):
        yield chunk
    file.seek(0)


def _is_utf8(file) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _chunks(file):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        file.seek(0)
        return False
    return True


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
    """One checked submission. `tallies` maps (sex, TargetGroup or None) to a number > 0, so one
    activity holds the counts of several groups; `kind` "" is the import's kind; `new_people` are
    people to register (dicts: first_name, last_name, sex, birth_year, target_groups) then mark
    present; `people` are codes until resolved, then Person objects."""

    row: int
    uuid: str
    title: str
    date: dt.date
    structure: object
    tallies: dict
    people: list = field(default_factory=list)
    results: list = field(default_factory=list)
    kind: str = ""
    place: str = ""
    new_people: list = field(default_factory=list)
    douar: object = None


@dataclass
class Problem:
    row: int
    column: str
    message: str


class Seen:
    """The `_uuid`s met so far, in little memory: a million of them would take 150 MB in a dict of
    strings. A canonical UUID is kept as its 128-bit integer (exact), anything else as the string;
    the row of each is found back, when a duplicate needs it, through an array of hashes."""

    def __init__(self) -> None:
        self.keys: set[int | str] = set()
        self.hashes, self.rows = array("q"), array("L")

    @staticmethod
    def _key(uuid: str) -> int | str:
        prefixed = uuid.startswith("uuid:")  # as ODK writes its instanceID
        text = uuid[5:] if prefixed else uuid
        if CANONICAL_UUID.fullmatch(text):
            return int(text.replace("-", ""), 16) | (prefixed << 128)
        return uuid

    def add(self, uuid: str, row: int) -> bool:
        """False if this uuid was met before."""
        key = self._key(uuid)
        if key in self.keys:
            return False
        self.keys.add(key)
        self.hashes.append(hash(key))
        self.rows.append(row)
        return True

    def first_row(self, uuid: str) -> int:
        return self.rows[self.hashes.index(hash(self._key(uuid)))]


class Validator:
    """Turns rows into Submissions, or Problems naming the row and the column, a chunk of rows at a time
    so that a file of a million rows is checked in bounded memory. Reads the database once per kind of
    reference (structures, groups, results), and people by the codes each chunk names.

    `problems` keeps the first PROBLEMS_KEPT problems in row order; `problem_count` counts them all.
    """

    PROBLEMS_KEPT = 1000
    CHUNK = 5000

    def __init__(
        self, partnership, kind, structures, user, mapping, headers, *, people_structure=None
    ) -> None:
        self.partnership, self.kind, self.user = partnership, kind, user
        # A collected form's people are of the device's structure only (collect/intake.py).
        self.people_structure = people_structure
        self.mapping, self.headers = mapping, headers
        index = {h: i for i, h in enumerate(headers)}
        self.columns = {f.key: index.get(mapping.get(f.key)) for f in FIELDS}
        self.structures = {s.code: s for s in structures}
        self.all_structures = {s.code for s in partnership.structures.all()}
        self.groups = {g.code: g for g in TargetGroup.objects.all()}
        self.results = {r.code.lower(): r for r in Result.objects.filter(partnership=partnership)}
        self.douars = {d.code: d for d in partnership.douars.all()}
        self.people_scope = (
            Person.objects.visible_to(user)
            .filter(partnership=partnership)
            .defer("first_name", "last_name", "phone", "place")  # never needed here: not decrypted
        )
        self.kinds = dict(Activity.Kind.choices)
        self.years = set(partnership.years)
        self.today = timezone.localdate()  # nothing is recorded as attended before its date
        self.default_structure = (
            next(iter(self.structures.values()))  # staff: their own structure
            if len(self.structures) == 1 and len(self.all_structures) > 1
            else None
        )
        self.seen = Seen()
        self.problems: list[Problem] = []
        self.problem_count = 0
        multi = mapping.get("results", "")
        self.choice_columns = (
            []
            if not multi or multi in index
            else [(h.split("/")[-1], i) for h, i in index.items() if h.startswith(multi + "/")]
        )

    def value(self, row, key) -> str:
        i = self.columns[key]
        return row[i] if i is not None and i < len(row) else ""

    def chunks(self, rows, first_row: int = 2) -> Iterator[list[Submission]]:
        """Lists of valid Submissions, about CHUNK rows at a time; row numbers as in the spreadsheet."""
        batch: list[Submission] = []
        pending: list[int] = []
        problems: list[Problem] = []
        count = 0
        for number, row in enumerate(rows, start=first_row):
            if not any(row):
                continue
            submission = self._one(number, row, problems)
            if submission is not None:
                batch.append(submission)
                pending.append(number)
            count += 1
            if count == self.CHUNK:
                yield self._finish(batch, problems)
                batch, pending, problems, count = [], [], [], 0
        if count:
            yield self._finish(batch, problems)

    def validate(self, rows, first_row: int = 2) -> tuple[list[Submission], list[Problem]]:
        """(submissions, problems) of a whole file, in memory: for small files."""
        submissions = [s for chunk in self.chunks(rows, first_row) for s in chunk]
        return submissions, self.problems

    def _finish(self, batch, problems) -> list[Submission]:
        batch = self._resolve_people(batch, problems)
        problems.sort(key=lambda p: p.row)
        self.problem_count += len(problems)
        self.problems += problems[: max(0, self.PROBLEMS_KEPT - len(self.problems))]
        return batch

    def _column(self, key) -> str:
        return self.mapping.get(key) or str(BY_KEY[key].label)

    def _one(self, number, row, problems) -> Submission | None:
        def fail(key, message) -> None:
            problems.append(Problem(number, self._column(key), message))

        value = self.value
        uuid = value(row, "uuid")
        before = len(problems)
        if not uuid:
            fail("uuid", _("Identifiant _uuid manquant."))
        elif len(uuid) > UUID_LENGTH or "\x00" in uuid:
            fail("uuid", _("Identifiant _uuid invalide (%(n)s caractères au plus).") % {"n": UUID_LENGTH})
        elif not self.seen.add(uuid, number):
            first = (
                self.seen.first_row(uuid) if self.problem_count + len(problems) < self.PROBLEMS_KEPT else "?"
            )
            fail("uuid", _("Même _uuid qu'à la ligne %(row)s.") % {"row": first})
        submission = self.check(
            fail,
            row=number,
            uuid=uuid,
            title=value(row, "title"),
            date=value(row, "date"),
            structure=value(row, "structure"),
            results=self._result_codes(row),
            kind=value(row, "kind"),
            place=value(row, "place"),
            douar=value(row, "douar"),
            people=value(row, "people").split(),
            tallies=[(value(row, "target_group"), {sex: value(row, "tally_" + sex) for sex in "FMX"})],
        )
        return None if len(problems) > before else submission

    def check(
        self,
        fail,
        *,
        row: int = 0,
        uuid: str = "",
        title: str = "",
        date: str = "",
        structure: str = "",
        results: list[str] = (),  # type: ignore[assignment]
        kind: str = "",
        place: str = "",
        douar: str = "",
        people: list[str] = (),  # type: ignore[assignment]
        tallies: list[tuple[str, dict[str, str]]] = (),  # type: ignore[assignment]
        new_people: list[dict[str, str]] = (),  # type: ignore[assignment]
    ) -> Submission | None:
        """Checks one submission given as raw values, calling `fail(key, message)` for each problem
        (`key`: a FIELDS key, or "new_people.<i>.<name>" for a new person's answer); the Submission
        (people still as codes: `resolve` looks them up) or None if any problem was found. The
        import's rows and collect/intake.py's submissions both come through here."""
        failed = False

        def problem(key, message) -> None:
            nonlocal failed
            failed = True
            fail(key, message)

        day = None
        try:
            day = dt.date.fromisoformat(date[:10])
        except ValueError:
            problem("date", _("Date impossible : « %(value)s » (attendu AAAA-MM-JJ).") % {"value": date})
        else:
            if day.year not in self.years:
                problem("date", _("La date %(date)s est hors des années du partenariat.") % {"date": day})
        found = self.default_structure
        if structure:
            found = self.structures.get(structure)
            if found is None:
                message = (
                    _("Vous ne pouvez pas importer pour la structure « %(code)s ».")
                    if structure in self.all_structures
                    else _("Structure inconnue : « %(code)s ».")
                )
                problem("structure", message % {"code": structure})
        douar = douar.strip()
        where = self.douars.get(douar) if douar else None
        if douar and where is None:
            problem(
                "douar",
                _("Douar inconnu : « %(code)s » (les codes sont ceux de la page des douars du partenariat).")
                % {"code": douar[:50]},
            )
        centre = getattr(found, "kind", "") == Structure.Kind.LISTENING_CENTRE
        if where is not None and centre:  # never finer than the commune (docs/security.md 9)
            problem("douar", _("Une activité du centre d'écoute ne dit pas son douar."))
        kind = kind.strip()
        if kind and kind not in self.kinds:
            problem("kind", _("Type d'activité inconnu : « %(code)s ».") % {"code": kind})
        elif not kind and not self.kind:
            problem("kind", _("Le type d'activité manque."))
        counts: dict = {}
        for group_code, raw_counts in tallies:
            group = self.groups.get(group_code) if group_code else None
            if group_code and group is None:
                problem("target_group", _("Public cible inconnu : « %(code)s ».") % {"code": group_code})
                continue
            for sex, raw in raw_counts.items():
                if not raw or raw == "0":
                    continue
                try:
                    count = int(raw) if raw.isdigit() else int(float(raw))
                    if not 0 <= count <= MAX_COUNT or float(raw) != count:
                        raise ValueError
                except (ValueError, OverflowError):
                    problem("tally_" + sex, _("Nombre invalide : « %(value)s ».") % {"value": raw})
                    continue
                if count:
                    counts[(sex, group)] = counts.get((sex, group), 0) + count
        chosen = []
        for code in results:
            result = self.results.get(code.lower())
            if result is None:
                problem("results", _("Résultat inconnu : « %(code)s ».") % {"code": code})
            elif result not in chosen:  # "R1 r1" names one result
                chosen.append(result)
        newcomers = [self._newcomer(i, person, problem) for i, person in enumerate(new_people)]
        if day is not None and day > self.today and (counts or people or new_people):
            problem(
                "date",
                _(
                    "La date %(date)s n'est pas encore passée : les présences et les comptages "
                    "s'enregistrent à partir du jour de l'activité."
                )
                % {"date": day},
            )
        if failed or day is None:  # a missing date is one of the problems
            return None
        kind_label = self.kinds.get(kind or self.kind, kind or self.kind)
        title = title.replace("\x00", "") or f"{kind_label} {day:%d/%m/%Y}"
        return Submission(
            row,
            uuid,
            title[:200],
            day,
            found,
            counts,
            list(people),
            chosen,
            kind=kind,
            place=place.replace("\x00", "")[:200],
            new_people=[n for n in newcomers if n is not None],
            douar=where,
        )

    def _newcomer(self, i: int, answers: dict[str, str], problem) -> dict | None:
        """A new person's answers checked: names given, sex F or M, a birth year from 1900 to this
        year, a known target group."""
        key = f"new_people.{i}."
        bad = []
        first, last = answers.get("first_name", "").strip(), answers.get("last_name", "").strip()
        if not first:
            bad.append(problem(key + "first_name", _("Le prénom de la nouvelle personne manque.")))
        if not last:
            bad.append(problem(key + "last_name", _("Le nom de la nouvelle personne manque.")))
        sex = answers.get("sex", "").strip().upper()
        if sex not in ("F", "M"):
            bad.append(problem(key + "sex", _("Sexe inconnu : « %(value)s » (F ou M).") % {"value": sex}))
        raw_year = answers.get("birth_year", "").strip()
        year = int(raw_year) if raw_year.isdecimal() else 0  # "²" is a digit, not a number
        if not 1900 <= year <= self.today.year:
            bad.append(
                problem(
                    key + "birth_year",
                    _("Année de naissance impossible : « %(value)s » (de 1900 à %(year)s).")
                    % {"value": raw_year, "year": self.today.year},
                )
            )
        code = answers.get("target_group", "").strip()
        group = self.groups.get(code) if code else None
        if code and group is None:
            bad.append(
                problem(key + "target_group", _("Public cible inconnu : « %(code)s ».") % {"code": code})
            )
        home = answers.get("douar", "").strip()
        douar = self.douars.get(home) if home else None
        if home and douar is None:
            bad.append(problem(key + "douar", _("Douar inconnu : « %(code)s ».") % {"code": home[:50]}))
        if bad:
            return None
        return {
            "first_name": first[:100],
            "last_name": last[:100],
            "sex": sex,
            "birth_year": year,
            "target_groups": [group] if group else [],
            "douar": douar,
        }

    def _result_codes(self, row) -> list[str]:
        if not self.choice_columns:
            return self.value(row, "results").split()
        return [choice for choice, i in self.choice_columns if i < len(row) and row[i].lower() in TRUE]

    def resolve(self, submission: Submission, fail) -> bool:
        """Looks up one submission's people codes (`fail("people", message)` for those not found, or
        of another structure than `people_structure`); True when all were found."""
        problems: list[Problem] = []
        kept = self._resolve_people([submission], problems)
        for p in problems:
            fail("people", p.message)
        return bool(kept)

    def _resolve_people(self, batch, problems) -> list:
        """The batch's submissions whose people codes all name people the user may record (of
        `people_structure` when given); the codes become Person objects (identity fields not loaded)."""
        wanted = sorted({c for s in batch for c in s.people})
        found = {}
        for start in range(0, len(wanted), 500):
            found.update({p.code: p for p in self.people_scope.filter(code__in=wanted[start : start + 500])})
        kept = []
        for submission in batch:
            missing = [c for c in submission.people if c not in found]
            strangers = [
                c
                for c in submission.people
                if c in found
                and self.people_structure is not None
                and found[c].structure_id != self.people_structure.pk
            ]
            if strangers:
                problems.append(
                    Problem(
                        submission.row,
                        self._column("people"),
                        _("Personne d'une autre structure : %(codes)s.") % {"codes": ", ".join(strangers)},
                    )
                )
                continue
            if missing:
                problems.append(
                    Problem(
                        submission.row,
                        self._column("people"),
                        _("Personne inconnue ou hors de votre périmètre : %(codes)s.")
                        % {"codes": ", ".join(missing)},
                    )
                )
                continue
            submission.people = [found[c] for c in submission.people]
            kept.append(submission)
        return kept


def sample_export(partnership, user, structures) -> bytes:
    """A small export of fictional submissions, shaped as KoboToolbox exports the XLSForm below
    (`group/field` headers, `_uuid`, one 0/1 column per result), to try the import from the demo.

    Structures are those the user may import for, people codes those of people she may record;
    `_uuid`s are fixed per partnership, so importing the sample twice shows them already imported.
    """
    import uuid as uuids

    structures = list(structures.order_by("code"))
    results = [r.code for r in Result.objects.filter(partnership=partnership).order_by("order")]
    groups = list(TargetGroup.objects.order_by("code").values_list("code", flat=True)[:2])
    people = list(
        Person.objects.visible_to(user)
        .filter(partnership=partnership, structure__in=structures)
        .order_by("number")
        .values_list("code", flat=True)[:4]
    )
    today = timezone.localdate()
    year = today.year if today.year in partnership.years else partnership.years[-1]
    headers = ["_uuid", "_submission_time", "activite/titre", "activite/date", "activite/structure"]
    headers += [f"activite/resultats/{code}" for code in results]
    headers += [
        "comptage/femmes",
        "comptage/hommes",
        "comptage/non_precise",
        "comptage/public",
        "presences/presents",
    ]
    out = io.BytesIO()
    book = workbook(out)
    sheet = book.add_worksheet("export")
    sheet.write_row(0, 0, headers)
    for i in range(12):
        date = min(dt.date(year, 1 + i % 6, 3 + 2 * i), today)  # attended: never after today
        structure = structures[i % len(structures)].code if structures else ""
        sheet.write_row(
            i + 1,
            0,
            [
                str(uuids.uuid5(uuids.NAMESPACE_URL, f"twiza:{partnership.slug}:exemple:{i}")),
                f"{date.isoformat()}T17:30:00",
                _("Séance d'exemple %(n)s") % {"n": i + 1},
                date.isoformat(),
                structure,
                *[1 if j == i % len(results) else 0 for j in range(len(results))],
                4 + i % 5,
                2 + i % 3,
                i % 2,
                groups[i % len(groups)] if groups and i % 3 == 0 else "",
                " ".join(people[: i % (len(people) + 1)]),
            ],
        )
    book.close()
    return out.getvalue()

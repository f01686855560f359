"""The results framework as an XLSX logframe: the template, the export, and the check of an upload.

One workbook, one sheet per kind of row (docs/api.md, "Cadre logique XLSX"): `Résultats`,
`Indicateurs`, `Cibles`, `Principes`, and `Lisez-moi`, which explains each column in the reader's
language. Headers are fixed French names (the format, like the API's codes), matched whatever their
case or order. An upload is read by Twiza's hardened reader (reports/xlsx.py: defusedxml, bounded
parts and rows), never held beyond `MAX_ROWS` rows or `MAX_CHARACTERS` characters; every cell
written goes through core/spreadsheets.py (docs/security.md 27).

`read_upload` gives the raw rows of each sheet; `check` turns them into a `Plan` (what would be
created, and every problem with its sheet and row number); `programme.actions.import_framework`
writes a plan without problem, all or nothing.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Activity
from core.spreadsheets import workbook
from partnerships.models import Partnership
from people.models import TargetGroup
from reports import xlsx

from .models import GovernancePrinciple, Indicator, Result, Target

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE[:2]]
MAX_ROWS = 2000  # rows per sheet: a logframe has dozens; more is a wrong or hostile file
MAX_CHARACTERS = 2_000_000  # text read from the whole file
MAX_VALUE = 1_000_000_000

RESULTS, INDICATORS, TARGETS, PRINCIPLES, README = (
    "Résultats",
    "Indicateurs",
    "Cibles",
    "Principes",
    "Lisez-moi",
)
YES, NO = "oui", "non"
LEVELS = {"objectif": Result.Level.OUTCOME, "résultat": Result.Level.RESULT}
PERIODS = {"annuelle": Indicator.Period.ANNUAL, "cumulée": Indicator.Period.CUMULATIVE}
# Which filters the engine applies to which source (indicators/engine.py): target groups to people
# and tallies, activity kinds and structures to activities; structures also say whose manual figure
# it is (programme/access.py: the listening centre's).
FILTERS_OF = {
    "target_groups": {Indicator.Source.PEOPLE, Indicator.Source.PARTICIPATIONS},
    "activity_kinds": {Indicator.Source.PEOPLE, Indicator.Source.PARTICIPATIONS, Indicator.Source.ACTIVITIES},
    "structures": {
        Indicator.Source.PEOPLE,
        Indicator.Source.PARTICIPATIONS,
        Indicator.Source.ACTIVITIES,
        Indicator.Source.MANUAL,
    },
}


TRANSLATION = gettext_lazy("Traduction facultative")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    help: Promise
    required: bool = False
    choices: tuple[str, ...] = ()
    width: int = 14


def _translated(key: str, header: str) -> list[Column]:
    """The optional columns of a text's translations: `Énoncé (ar)`, `Énoncé (nl)`…"""
    return [
        Column(f"{key}:{lang}", f"{header} ({lang})", format_lazy("{} ({})", TRANSLATION, lang), width=30)
        for lang in LANGUAGES
    ]


# A survey indicator names a question of the partnership's surveys, which live in Twiza, not in the
# logframe: it is defined on the indicator's page, and a logframe row with that source is refused.
SOURCES = tuple(s for s in Indicator.Source.values if s != Indicator.Source.SURVEY)
COLUMNS: dict[str, list[Column]] = {
    RESULTS: [
        Column(
            "code",
            "Code",
            gettext_lazy("OC pour l'objectif, R1, R2… pour les résultats (5 caractères au plus)."),
            True,
        ),
        Column("level", "Niveau", gettext_lazy("« objectif » ou « résultat »."), True, tuple(LEVELS)),
        Column("name", "Énoncé", gettext_lazy("L'énoncé en français."), True, width=60),
        *_translated("name", "Énoncé"),
    ],
    INDICATORS: [
        Column(
            "code",
            "Code",
            gettext_lazy("Code unique dans le partenariat, par exemple OC.1 (12 caractères au plus)."),
            True,
        ),
        Column("result", "Résultat", gettext_lazy("Le code d'une ligne de la feuille Résultats."), True),
        Column("name", "Intitulé", gettext_lazy("L'intitulé en français."), True, width=60),
        *_translated("name", "Intitulé"),
        Column(
            "unit",
            "Unité",
            gettext_lazy("Ce qui est compté : personnes, participations, activités, plants…"),
            True,
        ),
        *_translated("unit", "Unité"),
        Column(
            "period",
            "Période",
            gettext_lazy(
                "« annuelle » (une cible par année) ou « cumulée » (une cible pour tout le programme)."
            ),
            True,
            tuple(PERIODS),
        ),
        Column(
            "by_sex",
            "Par sexe",
            gettext_lazy("« oui » : cibles et valeurs par sexe (F, M) ; « non » : un total (T)."),
            True,
            (YES, NO),
        ),
        Column(
            "source",
            "Source",
            gettext_lazy("Ce que Twiza compte : un des codes de la liste (voir plus bas)."),
            True,
            SOURCES,
        ),
        Column(
            "target_groups",
            "Publics cibles",
            gettext_lazy(
                "Codes de publics cibles séparés par des virgules (sources people et participations) ; vide : tous."
            ),
        ),
        Column(
            "activity_kinds",
            "Types d'activité",
            gettext_lazy(
                "Codes de types d'activité séparés par des virgules (sources people, participations, activities) ; vide : tous."
            ),
        ),
        Column(
            "structures",
            "Structures",
            gettext_lazy("Codes des structures du partenariat séparés par des virgules ; vide : toutes."),
        ),
        Column("baseline", "Valeur de référence", gettext_lazy("Nombre entier positif ou vide.")),
        Column(
            "baseline_year", "Année de référence", gettext_lazy("Année de la valeur de référence, ou vide.")
        ),
        Column(
            "public",
            "Publié",
            gettext_lazy("« oui » : publié sur le portail ; « non » ou vide : non publié."),
            False,
            (YES, NO),
        ),
    ],
    TARGETS: [
        Column(
            "indicator", "Indicateur", gettext_lazy("Le code d'une ligne de la feuille Indicateurs."), True
        ),
        Column(
            "year",
            "Année",
            gettext_lazy(
                "Une année du programme pour un indicateur annuel ; vide pour un indicateur cumulé."
            ),
            True,
        ),
        Column(
            "sex",
            "Sexe",
            gettext_lazy("F ou M pour un indicateur par sexe, T (total) sinon."),
            True,
            ("F", "M", "T"),
        ),
        Column("value", "Cible", gettext_lazy("Nombre entier positif."), True),
    ],
    PRINCIPLES: [
        Column(
            "code",
            "Code",
            gettext_lazy("Code court sans espace ni accent (lettres, chiffres, tirets)."),
            True,
        ),
        Column("name", "Principe", gettext_lazy("Le principe en français."), True, width=60),
        *_translated("name", "Principe"),
    ],
}
SHEETS = [RESULTS, INDICATORS, TARGETS, PRINCIPLES]
OPTIONAL_SHEETS = {PRINCIPLES}
SHEET_HELP = {
    RESULTS: gettext_lazy("L'objectif (outcome) et les résultats, dans l'ordre du cadre logique."),
    INDICATORS: gettext_lazy("Les indicateurs, chacun rattaché à un résultat, avec ce que Twiza compte."),
    TARGETS: gettext_lazy("Les cibles : une ligne par indicateur, année (vide si cumulée) et sexe."),
    PRINCIPLES: gettext_lazy("Le référentiel de bonne gouvernance (feuille facultative)."),
}


class UnreadableLogframe(Exception):
    """The upload is not an XLSX workbook Twiza can read (or is too big); the message says so."""


@dataclass
class Problem:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class Plan:
    """What an upload would create, in the file's order, and every problem found."""

    results: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    principles: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.results or self.indicators or self.targets or self.principles)


# Reading -------------------------------------------------------------------------------------------


def read_upload(data: bytes | IO[bytes]) -> dict[str, list[list[str]]]:
    """The rows of each logframe sheet present in the upload (headers first), as text.

    Raises UnreadableLogframe for a file that is not an XLSX, a damaged or hostile one (zip bomb,
    endless row: the reader's bounds), or one bigger than a logframe can be.
    """
    sheets: dict[str, list[list[str]]] = {}
    characters = 0
    try:
        book = xlsx.Workbook(data)
        names = {name.strip().casefold(): name for name in book.sheets}
        for sheet in SHEETS:
            name = names.get(sheet.casefold())
            if name is None:
                continue
            rows: list[list[str]] = []
            for row in book.rows(name):
                while row and not row[-1]:
                    row.pop()
                rows.append(row)
                characters += sum(len(value) for value in row)
                if len(rows) > MAX_ROWS + 1 or characters > MAX_CHARACTERS:
                    raise UnreadableLogframe(
                        _(
                            "Ce fichier est trop grand pour un cadre logique (%(rows)s lignes par feuille au plus)."
                        )
                        % {"rows": MAX_ROWS}
                    )
            while rows and not rows[-1]:
                rows.pop()
            sheets[sheet] = rows
    except xlsx.BadWorkbook as error:
        raise UnreadableLogframe(
            _("Ce fichier est illisible : est-ce bien un classeur XLSX (Excel, LibreOffice) ?")
        ) from error
    return sheets


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _records(sheet: str, rows: list[list[str]], problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column key: text}) for each non-empty row under the headers; a missing required
    column or an unknown one is a problem of row 1."""
    columns = {_key(c.header): c for c in COLUMNS[sheet]}
    if not rows:
        if sheet not in OPTIONAL_SHEETS:
            problems.append(Problem(sheet, 1, "", _("La feuille est vide : il manque la ligne d'en-têtes.")))
        return []
    keys: list[str | None] = []
    for header in rows[0]:
        column = columns.get(_key(header))
        if header and column is None:
            problems.append(Problem(sheet, 1, header, _("Colonne inconnue : vérifiez son en-tête.")))
        keys.append(column.key if column else None)
    missing = [c.header for c in COLUMNS[sheet] if c.required and c.key not in keys]
    for header in missing:
        problems.append(Problem(sheet, 1, header, _("Colonne obligatoire absente.")))
    if missing:
        return []
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if any(row):
            records.append(
                (number, {key: value for key, value in zip(keys, row, strict=False) if key is not None})
            )
    return records


class _Sheet:
    """Reads the cells of one sheet, recording a problem (sheet, row, column) for each bad one."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.name, self.problems = name, problems
        self.headers = {c.key: c.header for c in COLUMNS[name]}
        self.row = 0

    def error(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.name, self.row, self.headers.get(key, key), message))

    def text(self, record: dict[str, str], key: str, max_length: int, *, required: bool = True) -> str:
        value = record.get(key, "")
        if required and not value:
            self.error(key, _("Valeur obligatoire manquante."))
        elif len(value) > max_length:
            self.error(key, _("Texte trop long (%(n)s caractères au plus).") % {"n": max_length})
        return value

    def choice(
        self, record: dict[str, str], key: str, choices: dict[str, Any], *, default: Any = None
    ) -> Any:
        value = record.get(key, "").strip()
        if not value:
            if default is None:
                self.error(key, _("Valeur obligatoire manquante."))
            return default
        found = choices.get(value.casefold())
        if found is None:
            self.error(
                key,
                _("Valeur « %(value)s » inconnue : choisissez parmi %(choices)s.")
                % {"value": value, "choices": ", ".join(choices)},
            )
        return found

    def number(self, record: dict[str, str], key: str, *, required: bool = False) -> int | None:
        value = record.get(key, "").strip()
        if not value:
            if required:
                self.error(key, _("Valeur obligatoire manquante."))
            return None
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            self.error(key, _("« %(value)s » n'est pas un nombre entier.") % {"value": value})
            return None
        if number < 0 or number > MAX_VALUE:
            self.error(key, _("Le nombre doit être positif (ou zéro) et raisonnable."))
            return None
        return int(number)

    def translations(
        self, record: dict[str, str], fields: tuple[str, ...], max_length: int
    ) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            for name in fields:
                text = self.text(record, f"{name}:{lang}", max_length, required=False)
                if text:
                    found.setdefault(lang, {})[name] = text
        return found


def _codes(text: str) -> list[str]:
    return [code for code in re.split(r"[,;\s]+", text) if code]


def check(partnership: Partnership, sheets: dict[str, list[list[str]]]) -> Plan:
    """What `sheets` (from `read_upload`) would create in `partnership`, and every problem."""
    plan = Plan()
    problems = plan.problems
    for sheet in SHEETS:
        if sheet not in sheets and sheet not in OPTIONAL_SHEETS:
            problems.append(Problem(sheet, 1, "", _("Feuille absente du fichier.")))
    _check_results(plan, _records(RESULTS, sheets.get(RESULTS, []), problems))
    _check_indicators(plan, partnership, _records(INDICATORS, sheets.get(INDICATORS, []), problems))
    _check_targets(plan, partnership, _records(TARGETS, sheets.get(TARGETS, []), problems))
    _check_principles(plan, _records(PRINCIPLES, sheets.get(PRINCIPLES, []), problems))
    return plan


def _check_results(plan: Plan, records: list[tuple[int, dict[str, str]]]) -> None:
    sheet = _Sheet(RESULTS, plan.problems)
    seen: set[str] = set()
    for order, (sheet.row, record) in enumerate(records):
        code = sheet.text(record, "code", 5)
        if code in seen:
            sheet.error("code", _("Le code %(code)s figure déjà plus haut.") % {"code": code})
        seen.add(code)
        plan.results.append(
            {
                "row": sheet.row,
                "code": code,
                "level": sheet.choice(record, "level", LEVELS),
                "name": sheet.text(record, "name", 5000),
                "order": order,
                "translations": sheet.translations(record, ("name",), 5000),
            }
        )


def _check_indicators(
    plan: Plan, partnership: Partnership, records: list[tuple[int, dict[str, str]]]
) -> None:
    sheet = _Sheet(INDICATORS, plan.problems)
    results = {r["code"] for r in plan.results}
    known = {
        "target_groups": set(TargetGroup.objects.values_list("code", flat=True)),
        "activity_kinds": set(Activity.Kind.values),
        "structures": set(partnership.structures.values_list("code", flat=True)),
    }
    sources = {s: s for s in SOURCES}
    yes_no = {YES: True, NO: False}
    seen: set[str] = set()
    for order, (sheet.row, record) in enumerate(records):
        code = sheet.text(record, "code", 12)
        if code in seen:
            sheet.error("code", _("Le code %(code)s figure déjà plus haut.") % {"code": code})
        seen.add(code)
        result = sheet.text(record, "result", 5)
        if result and result not in results:
            sheet.error(
                "result",
                _("Aucun résultat ne porte le code %(code)s dans la feuille Résultats.") % {"code": result},
            )
        if record.get("source", "").strip().casefold() == Indicator.Source.SURVEY:
            source = None
            sheet.error(
                "source",
                _(
                    "Un indicateur d'enquête se définit dans Twiza, sur la page de l'indicateur (avec sa question)."
                ),
            )
        else:
            source = sheet.choice(record, "source", sources)
        by_sex = sheet.choice(record, "by_sex", yes_no)
        if source == Indicator.Source.ACTIVITIES and by_sex:
            sheet.error("by_sex", _("Un nombre d'activités n'a pas de sexe : indiquez « non »."))
        filters: dict[str, list[str]] = {}
        for key, codes in known.items():
            filters[key] = _codes(record.get(key, ""))
            unknown = [c for c in filters[key] if c not in codes]
            if unknown:
                sheet.error(key, _("Code(s) inconnu(s) : %(codes)s.") % {"codes": ", ".join(unknown)})
            elif filters[key] and source and source not in FILTERS_OF[key]:
                sheet.error(
                    key, _("Ce filtre ne s'applique pas à la source %(source)s.") % {"source": source}
                )
        baseline_year = sheet.number(record, "baseline_year")
        if baseline_year is not None and not 1900 <= baseline_year <= partnership.end_year:
            sheet.error("baseline_year", _("Année de référence invalide."))
        plan.indicators.append(
            {
                "row": sheet.row,
                "result": result,
                "code": code,
                "name": sheet.text(record, "name", 300),
                "unit": sheet.text(record, "unit", 40),
                "period": sheet.choice(record, "period", PERIODS),
                "by_sex": bool(by_sex),
                "source": source,
                **filters,
                "baseline": sheet.number(record, "baseline"),
                "baseline_year": baseline_year,
                "public": bool(sheet.choice(record, "public", yes_no, default=NO)),
                "order": order,
                "translations": sheet.translations(record, ("name", "unit"), 300),
            }
        )


def _check_targets(plan: Plan, partnership: Partnership, records: list[tuple[int, dict[str, str]]]) -> None:
    sheet = _Sheet(TARGETS, plan.problems)
    indicators = {i["code"]: i for i in plan.indicators}
    seen: set[tuple[str, int | None, str]] = set()
    for sheet.row, record in records:
        code = sheet.text(record, "indicator", 12)
        indicator = indicators.get(code)
        if code and indicator is None:
            sheet.error(
                "indicator",
                _("Aucun indicateur ne porte le code %(code)s dans la feuille Indicateurs.") % {"code": code},
            )
        year = sheet.number(record, "year")
        sex = sheet.choice(record, "sex", {s.casefold(): s for s in Target.Sex.values})
        value = sheet.number(record, "value", required=True)
        if indicator is not None:
            if indicator["period"] == Indicator.Period.CUMULATIVE and record.get("year"):
                sheet.error(
                    "year",
                    _("Un indicateur cumulé a une cible pour tout le programme : laissez l'année vide."),
                )
            elif indicator["period"] == Indicator.Period.ANNUAL and year is None and not record.get("year"):
                sheet.error("year", _("Un indicateur annuel a une cible par année : indiquez l'année."))
            elif year is not None and year not in partnership.years:
                sheet.error(
                    "year",
                    _("L'année %(year)s n'est pas une année du partenariat (%(start)s–%(end)s).")
                    % {"year": year, "start": partnership.start_year, "end": partnership.end_year},
                )
            if sex and sex not in (("F", "M") if indicator["by_sex"] else ("T",)):
                sheet.error(
                    "sex", _("Ce sexe ne convient pas à cet indicateur (F ou M s'il est par sexe, T sinon).")
                )
        key = (code, year, sex)
        if key in seen:
            sheet.error("indicator", _("Cette cible (indicateur, année, sexe) figure déjà plus haut."))
        seen.add(key)
        plan.targets.append({"row": sheet.row, "indicator": code, "year": year, "sex": sex, "value": value})


def _check_principles(plan: Plan, records: list[tuple[int, dict[str, str]]]) -> None:
    sheet = _Sheet(PRINCIPLES, plan.problems)
    seen: set[str] = set()
    for order, (sheet.row, record) in enumerate(records):
        code = sheet.text(record, "code", 50)
        if code and not re.fullmatch(r"[-a-zA-Z0-9_]+", code):
            sheet.error("code", _("Un code n'a que des lettres sans accent, des chiffres et des tirets."))
        if code in seen:
            sheet.error("code", _("Le code %(code)s figure déjà plus haut.") % {"code": code})
        seen.add(code)
        plan.principles.append(
            {
                "row": sheet.row,
                "code": code,
                "name": sheet.text(record, "name", 300),
                "order": order,
                "translations": sheet.translations(record, ("name",), 300),
            }
        )


# Writing -------------------------------------------------------------------------------------------


def _cells(obj: Result | Indicator | GovernancePrinciple, fields: tuple[str, ...]) -> dict[str, str]:
    return {
        f"{name}:{lang}": ((obj.translations or {}).get(lang) or {}).get(name, "")
        for lang in LANGUAGES
        for name in fields
    }


def _rows(partnership: Partnership) -> dict[str, list[dict[str, Any]]]:
    levels: dict[str, str] = {str(v): k for k, v in LEVELS.items()}
    periods: dict[str, str] = {str(v): k for k, v in PERIODS.items()}
    results = list(Result.objects.filter(partnership=partnership))
    indicators = list(Indicator.objects.filter(result__partnership=partnership).select_related("result"))
    targets = Target.objects.filter(indicator__result__partnership=partnership).select_related("indicator")
    position = {indicator.pk: n for n, indicator in enumerate(indicators)}
    return {
        RESULTS: [
            {"code": r.code, "level": levels[r.level], "name": r.name, **_cells(r, ("name",))}
            for r in results
        ],
        INDICATORS: [
            {
                "code": i.code,
                "result": i.result.code,
                "name": i.name,
                "unit": i.unit,
                "period": periods[i.period],
                "by_sex": YES if i.by_sex else NO,
                "source": i.source,
                "target_groups": ", ".join(i.target_groups),
                "activity_kinds": ", ".join(i.activity_kinds),
                "structures": ", ".join(i.structures),
                "baseline": i.baseline,
                "baseline_year": i.baseline_year,
                "public": YES if i.public else NO,
                **_cells(i, ("name", "unit")),
            }
            for i in indicators
        ],
        TARGETS: [
            {"indicator": t.indicator.code, "year": t.year, "sex": t.sex, "value": t.value}
            for t in sorted(targets, key=lambda t: (position[t.indicator_id], t.year or 0, t.sex))
        ],
        PRINCIPLES: [
            {"code": p.code, "name": p.name, **_cells(p, ("name",))} for p in partnership.principles.all()
        ],
    }


def write(partnership: Partnership, out: IO[bytes], *, empty: bool = False) -> None:
    """The logframe of `partnership` (or, `empty`, the template: headers only) as XLSX into `out`."""
    rows = {sheet: [] for sheet in SHEETS} if empty else _rows(partnership)
    book = workbook(out)
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF4", "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    _write_readme(book.add_worksheet(README), partnership, bold, wrap)
    for sheet in SHEETS:
        ws = book.add_worksheet(sheet)
        ws.freeze_panes(1, 0)
        for col, column in enumerate(COLUMNS[sheet]):
            ws.set_column(col, col, column.width)
            ws.write_string(0, col, column.header, bold)
            ws.write_comment(0, col, str(column.help))
            for number, row in enumerate(rows[sheet], start=1):
                value = row.get(column.key)
                if value is None or value == "":
                    continue
                ws.write(number, col, value)
            choices: tuple[Any, ...] = column.choices
            if column.key == "year" and sheet == TARGETS:
                choices = tuple(str(year) for year in partnership.years)
            if choices:
                ws.data_validation(
                    1, col, MAX_ROWS, col, {"validate": "list", "source": list(choices), "ignore_blank": True}
                )
    book.close()


def _write_readme(ws: Any, partnership: Partnership, bold: Any, wrap: Any) -> None:
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 100)
    lines: list[tuple[str, str, bool]] = [
        (_("Cadre logique Twiza"), str(partnership.label), True),
        (
            _("Mode d'emploi"),
            _(
                "Remplissez les feuilles Résultats, Indicateurs, Cibles et (si vous le souhaitez) "
                "Principes, sans changer les en-têtes (ils restent en français), puis importez le "
                "fichier dans un partenariat dont le cadre de résultats est vide. Twiza montre d'abord "
                "ce qui sera créé et chaque erreur avec sa feuille et sa ligne ; rien n'est créé tant "
                "qu'une erreur reste."
            ),
            False,
        ),
        (
            _("Années du partenariat"),
            f"{partnership.start_year}–{partnership.end_year}",
            False,
        ),
    ]
    for sheet in SHEETS:
        lines.append((_("Feuille « %(name)s »") % {"name": sheet}, str(SHEET_HELP[sheet]), True))
        lines.extend((c.header + (" *" if c.required else ""), str(c.help), False) for c in COLUMNS[sheet])
    lines.append((_("Codes admis"), "", True))
    lines.append(("Source", ", ".join(f"{v} ({label})" for v, label in Indicator.Source.choices), False))
    lines.append(
        (
            "Publics cibles",
            ", ".join(f"{g.code} ({g.label})" for g in TargetGroup.objects.all()) or "—",
            False,
        )
    )
    lines.append(
        ("Types d'activité", ", ".join(f"{v} ({label})" for v, label in Activity.Kind.choices), False)
    )
    lines.append(
        ("Structures", ", ".join(f"{s.code} ({s.label})" for s in partnership.structures.all()) or "—", False)
    )
    lines.append(("*", _("Colonne obligatoire."), False))
    for number, (title, text, heading) in enumerate(lines):
        ws.write_string(number, 0, title, bold if heading else wrap)
        ws.write_string(number, 1, text, bold if heading else wrap)

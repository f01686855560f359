"""Surveys: recording a response (entered in Twiza or imported from a Kobo/ODK export), and what the
pages and the indicator engine read of them.

A response is anonymous (date, sex, target group) and identified by its `instance` (the ODK/Kobo
instance id, or a uuid4 made by the app): recording the same instance twice keeps the first, so a
file imported twice counts once. Results leave the page through core.disclosure (docs/security.md 8).
"""

import datetime as dt
import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import disclosure
from people.models import TargetGroup
from reports import xlsx
from reports.kobo import UnreadableFile, normalise, read_table

from .models import Answer, Response, Survey

INSTANCE_LENGTH = 64
MAX_IMPORT_ROWS = 20_000
PROBLEMS_SHOWN = 50
SEXES = {"f": "F", "femme": "F", "femmes": "F", "m": "M", "h": "M", "homme": "M", "hommes": "M"}


class ResponseRefused(ValueError):
    """What is wrong with a response, in plain French."""


def instance_key(value: str) -> str:
    """The instance id as stored: without ODK's `uuid:` prefix, which Kobo's `_uuid` column drops
    and `meta/instanceID` keeps, so one form found in two exports (or sent by ODK Collect) is one."""
    value = value.strip()
    return value[5:].strip() if value[:5].casefold() == "uuid:" else value


def new_instance() -> str:
    """The instance id of a response entered in the app (ODK writes its own the same way)."""
    return f"uuid:{uuid.uuid4()}"


def first_day(survey: Survey) -> dt.date:
    """The first day a response may bear: 1 January of the partnership's first year."""
    return dt.date(survey.partnership.start_year, 1, 1)


def before_start(first: dt.date) -> str:
    """The refusal of a date before `first` (the words of projects/actions.py's spending)."""
    return _("La date ne peut pas précéder le début du partenariat (%(date)s).") % {"date": first}


def check_values(survey: Survey, values: dict, *, complete: bool = True) -> None:
    """Refuses an answer outside its question's scale, a question of another survey, and (when
    `complete`) a question left unanswered."""
    questions = {q.pk: q for q in survey.questions.all()}
    for question, value in values.items():
        if question.pk not in questions:
            raise ResponseRefused(
                _("La question « %(code)s » n'est pas de cette enquête.") % {"code": question.code}
            )
        if not question.low <= value <= question.high:
            raise ResponseRefused(
                _("« %(code)s » : la réponse doit être entre %(low)s et %(high)s.")
                % {"code": question.code, "low": question.low, "high": question.high}
            )
    if complete and (missing := [q.code for pk, q in questions.items() if pk not in {x.pk for x in values}]):
        raise ResponseRefused(_("Sans réponse : %(codes)s.") % {"codes": ", ".join(missing)})


@transaction.atomic
def record_response(
    survey: Survey,
    instance: str,
    *,
    date: dt.date,
    sex: str,
    values: dict,
    target_group: TargetGroup | None = None,
    structure=None,
    source: str = Response.Source.APP,
    complete: bool = True,
) -> tuple[Response, bool]:
    """(the response, whether it is new). `values` are {Question: value}. An instance already
    recorded for this survey is kept as it is (idempotent: an import read twice counts once)."""
    instance = instance_key(instance)
    if not instance or len(instance) > INSTANCE_LENGTH:
        raise ResponseRefused(_("Identifiant du formulaire manquant ou trop long."))
    if (found := Response.objects.filter(survey=survey, instance=instance).first()) is not None:
        return found, False
    if sex not in ("F", "M"):
        raise ResponseRefused(_("Le sexe est F (femme) ou M (homme)."))
    if date > timezone.localdate():
        raise ResponseRefused(_("La date ne peut pas être dans le futur."))
    if date < (first := first_day(survey)):
        raise ResponseRefused(before_start(first))
    check_values(survey, values, complete=complete)
    try:
        with transaction.atomic():  # two imports of one file at once: the second keeps the first's
            response = Response.objects.create(
                survey=survey,
                instance=instance,
                date=date,
                sex=sex,
                target_group=target_group,
                structure=structure,
                source=source,
            )
    except IntegrityError:
        return Response.objects.get(survey=survey, instance=instance), False
    Answer.objects.bulk_create(Answer(response=response, question=q, value=v) for q, v in values.items())
    return response, True


# --- Results, through the disclosure rule ------------------------------------------------------


def respondents(survey: Survey) -> disclosure.Cell:
    """The survey's number of responses as published: 1 to k−1 shown as "< k"."""
    return disclosure.small(survey.responses.count(), disclosure.THRESHOLDS["registry"])


def question_results(survey: Survey) -> list[dict]:
    """Per question: respondents, favourable and not favourable answers by sex (F, M, total), all
    protected together (docs/security.md 8), and the mean, shown only when no cell of the question's
    table is hidden (else it would give a hidden count back).

    The survey's number of responses is published too (`respondents`): each question's table takes
    it as a cell its respondents can only equal or stay under, so that no hidden count is recovered
    from it."""
    k = disclosure.THRESHOLDS["registry"]
    questions = list(survey.questions.all())
    answered = survey.responses.count()
    counts: defaultdict[int, Counter] = defaultdict(Counter)
    rows = (
        Answer.objects.filter(question__survey=survey)
        .values_list("question", "response__sex")
        .annotate(n=Count("pk"), fav=Count("pk", filter=Q(value__gte=F("question__favourable"))))
        .order_by()
    )
    for question_id, sex, n, fav in rows:
        counts[question_id][("n", sex)] += n
        counts[question_id][("fav", sex)] += fav
    means = dict(
        Answer.objects.filter(question__survey=survey)
        .values_list("question")
        .annotate(m=Avg("value"))
        .order_by()
    )
    results = []
    for question in questions:
        c = counts[question.pk]
        values: dict = {"responses": answered}
        for sex in ("F", "M"):
            values[("n", sex)] = c[("n", sex)]
            values[("fav", sex)] = c[("fav", sex)]
            values[("no", sex)] = c[("n", sex)] - c[("fav", sex)]
        for line in ("n", "fav", "no"):
            values[(line, "T")] = values[(line, "F")] + values[(line, "M")]
        relations = [disclosure.total([(line, "F"), (line, "M")], (line, "T")) for line in ("n", "fav", "no")]
        relations += [disclosure.total([("fav", s), ("no", s)], ("n", s)) for s in ("F", "M", "T")]
        if values[("n", "T")] == answered:  # every response answered it: a reader may assume so
            relations.append(disclosure.total([("n", "T")], "responses"))
        else:
            relations.append(disclosure.at_most(("n", "T"), "responses"))
        cells = disclosure.protect(values, relations, k, known={"responses"} if answered >= k else ())
        total = cells[("n", "T")]
        mean = means.get(question.pk)
        # A mean is shown only when the whole table is: with a hidden cell, the mean of a 0–1 scale
        # (or of any scale, with the other cells) would give the hidden count back.
        whole = not any(cell.hidden for key, cell in cells.items() if key != "responses")
        results.append(
            {
                "question": question,
                "lines": [
                    (_("Répondants"), [cells[("n", s)] for s in ("F", "M", "T")]),
                    (_("Réponses favorables"), [cells[("fav", s)] for s in ("F", "M", "T")]),
                    (_("Autres réponses"), [cells[("no", s)] for s in ("F", "M", "T")]),
                ],
                "mean": None if not whole or not total.value or mean is None else round(mean, 1),
            }
        )
    return results


# --- Import of a Kobo/ODK export ----------------------------------------------------------------

INSTANCE_COLUMNS = ("_uuid", "meta/instanceid", "instanceid", "_instanceid")
DATE_COLUMNS = ("date", "today", "_submission_time")
SEX_COLUMNS = ("sexe", "sex")
GROUP_COLUMNS = ("public", "public_cible")


def is_import_column(code: str) -> bool:
    """A column the import reads besides the questions: not a question's code (whatever its case)."""
    return normalise(code) in {*INSTANCE_COLUMNS, *DATE_COLUMNS, *SEX_COLUMNS, *GROUP_COLUMNS}


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0  # already there ("déjà importées")
    problems: list = field(default_factory=list)  # [(row, message)]
    problem_count: int = 0


def _column(headers: list[str], names) -> int | None:
    """The index of the first header that is one of `names` (whole, or its last `group/` segment)."""
    keys = [normalise(h) for h in headers]
    for name in names:
        for i, key in enumerate(keys):
            if key == name or key.rsplit("/", 1)[-1] == name:
                return i
    return None


def _cell(row: list[str], at: int | None) -> str:
    return row[at].strip() if at is not None and at < len(row) else ""


def _parse_date(text: str) -> dt.date | None:
    text = text.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return dt.datetime.strptime(text[:10], "%d/%m/%Y").date()
    except ValueError:
        return None


NUMBER = re.compile(r"[0-9]{1,5}")


def _int(text: str) -> int | None:
    """A whole number written with Latin digits (5 at most; Excel's `4.0` is 4); None otherwise —
    `str.isdigit` would let `²` or `٣` through, and `int` refuses the first."""
    text = text.strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if NUMBER.fullmatch(text) else None


def _guarded(rows):
    """The rows; a file found damaged while reading is unreadable (nothing is written)."""
    try:
        yield from rows
    except xlsx.BadWorkbook as error:
        raise UnreadableFile(_("Ce fichier est illisible : est-ce bien un export XLSX ou CSV ?")) from error


def import_answers(survey: Survey, data, filename: str) -> ImportReport:
    """Reads a Kobo/ODK export (XLSX or CSV), checks every row, and writes nothing unless all are
    right; then records each response in one transaction (a row whose instance is already there is
    skipped and counted). Raises UnreadableFile for a file that cannot be read at all."""
    headers, rows = read_table(data, filename)
    report = ImportReport()

    def problem(row: int, message: str) -> None:
        report.problem_count += 1
        if len(report.problems) < PROBLEMS_SHOWN:
            report.problems.append((row, message))

    instance_at = _column(headers, INSTANCE_COLUMNS)
    date_at = _column(headers, DATE_COLUMNS)
    sex_at = _column(headers, SEX_COLUMNS)
    group_at = _column(headers, GROUP_COLUMNS)
    questions = list(survey.questions.all())
    question_at = {q: _column(headers, (normalise(q.code),)) for q in questions}
    missing = [
        name
        for name, at in (("_uuid / meta/instanceID", instance_at), ("date", date_at), ("sexe", sex_at))
        if at is None
    ]
    missing += [q.code for q, at in question_at.items() if at is None]
    if missing:
        problem(1, _("Colonnes manquantes : %(names)s.") % {"names": ", ".join(missing)})
        return report
    groups = {g.code: g for g in TargetGroup.objects.all()}
    today = timezone.localdate()
    first = first_day(survey)
    checked: list[tuple[str, dt.date, str, TargetGroup | None, dict]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(_guarded(rows), start=rows.first_row):
        if not any(row):
            continue
        if len(checked) >= MAX_IMPORT_ROWS:
            problem(number, _("Plus de %(n)s lignes : découpez le fichier.") % {"n": MAX_IMPORT_ROWS})
            break
        cell = partial(_cell, row)
        instance = instance_key(cell(instance_at))
        if not instance:
            problem(number, _("Identifiant du formulaire (_uuid) manquant."))
        elif len(instance) > INSTANCE_LENGTH:
            problem(
                number,
                _("Identifiant du formulaire trop long (%(n)s caractères au plus).") % {"n": INSTANCE_LENGTH},
            )
        elif instance in seen:
            problem(number, _("Même formulaire que la ligne %(row)s.") % {"row": seen[instance]})
        seen.setdefault(instance, number)
        date = _parse_date(cell(date_at))
        if date is None:
            problem(
                number,
                _("Date illisible « %(value)s » (attendu : 2026-03-14).") % {"value": cell(date_at)[:20]},
            )
        elif date > today:
            problem(number, _("La date %(date)s est dans le futur.") % {"date": date.isoformat()})
        elif date < first:
            problem(number, before_start(first))
        sex = SEXES.get(normalise(cell(sex_at)))
        if sex is None:
            problem(number, _("Sexe « %(value)s » inconnu : F ou M.") % {"value": cell(sex_at)[:20]})
        group = None
        if code := cell(group_at):
            group = groups.get(code)
            if group is None:
                problem(number, _("Public cible « %(code)s » inconnu.") % {"code": code[:40]})
        values = {}
        for question, at in question_at.items():
            text = cell(at)
            if not text:
                continue  # a question left unanswered
            value = _int(text)
            if value is None or not question.low <= value <= question.high:
                problem(
                    number,
                    _("« %(code)s » : « %(value)s » n'est pas un nombre entre %(low)s et %(high)s.")
                    % {"code": question.code, "value": text[:20], "low": question.low, "high": question.high},
                )
            else:
                values[question] = value
        if not values and all(not cell(at) for at in question_at.values()):
            problem(number, _("Aucune réponse aux questions sur cette ligne."))
        if not report.problem_count and date is not None and sex is not None:
            checked.append((instance, date, sex, group, values))
    if report.problem_count:
        return report
    report.created, report.skipped = _write(survey, checked)
    return report


CHUNK = 500  # SQLite's limit of variables in one query is 999 (older builds)


def _present(survey: Survey, instances: list[str]) -> set[str]:
    """Which of these instances the survey already has, a chunk of ids per query."""
    found: set[str] = set()
    for start in range(0, len(instances), CHUNK):
        found.update(
            Response.objects.filter(survey=survey, instance__in=instances[start : start + CHUNK]).values_list(
                "instance", flat=True
            )
        )
    return found


@transaction.atomic
def _write(survey: Survey, checked: list) -> tuple[int, int]:
    """(created, skipped): the responses not there yet and their answers, all in one transaction,
    in a few bulk queries. An import of the same file finishing meanwhile makes the insert collide
    (the unique instance): then the write starts again, skipping what is now there."""
    try:
        with transaction.atomic():
            return _insert(survey, checked)
    except IntegrityError:
        return _insert(survey, checked)


def _insert(survey: Survey, checked: list) -> tuple[int, int]:
    present = _present(survey, [instance for instance, *_rest in checked])
    new = [row for row in checked if row[0] not in present]
    responses = Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                instance=instance,
                date=date,
                sex=sex,
                target_group=group,
                source=Response.Source.IMPORT,
            )
            for instance, date, sex, group, _values in new
        ],
        batch_size=CHUNK,
    )
    if new and responses[0].pk is None:  # a database that gives no ids back: read them
        ids = {}
        for start in range(0, len(new), CHUNK):
            chunk = [row[0] for row in new[start : start + CHUNK]]
            ids.update(
                Response.objects.filter(survey=survey, instance__in=chunk).values_list("instance", "pk")
            )
        for response in responses:
            response.pk = ids[response.instance]
    Answer.objects.bulk_create(
        [
            Answer(response=response, question=question, value=value)
            for response, (*_row, values) in zip(responses, new, strict=True)
            for question, value in values.items()
        ],
        batch_size=CHUNK,
    )
    return len(new), len(checked) - len(new)


__all__ = ["UnreadableFile", "import_answers", "record_response"]

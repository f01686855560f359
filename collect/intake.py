"""Submissions received from ODK Collect (XML) or from Kobo's REST push (JSON), applied exactly once.

Both are read into Kobo's JSON shape (`{"activite/date": "…", "comptages": [{"comptages/femmes":
"3"}], …}`, namespaces stripped) and keyed by their instance id in the partnership: a resend finds
the Submission already received and adds nothing. A new one is kept and applied in ONE
transaction, through the same checks and writers as the XLSX import (reports.kobo.Validator,
reports.actions.create_submissions) or the visits page (activities.forms.VisitForm,
activities.actions.record_visit): applied, with what it created linked; or, with any problem,
waiting in the review queue with its problems in plain words and nothing else written.

Problems are kept in French (the source language): a device's request has no user language.
"""

import json
from dataclasses import dataclass
from typing import Any, cast

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activities import actions as activity_actions
from activities.forms import VisitForm
from partnerships.models import Organisation
from people.models import Person
from reports import actions as report_actions
from reports.kobo import Validator
from reports.models import ImportedSubmission

from .models import Device, FormKind, FormVersion, KoboHook, Submission

# The form's repeats (the brief's contract with collect/xlsforms.py): lists of rows in the answers.
REPEATS = ("comptages", "nouvelles_personnes")
INSTANCE_ID_LENGTH = 64
MAX_DEPTH = 10
DAY_SESSION = "accueil-jour"  # the day centre's sessions, made by its own form only
# Where each of the Validator's keys is answered in an activity form (the review page's field names).
ACTIVITY_FIELDS = {
    "kind": "activite/type",
    "title": "activite/titre",
    "date": "activite/date",
    "results": "activite/resultats",
    "place": "activite/lieu",
    "douar": "activite/douar",
    "people": "presences/presents",
    "target_group": "comptages",
    "tally_F": "comptages",
    "tally_M": "comptages",
    "tally_X": "comptages",
    "structure": "",
    "uuid": "",
}
NEW_PERSON = {
    "first_name": "prenom",
    "last_name": "nom",
    "sex": "sexe",
    "birth_year": "annee_naissance",
    "target_group": "public",
    "douar": "douar",
}
TALLY = {"F": "femmes", "M": "hommes", "X": "non_precise"}
# The visit form's answers → VisitForm's fields.
VISIT_FIELDS = {
    "date": "date",
    "personne": "person_code",
    "sexe": "sex",
    "motif": "reason",
    "orientation": "orientation",
    "oriente_vers": "referred_to",
    "douar": "douar",
}


class Refused(Exception):
    """Nothing kept: the caller answers `status` with `message` (French, plain words)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class Received:
    submission: Submission
    created: bool  # False: a resend of an instance already received (nothing added)


def receive_xml(device: Device, data: bytes) -> Received:
    """A submission ODK Collect sent with `device`'s password: refused (Refused) when unreadable, of
    an unknown form (404) or of another structure's form (403); else received once."""
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, SafeTree.ParseError, ValueError) as error:
        raise Refused(
            _("Ce fichier n'est pas un envoi lisible (XML sans DTD ni entités attendu).")
        ) from error
    answers = flatten(root)
    form_id = root.get("id") or ""
    instance_id = str(answers.get("meta/instanceID") or "")
    form = _form(device.partnership, form_id, device.structure)
    return _receive(form, instance_id, answers, root.get("version") or "", device=device, user=device.user)


def receive_kobo(hook: KoboHook, data: dict) -> Received:
    """A submission Kobo pushed to `hook`'s URL (its REST Service's JSON): the same checks as
    `receive_xml`, keyed by `_uuid`; the form must be of the hook's structure and kind."""
    if not isinstance(data, dict):
        raise Refused(_("Un envoi Kobo est un objet JSON."))
    answers = {key: _text_or_rows(value) for key, value in data.items() if not key.startswith("_")}
    instance_id = str(data.get("_uuid") or answers.get("meta/instanceID") or "")
    form = _form(hook.partnership, str(data.get("_xform_id_string") or ""), hook.structure)
    if form.kind != hook.kind:
        raise Refused(_("Ce lien Kobo reçoit un autre formulaire que celui-ci."), 403)
    return _receive(form, instance_id, answers, str(data.get("__version__") or ""), hook=hook, user=hook.user)


def flatten(root) -> dict[str, Any]:
    """An XForm instance in Kobo's JSON shape: `group/field` keys (namespaces stripped), the
    repeats' rows as lists of dicts."""
    answers: dict[str, Any] = {}

    def walk(element, path: str, into: dict, depth: int) -> None:
        if depth > MAX_DEPTH:  # Twiza's forms nest three deep; thousands would exhaust the stack
            raise Refused(_("Ce fichier n'est pas un envoi d'un formulaire de Twiza (trop d'imbrications)."))
        for child in element:
            name = child.tag.rsplit("}", 1)[-1]
            key = f"{path}/{name}" if path else name
            if name in REPEATS and not path:
                row: dict[str, Any] = {}
                walk(child, name, row, depth + 1)
                into.setdefault(name, []).append(row)
            elif len(child):
                walk(child, key, into, depth + 1)
            else:
                into[key] = (child.text or "").strip()

    walk(root, "", answers, 0)
    return answers


def _text_or_rows(value) -> Any:
    if isinstance(value, list):
        return [{str(k): str(v) for k, v in row.items()} for row in value if isinstance(row, dict)]
    return "" if value is None else str(value)


def _form(partnership, form_id: str, structure) -> FormVersion:
    form = FormVersion.objects.filter(partnership=partnership, form_id=form_id).first()
    if form is None:
        raise Refused(_("Formulaire inconnu : « %(id)s ».") % {"id": form_id[:100]}, 404)
    if form.structure_id != structure.pk:
        raise Refused(_("Ce formulaire est celui d'une autre structure que la vôtre."), 403)
    return form


def _receive(form: FormVersion, instance_id: str, answers: dict, version: str, *, user, **source) -> Received:
    instance_id = instance_id.removeprefix("uuid:").strip()
    if not instance_id:
        raise Refused(_("L'envoi n'a pas d'identifiant d'instance (meta/instanceID)."))
    if len(instance_id) > INSTANCE_ID_LENGTH or "\x00" in instance_id:
        raise Refused(_("Identifiant d'instance invalide (64 caractères au plus)."))
    known = Submission.objects.filter(partnership_id=form.partnership_id, instance_id=instance_id)
    existing = known.first()
    if existing is not None:
        return Received(existing, created=False)
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                partnership_id=form.partnership_id,
                structure_id=form.structure_id,
                kind=form.kind,
                instance_id=instance_id,
                form_id=form.form_id,
                form_version=version[:20],
                user=user,
                payload=json.dumps(answers),
                status=Submission.Status.WAITING,
                **source,
            )
            apply(submission, answers)
    except IntegrityError:  # the same instance posted twice at once: the other one kept it
        existing = known.first()
        if existing is None:
            raise
        return Received(existing, created=False)
    return Received(submission, created=True)


def answers_of(submission: Submission) -> dict[str, Any]:
    return cast(dict, json.loads(submission.payload or "{}"))


@transaction.atomic
def apply(submission: Submission, answers: dict[str, Any]) -> Submission:
    """Applies `answers` as `submission`'s (kept as its payload): written through the one path and
    APPLIED, or WAITING with its problems and nothing else written. Inside the caller's transaction
    (collect/intake.py's receipt, collect/actions.py's review)."""
    problems: list[dict[str, str]] = []
    submission.payload = json.dumps(answers)
    with translation.override("fr"):
        try:
            with transaction.atomic():  # a savepoint: a writer's refusal leaves nothing behind
                if submission.kind == FormKind.VISIT:
                    _apply_visit(submission, answers, problems)
                else:
                    _apply_activity(submission, answers, problems)
                if problems:
                    raise _Problems
        except _Problems:
            submission.activity = submission.visit = None
        except (ValueError, ValidationError) as error:  # NotYetHeld, OutsidePartnership, the registry's
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            problems += [{"field": "", "message": m} for m in messages]
            submission.activity = submission.visit = None
    submission.problems = problems
    submission.status = Submission.Status.WAITING if problems else Submission.Status.APPLIED
    submission.save()
    return submission


class _Problems(Exception):
    pass


def _leaf(answers: dict, name: str) -> str:
    """The scalar answer whose last path segment is `name` (groups may differ between versions)."""
    for key, value in answers.items():
        if isinstance(value, str) and key.rsplit("/", 1)[-1] == name:
            return value.strip()
    return ""


def _rows(answers: dict, repeat: str) -> list[dict[str, str]]:
    rows = answers.get(repeat)
    if not isinstance(rows, list):
        return []
    return [{key.rsplit("/", 1)[-1]: str(value).strip() for key, value in row.items()} for row in rows]


def _apply_activity(submission: Submission, answers: dict, problems: list) -> None:
    def fail(key: str, message: str) -> None:
        if key.startswith("new_people."):
            _new, i, name = key.split(".")
            field = f"nouvelles_personnes-{i}-nouvelles_personnes/{NEW_PERSON[name]}"
        else:
            field = ACTIVITY_FIELDS.get(key, "")
        problems.append({"field": field, "message": str(message)})

    known = ImportedSubmission.objects.filter(
        partnership_id=submission.partnership_id, uuid=submission.instance_id
    ).first()
    if known is not None:  # imported from an XLSX export first: already written
        if known.activity.structure_id != submission.structure_id:
            fail("uuid", _("Cet identifiant d'envoi est déjà celui d'une activité d'une autre structure."))
            return
        submission.activity = known.activity
        return
    structure = submission.structure
    validator = Validator(
        submission.partnership, "", [structure], submission.user, {}, [], people_structure=structure
    )
    # A day-centre session's kind is its form's (a calculate, not a question; the review page offers no
    # field for it): whatever the answer says, so that no such submission waits on a kind it cannot fix.
    # The activity form offers every kind but that one.
    kind = DAY_SESSION if submission.kind == FormKind.DAY_SESSION else _leaf(answers, "type")
    if submission.kind != FormKind.DAY_SESSION and kind == DAY_SESSION:
        fail("kind", _("Ce formulaire ne propose pas le type d'activité « %(code)s ».") % {"code": kind})
    day = _leaf(answers, "date")
    if len(day) > 10:  # ODK writes a date as AAAA-MM-JJ; the import's reading would drop the rest
        fail("date", _("Date impossible : « %(value)s » (attendu AAAA-MM-JJ).") % {"value": day[:40]})
    row = validator.check(
        fail,
        uuid=submission.instance_id,
        title=_leaf(answers, "titre"),
        date=day,
        structure=structure.code,
        results=_leaf(answers, "resultats").split(),
        kind=kind,
        place=_leaf(answers, "lieu"),
        douar=_leaf(answers, "douar"),
        people=_leaf(answers, "presents").split(),
        tallies=[
            (row.get("public", ""), {sex: row.get(name, "") for sex, name in TALLY.items()})
            for row in _rows(answers, "comptages")
        ],
        new_people=[
            {key: row.get(name, "") for key, name in NEW_PERSON.items()}
            for row in _rows(answers, "nouvelles_personnes")
        ],
    )
    if row is None or not validator.resolve(row, fail) or problems:
        return
    [submission.activity] = report_actions.create_submissions(
        submission.partnership, kind, [row], submission.user
    )


def _apply_visit(submission: Submission, answers: dict, problems: list) -> None:
    data = {name: _leaf(answers, answer) for answer, name in VISIT_FIELDS.items()}
    data["structure"] = str(submission.structure_id)
    if data["referred_to"]:
        organisation = Organisation.objects.filter(slug=data["referred_to"]).first()
        data["referred_to"] = str(organisation.pk) if organisation else "?"
    if data["douar"]:  # a code on the phone, a row of the partnership's douars in the form
        douar = submission.partnership.douars.filter(code=data["douar"]).first()
        data["douar"] = str(douar.pk) if douar else "?"
    people = Person.objects.visible_to(submission.user).filter(
        partnership_id=submission.partnership_id, structure=submission.structure
    )
    form = VisitForm(
        data,
        partnership=submission.partnership,
        structures=submission.partnership.structures.filter(pk=submission.structure_id),
        people=people,
    )
    if not form.is_valid():
        by_name = {name: answer for answer, name in VISIT_FIELDS.items()}
        for name, errors in form.errors.items():
            field = by_name.get(name, "")
            key = next((k for k in answers if k.rsplit("/", 1)[-1] == field), field)
            problems += [{"field": key, "message": str(message)} for message in errors]
        return
    submission.visit = activity_actions.record_visit(form, submission.partnership, submission.user)


def touch(source: Device | KoboHook) -> None:
    """Notes when a device or hook last sent (for the devices' and hooks' lists)."""
    type(source).objects.filter(pk=source.pk).update(last_seen_at=timezone.now())

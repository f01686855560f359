"""Writes to case files, each with its history row (CaseEvent: action and field names, never values).

Who may call what is decided by the views through `cases/access.py`; the rules that belong to the
data (consent for referral, optimistic locking, closure) are enforced here.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.locking import Stale, claim
from partnerships.models import Role

from .access import log_command
from .models import (
    Case,
    CaseEvent,
    Complaint,
    ComplaintStep,
    GroupMembership,
    GroupSession,
    Incident,
    ListeningSession,
    Note,
    Referral,
    ShelterStay,
    SpeechGroup,
)

# The case changed since the form was opened (docs/security.md 21): the one lock of every edit form.
StaleVersion = Stale


def _event(case: Case, by, action: str, fields=()) -> CaseEvent:
    return CaseEvent.objects.create(case=case, by=by, action=action, fields=sorted(fields))


def anonymised_message(case: Case) -> str:
    return _("Ce dossier a été anonymisé le %(date)s : il ne peut plus être ni modifié ni rouvert.") % {
        "date": date_format(case.anonymised_on, "DATE_FORMAT")  # type: ignore[arg-type]  # anonymised: dated
    }


def _bump(case: Case, expected_version: int | None = None, **changes) -> None:
    """Bumps the version in one UPDATE … WHERE version = expected: a stale writer changes nothing.
    Every write to a case passes here, so an anonymised case is refused here (docs/security.md 25)."""
    if case.anonymised_on is not None:
        raise ValidationError(anonymised_message(case))
    expected = case.version if expected_version is None else expected_version
    claim(case, expected, updated_at=timezone.now(), **changes)


def next_code(structure, year: int) -> str:
    """CE-<year>-<n>: a code that says nothing about the woman."""
    prefix = f"ce-{year}-"
    taken = Case.objects.filter(structure=structure, code__startswith=prefix).count()
    n = taken + 1
    while Case.objects.filter(structure=structure, code=f"{prefix}{n:03d}").exists():
        n += 1
    return f"{prefix}{n:03d}"


@transaction.atomic
def open_case(*, structure, by, data: dict, assigned_to=None) -> Case:
    """Intake: a new case in the centre with a generated code, assigned to `assigned_to`."""
    case = Case(structure=structure, partnership_id=structure.partnership_id, assigned_to=assigned_to, **data)
    case.code = next_code(structure, case.opened_on.year)
    if not case.children_with_her:
        case.children_count = 0
    case.save()
    _event(case, by, "ouverture")
    return case


# Fields whose change is recorded by name only (all of them: the history never holds a value).
EDITABLE = [
    "opened_on",
    "channel",
    "age_band",
    "children_with_her",
    "children_count",
    "full_name",
    "phone",
    "address",
    "consent_services",
    "consent_referral",
    "consent_statistics",
]


@transaction.atomic
def update_case(case: Case, *, by, version: int, data: dict) -> list[str]:
    """Saves the intake fields if nobody saved the case since `version`; else StaleVersion."""
    changed = [name for name in EDITABLE if name in data and getattr(case, name) != data[name]]
    if not data.get("children_with_her", case.children_with_her):
        data["children_count"] = 0
    _bump(case, version, **{name: data[name] for name in EDITABLE if name in data})
    _event(case, by, "modification", changed)
    return changed


def _followed(case: Case, by) -> None:
    """The first service turns an open case into a followed one."""
    if case.status == Case.Status.OPEN:
        _bump(case, status=Case.Status.FOLLOWED)
        _event(case, by, "suivi", ["status"])
    else:
        _bump(case)


@transaction.atomic
def add_incident(case: Case, *, by, **data) -> Incident:
    incident = Incident.objects.create(case=case, by=by, **data)
    _bump(case)
    _event(case, by, "incident")
    return incident


@transaction.atomic
def give_listening_session(case: Case, *, by, **data) -> ListeningSession:
    session = ListeningSession.objects.create(case=case, by=by, **data)
    _followed(case, by)
    _event(case, by, "ecoute")
    return session


@transaction.atomic
def add_note(case: Case, *, by, **data) -> Note:
    note = Note.objects.create(case=case, by=by, **data)
    _bump(case)
    _event(case, by, "note")
    return note


@transaction.atomic
def refer(case: Case, *, by, role: str, override_reason: str = "", **data) -> Referral:
    """A referral to a partner: only with her consent to referral, or — for the centre coordinator
    only — with an override reason, which is stored encrypted and logged as an override event."""
    if not case.consent_referral:
        if role != Role.CENTRE_COORDINATOR:
            raise ValidationError(
                _("Elle n'a pas consenti à être orientée : seule la coordinatrice du centre peut déroger.")
            )
        if not override_reason.strip():
            raise ValidationError(
                _("Sans consentement à l'orientation, le motif de la dérogation est requis.")
            )
    else:
        override_reason = ""
    referral = Referral.objects.create(case=case, by=by, override_reason=override_reason, **data)
    _followed(case, by)
    _event(case, by, "orientation-derogation" if override_reason else "orientation")
    return referral


@transaction.atomic
def accompany_complaint(case: Case, *, by, **data) -> Complaint:
    complaint = Complaint.objects.create(case=case, by=by, **data)
    ComplaintStep.objects.create(complaint=complaint, stage=complaint.stage, date=complaint.date, by=by)
    _followed(case, by)
    _event(case, by, "plainte")
    return complaint


STAGES = list(Complaint.Stage.values)


@transaction.atomic
def advance_complaint(complaint: Complaint, *, by, stage: str, date: datetime.date) -> ComplaintStep:
    """Moves a complaint forward to a later stage (informed → filed → hearing → decision)."""
    if STAGES.index(stage) <= STAGES.index(complaint.stage):
        raise ValidationError(_("Cette étape n'est pas postérieure à l'étape actuelle de la plainte."))
    step = ComplaintStep.objects.create(complaint=complaint, stage=stage, date=date, by=by)
    complaint.stage = stage
    complaint.save(update_fields=["stage", "updated_at"])
    _bump(complaint.case)
    _event(complaint.case, by, "plainte-etape")
    return step


@transaction.atomic
def shelter(case: Case, *, by, **data) -> ShelterStay:
    stay = ShelterStay.objects.create(case=case, by=by, **data)
    _followed(case, by)
    _event(case, by, "hebergement")
    return stay


@transaction.atomic
def end_shelter(stay: ShelterStay, *, by, end: datetime.date) -> ShelterStay:
    if end < stay.date:
        raise ValidationError(_("La fin de l'hébergement précède son début."))
    stay.end = end
    stay.save(update_fields=["end", "updated_at"])
    _bump(stay.case)
    _event(stay.case, by, "hebergement-fin")
    return stay


@transaction.atomic
def join_group(case: Case, *, by, group: SpeechGroup, date: datetime.date) -> GroupMembership:
    if GroupMembership.objects.filter(group=group, case=case).exists():
        raise ValidationError(_("Elle fait déjà partie de ce groupe de parole."))
    membership = GroupMembership.objects.create(case=case, by=by, group=group, date=date)
    _followed(case, by)
    _event(case, by, "groupe")
    return membership


@transaction.atomic
def hold_group_session(group: SpeechGroup, *, by, date: datetime.date, attendees) -> GroupSession:
    """A session of a speech group and who attended (members of the group only)."""
    members = set(group.memberships.values_list("case_id", flat=True))
    outsiders = [c for c in attendees if c.pk not in members]
    if outsiders:
        raise ValidationError(_("Seules les membres du groupe peuvent être notées présentes."))
    session = GroupSession.objects.create(group=group, by=by, date=date)
    session.attendees.set(attendees)
    return session


@transaction.atomic
def assign(case: Case, *, by, listener) -> None:
    _bump(case, assigned_to=listener)
    _event(case, by, "attribution", ["assigned_to"])


@transaction.atomic
def close_case(case: Case, *, by, reason: str, date: datetime.date) -> None:
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("Ce dossier est déjà clos."))
    _bump(case, status=Case.Status.CLOSED, closure_reason=reason, closed_on=date)
    _event(case, by, "cloture", ["status", "closure_reason"])


@transaction.atomic
def reopen_case(case: Case, *, by) -> None:
    if case.status != Case.Status.CLOSED:
        raise ValidationError(_("Seul un dossier clos peut être rouvert."))
    _bump(case, status=Case.Status.FOLLOWED, closure_reason="", closed_on=None)
    _event(case, by, "reouverture", ["status"])


# docs/security.md 25: what anonymisation removes, by name (the history and the report list these names,
# never a value). Field by field, and why, in docs/decisions.md ("Retention").
ANONYMISED_FIELDS = [
    "address",
    "full_name",
    "phone",
    "incident.narrative",
    "note",  # deleted: a note is nothing but free text
    "referral.override_reason",
    "referral.partner",
]


@transaction.atomic
def anonymise_case(case: Case, *, on: datetime.date, command: str) -> None:
    """Removes for good, from a closed case, what identifies her or tells her story; keeps the coded
    rows that the published statistics count (cases/stats.py), so no published number changes.
    Called by the retention command only; writes a history row and an access-log row naming the
    command. A case changed since it was read raises StaleVersion and is left as it was."""
    if case.status != Case.Status.CLOSED:
        raise ValidationError(_("Seul un dossier clos peut être anonymisé."))
    _bump(case, full_name="", phone="", address="", anonymised_on=on)
    now = timezone.now()
    Incident.objects.filter(case=case).update(narrative="", updated_at=now)
    Note.objects.filter(case=case).delete()
    Referral.objects.filter(case=case).update(partner="", override_reason="", updated_at=now)
    _event(case, None, "anonymisation", ANONYMISED_FIELDS)
    log_command(command, case, "anonymisation")

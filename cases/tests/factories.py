"""Case files for the tests, written through `cases.actions` exactly as the pages write them: the
code is generated, identifying and free-text fields go through the encrypted fields, and each write
leaves its history row (docs/security.md 12, 13). Never `Case.objects.create` in a test.

    case = CaseFactory(structure=centre, by=listener)                  # open, assigned to `by`
    IncidentFactory(case=case, by=listener, narrative="…")
"""

import datetime

import factory

from cases import actions
from cases.models import Case, Incident, ListeningSession, Note, Referral, SpeechGroup
from partnerships.models import Role
from partnerships.tests.factories import StructureFactory


class _ThroughActions(factory.Factory):
    """A factory whose `create` is one of `cases.actions` (no `build`: a case row exists only once
    the action has written it and its history)."""

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("case rows are written through cases.actions: use create()")


class CaseFactory(_ThroughActions):
    """A case opened by `by` (a listener or the centre's coordinator) in `structure` (a listening
    centre), assigned to `assigned_to` — `by` unless given. Every other keyword is intake data."""

    class Meta:
        model = Case

    structure = factory.SubFactory(StructureFactory, centre_ecoute=True)
    by = None
    assigned_to = factory.SelfAttribute("by")
    opened_on = datetime.date(2025, 3, 4)
    channel = "famille"
    age_band = "25-34"
    children_with_her = False
    children_count = 0
    full_name = factory.Sequence(lambda n: f"Femme de test {n}")
    phone = ""
    address = ""
    consent_services = True
    consent_referral = False
    consent_statistics = True

    @classmethod
    def _create(cls, model_class, structure, by, assigned_to, **data):
        return actions.open_case(structure=structure, by=by, assigned_to=assigned_to, data=data)


class _OfACase(_ThroughActions):
    """A row of `case` written by `by` (her listener unless given) through the action `_action`."""

    class Meta:
        abstract = True

    case = None
    by = factory.SelfAttribute("case.assigned_to")

    @classmethod
    def _create(cls, model_class, case, by, **data):
        return cls._action(case, by=by, **data)


class IncidentFactory(_OfACase):
    class Meta:
        model = Incident

    date = datetime.date(2025, 3, 4)
    type = "agression-physique"
    context = "partenaire"
    year = 2025
    month = 2
    narrative = ""

    _action = staticmethod(actions.add_incident)


class ListeningSessionFactory(_OfACase):
    class Meta:
        model = ListeningSession

    date = datetime.date(2025, 3, 5)
    duration_minutes = 45

    _action = staticmethod(actions.give_listening_session)


class NoteFactory(_OfACase):
    class Meta:
        model = Note

    date = datetime.date(2025, 3, 5)
    text = factory.Sequence(lambda n: f"Note de test {n}")

    _action = staticmethod(actions.add_note)


class ReferralFactory(_OfACase):
    """A referral; without her consent, `by` must be the centre coordinator with `override_reason`."""

    class Meta:
        model = Referral

    role = Role.LISTENER
    date = datetime.date(2025, 3, 6)
    kind = "medicale"
    partner = factory.Sequence(lambda n: f"Partenaire de test {n}")
    override_reason = ""

    _action = staticmethod(actions.refer)


class SpeechGroupFactory(factory.django.DjangoModelFactory):
    """A speech group of a listening centre (a single row: the centre's coordinator creates it)."""

    class Meta:
        model = SpeechGroup

    structure = factory.SubFactory(StructureFactory, centre_ecoute=True)
    name = factory.Sequence(lambda n: f"Groupe de test {n}")
    started_on = datetime.date(2025, 1, 6)

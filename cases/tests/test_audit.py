"""docs/security.md 10, 11, 13: one append-only access-log row per read of a case, no content in it;
the database refuses UPDATE and DELETE on it; key rotation keeps every encrypted row readable."""

import datetime

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases.models import AccessLog, Case, Incident, Note, Referral

from .conftest import SENTINEL, case_url
from .factories import CaseFactory

pytestmark = pytest.mark.small_world


@pytest.mark.parametrize("persona", ["ecoute", "centre"])
def test_one_row_per_read_with_who_role_case_action_when_and_request_id(
    persona, sentinel_case, client_for, users
):
    client = client_for(persona)
    before = AccessLog.objects.count()
    response = client.get(case_url(sentinel_case), headers={"X-Request-ID": "abc123"})
    assert response.status_code == 200
    assert AccessLog.objects.count() == before + 1
    row = AccessLog.objects.order_by("-pk").first()
    assert row.username == users[persona].username
    assert row.role == ("listener" if persona == "ecoute" else "centre_coordinator")
    assert row.case_id == sentinel_case.pk and row.case_code == sentinel_case.code
    assert row.action == "consultation"
    # The server's id, never the one the client chose (docs/security.md 32).
    assert row.request_id == response["X-Request-ID"] != "abc123"
    assert row.at.tzinfo is not None and abs((timezone.now() - row.at).total_seconds()) < 60
    client.get(case_url(sentinel_case, "cases:case_edit"))
    assert AccessLog.objects.count() == before + 2
    assert SENTINEL not in repr(list(AccessLog.objects.values()))


def test_a_refused_read_writes_no_row_and_reveals_nothing(sentinel_case, client_for):
    before = AccessLog.objects.count()
    assert client_for("coordination").get(case_url(sentinel_case)).status_code == 404
    assert AccessLog.objects.count() == before


def _first_row(sentinel_case, client_for):
    client_for("ecoute").get(case_url(sentinel_case))
    return AccessLog.objects.order_by("-pk").first()


def test_update_is_refused_by_the_database(sentinel_case, client_for, users):
    row = _first_row(sentinel_case, client_for)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(username="quelqu'un d'autre")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_accesslog SET action = 'rien'")
    assert AccessLog.objects.get(pk=row.pk).username == users["ecoute"].username


def test_delete_is_refused_by_the_database(sentinel_case, client_for):
    row = _first_row(sentinel_case, client_for)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_accesslog")
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_deleting_a_case_keeps_its_access_log(sentinel_case, client_for):
    row = _first_row(sentinel_case, client_for)
    Case.objects.filter(pk=sentinel_case.pk).delete()
    assert AccessLog.objects.filter(pk=row.pk, case_code=sentinel_case.code).exists()


def test_key_rotation_keeps_every_case_row_readable(sentinel_case, users, settings):
    other = CaseFactory(structure=sentinel_case.structure, by=users["ecoute"], full_name="Une autre femme")
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative FROM cases_incident WHERE case_id = %s", [sentinel_case.pk])
        stored_before = cursor.fetchone()[0]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old]
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # the old key is gone
    case = Case.objects.get(pk=sentinel_case.pk)
    assert case.full_name == f"Nom {SENTINEL}"
    assert case.phone == f"Tel {SENTINEL}" and case.address == f"Adresse {SENTINEL}"
    assert Incident.objects.get(case=case).narrative == f"Récit {SENTINEL}"
    assert Note.objects.get(case=case).text == f"Note {SENTINEL}"
    referral = Referral.objects.get(case=case)
    assert (referral.partner, referral.override_reason) == (f"Partenaire {SENTINEL}", f"Motif {SENTINEL}")
    # Every other case too: another of this centre, and every row in the database (the demo's among
    # them), none left under the old key (reading one would raise InvalidToken).
    assert Case.objects.get(pk=other.pk).full_name == "Une autre femme"
    assert all(isinstance(c.full_name, str) for c in Case.objects.exclude(pk=case.pk))
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative FROM cases_incident WHERE case_id = %s", [sentinel_case.pk])
        assert cursor.fetchone()[0] != stored_before


def test_history_event_per_write(sentinel_case, users):
    from cases import actions

    actions.give_listening_session(sentinel_case, by=users["ecoute"], date=datetime.date(2025, 3, 9))
    assert list(sentinel_case.events.values_list("action", flat=True)[:1]) == ["ecoute"]

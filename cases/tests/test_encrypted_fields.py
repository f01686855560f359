"""Case data at rest (docs/security.md 13): every text field of a model holding case data is encrypted,
or listed below with the reason it may stay in clear; and a raw dump of the database holds no
sentinel written into a case.

A new CharField, TextField, JSONField… on a case model (or on any model pointing at one) fails
`test_every_text_field_of_case_data_is_encrypted_or_a_listed_dimension` until someone either makes it
an `EncryptedTextField` or adds it here with its reason — a decision taken in review, not by default.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection, models

from cases import actions
from core.crypto import PREFIX, EncryptedBinaryField, EncryptedTextField, decrypt

from .conftest import SENTINEL

# "app.Model.field": why it may stay in clear. Coded values from a fixed list are the dimensions the
# published statistics count; the others identify a worker or a row, never the woman.
CLEAR = {
    "cases.Case.code": "code généré (ce-AAAA-NNN), ne dit rien d'elle",
    "cases.Case.channel": "dimension comptée : liste fermée (venue par)",
    "cases.Case.age_band": "dimension comptée : tranche d'âge, liste fermée",
    "cases.Case.status": "dimension comptée : statut, liste fermée",
    "cases.Case.closure_reason": "dimension comptée : motif de clôture, liste fermée",
    "cases.Incident.type": "dimension comptée : type GBVIMS, liste fermée",
    "cases.Incident.context": "dimension comptée : contexte, liste fermée",
    "cases.Referral.kind": "dimension comptée : type d'orientation, liste fermée",
    "cases.Complaint.authority": "dimension comptée : autorité, liste fermée",
    "cases.Complaint.stage": "dimension comptée : étape, liste fermée",
    "cases.ComplaintStep.stage": "dimension comptée : étape, liste fermée",
    "cases.SpeechGroup.name": "nom d'un groupe que le centre anime, pas d'une femme",
    "cases.CaseEvent.action": "code de l'action (historique), liste fixée dans actions.py",
    "cases.CaseEvent.fields": "noms des champs modifiés, jamais leurs valeurs (docs/security.md 12)",
    "cases.AccessLog.username": "l'identifiant de la personne du centre qui a lu, pas de la femme",
    "cases.AccessLog.role": "rôle de la lectrice, liste fermée",
    "cases.AccessLog.case_code": "code généré du dossier, comme Case.code",
    "cases.AccessLog.action": "code de l'action de lecture",
    "cases.AccessLog.request_id": "identifiant de requête fait par le serveur",
}

TEXT_TYPES = (
    models.CharField,  # EmailField, SlugField, URLField… are CharFields
    models.TextField,
    models.JSONField,
    models.BinaryField,
    models.FileField,
    models.GenericIPAddressField,
)

pytestmark = pytest.mark.small_world


def case_data_models():
    """Every model of the cases app, and every model elsewhere with a foreign key to one of them."""
    case_models = set(apps.get_app_config("cases").get_models(include_auto_created=True))
    pointing = {
        model
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in case_models
    }
    return case_models | pointing


def clear_text_fields():
    for model in case_data_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_TYPES) and not isinstance(
                field, EncryptedTextField | EncryptedBinaryField
            ):
                yield f"{model._meta.label}.{field.name}"


def test_every_text_field_of_case_data_is_encrypted_or_a_listed_dimension():
    found = set(clear_text_fields())
    assert found - CLEAR.keys() == set(), "champ en clair non justifié : chiffrez-le ou ajoutez sa raison"
    assert CLEAR.keys() - found == set(), "champ listé qui n'existe plus ou est désormais chiffré"


def test_the_walk_sees_the_encrypted_fields_and_the_models_pointing_at_a_case():
    labels = {m._meta.label for m in case_data_models()}
    assert {"cases.Case", "cases.Referral", "cases.Note", "cases.AccessLog"} <= labels
    encrypted = {
        f"{m._meta.label}.{f.name}"
        for m in case_data_models()
        for f in m._meta.concrete_fields
        if isinstance(f, EncryptedTextField)
    }
    assert "cases.Referral.partner" in encrypted
    assert "cases.Incident.narrative" in encrypted


def raw_dump() -> str:
    """Everything the database stores, as text, read below the ORM: SQLite's own SQL dump, or every
    row of every table as PostgreSQL returns it."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    quote = connection.ops.quote_name
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - names from introspection
            lines += [repr(row) for row in cursor.fetchall()]
    return "\n".join(lines)


@pytest.mark.django_db
def test_a_raw_dump_holds_no_sentinel_written_into_a_case(sentinel_case, users):
    actions.refer(
        sentinel_case,
        by=users["centre"],
        role="centre_coordinator",
        date=datetime.date(2025, 3, 7),
        kind="juridique",
        partner=f"Avocate {SENTINEL} de Belfaa",
        override_reason="Danger",
    )
    dump = raw_dump()
    assert sentinel_case.code in dump  # the dump does hold the case's rows
    assert PREFIX in dump
    assert SENTINEL not in dump
    partners = {r.partner for r in sentinel_case.referrals.all()}
    assert partners == {f"Partenaire {SENTINEL}", f"Avocate {SENTINEL} de Belfaa"}


@pytest.mark.django_db
def test_the_migration_encrypts_clear_partners_and_gives_them_back(sentinel_case):
    """The data migration encrypts the partners written in clear before it, leaves encrypted ones as
    they are, and its reverse gives the clear text back."""
    migration = importlib.import_module("cases.migrations.0005_encrypt_existing_referral_partners")
    referral = sentinel_case.referrals.get()

    class Editor:  # what the migration reads of a schema editor
        pass

    editor = Editor()
    editor.connection = connection

    def stored():
        with connection.cursor() as cursor:
            cursor.execute("SELECT partner FROM cases_referral WHERE id = %s", [referral.pk])
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:  # a row as it was before the migration
        cursor.execute("UPDATE cases_referral SET partner = %s WHERE id = %s", ["Clinique Z", referral.pk])
    migration.encrypt_partners(apps, editor)
    once = stored()
    assert once.startswith(PREFIX) and decrypt(once) == "Clinique Z"
    migration.encrypt_partners(apps, editor)
    assert stored() == once  # already encrypted: left alone
    migration.decrypt_partners(apps, editor)
    assert stored() == "Clinique Z"

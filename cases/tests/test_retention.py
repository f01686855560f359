"""docs/security.md 25: `manage.py anonymise_closed_cases` removes for good what identifies a woman or tells
her story from the cases closed longer ago than CASE_RETENTION_MONTHS; no published number changes;
idempotent, logged without values; the anonymised case stays readable by the centre's staff and can
no longer be edited or reopened."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cases import actions, stats
from cases.access import listening_centre
from cases.management.commands.anonymise_closed_cases import months_before
from cases.models import AccessLog, Case, CaseEvent, Incident, Note, Referral
from conftest import ALL_PERSONAS
from core.crypto import PREFIX, decrypt, encrypted_fields
from indicators.figures import partnership_tables
from partnerships.access import get_partnership_for_user

from .conftest import SENTINEL, case_url
from .factories import SpeechGroupFactory
from .test_confidentiality import case_pages
from .test_stats import everything

pytestmark = pytest.mark.small_world

STAFF = ["ecoute", "centre"]
LONG_AGO = datetime.date(2025, 6, 1)  # closed more than 12 months ago, whenever the tests run


def run(*args):
    out = io.StringIO()
    call_command("anonymise_closed_cases", *args, stdout=out)
    return out.getvalue()


def raw_dump():
    """Every value of every table, read with raw SQL, encrypted values decrypted: what someone holding
    the database and the keys could read."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                values += [decrypt(v) if isinstance(v, str) and v.startswith(PREFIX) else v for v in row]
    return repr(values)


def snapshot(case):
    """What the command must not touch on a case that is not due."""
    case = Case.objects.get(pk=case.pk)
    return (
        case.version,
        case.full_name,
        case.phone,
        case.address,
        case.status,
        sorted(Incident.objects.filter(case=case).values_list("narrative", flat=True)),
        sorted(Note.objects.filter(case=case).values_list("text", flat=True)),
        sorted(Referral.objects.filter(case=case).values_list("partner", "override_reason")),
    )


@pytest.fixture
def retention(settings):
    settings.CASE_RETENTION_MONTHS = 12
    return settings


@pytest.fixture
def old_case(sentinel_case, users, retention):
    """The sentinel case, with every service and a partner named with the sentinel (a clear-text
    field), closed more than 12 months ago."""
    case, centre_user = sentinel_case, users["centre"]
    day = datetime.date(2025, 3, 10)
    actions.give_listening_session(case, by=centre_user, date=day)
    actions.refer(
        case,
        by=centre_user,
        role="centre_coordinator",
        date=day,
        kind="juridique",
        partner=f"Avocate {SENTINEL}",
        override_reason=f"Autre motif {SENTINEL}",
    )
    actions.accompany_complaint(case, by=centre_user, date=day, authority="parquet")
    actions.shelter(case, by=centre_user, date=day, children_count=2)
    group = SpeechGroupFactory(structure=case.structure)
    actions.join_group(case, by=centre_user, group=group, date=day)
    actions.close_case(case, by=centre_user, reason="besoins-couverts", date=LONG_AGO)
    return Case.objects.get(pk=case.pk)


def another_case(partnership, user, name, **closing):
    case = actions.open_case(
        structure=listening_centre(partnership),
        by=user,
        assigned_to=user,
        data={
            "opened_on": datetime.date(2025, 1, 6),
            "channel": "elle-meme",
            "age_band": "18-24",
            "full_name": name,
            "consent_services": True,
            "consent_statistics": True,
        },
    )
    actions.add_note(case, by=user, date=case.opened_on, text=f"Note de {name}")
    if closing:
        actions.close_case(case, by=user, reason="autre", **closing)
    return Case.objects.get(pk=case.pk)


def test_months_before():
    assert months_before(datetime.date(2026, 11, 26), 60) == datetime.date(2021, 11, 26)
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 1, 15), 13) == datetime.date(2024, 12, 15)


def test_default_period_is_sixty_months():
    from django.conf import settings

    assert settings.CASE_RETENTION_MONTHS == 60


def test_the_sentinel_is_gone_from_the_database_and_every_page(old_case, client_for):
    fields = [(m, f) for m, f in encrypted_fields() if m._meta.app_label == "cases"]
    for model, field in fields:  # the fixture fills every encrypted field of the cases app
        assert any(SENTINEL in (v or "") for v in model.objects.values_list(field.name, flat=True))
    assert SENTINEL in raw_dump()
    assert "dossier(s) anonymisé(s)" in run()
    case = Case.objects.get(pk=old_case.pk)
    assert case.anonymised_on == timezone.localdate()
    assert SENTINEL not in raw_dump()
    assert (case.full_name, case.phone, case.address) == ("", "", "")
    assert not Note.objects.filter(case=case).exists()
    assert set(Referral.objects.filter(case=case).values_list("partner", "override_reason")) == {("", "")}
    assert set(Incident.objects.filter(case=case).values_list("narrative", flat=True)) == {""}
    for persona in ALL_PERSONAS:
        client = client_for(persona)
        for url in case_pages(case):
            assert SENTINEL not in client.get(url, follow=True).content.decode(), (persona, url)


@pytest.mark.parametrize("persona", STAFF)
def test_the_anonymised_case_renders_for_the_centre_staff(persona, old_case, client_for, partnership):
    run()
    client = client_for(persona)
    response = client.get(case_url(old_case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "anonymisé le" in body and 'id="anonymised"' in body
    assert "Modifier l&#x27;accueil" not in body and "Rouvrir" not in body
    assert "commande de conservation" in body  # the timeline names the command, not a person
    centre_page = client.get(reverse("cases:centre", kwargs={"slug": partnership.slug}) + "?statut=clos")
    assert centre_page.status_code == 200
    group = old_case.groupmemberships.get().group
    assert (
        client.get(reverse("cases:group", kwargs={"slug": partnership.slug, "pk": group.pk})).status_code
        == 200
    )
    assert client.get(reverse("cases:statistics", kwargs={"slug": partnership.slug})).status_code == 200


@pytest.mark.parametrize("persona", STAFF)
def test_reopening_and_editing_are_refused_with_a_clear_message(persona, old_case, client_for):
    run()
    before = snapshot(old_case)
    client = client_for(persona)
    complaint = old_case.complaints.get()
    stay = old_case.shelterstays.get()
    pages = [
        (case_url(old_case, "cases:case_reopen"), {}),
        (case_url(old_case, "cases:case_edit"), {"full_name": "x", "version": old_case.version + 1}),
        (case_url(old_case, "cases:case_add", kind="note"), {"date": "2026-01-05", "text": "x"}),
        (case_url(old_case, "cases:case_add", kind="ecoute"), {"date": "2026-01-05", "duration_minutes": 45}),
        (case_url(old_case, "cases:case_close"), {"date": "2026-01-05", "reason": "autre"}),
        (case_url(old_case, "cases:case_assign"), {}),
        (
            case_url(old_case, "cases:complaint_step", pk=complaint.pk),
            {"date": "2026-01-05", "stage": "deposee"},
        ),
        (case_url(old_case, "cases:shelter_end", pk=stay.pk), {"end": "2026-01-05"}),
    ]
    for url, data in pages:
        if url.endswith("/attribuer/") and persona != "centre":
            continue
        for response in (client.get(url, follow=True), client.post(url, data, follow=True)):
            assert response.redirect_chain[-1][0] == case_url(old_case), url
            body = response.content.decode()
            assert "il ne peut plus être ni modifié ni rouvert" in body, url
    assert snapshot(old_case) == before
    assert Case.objects.get(pk=old_case.pk).status == Case.Status.CLOSED


def test_actions_refuse_an_anonymised_case_and_the_database_keeps_it_closed(old_case, users):
    run()
    case = Case.objects.get(pk=old_case.pk)
    with pytest.raises(ValidationError, match="anonymisé"):
        actions.reopen_case(case, by=users["centre"])
    with pytest.raises(ValidationError, match="anonymisé"):
        actions.add_note(case, by=users["centre"], date=datetime.date(2026, 1, 5), text="x")
    with pytest.raises(ValidationError, match="anonymisé"):
        actions.update_case(case, by=users["centre"], version=case.version, data={"full_name": "x"})
    assert not Note.objects.filter(case=case).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="suivi", closed_on=None, closure_reason="")


def test_recent_open_and_reopened_cases_are_untouched(old_case, partnership, users):
    ecoute = users["ecoute"]
    recent = another_case(
        partnership, ecoute, "Récente", date=timezone.localdate() - datetime.timedelta(days=30)
    )
    still_open = another_case(partnership, ecoute, "Ouverte")
    reopened = another_case(partnership, ecoute, "Rouverte", date=LONG_AGO)
    actions.reopen_case(reopened, by=ecoute)
    before = {case.pk: snapshot(case) for case in (recent, still_open, reopened)}
    run()
    assert Case.objects.get(pk=old_case.pk).anonymised_on is not None
    for case in (recent, still_open, reopened):
        assert snapshot(case) == before[case.pk]
        assert Case.objects.get(pk=case.pk).anonymised_on is None


def indicator_values(partnership, users):
    """Every indicator cell as the centre coordinator (unsuppressed) and the partner commune
    (suppressed) see them: the OC.1 indicator is fed by the cases."""
    values = {}
    for persona in ["centre", "jette"]:
        _p, access = get_partnership_for_user(users[persona], partnership.slug)
        for block in partnership_tables(partnership, access):
            for table in block["tables"]:
                for (period, sex), cell in table.cells.items():
                    values[(persona, table.indicator.code, period, sex)] = (cell.actual, cell.shown)
    return values


@pytest.mark.demo_world  # realistic numbers: many closed cases of the demo are due too
def test_no_published_number_changes(old_case, partnership, users, client_for, settings):
    settings.CASE_RETENTION_MONTHS = 1  # most of the demo's closed cases are due too
    url = reverse("cases:statistics", kwargs={"slug": partnership.slug})
    personas = ["coordination", "centre", "jette", "reseau"]

    def pages():
        strip = lambda b: b.split(b"csrfmiddlewaretoken")[0]  # noqa: E731
        return {p: strip(client_for(p).get(url).content) for p in personas}

    before = (everything(partnership), indicator_values(partnership, users), pages())
    assert stats.women_followed(partnership)["F"] > 0
    run()
    anonymised = Case.objects.filter(partnership=partnership, anonymised_on__isnull=False)
    assert anonymised.count() > 10
    assert anonymised.filter(consent_statistics=True).exists()
    assert (everything(partnership), indicator_values(partnership, users), pages()) == before


def test_second_run_changes_nothing_and_says_so(old_case):
    assert "dossier(s) anonymisé(s)" in run()
    case = Case.objects.get(pk=old_case.pk)
    counts = (AccessLog.objects.count(), CaseEvent.objects.count())
    second = run()
    assert "Aucun dossier à anonymiser" in second
    assert (AccessLog.objects.count(), CaseEvent.objects.count()) == counts
    again = Case.objects.get(pk=old_case.pk)
    assert (again.version, again.updated_at, again.anonymised_on) == (
        case.version,
        case.updated_at,
        case.anonymised_on,
    )


def test_dry_run_counts_per_partnership_and_changes_nothing(old_case, partnership, world):
    cutoff = months_before(timezone.localdate(), 12)
    due = Case.objects.filter(status="clos", closed_on__lt=cutoff)
    expected = due.filter(partnership=partnership).count()
    before = snapshot(old_case), AccessLog.objects.count(), CaseEvent.objects.count()
    out = run("--dry-run")
    assert "Simulation" in out
    assert f"  {partnership.slug} : {expected}" in out
    assert world["other"].slug not in out  # nothing due there
    assert (snapshot(old_case), AccessLog.objects.count(), CaseEvent.objects.count()) == before
    assert not Case.objects.filter(anonymised_on__isnull=False).exists()


def test_each_anonymisation_is_logged_without_values(old_case):
    run()
    row = AccessLog.objects.filter(case_id=old_case.pk, action="anonymisation").get()
    assert (row.user_id, row.username, row.role) == (0, "manage.py anonymise_closed_cases", "commande")
    assert row.case_code == old_case.code
    event = CaseEvent.objects.filter(case=old_case, action="anonymisation").get()
    assert event.by is None
    assert event.fields == sorted(actions.ANONYMISED_FIELDS)
    assert SENTINEL not in repr(list(AccessLog.objects.values())) + repr(list(CaseEvent.objects.values()))


def test_a_case_changed_meanwhile_is_left_as_it_is(old_case, users):
    stale = Case.objects.get(pk=old_case.pk)
    actions.reopen_case(Case.objects.get(pk=old_case.pk), by=users["centre"])
    before = snapshot(old_case)
    with pytest.raises(actions.StaleVersion):
        actions.anonymise_case(stale, on=timezone.localdate(), command="test")
    assert snapshot(old_case) == before

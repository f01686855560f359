"""Intake, services, consent for referral, closure and reopening, assignment, optimistic locking,
and who sees which case (docs/security.md 2, 6, 21) — through the pages, the access functions and actions."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from cases import actions
from cases.access import get_case_for_user
from cases.models import Case, CaseEvent, Complaint
from conftest import verify_second_factor
from partnerships.models import Role
from partnerships.tests.factories import persona

from .conftest import case_url
from .factories import CaseFactory, SpeechGroupFactory

pytestmark = pytest.mark.small_world

INTAKE = {
    "opened_on": "2026-02-03",
    "channel": "association",
    "age_band": "18-24",
    "children_with_her": "on",
    "children_count": "1",
    "full_name": "Bénéficiaire test",
    "phone": "",
    "address": "",
    "consent_services": "on",
    "consent_statistics": "on",
}


@pytest.fixture
def second_listener(partnership, centre):
    return persona("ecoute", partnership)


def signed_in(client, user):
    client.force_login(user)
    verify_second_factor(client, user)
    return client


def test_intake_by_a_listener_assigns_her_and_gives_a_code(client_for, partnership, users):
    client = client_for("ecoute")
    response = client.post(reverse("cases:intake", kwargs={"slug": partnership.slug}), INTAKE)
    assert response.status_code == 302
    case = Case.objects.order_by("-pk").first()
    assert case.code.startswith("ce-2026-") and "test" not in case.code
    assert response["Location"].endswith(f"/dossiers/{case.code}/")
    assert case.assigned_to == users["ecoute"]
    assert case.status == Case.Status.OPEN and case.children_count == 1
    assert CaseEvent.objects.filter(case=case, action="ouverture").count() == 1


def test_intake_refuses_bad_input_with_clear_errors(client_for, partnership):
    bad = {**INTAKE, "opened_on": "2999-01-01", "children_with_her": "", "age_band": "vieux"}
    response = client_for("ecoute").post(reverse("cases:intake", kwargs={"slug": partnership.slug}), bad)
    assert response.status_code == 200
    body = response.content.decode()
    assert "ne peut pas être dans le futur" in body
    assert "enfants avec elle" in body


def test_another_listener_of_the_same_centre_gets_404(sentinel_case, second_listener, client):
    assert signed_in(client, second_listener).get(case_url(sentinel_case)).status_code == 404
    with pytest.raises(Http404):
        get_case_for_user(second_listener, sentinel_case.partnership.slug, sentinel_case.code)
    assert not Case.objects.visible_to(second_listener).filter(pk=sentinel_case.pk).exists()


def test_assignment_by_the_centre_coordinator_moves_the_case(
    sentinel_case, second_listener, client_for, client
):
    response = client_for("centre").post(
        case_url(sentinel_case, "cases:case_assign"), {"listener": second_listener.pk}
    )
    assert response.status_code == 302
    assert signed_in(client, second_listener).get(case_url(sentinel_case)).status_code == 200
    assert client_for("ecoute").get(case_url(sentinel_case)).status_code == 404


def test_unscoped_users_see_no_case(world, users, sentinel_case, second_listener, centre):
    CaseFactory(structure=centre, by=users["centre"], assigned_to=second_listener)
    for name in [
        "coordination",
        "jette",
        "reseau",
        "admin",
        "outsider",
        "autre_ecoute",
        "autre_coordination",
    ]:
        assert not Case.objects.visible_to(users[name]).exists(), name
    assert (
        Case.objects.visible_to(users["centre"]).count()
        == Case.objects.filter(partnership=world["partnership"]).count()
    )
    assert Case.objects.visible_to(users["centre"]).count() == 2
    assert set(Case.objects.visible_to(users["ecoute"]).values_list("assigned_to", flat=True)) == {
        users["ecoute"].pk
    }


def test_listening_session_turns_an_open_case_into_a_followed_one(client_for, partnership, users):
    client = client_for("ecoute")
    client.post(reverse("cases:intake", kwargs={"slug": partnership.slug}), INTAKE)
    case = Case.objects.order_by("-pk").first()
    response = client.post(
        case_url(case, "cases:case_add", kind="ecoute"), {"date": "2026-02-04", "duration_minutes": "50"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.FOLLOWED
    assert case.listeningsessions.get().by == users["ecoute"]


def test_incident_is_exactly_one_gbvims_type_with_its_month(sentinel_case, client_for):
    url = case_url(sentinel_case, "cases:case_add", kind="incident")
    client = client_for("ecoute")
    bad = client.post(url, {"type": "autre-chose", "context": "famille", "month_of": "2025-13"})
    assert bad.status_code == 200 and sentinel_case.incidents.count() == 1
    ok = client.post(
        url, {"type": "mariage-force", "context": "famille", "month_of": "2024-11", "narrative": "x"}
    )
    assert ok.status_code == 302
    incident = sentinel_case.incidents.get(type="mariage-force")
    assert (incident.year, incident.month) == (2024, 11)


def test_referral_needs_consent_for_a_listener(sentinel_case, client_for, users):
    assert not sentinel_case.consent_referral
    url = case_url(sentinel_case, "cases:case_add", kind="orientation")
    page = client_for("ecoute").get(url)
    assert "seule la coordinatrice du centre peut déroger" in html.unescape(page.content.decode())
    client_for("ecoute").post(url, {"date": "2025-04-01", "kind": "juridique", "partner": "Avocate"})
    assert sentinel_case.referrals.count() == 1  # only the fixture's override
    with pytest.raises(ValidationError):
        actions.refer(
            sentinel_case,
            by=users["ecoute"],
            role=Role.LISTENER,
            date=datetime.date(2025, 4, 1),
            kind="juridique",
            partner="Avocate",
        )


def test_override_needs_a_reason_and_is_logged(sentinel_case, client_for):
    url = case_url(sentinel_case, "cases:case_add", kind="orientation")
    client = client_for("centre")
    response = client.post(url, {"date": "2025-04-01", "kind": "juridique", "partner": "Avocate"})
    assert "le motif de la dérogation est requis" in html.unescape(response.content.decode())
    response = client.post(
        url,
        {
            "date": "2025-04-01",
            "kind": "juridique",
            "partner": "Avocate",
            "override_reason": "Danger immédiat",
        },
    )
    assert response.status_code == 302
    referral = sentinel_case.referrals.filter(kind="juridique").get()  # partner is encrypted: no SQL filter
    assert (referral.partner, referral.override_reason) == ("Avocate", "Danger immédiat")
    assert sentinel_case.events.filter(action="orientation-derogation").count() == 2
    client.cookies["django_language"] = "nl"
    page = html.unescape(client.get(case_url(sentinel_case, "cases:case")).content.decode())
    assert "Doorverwijzing zonder toestemming, bij afwijking" in page  # the timeline shows labels
    assert " orientation-derogation " not in page
    assert ">Opvolgingsnota</a>" in page  # an "add" link, in Dutch (it was frozen in French)


def test_referral_with_consent_needs_no_override(sentinel_case, users):
    Case.objects.filter(pk=sentinel_case.pk).update(consent_referral=True)
    sentinel_case.refresh_from_db()
    referral = actions.refer(
        sentinel_case,
        by=users["ecoute"],
        role=Role.LISTENER,
        date=datetime.date(2025, 4, 1),
        kind="medicale",
        partner="CS",
        override_reason="ignoré",
    )
    assert referral.override_reason == ""


def test_stale_save_is_refused_with_a_clear_message_and_nothing_is_lost(sentinel_case, client_for):
    url = case_url(sentinel_case, "cases:case_edit")
    alice, centre = client_for("ecoute"), client_for("centre")
    form_a = alice.get(url).context["form"]
    form_b = centre.get(url).context["form"]
    assert form_a.initial["version"] == form_b.initial["version"]

    def post(client, form, **changes):
        data = {
            "version": form.initial["version"],
            "opened_on": "2025-03-04",
            "channel": "famille",
            "age_band": "25-34",
            "children_with_her": "on",
            "children_count": "2",
            "full_name": "Nom Sentinelle-7f3a",
            "phone": "Tel Sentinelle-7f3a",
            "address": "Adresse Sentinelle-7f3a",
            "consent_services": "on",
            "consent_statistics": "on",
        }
        data.update(changes)
        return client.post(url, data)

    assert post(centre, form_b, phone="0600000001").status_code == 302
    stale = post(alice, form_a, address="Nouvelle adresse")
    assert stale.status_code == 409
    page = html.unescape(stale.content.decode())
    assert "Quelqu'un d'autre a enregistré cette fiche" in page
    assert "Nouvelle adresse" in page and "0600000001" in page  # hers kept, the other's shown
    sentinel_case.refresh_from_db()
    assert sentinel_case.phone == "0600000001"  # the first save is kept
    assert sentinel_case.address == "Adresse Sentinelle-7f3a"  # the stale one changed nothing


def test_stale_version_in_the_action(sentinel_case, users):
    with pytest.raises(actions.StaleVersion):
        actions.update_case(
            sentinel_case, by=users["ecoute"], version=sentinel_case.version - 1, data={"phone": "x"}
        )


def test_close_and_reopen(sentinel_case, client_for):
    client = client_for("ecoute")
    assert (
        client.post(
            case_url(sentinel_case, "cases:case_close"), {"reason": "besoins-couverts", "date": "2025-06-01"}
        ).status_code
        == 302
    )
    sentinel_case.refresh_from_db()
    assert (sentinel_case.status, sentinel_case.closure_reason) == ("clos", "besoins-couverts")
    client.post(case_url(sentinel_case, "cases:case_reopen"))
    sentinel_case.refresh_from_db()
    assert (
        sentinel_case.status == "suivi"
        and sentinel_case.closed_on is None
        and sentinel_case.closure_reason == ""
    )
    actions_ = list(sentinel_case.events.values_list("action", flat=True)[:2])
    assert actions_ == ["reouverture", "cloture"]


def test_complaint_goes_through_its_stages_in_order(sentinel_case, client_for):
    client = client_for("ecoute")
    client.post(
        case_url(sentinel_case, "cases:case_add", kind="plainte"),
        {"date": "2025-03-10", "authority": "gendarmerie", "stage": "informee"},
    )
    complaint = Complaint.objects.get(case=sentinel_case)
    step_url = case_url(sentinel_case, "cases:complaint_step", pk=complaint.pk)
    assert client.post(step_url, {"stage": "deposee", "date": "2025-03-12"}).status_code == 302
    back = client.post(step_url, {"stage": "informee", "date": "2025-03-13"})
    assert "n'est pas postérieure" in html.unescape(back.content.decode())
    complaint.refresh_from_db()
    assert complaint.stage == "deposee"
    assert list(complaint.steps.values_list("stage", flat=True)) == ["informee", "deposee"]


def test_shelter_stay_with_children_and_the_capacity_shown(sentinel_case, client_for, centre):
    centre.capacity = 12
    centre.save()
    client = client_for("ecoute")
    client.post(
        case_url(sentinel_case, "cases:case_add", kind="hebergement"),
        {"date": "2025-03-10", "children_count": "2"},
    )
    stay = sentinel_case.shelterstays.get()
    assert stay.end is None and stay.children_count == 2
    page = client.get(case_url(sentinel_case)).content.decode()
    assert f"Capacité du foyer : {centre.capacity} places" in page
    bad = client.post(case_url(sentinel_case, "cases:shelter_end", pk=stay.pk), {"end": "2025-03-01"})
    assert "précède son début" in bad.content.decode()
    client.post(case_url(sentinel_case, "cases:shelter_end", pk=stay.pk), {"end": "2025-04-01"})
    stay.refresh_from_db()
    assert stay.end == datetime.date(2025, 4, 1)


def test_speech_group_membership_and_session_attendance(sentinel_case, client_for, partnership, centre):
    group = SpeechGroupFactory(structure=centre)
    client = client_for("ecoute")
    client.post(
        case_url(sentinel_case, "cases:case_add", kind="groupe"), {"group": group.pk, "date": "2025-03-10"}
    )
    assert sentinel_case.groupmemberships.filter(group=group).exists()
    url = reverse("cases:group_session_add", kwargs={"slug": partnership.slug, "pk": group.pk})
    assert client.post(url, {"date": "2025-03-20", "attendees": [sentinel_case.pk]}).status_code == 302
    session = group.sessions.order_by("-pk").first()
    assert list(session.attendees.all()) == [sentinel_case]
    page = client.get(
        reverse("cases:group", kwargs={"slug": partnership.slug, "pk": group.pk})
    ).content.decode()
    assert sentinel_case.code in page


def test_centre_page_lists_her_cases_with_bounded_queries(
    client_for, partnership, users, centre, second_listener, django_assert_max_num_queries
):
    for listener in [users["ecoute"], users["ecoute"], second_listener]:
        CaseFactory(structure=centre, by=listener)
    ActivityFactory(formation=True, partnership=partnership, hours=7, trained_staff=[users["ecoute"]])
    ActivityFactory(partnership=partnership, hours=3, trained_staff=[users["ecoute"]])  # not a training
    client = client_for("centre")
    url = reverse("cases:centre", kwargs={"slug": partnership.slug})
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200
    # The listeners' continuing training, from the `formation` activities they attended.
    from activities.trainings import training_hours as hours_of

    expected = hours_of(partnership, [users["ecoute"]], 2024)[users["ecoute"].pk]
    assert expected > 0
    assert f"2024 : {float(expected):g} h" in response.content.decode()
    assert len(response.context["page"].object_list) == 3
    mine = client_for("ecoute").get(url).context["page"].object_list
    assert len(mine) == 2 and all(case.assigned_to == users["ecoute"] for case in mine)

""" "Mon travail" (issue 16, item 4): what waits for each person, computed from the data, equals what a
direct query of the raw rows says; case lines reach their own listener only; every line leads to the
page where the work is done; an empty list says so."""

import datetime

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Decision
from cases.models import AccessLog, Case, ListeningSession, Note, Referral
from cases.tests.factories import CaseFactory, ListeningSessionFactory, NoteFactory, ReferralFactory
from collect.models import Submission
from conftest import OTHER_PERSONAS, PERSONAS
from participation.models import Forum, Phase
from partnerships.models import Invitation, Partnership, Role
from partnerships.tests.factories import persona
from programme.models import Measurement, MeasurementEvent
from projects.models import Milestone
from reports.models import Job
from work.waiting import counts, waiting_for

CENTRE_ROLES = [Role.LISTENER, Role.CENTRE_COORDINATOR]


def raw_counts(user, today: datetime.date) -> dict[str, int]:
    """The same questions asked of the raw rows, with the rules spelled out here (not via the doors)."""
    coordinated = user.memberships.filter(role=Role.COORDINATOR).values("partnership")
    managed = user.memberships.filter(role__in=[Role.COORDINATOR, Role.ADMIN]).values("partnership")
    structures = user.memberships.exclude(structure=None).values("structure")
    figures = 0
    for m in Measurement.objects.filter(status="submitted", indicator__result__partnership__in=coordinated):
        last = {}
        for event in MeasurementEvent.objects.filter(measurement=m).order_by("created_at", "pk"):
            last[event.action] = event.user_id
        if user.pk not in (last.get("saved"), last.get("submitted")):
            figures += 1
    decisions = Decision.objects.filter(done=False, due_date__lte=today + datetime.timedelta(days=7)).filter(
        Q(activity__partnership__in=coordinated) | Q(activity__structure__in=structures)
    )
    centres = user.memberships.filter(role__in=CENTRE_ROLES, structure__kind="centre-ecoute").values(
        "structure"
    )
    open_cases = Case.objects.filter(structure__in=centres).exclude(status="clos")
    stale = 0
    for case in open_cases.filter(assigned_to=user):
        dates = [case.opened_on]
        for model in (ListeningSession, Note, Referral):
            dates += list(model.objects.filter(case=case).values_list("date", flat=True))
        stale += (today - max(dates)).days >= 14
    referrals = 0
    for referral in Referral.objects.filter(case__in=open_cases).filter(
        Q(case__assigned_to=user) | Q(by=user)
    ):
        coordinator = user.memberships.filter(role=Role.CENTRE_COORDINATOR, structure=referral.case.structure)
        if referral.case.assigned_to_id != user.pk and not coordinator.exists():
            continue  # a referral she made in a case she no longer sees
        later = [
            model.objects.filter(case=referral.case, date__gt=referral.date).exists()
            for model in (ListeningSession, Note)
        ]
        referrals += (today - referral.date).days >= 14 and not any(later)
    forums = Forum.objects.filter(
        partnership__in=managed,
        date__gte=today,
        date__lte=today + datetime.timedelta(days=6),
        phase__in=["propositions", "recevabilite", "deliberation", "vote"],
    )
    jobs = Job.objects.filter(
        user=user,
        kind__in=["import", "export"],
        status__in=["done", "failed"],
        finished_at__gte=timezone.now() - datetime.timedelta(days=7),
    )
    staffed = [  # a network's officer or a platform admin staffs a partnership with no coordinator
        p.pk
        for p in Partnership.objects.all()
        if not p.memberships.filter(role=Role.COORDINATOR, user__is_active=True).exists()
        and (
            user.is_superuser
            or user.memberships.filter(role=Role.NETWORK_OFFICER, network=p.network_id).exists()
        )
    ]
    invitations = Invitation.objects.filter(
        accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).filter(Q(partnership__in=managed) | Q(partnership__in=staffed, role=Role.COORDINATOR))
    collected = Submission.objects.filter(status="waiting").exclude(structure__kind="centre-ecoute")
    collected = collected.filter(Q(partnership__in=coordinated) | Q(structure__in=structures))
    managers = user.memberships.filter(role__in=[Role.OFFICE_AGENT, Role.EDUCATOR, Role.CENTRE_COORDINATOR])
    late = (
        Milestone.objects.filter(done_on=None, due__lt=today)
        .exclude(project__stage__in=["cloture", "abandonne"])
        .filter(
            Q(project__partnership__in=managed)
            | Q(project__structure__in=managers.exclude(structure=None).values("structure"))
        )
    )
    return {
        "figures": figures,
        "decisions": decisions.distinct().count(),
        "cases": stale,
        "referrals": referrals,
        "forums": forums.count(),
        "jobs": jobs.count(),
        "invitations": invitations.count(),
        "submissions": collected.count(),
        "milestones": late.distinct().count(),
    }


@pytest.mark.parametrize("name", [*PERSONAS, *OTHER_PERSONAS, "outsider"])
def test_my_work_equals_the_raw_rows_for_each_persona(name, world, client_for):
    user = world["users"][name]
    today = timezone.localdate()
    expected = raw_counts(user, today)
    assert counts(user, today) == expected
    html = client_for(name).get(reverse("work:mine")).content.decode()
    if not any(expected.values()):
        assert "Rien ne vous attend." in html
    for waiting in waiting_for(user, today):
        for item in waiting.items:
            assert f'href="{item.url}"' in html


def test_the_demo_has_each_kind_of_waiting_work(world):
    """Issue 16, item 5: the coordinator has a figure to approve (entered by someone else), a
    committee decision due, a forum phase ending this week and a failed import; the listener a case
    without follow-up and a referral without feedback."""
    from demo.world import load_jobs

    load_jobs(world["partnership"])  # `load_demo` adds them; the test world starts without jobs
    users, today = world["users"], timezone.localdate()
    coordination, ecoute = counts(users["coordination"], today), counts(users["ecoute"], today)
    kinds = ("figures", "decisions", "forums", "jobs", "invitations", "milestones")
    assert all(coordination[kind] >= 1 for kind in kinds)
    assert coordination["cases"] == coordination["referrals"] == 0
    assert ecoute["cases"] >= 1 and ecoute["referrals"] >= 1
    failed = Job.objects.get(user=users["coordination"], status="failed")
    assert reverse("reports:job", kwargs={"slug": failed.partnership.slug, "pk": failed.pk}) in str(
        waiting_for(users["coordination"], today)
    )


def test_a_figure_she_entered_herself_is_not_hers_to_approve(world):
    from programme import actions

    coordination = world["users"]["coordination"]
    figure = Measurement.objects.get(status="submitted", indicator__code="R4.1")
    assert counts(coordination)["figures"] == 1
    actions.reject_measurement(figure, coordination, "Recompter la parcelle sud")
    figure.refresh_from_db()
    actions.save_measurement(figure.indicator, 2025, "T", 1900, coordination)
    actions.submit_measurement(figure, world["users"]["jour"])
    assert counts(coordination)["figures"] == 0  # she saved the value last: someone else approves


@pytest.fixture
def centre_world(small_world):
    """Two listeners of one centre, its coordinator, and a case of each listener without follow-up."""
    partnership = small_world["partnership"]
    users = small_world["users"]
    other_listener = persona("ecoute", partnership)
    centre = users["ecoute"].memberships.get(role=Role.LISTENER).structure
    assert other_listener.memberships.get(role=Role.LISTENER).structure == centre
    opened = datetime.date(2025, 3, 4)
    hers = CaseFactory(structure=centre, by=users["ecoute"], opened_on=opened, consent_referral=True)
    theirs = CaseFactory(structure=centre, by=other_listener, opened_on=opened, consent_referral=True)
    return {**small_world, "centre": centre, "hers": hers, "theirs": theirs, "other_listener": other_listener}


@pytest.mark.small_world
def test_a_listener_sees_her_own_cases_never_another_listeners(centre_world, client):
    users, hers, theirs = centre_world["users"], centre_world["hers"], centre_world["theirs"]
    listed = waiting_for(users["ecoute"])[2]
    assert listed.kind == "cases" and [item.text.split(" ")[1] for item in listed.items] == [hers.code]
    client.force_login(users["ecoute"])
    from conftest import verify_second_factor

    verify_second_factor(client, users["ecoute"])
    html = client.get(reverse("work:mine")).content.decode()
    assert hers.code in html and theirs.code not in html
    assert counts(centre_world["other_listener"])["cases"] == 1
    # The centre coordinator sees every case in the centre, but "her cases without follow-up" are
    # those assigned to her: none here.
    assert counts(users["centre"])["cases"] == 0


@pytest.mark.small_world
@pytest.mark.parametrize("name", ["coordination", "accueil", "jour", "jette", "reseau", "admin", "outsider"])
def test_nobody_outside_the_centre_gets_a_case_line(name, centre_world):
    hers = centre_world["hers"]
    ReferralFactory(case=hers, date=datetime.date(2025, 3, 6))
    user = centre_world["users"][name]
    waiting = counts(user)
    assert waiting["cases"] == waiting["referrals"] == 0
    assert hers.code not in str(waiting_for(user))


@pytest.mark.small_world
def test_a_follow_up_takes_the_case_off_and_feedback_takes_the_referral_off(centre_world):
    ecoute, hers = centre_world["users"]["ecoute"], centre_world["hers"]
    today = timezone.localdate()
    ReferralFactory(case=hers, date=today - datetime.timedelta(days=20))
    assert counts(ecoute, today)["referrals"] == 1
    assert counts(ecoute, today)["cases"] == 1  # the referral was her last follow-up, 20 days ago
    NoteFactory(case=hers, date=today - datetime.timedelta(days=2))  # the partner's answer taken down
    assert counts(ecoute, today)["referrals"] == 0
    assert counts(ecoute, today)["cases"] == 0
    ListeningSessionFactory(case=hers, date=today)
    assert counts(ecoute, today + datetime.timedelta(days=13))["cases"] == 0
    assert counts(ecoute, today + datetime.timedelta(days=14))["cases"] == 1


@pytest.mark.small_world
def test_the_number_of_days_is_a_setting(centre_world, settings):
    ecoute, hers = centre_world["users"]["ecoute"], centre_world["hers"]
    today = hers.opened_on + datetime.timedelta(days=20)
    assert counts(ecoute, today)["cases"] == 1
    settings.WORK_FOLLOW_UP_DAYS = 30
    assert counts(ecoute, today)["cases"] == 0


@pytest.mark.small_world
def test_listing_her_cases_writes_no_access_log_opening_one_does(centre_world, client):
    from conftest import verify_second_factor

    ecoute, hers = centre_world["users"]["ecoute"], centre_world["hers"]
    client.force_login(ecoute)
    verify_second_factor(client, ecoute)
    before = AccessLog.objects.count()
    assert hers.code in client.get(reverse("work:mine")).content.decode()
    assert AccessLog.objects.count() == before
    url = reverse("cases:case", kwargs={"slug": hers.partnership.slug, "code": hers.code})
    assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(case_id=hers.pk).count() == 1


@pytest.mark.small_world
def test_decisions_and_forums_wait_for_the_coordinator_of_their_partnership_only(small_world):
    partnership, users = small_world["partnership"], small_world["users"]
    today = timezone.localdate()
    from activities.tests.factories import ActivityFactory

    committee = ActivityFactory(partnership=partnership, kind=Activity.Kind.COMMITTEE, date=today)
    Decision.objects.create(activity=committee, text="Ouvrir le centre le samedi", due_date=today)
    Decision.objects.create(
        activity=committee, text="Plus tard", due_date=today + datetime.timedelta(days=30)
    )
    Decision.objects.create(activity=committee, text="Fait", due_date=today, done=True)
    Forum.objects.create(
        partnership=partnership, slug="cette-semaine", title="Forum de la semaine", date=today, place="Ici"
    )
    Forum.objects.create(
        partnership=partnership,
        slug="resultats",
        title="Forum aux résultats",
        date=today,
        place="Ici",
        phase=Phase.RESULTS,
    )
    coordination = counts(users["coordination"], today)
    assert (coordination["decisions"], coordination["forums"]) == (1, 1)
    for name in ("autre_coordination", "jette", "ecoute", "outsider"):
        waiting = counts(users[name], today)
        assert (waiting["decisions"], waiting["forums"]) == (0, 0), name


@pytest.mark.small_world
def test_late_milestones_wait_for_who_manages_their_project_only(world, client_for):
    """A milestone past its due date and not reached waits for who manages its project: the
    coordination for every project, a structure's staff for her structure's; not when reached, due
    today, or its project closed. Its line leads to the project's page."""
    from projects.actions import create_project
    from projects.models import Project, Stage

    partnership, users = world["partnership"], world["users"]
    today = timezone.localdate()
    day_centre = partnership.structures.get(kind="centre-jour")
    common = create_project(partnership, title="Aire de jeux", origin="commune")
    own = create_project(partnership, title="Atelier cuisine", origin="partenaire", structure=day_centre)
    closed = create_project(partnership, title="Fini", origin="commune")
    Project.objects.filter(pk=closed.pk).update(stage=Stage.CLOSED)
    past = today - datetime.timedelta(days=3)
    Milestone.objects.create(project=common, title="Devis", due=past)
    Milestone.objects.create(project=own, title="Achats", due=past)
    Milestone.objects.create(project=own, title="Atteint", due=past, done_on=past)
    Milestone.objects.create(project=own, title="Aujourd'hui", due=today)
    Milestone.objects.create(project=closed, title="Oublié", due=past)
    expected = {"coordination": 2, "jour": 1, "accueil": 0, "centre": 0, "ecoute": 0, "jette": 0}
    expected |= {"admin": 0, "reseau": 0, "autre_coordination": 0, "outsider": 0}
    for name, n in expected.items():
        assert counts(users[name], today)["milestones"] == n, name
    (waiting,) = [w for w in waiting_for(users["jour"], today) if w.kind == "milestones"]
    url = reverse("projects:detail", kwargs={"slug": partnership.slug, "pk": own.pk})
    assert [item.url for item in waiting.items] == [url]
    assert "Achats" in waiting.items[0].text and "en retard" in waiting.items[0].text
    assert f'href="{url}"' in client_for("jour").get(reverse("work:mine")).content.decode()


def test_the_home_page_fetches_my_work_and_links_to_it_without_javascript(client_for):
    html = client_for("coordination").get(reverse("core:home")).content.decode()
    assert f'hx-get="{reverse("work:mine")}?fragment=1"' in html
    assert f'href="{reverse("work:mine")}"' in html
    fragment = client_for("coordination").get(reverse("work:mine") + "?fragment=1").content.decode()
    assert "<html" not in fragment and "Chiffres à approuver" in fragment
    assert "Rien ne vous attend." in client_for("outsider").get(reverse("work:mine")).content.decode()


def test_my_work_in_arabic_is_right_to_left(client_for):
    client = client_for("coordination")
    assert client.post(reverse("set_language"), {"language": "ar", "next": "/"}).status_code == 302
    html = client.get(reverse("work:mine")).content.decode()
    assert 'dir="rtl"' in html and "Chiffres à approuver" not in html

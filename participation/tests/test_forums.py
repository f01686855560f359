"""Forums through their pages and actions: phases, proposals, codes, ballots, batches, results, privacy.

On factories (`small_world`): each test makes its forum, written through the actions
(participation/tests/factories.py). One stays on the demo world (`demo_world`): that the demo's
loader is idempotent is a property of the demo itself.
"""

import datetime
import html

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from participation import actions, stats
from participation.counting import BallotRefused
from participation.models import (
    Ballot,
    Forum,
    PaperBatch,
    Phase,
    PhaseChange,
    Proposal,
    VotingCode,
)
from programme.tests.factories import ResultFactory
from projects.models import Project

from .factories import ForumFactory, ProposalFactory, to_the_vote, vote, voting_forum

pytestmark = pytest.mark.small_world

SENTINEL = "contact-sentinelle-0612345678"


@pytest.fixture(autouse=True)
def _fresh_cache(db):  # the cache is a database table (docs/security.md 31)
    cache.clear()
    yield
    cache.clear()


def new_forum(partnership, **kw):
    """A forum open for proposals, approval vote (2 choices, 1 seat)."""
    return ForumFactory(partnership=partnership, **kw)


USED = 3  # ballots already cast in `forum_voting`


@pytest.fixture
def forum_voting(users):
    """A forum in its vote: four admissible proposals, at most 3 choices, 2 seats, `USED` ballots
    cast; its codes for a test: `fresh_codes(forum, n)`."""
    forum = voting_forum(users["coordination"], costs=[3000, 5000, 8000, 12000], max_choices=3, seats=2)
    first = forum.proposals.order_by("number").first()
    for _ in range(USED):
        vote(forum, [first])
    return forum


def fresh_codes(forum, count=1):
    return actions.issue_codes(forum, count)


def proposal_data(**kw):
    data = {
        "title": "Fresque au lycée",
        "description": "Une fresque peinte par les jeunes.",
        "category": "culture",
        "estimated_cost": "3000",
        "sex": "F",
        "age_band": "18-24",
        "contact": SENTINEL,
        "site_web": "",
    }
    data.update(kw)
    return data


def public_url(name, forum):
    return reverse(f"forums:{name}", kwargs={"slug": forum.partnership.slug, "pk": forum.pk})


def staff_url(name, forum, **kw):
    return reverse(f"participation:{name}", kwargs={"slug": forum.partnership.slug, "pk": forum.pk, **kw})


# Proposals, privacy and anti-abuse


def test_a_young_person_proposes_without_an_account_and_the_contact_is_encrypted(partnership, client):
    forum = new_forum(partnership)
    response = client.post(public_url("propose", forum), proposal_data())
    assert response.status_code == 200
    assert "numéro 1" in response.content.decode()
    proposal = forum.proposals.get()
    assert proposal.contact == SENTINEL and proposal.source == "en-ligne"
    with connection.cursor() as cursor:
        cursor.execute("select contact from participation_proposal where id = %s", [proposal.pk])
        raw = cursor.fetchone()[0]
    assert SENTINEL not in raw and raw.startswith("enc1:")


def test_public_pages_and_other_personas_never_show_a_proposers_contact(partnership, users, client_for):
    forum = new_forum(partnership)
    client_for("anonymous").post(public_url("propose", forum), proposal_data())
    proposal = forum.proposals.get()
    coordination = client_for("coordination")
    page = coordination.get(staff_url("proposal_decide", forum, number=1)).content.decode()
    assert SENTINEL in page  # the coordinator, and only her, reads it
    forum.phase = Phase.REVIEW
    forum.save()
    actions.decide_admissibility(proposal, users["coordination"], admissible=True, reason="ok")
    for phase in Phase.values:
        forum.phase = phase
        forum.save()
        for name in ("list", "forum", "propose", "vote", "results", "results_csv"):
            kwargs = (
                {"slug": partnership.slug} if name == "list" else {"slug": partnership.slug, "pk": forum.pk}
            )
            body = client_for("anonymous").get(reverse(f"forums:{name}", kwargs=kwargs)).content.decode()
            assert SENTINEL not in body, (phase, name)
    for persona in ("jette", "accueil", "jour", "admin"):
        client = client_for(persona)
        for url in (staff_url("forum", forum), staff_url("proposal_decide", forum, number=1)):
            assert SENTINEL not in client.get(url).content.decode()


def test_the_honeypot_keeps_nothing_but_answers_as_usual(partnership, client):
    forum = new_forum(partnership)
    response = client.post(public_url("propose", forum), proposal_data(site_web="http://spam.example"))
    assert response.status_code == 200 and "Merci" in response.content.decode()
    assert not forum.proposals.exists()


def test_proposals_are_rate_limited_per_ip(partnership, client):
    forum = new_forum(partnership)
    for _ in range(5):
        assert client.post(public_url("propose", forum), proposal_data()).status_code == 200
    response = client.post(public_url("propose", forum), proposal_data())
    assert response.status_code == 429 and "Trop de propositions" in response.content.decode()
    assert forum.proposals.count() == 5
    other_ip = client.post(public_url("propose", forum), proposal_data(), REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 200


def test_a_bad_proposal_gets_clear_errors_not_a_500(partnership, client):
    forum = new_forum(partnership)
    response = client.post(public_url("propose", forum), proposal_data(estimated_cost="-5", category="nope"))
    assert response.status_code == 200
    assert not forum.proposals.exists()
    assert "error" in response.content.decode()


def test_an_officer_types_a_paper_form(partnership, client_for, users):
    forum = new_forum(partnership)
    response = client_for("jour").post(
        staff_url("proposal_paper", forum), proposal_data(sex="X", age_band="nr")
    )
    assert response.status_code == 302
    proposal = forum.proposals.get()
    assert proposal.source == "papier" and proposal.entered_by == users["jour"]


# Phases


def test_phases_move_one_step_at_a_time_and_reopening_is_explicit_and_logged(partnership, users, client_for):
    coordination = users["coordination"]
    forum = new_forum(partnership)
    actions.submit_proposal(forum, **{k: v for k, v in proposal_data().items() if k != "site_web"})
    actions.advance_phase(forum, coordination)
    forum.refresh_from_db()
    assert forum.phase == Phase.REVIEW
    with pytest.raises(ValidationError, match="attendent encore une décision"):
        actions.advance_phase(forum, coordination)
    # a reopening without a reason is refused
    with pytest.raises(ValidationError, match="motif"):
        actions.reopen_phase(forum, coordination, Phase.PROPOSALS, "  ")
    # no "reopening" to a later phase (skipping ahead)
    with pytest.raises(ValidationError, match="antérieure"):
        actions.reopen_phase(forum, coordination, Phase.VOTING, "pour voir")
    client = client_for("coordination")
    response = client.post(
        staff_url("forum_phase", forum), {"reopen": "1", "phase": "propositions", "reason": "Oubli"}
    )
    assert response.status_code == 302
    forum.refresh_from_db()
    assert forum.phase == Phase.PROPOSALS
    change = PhaseChange.objects.filter(forum=forum).last()
    assert change.reopening and change.reason == "Oubli" and change.by == coordination
    # the public form follows the phase
    forum.phase = Phase.REVIEW
    forum.save()
    closed = client_for("anonymous").post(public_url("propose", forum), proposal_data())
    assert closed.status_code == 403 and "closes" in closed.content.decode()
    assert forum.proposals.count() == 1


def test_a_decision_needs_a_public_reason_and_the_review_phase(partnership, users, client_for):
    forum = new_forum(partnership)
    proposal = actions.submit_proposal(forum, **{k: v for k, v in proposal_data().items() if k != "site_web"})
    with pytest.raises(ValidationError, match="phase d'examen"):
        actions.decide_admissibility(proposal, users["coordination"], admissible=True, reason="ok")
    forum.phase = Phase.REVIEW
    forum.save()
    proposal.refresh_from_db()
    client = client_for("coordination")
    url = staff_url("proposal_decide", forum, number=1)
    assert client.post(url, {"admissible": "0", "reason": "", "version": proposal.version}).status_code == 200
    client.post(
        url, {"admissible": "0", "reason": "Hors du territoire de la commune.", "version": proposal.version}
    )
    proposal.refresh_from_db()
    assert proposal.status == "irrecevable"
    forum.phase = Phase.DELIBERATION
    forum.save()
    page = client_for("anonymous").get(public_url("forum", forum)).content.decode()
    assert "Hors du territoire de la commune." in page


def test_read_only_personas_cannot_change_anything(forum_voting, client_for):
    forum = forum_voting
    assert client_for("jette").post(staff_url("forum_phase", forum)).status_code == 404
    assert client_for("accueil").post(staff_url("forum_phase", forum)).status_code == 404
    assert client_for("jette").post(staff_url("batches", forum)).status_code == 404
    forum.refresh_from_db()
    assert forum.phase == Phase.VOTING and not forum.batches.exists()


def test_another_partnership_reaches_nothing_of_the_forums(forum_voting, world, client_for):
    forum = forum_voting
    client = client_for("autre_coordination")
    assert client.get(staff_url("forum", forum)).status_code == 404
    other_slug = reverse("participation:forum", kwargs={"slug": world["other"].slug, "pk": forum.pk})
    assert client.get(other_slug).status_code == 404
    assert Forum.objects.visible_to(world["users"]["autre_coordination"]).count() == 0
    assert Forum.objects.visible_to(world["users"]["outsider"]).count() == 0
    assert Proposal.objects.visible_to(world["users"]["reseau"]).count() == 0
    assert Proposal.objects.visible_to(world["users"]["coordination"]).count() == 4  # what is hidden is there


# Codes and ballots


def test_codes_are_printed_once_and_only_their_hash_is_kept(forum_voting, client_for):
    forum = forum_voting
    before = forum.codes.count()
    response = client_for("coordination").post(staff_url("codes", forum), {"count": "5"})
    body = response.content.decode()
    assert response.status_code == 200 and 'class="codes"' in body
    printed = [chunk.split("<")[0] for chunk in body.split('<span class="code">')[1:]]
    assert len(printed) == 5 and forum.codes.count() == before + 5
    stored = set(VotingCode.objects.filter(forum=forum).values_list("code_hash", flat=True))
    assert not any(code.replace("-", "") in "".join(stored) for code in printed)
    assert actions.code_hash(forum, printed[0]) in stored
    assert actions.code_hash(forum, printed[0].lower()) in stored  # case and dash do not matter


def test_a_code_votes_once_online(forum_voting, client):
    forum = forum_voting
    (code,) = fresh_codes(forum)
    first = forum.proposals.first()
    url = public_url("vote", forum)
    response = client.post(url, {"code": code, "choices": [first.pk], "sex": "F", "age_band": "18-24"})
    assert response.status_code == 200 and "vote est enregistré" in response.content.decode()
    again = client.post(url, {"code": code, "choices": [first.pk], "sex": "X", "age_band": "nr"})
    assert again.status_code == 400 and "déjà servi" in again.content.decode()
    assert Ballot.objects.filter(forum=forum).count() == USED + 1
    wrong = client.post(url, {"code": "AAAA-AAAA", "choices": [first.pk], "sex": "X", "age_band": "nr"})
    assert "n'existe pas" in html.unescape(wrong.content.decode())


def test_a_code_votes_once_whatever_the_channel(users):
    forum = voting_forum(users["coordination"])
    used = fresh_codes(forum, 3)
    ids = [forum.proposals.first().pk]
    for code in used:
        actions.cast_ballot(forum, code, ids)
    (code,) = fresh_codes(forum)
    batch = PaperBatch.objects.create(forum=forum, entered_by=users["jour"])
    actions.cast_ballot(forum, code, ids, batch=batch)
    with pytest.raises(BallotRefused, match="déjà servi"):
        actions.cast_ballot(forum, code, ids)
    for code in used:
        with pytest.raises(BallotRefused, match="déjà servi"):
            actions.cast_ballot(forum, code, ids)


def test_a_ballot_over_the_limit_is_refused_with_a_clear_message(forum_voting, client):
    forum = forum_voting
    (code,) = fresh_codes(forum)
    four = list(forum.proposals.values_list("pk", flat=True)[:4])
    response = client.post(
        public_url("vote", forum), {"code": code, "choices": four, "sex": "X", "age_band": "nr"}
    )
    assert response.status_code == 400
    assert "Vous avez choisi 4 projets : ce vote en permet au plus 3." in response.content.decode()
    assert Ballot.objects.filter(forum=forum).count() == USED
    # the code was not spent by the refused ballot
    assert actions.cast_ballot(forum, code, four[:3])


def test_a_budget_ballot_over_the_budget_is_refused(users):
    forum = voting_forum(users["coordination"], costs=[6000, 5000], rule="budget", budget=10_000)
    code = actions.issue_codes(forum, 1)[0]
    with pytest.raises(BallotRefused, match="11000 DH, au-delà du budget de 10000 DH"):
        actions.cast_ballot(forum, code, list(forum.proposals.values_list("pk", flat=True)))


def test_voting_outside_the_voting_phase_is_refused(forum_voting, client):
    forum = forum_voting
    (code,) = fresh_codes(forum)
    forum.phase = Phase.RESULTS
    forum.save()
    response = client.post(
        public_url("vote", forum), {"code": code, "choices": [], "sex": "X", "age_band": "nr"}
    )
    assert response.status_code == 403 and "pas ouvert" in response.content.decode()
    assert Ballot.objects.filter(forum=forum).count() == USED


def test_votes_are_rate_limited_per_ip(forum_voting, client):
    forum = forum_voting
    for _ in range(20):
        client.post(
            public_url("vote", forum), {"code": "ZZZZ-ZZZZ", "choices": [], "sex": "X", "age_band": "nr"}
        )
    response = client.post(
        public_url("vote", forum), {"code": fresh_codes(forum)[0], "sex": "X", "age_band": "nr"}
    )
    assert response.status_code == 429 and "Trop de tentatives" in response.content.decode()


def test_a_paper_batch_counts_only_after_a_different_user_confirmed_it(forum_voting, users, client_for):
    forum = forum_voting
    before = actions.results(forum)["ballots"]
    jour = client_for("jour")
    response = jour.post(staff_url("batches", forum), {"label": "Urne du lycée"})
    batch = PaperBatch.objects.get(forum=forum, label="Urne du lycée")
    assert response.status_code == 302 and batch.entered_by == users["jour"]
    choice = forum.proposals.first().pk
    for code in fresh_codes(forum, 2):
        r = jour.post(
            staff_url("batch", forum, batch=batch.pk),
            {"code": code, "choices": [choice], "sex": "M", "age_band": "nr"},
        )
        assert r.status_code == 302
    assert actions.results(forum)["ballots"] == before  # not counted yet
    # the officer who typed the lot cannot confirm it, neither by the page nor the action nor the database
    jour.post(staff_url("batch_confirm", forum, batch=batch.pk))
    batch.refresh_from_db()
    assert not batch.confirmed
    with pytest.raises(ValidationError, match="autre agent"):
        actions.confirm_batch(batch, users["jour"])
    with pytest.raises(IntegrityError), transaction.atomic():
        PaperBatch.objects.filter(pk=batch.pk).update(
            confirmed_by=users["jour"], confirmed_at=batch.created_at
        )
    # another officer cannot add ballots to someone else's lot
    r = client_for("accueil").post(
        staff_url("batch", forum, batch=batch.pk), {"code": fresh_codes(forum)[0], "choices": [choice]}
    )
    assert "Seul l'agent" in html.unescape(r.content.decode())
    client_for("accueil").post(staff_url("batch_confirm", forum, batch=batch.pk))
    batch.refresh_from_db()
    assert batch.confirmed and batch.confirmed_by == users["accueil"]
    assert actions.results(forum)["ballots"] == before + 2


def test_results_wait_for_every_batch_to_be_checked(forum_voting, users):
    forum = forum_voting
    PaperBatch.objects.create(forum=forum, entered_by=users["coordination"])
    with pytest.raises(ValidationError, match="second agent"):
        actions.advance_phase(forum, users["coordination"])


# Results, follow-up, statistics, demo


LIBRARY = "Bibliothèque de quartier à la maison de la création"


@pytest.fixture
def forum_counted(partnership, users):
    """A forum whose vote is over: the library (25000 DH) has 35 votes and wins the one seat, the
    mural (3000 DH) 10; 4 of the 35 voters did not give their age."""
    forum = ForumFactory(partnership=partnership, seats=1)
    library = ProposalFactory(forum=forum, title=LIBRARY, estimated_cost=25000)
    mural = ProposalFactory(forum=forum, title="Fresque au lycée", estimated_cost=3000)
    forum = to_the_vote(forum, users["coordination"])
    for n in range(35):
        vote(
            forum,
            [library, mural] if n < 10 else [library],
            sex="FM"[n % 2],
            age_band="nr" if n < 4 else "18-24",
        )
    actions.advance_phase(forum, users["coordination"])  # the results
    return forum


def test_results_page_shows_votes_turnout_rule_and_csv(forum_counted, client):
    forum = forum_counted
    response = client.get(public_url("results", forum))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Bibliothèque de quartier" in body and 'class="winner"' in body
    assert "Départage des égalités" in body
    assert "< 5" in body  # the 4 voters of unknown age
    assert len(response.content) < 100_000 and "<img" not in body
    csv = client.get(public_url("results_csv", forum))
    text = csv.content.decode()
    assert csv["Content-Type"].startswith("text/csv")
    assert f"{LIBRARY},25000,35,oui" in text
    assert "Fresque au lycée,3000,10,non" in text
    assert "participation_age,nr,non renseigné,,< 5," in text


def test_results_are_not_published_before_the_vote_ends(partnership, users, client):
    forum = ForumFactory(partnership=partnership)
    ProposalFactory(forum=forum, title=LIBRARY)
    forum = to_the_vote(forum, users["coordination"])
    vote(forum, forum.proposals.all())
    assert "Bibliothèque" not in client.get(public_url("results", forum)).content.decode()
    assert client.get(public_url("results_csv", forum)).status_code == 404


def test_follow_up_creates_a_project_per_winner_tied_to_r3(forum_voting, partnership, users, client_for):
    forum = forum_voting
    ResultFactory(partnership=partnership, code="R3")
    ResultFactory(partnership=partnership, code="R1")
    second = forum.proposals.order_by("number")[1]
    vote(forum, [second])
    actions.advance_phase(forum, users["coordination"])
    actions.advance_phase(forum, users["coordination"])
    projects = Project.objects.filter(proposal__forum=forum)
    winners = actions.results(forum)["winner_ids"]
    assert sorted(p.proposal.pk for p in projects) == sorted(winners) and len(winners) == 2
    for project in projects:
        assert [r.code for r in project.results.all()] == ["R3"]
        assert (project.origin, project.stage, project.title) == ("forum", "idee", project.proposal.title)
        assert [(s.stage, s.by) for s in project.stage_changes.all()] == [("idee", users["coordination"])]
    actions.start_follow_up(forum)  # idempotent: no second project for a winner
    assert Project.objects.filter(proposal__forum=forum).count() == 2
    page = client_for("anonymous").get(public_url("results", forum)).content.decode()
    assert all(p.title in page for p in projects)


def test_participations_count_proposers_and_counted_voters(partnership, users, world):
    coordination = users["coordination"]
    forums = []
    for date, proposers, voters in (
        (datetime.date(2024, 3, 9), "FFM", "FMMXF"),  # 2024: F 4, M 3, X 1
        (datetime.date(2025, 3, 8), "M", "FF"),
    ):
        forum = ForumFactory(partnership=partnership, date=date)
        for sex in proposers:
            ProposalFactory(forum=forum, sex=sex, age_band="nr" if sex == "M" else "18-24")
        forum = to_the_vote(forum, coordination)
        for sex in voters:
            vote(forum, [forum.proposals.first()], sex=sex, age_band="25-35")
        forums.append(forum)
    assert stats.participations(partnership, 2024) == {"F": 4, "M": 3, "X": 1}
    total = stats.participations(partnership)
    assert total == {"F": 6, "M": 4, "X": 1}
    by_age = stats.participations_by_age_band(partnership)
    assert (
        sum(total.values())
        == sum(by_age.values())
        == Proposal.objects.filter(forum__partnership=partnership).count()
        + Ballot.objects.filter(forum__partnership=partnership).counted().count()
    )
    forum = forums[-1]
    batch = PaperBatch.objects.create(forum=forum, entered_by=users["jour"])
    vote(forum, sex="F", batch=batch)
    assert stats.participations(partnership) == total  # unconfirmed paper ballots do not count
    actions.confirm_batch(batch, users["coordination"])
    assert stats.participations(partnership)["F"] == total["F"] + 1

    assert stats.participations(world["other"]) == {"F": 0, "M": 0, "X": 0}


@pytest.mark.demo_world
def test_the_demo_loader_is_idempotent(partnership):
    from demo import participation as demo

    counts = (
        Forum.objects.count(),
        Proposal.objects.count(),
        Ballot.objects.count(),
        VotingCode.objects.count(),
    )
    demo.load(partnership)
    assert counts == (
        Forum.objects.count(),
        Proposal.objects.count(),
        Ballot.objects.count(),
        VotingCode.objects.count(),
    )
    assert Forum.objects.get(slug="forum-2024").phase == Phase.FOLLOW_UP
    assert Forum.objects.get(slug="forum-2026").phase == Phase.VOTING
    assert Forum.objects.get(slug=demo.OPEN_FORUM).phase == Phase.PROPOSALS  # a visitor can propose
    assert Project.objects.filter(proposal__forum__slug="forum-2024").count() == 3


def test_the_forum_list_is_paginated_with_few_queries(partnership, client_for, django_assert_max_num_queries):
    for i in range(25):
        new_forum(partnership, slug=f"f-{i}", title=f"Forum {i}")
    client = client_for("coordination")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("participation:forums", kwargs={"slug": partnership.slug}))
    assert response.status_code == 200 and "Suivants" in response.content.decode()


def test_a_forum_date_reaches_the_date_picker_in_iso_whatever_the_language(partnership):
    from django.utils import translation

    from participation.forms import ForumForm

    forum = new_forum(partnership, date=datetime.date(2026, 3, 14))
    with translation.override("fr"):
        html = str(ForumForm(instance=forum)["date"])
    assert f'value="{forum.date.isoformat()}"' in html  # not "14/03/2026", which the picker shows empty

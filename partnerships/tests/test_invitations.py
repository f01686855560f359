"""Issue 16: the coordinator staffs her partnership alone — invitations by e-mail, roles, deactivation,
and the access log — and never opens the listening centre (docs/security.md 26)."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.tests.factories import CaseFactory
from conftest import PASSWORD
from partnerships import actions
from partnerships.models import Invitation, Membership, Role, RoleLog, Structure
from partnerships.tests.factories import PartnershipFactory, StructureFactory, persona
from partnerships.tests.test_centre_roles import NEW_PASSWORD, signed_in
from people.tests.factories import PersonFactory

pytestmark = pytest.mark.small_world

SITE = "http://testserver"


def can_sign_in(username: str, password: str) -> bool:
    """Whether the sign-in page lets her in (it redirects) with this password."""
    response = Client().post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302


def structure(partnership, kind) -> Structure:
    return partnership.structures.get(kind=kind)


def team_url(name: str, partnership, **kwargs) -> str:
    return reverse(f"partnerships:{name}", kwargs={"slug": partnership.slug, **kwargs})


def link_in(message) -> str:
    """The acceptance link of an invitation e-mail, as a path."""
    found = re.search(r"http://testserver(/comptes/invitation/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def invite(actor, partnership, email="nouvelle@example.org", role=Role.EDUCATOR, where=None) -> Invitation:
    if where is None and role in (Role.EDUCATOR, Role.OFFICE_AGENT):
        where = structure(partnership, Structure.Kind.DAY_CENTRE)
    return actions.invite(actor, partnership, email, role, where, base_url=SITE)


def token_of(email: str) -> str:
    """The raw token of the last e-mail sent to `email` (the database holds only its hash)."""
    message = [m for m in mail.outbox if email in m.to][-1]
    return link_in(message).rstrip("/").rsplit("/", 1)[1]


def test_invitation_email_link_password_and_she_is_in(partnership, coordination, jour):
    mail.outbox.clear()
    day_centre = structure(partnership, Structure.Kind.DAY_CENTRE)
    response = signed_in(coordination).post(
        team_url("invite", partnership),
        {"email": "Nouvelle@Example.org", "role": Role.EDUCATOR, "structure": day_centre.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == team_url("team", partnership)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Nouvelle@Example.org"]
    assert partnership.name in message.subject
    path = link_in(message)
    raw = path.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get(partnership=partnership)
    assert raw not in invitation.token_hash
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - datetime.timedelta(hours=72)) < datetime.timedelta(seconds=5)

    # The coordinator sees it pending on her team page.
    page = signed_in(coordination).get(team_url("team", partnership))
    assert "Nouvelle@Example.org" in page.content.decode()

    visitor = Client()
    assert visitor.get(path).status_code == 200
    refused = visitor.post(path, {"username": "nouvelle", "password1": "court", "password2": "court"})
    assert refused.status_code == 400
    assert not User.objects.filter(username="nouvelle").exists()
    response = visitor.post(
        path, {"username": "nouvelle", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == team_url("detail", partnership)
    user = User.objects.get(username="nouvelle")
    assert user.email.lower() == "nouvelle@example.org"
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(user=user, role=Role.EDUCATOR, structure=day_centre).exists()
    assert visitor.get(team_url("detail", partnership)).status_code == 200
    # She signs in again later with what she chose.
    assert can_sign_in("nouvelle", NEW_PASSWORD)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_by == user
    actions_logged = list(
        RoleLog.objects.filter(partnership_id=partnership.pk).values_list("action", flat=True)
    )
    assert actions_logged == [RoleLog.Action.INVITATION_ACCEPTED, RoleLog.Action.INVITED]


def test_expired_revoked_used_and_unknown_links_are_refused(partnership, coordination):
    expired = invite(coordination, partnership, "perimee@example.org")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    revoked = invite(coordination, partnership, "revoquee@example.org")
    actions.revoke_invitation(coordination, revoked)
    used = invite(coordination, partnership, "utilisee@example.org")
    actions.accept_invitation(token_of("utilisee@example.org"), "utilisee", NEW_PASSWORD)
    form = {"username": "quelqu-une", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    for email, reason in [
        ("perimee@example.org", "expiré"),
        ("revoquee@example.org", "révoquée"),
        ("utilisee@example.org", "déjà été acceptée"),
    ]:
        path = reverse("invitations:accept", kwargs={"token": token_of(email)})
        response = Client().get(path)
        assert response.status_code == 410
        assert reason in response.content.decode()
        assert Client().post(path, form).status_code == 410
        with pytest.raises(ValidationError):
            actions.accept_invitation(token_of(email), "quelqu-une", NEW_PASSWORD)
    assert not User.objects.filter(username="quelqu-une").exists()
    assert Client().get(reverse("invitations:accept", kwargs={"token": "inconnu"})).status_code == 404
    assert Membership.objects.filter(user__username="utilisee").count() == 1
    assert used.pk and expired.pk


def test_a_coordinator_invites_only_into_her_partnership_and_never_to_a_centre_role(
    partnership, world, coordination, autre_coordination
):
    other = world["other"]
    centre = structure(partnership, Structure.Kind.LISTENING_CENTRE)
    with pytest.raises(ValidationError):
        invite(autre_coordination, partnership, "x@example.org")
    assert signed_in(autre_coordination).get(team_url("invite", partnership)).status_code == 404
    assert (
        signed_in(autre_coordination)
        .post(team_url("invite", partnership), {"email": "x@example.org", "role": Role.COORDINATOR})
        .status_code
        == 404
    )
    for role in (Role.LISTENER, Role.CENTRE_COORDINATOR):
        with pytest.raises(ValidationError, match="centre d'écoute"):
            actions.invite(coordination, partnership, "x@example.org", role, centre, base_url=SITE)
        response = signed_in(coordination).post(
            team_url("invite", partnership), {"email": "x@example.org", "role": role, "structure": centre.pk}
        )
        assert response.status_code == 400
    # Not even a non-centre role inside the listening centre, nor a structure of another partnership.
    with pytest.raises(ValidationError):
        actions.invite(coordination, partnership, "x@example.org", Role.EDUCATOR, centre, base_url=SITE)
    with pytest.raises(ValidationError):
        actions.invite(
            coordination, partnership, "x@example.org", Role.EDUCATOR, other.structures.first(), base_url=SITE
        )
    # One pending invitation per address.
    invite(coordination, partnership, "x@example.org")
    with pytest.raises(ValidationError, match="attend déjà"):
        invite(coordination, partnership, "X@example.org", Role.PARTNER_OFFICER)
    assert not Invitation.objects.filter(role__in=[Role.LISTENER, Role.CENTRE_COORDINATOR]).exists()
    assert Invitation.objects.filter(partnership=partnership).count() == 1


def test_a_coordinator_cannot_change_roles_in_another_partnership_nor_centre_roles(
    partnership, world, coordination, autre_coordination, ecoute, jour
):
    other = world["other"]
    theirs = Membership.objects.get(user=autre_coordination, partnership=other)
    with pytest.raises(ValidationError):
        actions.change_role(coordination, theirs, Role.PARTNER_OFFICER)
    with pytest.raises(ValidationError):
        actions.remove_role(coordination, theirs)
    with pytest.raises(ValidationError):
        actions.deactivate_account(coordination, other, autre_coordination)
    client = signed_in(coordination)
    for name in ("role_change", "role_remove", "deactivate"):
        assert client.post(team_url(name, partnership, pk=theirs.pk)).status_code == 404
        assert client.post(team_url(name, other, pk=theirs.pk)).status_code == 404
    listener = Membership.objects.get(user=ecoute, role=Role.LISTENER)
    with pytest.raises(ValidationError):
        actions.remove_role(coordination, listener)
    with pytest.raises(ValidationError):
        actions.deactivate_account(coordination, partnership, ecoute)
    assert client.post(team_url("role_remove", partnership, pk=listener.pk)).status_code == 404
    educator = Membership.objects.get(user=jour, role=Role.EDUCATOR)
    centre = structure(partnership, Structure.Kind.LISTENING_CENTRE)
    with pytest.raises(ValidationError):
        actions.change_role(coordination, educator, Role.LISTENER, centre)
    response = client.post(
        team_url("role_change", partnership, pk=educator.pk), {"role": Role.LISTENER, "structure": centre.pk}
    )
    assert response.status_code == 400
    ecoute.refresh_from_db()
    assert ecoute.is_active and Membership.objects.filter(pk__in=[theirs.pk, listener.pk]).count() == 2
    assert Membership.objects.get(pk=educator.pk).role == Role.EDUCATOR


@pytest.mark.parametrize("name", ["accueil", "jour", "ecoute", "centre", "jette", "reseau", "outsider"])
def test_nobody_else_invites_while_the_partnership_has_a_coordinator(partnership, users, name):
    user = users[name]
    assert signed_in(user).get(team_url("invite", partnership)).status_code == 404
    assert signed_in(user).get(team_url("team", partnership)).status_code == 404
    with pytest.raises(ValidationError):
        invite(user, partnership, "y@example.org", Role.COORDINATOR)
    assert not Invitation.objects.filter(partnership=partnership).exists()


def test_the_network_officer_or_an_admin_invites_the_first_coordinator_only(partnership, reseau, admin):
    new = PartnershipFactory(network=partnership.network)
    StructureFactory(partnership=new, centre_jour=True)
    with pytest.raises(ValidationError):
        invite(reseau, new, "educ@example.org", Role.EDUCATOR)
    assert signed_in(reseau).get(team_url("team", new)).status_code == 404
    response = signed_in(reseau).post(
        team_url("invite", new), {"email": "premiere@example.org", "role": Role.COORDINATOR}
    )
    assert response.status_code == 302
    page = signed_in(admin).get(team_url("invite", new))
    assert page.status_code == 200 and "premiere@example.org" in page.content.decode()
    actions.accept_invitation(token_of("premiere@example.org"), "premiere", NEW_PASSWORD)
    coordinator = User.objects.get(username="premiere")
    assert Membership.objects.filter(user=coordinator, partnership=new, role=Role.COORDINATOR).exists()
    # Staffed: the team is hers now.
    assert signed_in(reseau).get(team_url("invite", new)).status_code == 404
    with pytest.raises(ValidationError):
        invite(admin, new, "seconde@example.org", Role.COORDINATOR)
    assert signed_in(coordinator).get(team_url("team", new)).status_code == 200
    invite(coordinator, new, "educ@example.org", Role.EDUCATOR)


def test_every_change_is_logged_and_shown_newest_first(partnership, coordination, jour, jette):
    invitation = invite(coordination, partnership, "a@example.org")
    actions.revoke_invitation(coordination, invitation)
    educator = Membership.objects.get(user=jour, role=Role.EDUCATOR)
    office = structure(partnership, Structure.Kind.MIGRANT_OFFICE)
    client = signed_in(coordination)
    response = client.post(
        team_url("role_change", partnership, pk=educator.pk),
        {"role": Role.OFFICE_AGENT, "structure": office.pk},
    )
    assert response.status_code == 302
    officer = Membership.objects.get(user=jette, role=Role.PARTNER_OFFICER)
    assert client.post(team_url("role_remove", partnership, pk=officer.pk)).status_code == 302
    assert client.post(team_url("deactivate", partnership, pk=educator.pk)).status_code == 302
    rows = list(RoleLog.objects.filter(partnership_id=partnership.pk))
    assert [(r.action, r.subject_username, r.role) for r in rows] == [
        (RoleLog.Action.DEACTIVATED, jour.username, ""),
        (RoleLog.Action.REMOVED, jette.username, Role.PARTNER_OFFICER),
        (RoleLog.Action.CHANGED, jour.username, Role.OFFICE_AGENT),
        (RoleLog.Action.INVITATION_REVOKED, "a@example.org", Role.EDUCATOR),
        (RoleLog.Action.INVITED, "a@example.org", Role.EDUCATOR),
    ]
    assert all(r.actor_username == coordination.username for r in rows)
    page = client.get(team_url("access_log", partnership)).content.decode()
    assert page.index("compte désactivé") < page.index("rôle retiré") < page.index("invitation envoyée")
    # Append-only: the database refuses to rewrite history.
    with pytest.raises(Exception, match="append-only"):
        RoleLog.objects.filter(pk=rows[0].pk).update(action=RoleLog.Action.GRANTED)


def test_deactivation_ends_access_and_spares_accounts_held_elsewhere(partnership, world, coordination, jour):
    her_client = signed_in(jour)
    assert her_client.get(team_url("detail", partnership)).status_code == 200
    educator = Membership.objects.get(user=jour, role=Role.EDUCATOR)
    response = signed_in(coordination).post(team_url("deactivate", partnership, pk=educator.pk))
    assert response.status_code == 302
    jour.refresh_from_db()
    assert not jour.is_active
    response = her_client.get(team_url("detail", partnership))
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]
    assert not can_sign_in(jour.username, PASSWORD)
    # Someone who also works in another partnership: her roles here are removed, not her account.
    both = persona("jette", partnership)
    Membership.objects.create(user=both, role=Role.PARTNER_OFFICER, partnership=world["other"])
    with pytest.raises(ValidationError, match="ailleurs"):
        actions.deactivate_account(coordination, partnership, both)
    with pytest.raises(ValidationError):
        actions.deactivate_account(coordination, partnership, coordination)
    both.refresh_from_db()
    assert both.is_active


def test_a_signed_in_person_with_the_invited_address_accepts_with_one_button(
    partnership, world, coordination
):
    existing = persona("coordination", world["other"], email="deja@example.org")
    invite(coordination, partnership, "deja@example.org", Role.PARTNER_OFFICER)
    path = reverse("invitations:accept", kwargs={"token": token_of("deja@example.org")})
    # Not signed in: she is told to sign in first (an account has that address).
    assert "connectez-vous" in Client().get(path).content.decode()
    with pytest.raises(ValidationError):
        actions.accept_invitation(token_of("deja@example.org"), "autre-compte", NEW_PASSWORD)
    # Someone else signed in cannot take it.
    stranger = signed_in(persona("outsider", email="autre@example.org"))
    assert stranger.post(path).status_code == 302
    assert not Membership.objects.filter(
        partnership=partnership, role=Role.PARTNER_OFFICER, user__email="autre@example.org"
    ).exists()
    response = signed_in(existing).post(path)
    assert response.status_code == 302 and response["Location"] == team_url("detail", partnership)
    assert Membership.objects.filter(
        user=existing, partnership=partnership, role=Role.PARTNER_OFFICER
    ).exists()


def test_no_invitation_email_holds_a_name_a_case_or_a_code(partnership, coordination, ecoute):
    """The sentinel test of issue 16: names, codes and case content in the world never reach a message."""
    coordination.first_name, coordination.last_name = "Sentinelle", "Coordinatrice"
    coordination.save()
    case = CaseFactory(
        structure=structure(partnership, Structure.Kind.LISTENING_CENTRE),
        by=ecoute,
        full_name="Zohra Sentinelle-Cas",
    )
    person = PersonFactory(partnership=partnership, first_name="Fatima", last_name="Sentinelle-Registre")
    sentinels = [case.code, "Zohra", "Sentinelle", person.code, "Fatima", coordination.username]
    mail.outbox.clear()
    invite(coordination, partnership, "s1@example.org")
    invite(coordination, partnership, "s2@example.org", Role.COORDINATOR)
    existing = persona("outsider", email="s3@example.org", language="ar")
    invite(coordination, partnership, "s3@example.org", Role.PARTNER_OFFICER)
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        text = message.subject + "\n" + message.body
        for sentinel in sentinels:
            assert sentinel not in text, (sentinel, text)
        assert "/comptes/invitation/" in text
    # The account holder's e-mail is in her language.
    arabic = [m for m in mail.outbox if m.to == [existing.email]][0]
    assert re.search("[\u0600-\u06ff]", arabic.body)


def test_a_partnerships_admin_enrols_her_second_factor_before_the_first_page(partnership, coordination):
    invite(coordination, partnership, "admin-p@example.org", Role.ADMIN)
    path = reverse("invitations:accept", kwargs={"token": token_of("admin-p@example.org")})
    visitor = Client()
    response = visitor.post(
        path, {"username": "admin-p", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    assert team_url("detail", partnership).replace("/", "%2F") in response["Location"]
    # No page before the code.
    blocked = visitor.get(team_url("detail", partnership))
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("accounts:otp"))


def test_nobody_gives_herself_a_role_by_inviting_her_own_address(
    partnership, coordination, jette, reseau, admin
):
    """A partnership's admin inviting herself as coordinator, or whoever staffs a new partnership
    accepting the coordinator's invitation she sent: refused, whatever the address's case."""
    actions.change_role(coordination, Membership.objects.get(user=jette, partnership=partnership), Role.ADMIN)
    with pytest.raises(ValidationError, match="propre adresse"):
        invite(jette, partnership, jette.email.upper(), Role.COORDINATOR)
    new = PartnershipFactory(network=partnership.network)
    for staffer in (reseau, admin):
        invitation = invite(staffer, new, f"tiers-{staffer.username}@example.org", Role.COORDINATOR)
        staffer.email = invitation.email  # her address now matches: she still cannot accept her own
        staffer.save(update_fields=["email"])
        with pytest.raises(ValidationError, match="propre adresse"):
            actions.accept_invitation(token_of(invitation.email), user=staffer)
        assert not Membership.objects.filter(user=staffer, partnership=new, role=Role.COORDINATOR).exists()

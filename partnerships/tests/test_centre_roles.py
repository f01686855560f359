"""docs/security.md 26: no back door to the listening centre.

The platform administrator, alone, through every page she has (Django's admin included), cannot
open a case; two administrators appoint a centre's first coordinator; then only she grants the
centre's roles; every step is in an append-only log she reads.
"""

import re

import pytest
from django.contrib import admin
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from cases.access import listening_centre
from cases.models import Case
from cases.tests.factories import CaseFactory
from conftest import PASSWORD, verify_second_factor
from partnerships import actions
from partnerships.models import CENTRE_ROLES, Appointment, Membership, Role, RoleLog

pytestmark = pytest.mark.small_world

NEW_PASSWORD = "un-mot-de-passe-bien-long-2026"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


def superuser(username: str) -> User:
    return User.objects.create_user(
        username, email=f"{username}@example.org", password=PASSWORD, is_staff=True, is_superuser=True
    )


def account(username: str) -> User:
    return User.objects.create_user(username, email=f"{username}@example.org", password=PASSWORD)


def a_case(partnership, listener) -> Case:
    # factory_boy's __new__ is untyped: calling a factory gives its model's row, here a Case.
    return CaseFactory(structure=listening_centre(partnership), by=listener)  # type: ignore[return-value]


def case_url(partnership, case) -> str:
    return reverse("cases:case", kwargs={"slug": partnership.slug, "code": case.code})


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def test_the_platform_admin_alone_cannot_open_a_case_through_any_page(world, users, partnership):
    """She tries every shortcut the attack used, and the others the admin offers; the case stays 404."""
    me = users["admin"]
    client = signed_in(me)
    centre = listening_centre(partnership)
    case = a_case(partnership, users["ecoute"])
    assert client.get(case_url(partnership, case)).status_code == 404
    listener_row = Membership.objects.get(user=users["ecoute"], role=Role.LISTENER)
    coordinator_row = Membership.objects.get(user=users["coordination"], role=Role.COORDINATOR)
    before = set(Membership.objects.values_list("pk", "user_id", "role", "structure_id"))

    # 1. Add a centre role to herself: the role is not offered, and a forged POST is refused.
    add = client.get(admin_url("partnerships_membership_add")).content.decode()
    assert 'value="centre_coordinator"' not in add and 'value="listener"' not in add
    for role in CENTRE_ROLES:
        response = client.post(
            admin_url("partnerships_membership_add"),
            {"user": me.pk, "role": role, "partnership": partnership.pk, "structure": centre.pk},
        )
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    # 2. Turn another role into a centre role, or move it into the centre.
    response = client.post(
        admin_url("partnerships_membership_change", coordinator_row.pk),
        {"user": me.pk, "role": "centre_coordinator", "partnership": partnership.pk, "structure": centre.pk},
    )
    assert response.status_code == 200
    # 3. Take over, or delete, an existing centre role: read-only for her.
    assert client.get(admin_url("partnerships_membership_change", listener_row.pk)).status_code == 200
    response = client.post(
        admin_url("partnerships_membership_change", listener_row.pk),
        {"user": me.pk, "role": "listener", "partnership": partnership.pk, "structure": centre.pk},
    )
    assert response.status_code == 403
    assert (
        client.post(admin_url("partnerships_membership_delete", listener_row.pk), {"post": "yes"}).status_code
        == 403
    )
    response = client.post(
        admin_url("partnerships_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [listener_row.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    # 4. Delete a listener's account (her role would go with it): refused.
    fresh = account("fresh")
    Membership.objects.create(user=fresh, role=Role.LISTENER, partnership=partnership, structure=centre)
    before.add(
        Membership.objects.filter(user=fresh).values_list("pk", "user_id", "role", "structure_id").get()
    )
    for listener in [users["ecoute"], fresh]:
        response = client.post(admin_url("accounts_user_delete", listener.pk), {"post": "yes"})
        assert response.status_code in (200, 403) and User.objects.filter(pk=listener.pk).exists()
    assert client.post(admin_url("accounts_user_delete", fresh.pk), {"post": "yes"}).status_code == 403
    assert set(Membership.objects.values_list("pk", "user_id", "role", "structure_id")) == before

    # 5. Impersonate the listener: no password form, no address change, no link, no TOTP key.
    ecoute = users["ecoute"]
    device = TOTPDevice.objects.filter(user=ecoute).first() or TOTPDevice.objects.create(
        user=ecoute, name="t"
    )
    assert client.get(admin_url("auth_user_password_change", ecoute.pk)).status_code == 404
    response = client.post(
        admin_url("auth_user_password_change", ecoute.pk),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 404
    page = client.get(admin_url("accounts_user_change", ecoute.pk)).content.decode()
    assert "password/" not in page and device.key not in page
    client.post(
        admin_url("accounts_user_change", ecoute.pk),
        {"username": "ecoute", "email": "admin@example.org", "is_active": "on", "is_superuser": "on"},
    )
    client.post(
        admin_url("accounts_user_changelist"),
        {"action": "send_reset_link", "_selected_action": [ecoute.pk]},
    )
    client.post(
        admin_url("accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [ecoute.pk]},
    )
    ecoute.refresh_from_db()
    assert ecoute.email != "admin@example.org" and not ecoute.is_superuser
    assert ecoute.check_password(PASSWORD) and TOTPDevice.objects.filter(pk=device.pk).exists()
    assert mail.outbox == []
    # django-otp's admin (keys and QR codes) is gone, whatever the URL.
    assert not admin.site.is_registered(TOTPDevice)
    with pytest.raises(NoReverseMatch):
        admin_url("otp_totp_totpdevice_changelist")
    for path in ["", "add/", f"{device.pk}/change/", f"{device.pk}/config/", f"{device.pk}/qrcode/"]:
        assert client.get(f"/admin/otp_totp/totpdevice/{path}").status_code == 404

    # 6. Every other page of the admin: changelists and add pages answer, and give her nothing.
    for model in admin.site._registry:
        opts = model._meta
        for name in ["changelist", "add"]:
            response = client.get(admin_url(f"{opts.app_label}_{opts.model_name}_{name}"))
            assert response.status_code in (200, 403), f"{opts.label} {name}: {response.status_code}"
            assert device.key not in response.content.decode()

    # 7. The appointment pages: she cannot confirm her own proposal, nor propose while a
    # coordinator is in place.
    other_centre = listening_centre(world["other"])
    me.email = "moi@example.org"
    me.save()
    response = signed_in(me).post(
        reverse("partnerships:appointments", kwargs={"slug": world["other"].slug}),
        {"structure": other_centre.pk, "username": "admin"},
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get(structure=other_centre)
    confirm = reverse(
        "partnerships:appointment_confirm", kwargs={"slug": world["other"].slug, "pk": appointment.pk}
    )
    assert "une autre administratrice doit la confirmer" in client.get(confirm).content.decode()
    client.post(confirm)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.PENDING
    response = client.post(
        reverse("partnerships:appointments", kwargs={"slug": partnership.slug}),
        {"structure": centre.pk, "username": "admin"},
    )
    assert "déjà une coordinatrice" in response.content.decode()

    assert not Membership.objects.filter(user=me, role__in=CENTRE_ROLES).exists()
    assert client.get(case_url(partnership, case)).status_code == 404
    assert client.get(reverse("cases:centre", kwargs={"slug": partnership.slug})).status_code == 404


def test_a_new_account_from_the_admin_gets_a_link_never_a_password_typed_by_the_admin(client_for):
    response = client_for("admin").post(
        admin_url("accounts_user_add"),
        {"username": "nouvelle", "first_name": "Nouvelle", "last_name": "Recrue", "email": "n@example.org"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="nouvelle")
    assert not user.has_usable_password()
    assert [m.to for m in mail.outbox] == [["n@example.org"]]
    assert RoleLog.objects.filter(subject_id=user.pk, action=RoleLog.Action.PASSWORD_RESET_SENT).count() == 1


def reset_link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/comptes/mot-de-passe/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def choose_password(link: str) -> None:
    client = Client()
    response = client.get(link)
    assert response.status_code == 302  # Django hides the token behind a redirect
    response = client.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_two_admins_appoint_the_first_coordinator_who_then_adds_a_listener(world, users):
    other = world["other"]
    centre = listening_centre(other)
    first, second = users["admin"], superuser("admin2")
    nadia, samira = account("nadia"), account("samira")
    nadia_device = TOTPDevice.objects.create(user=nadia, name="ancien", confirmed=True)
    appointments = reverse("partnerships:appointments", kwargs={"slug": other.slug})

    # The first administrator proposes; the second reads the candidate's address and confirms.
    assert (
        signed_in(first).post(appointments, {"structure": centre.pk, "username": "nadia"}).status_code == 302
    )
    appointment = Appointment.objects.get(structure=centre, status=Appointment.Status.PENDING)
    confirm = reverse("partnerships:appointment_confirm", kwargs={"slug": other.slug, "pk": appointment.pk})
    assert "nadia@example.org" in signed_in(second).get(confirm).content.decode()
    assert signed_in(second).post(confirm).status_code == 302
    assert Membership.objects.filter(user=nadia, structure=centre, role=Role.CENTRE_COORDINATOR).exists()
    # Whatever password or second factor the account had (an administrator may have known them) is gone.
    nadia.refresh_from_db()
    assert not nadia.has_usable_password() and not TOTPDevice.objects.filter(pk=nadia_device.pk).exists()
    assert [m.to for m in mail.outbox] == [["nadia@example.org"]]
    choose_password(reset_link(mail.outbox[0]))
    nadia.refresh_from_db()
    assert nadia.check_password(NEW_PASSWORD)

    # The new centre coordinator gives `samira` the listener role: the address must be hers.
    client = signed_in(nadia)
    roles = reverse("cases:roles", kwargs={"slug": other.slug})
    assert client.get(reverse("cases:centre", kwargs={"slug": other.slug})).status_code == 200
    response = client.post(roles, {"username": "samira", "email": "autre@example.org", "role": "listener"})
    assert "Aucun compte actif ne correspond" in response.content.decode()
    assert not Membership.objects.filter(user=samira, structure=centre).exists()
    response = client.post(roles, {"username": "samira", "email": "SAMIRA@example.org", "role": "listener"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=samira, structure=centre, role=Role.LISTENER).exists()
    assert mail.outbox[-1].to == ["samira@example.org"]
    assert "samira" in client.get(roles).content.decode()

    # The log shows each step, to her.
    log = client.get(reverse("cases:role_log", kwargs={"slug": other.slug})).content.decode()
    for text in [
        "nomination proposée",
        "nomination confirmée",
        "second facteur réinitialisé",
        "lien de nouveau mot de passe envoyé",
        "rôle accordé",
        "admin2",
        "samira",
    ]:
        assert text in log, text
    steps = list(
        RoleLog.objects.filter(structure_id=centre.pk).order_by("pk").values_list("actor_username", "action")
    )
    assert steps == [
        (users["admin"].username, "proposee"),
        ("admin2", "confirmee"),
        ("admin2", "second-facteur"),
        ("admin2", "lien-mot-de-passe"),
        ("nadia", "accorde"),
        ("nadia", "second-facteur"),
        ("nadia", "lien-mot-de-passe"),
    ]


def test_the_role_log_rejects_update_and_delete_in_the_database(users, partnership):
    actions.log_role_event(users["centre"], users["ecoute"], RoleLog.Action.GRANTED, role=Role.LISTENER)
    with pytest.raises(DatabaseError), transaction.atomic():
        RoleLog.objects.update(actor_username="personne")
    with pytest.raises(DatabaseError), transaction.atomic():
        RoleLog.objects.all().delete()
    assert RoleLog.objects.filter(actor_username=users["centre"].username).exists()


def test_the_database_refuses_a_confirmation_by_the_proposer(users, world):
    appointment = Appointment.objects.create(
        structure=listening_centre(world["other"]), candidate=users["outsider"], proposed_by=users["admin"]
    )
    appointment.status, appointment.decided_by = Appointment.Status.CONFIRMED, users["admin"]
    with pytest.raises(IntegrityError), transaction.atomic():
        appointment.save()


def test_the_centre_coordinator_removes_resets_and_sends_links_never_for_herself(users, partnership):
    client = signed_in(users["centre"])
    slug = partnership.slug
    listener = Membership.objects.get(user=users["ecoute"], role=Role.LISTENER)
    own = Membership.objects.get(user=users["centre"], role=Role.CENTRE_COORDINATOR)
    TOTPDevice.objects.get_or_create(user=users["ecoute"], name="t", defaults={"confirmed": True})
    users["ecoute"].email = "ecoute@example.org"
    users["ecoute"].save()

    def act(membership, what):
        url = reverse("cases:role_act", kwargs={"slug": slug, "pk": membership.pk, "act": what})
        return client.post(url)

    assert act(listener, "second-facteur").status_code == 302
    assert not TOTPDevice.objects.filter(user=users["ecoute"]).exists()
    assert act(listener, "mot-de-passe").status_code == 302
    assert mail.outbox[-1].to == ["ecoute@example.org"]
    for what in ["retirer", "second-facteur", "mot-de-passe"]:
        assert act(own, what).status_code == 302
    assert Membership.objects.filter(pk=own.pk).exists()
    assert act(listener, "retirer").status_code == 302
    assert not Membership.objects.filter(pk=listener.pk).exists()
    centre = listening_centre(partnership)
    actions_logged = list(RoleLog.objects.filter(structure_id=centre.pk).values_list("action", flat=True))
    assert sorted(actions_logged) == sorted(["second-facteur", "lien-mot-de-passe", "retire"])
    # A listener, and everyone outside the centre, get 404 on these pages.
    for persona in ["ecoute", "coordination", "admin"]:
        url = reverse("cases:role_act", kwargs={"slug": slug, "pk": own.pk, "act": "retirer"})
        assert signed_in(users[persona]).post(url).status_code == 404


def test_when_the_coordinator_leaves_two_admins_appoint_the_next(users, partnership, rf):
    centre = listening_centre(partnership)
    nadia = account("nadia")
    with pytest.raises(ValidationError):
        actions.propose_centre_coordinator(users["admin"], centre, nadia)
    users["centre"].is_active = False  # she left: her account is deactivated
    users["centre"].save()
    appointment = actions.propose_centre_coordinator(users["admin"], centre, nadia)
    actions.confirm_appointment(superuser("admin2"), appointment, rf.get("/"))
    assert Membership.objects.filter(user=nadia, structure=centre, role=Role.CENTRE_COORDINATOR).exists()


def test_one_admin_cannot_take_over_another_admins_account(users):
    """Otherwise she would be both administrators an appointment needs: new address, reset link,
    new second factor. Another account's link, she may send, and it is logged."""
    client = signed_in(users["admin"])
    second = superuser("admin2")
    device = TOTPDevice.objects.create(user=second, name="t", confirmed=True)
    client.post(
        admin_url("accounts_user_change", second.pk),
        {"username": "admin2", "email": "moi@example.org", "is_active": "on"},
    )
    for action in ["send_reset_link", "reset_second_factor"]:
        client.post(
            admin_url("accounts_user_changelist"), {"action": action, "_selected_action": [second.pk]}
        )
    second.refresh_from_db()
    assert second.email == "admin2@example.org" and TOTPDevice.objects.filter(pk=device.pk).exists()
    assert mail.outbox == []
    coordination = users["coordination"]
    coordination.email = "coordination@example.org"
    coordination.save()
    client.post(
        admin_url("accounts_user_changelist"),
        {"action": "send_reset_link", "_selected_action": [coordination.pk]},
    )
    assert [m.to for m in mail.outbox] == [["coordination@example.org"]]
    assert RoleLog.objects.filter(
        subject_id=coordination.pk, action="lien-mot-de-passe", structure_id=None
    ).exists()

"""Who holds a listening-centre role, and every change to it (docs/security.md 26).

- The first centre coordinator of a structure: proposed by one platform administrator, confirmed by
  another (`propose_centre_coordinator`, `confirm_appointment`); the proposer never confirms.
- Later centre roles: granted and removed by that structure's centre coordinator (`grant_centre_role`,
  `remove_centre_role`).
- Nobody sets another person's password: she gets a link by e-mail (`send_password_reset`, through
  accounts.actions.send_reset_link, the same e-mail as her own "Mot de passe oublié ?").
- Every grant, removal, second-factor reset and reset link is one append-only RoleLog row.
- The rest of a partnership's team (issue 16): its coordinator invites people by e-mail to a
  non-centre role (`invite`, `accept_invitation`, `revoke_invitation`), changes and removes their
  roles (`change_role`, `remove_role`) and deactivates accounts held only there
  (`deactivate_account`); a partnership with no coordinator gets its first one invited by its
  network's officer or a platform administrator. Each change is a RoleLog row filed under the
  partnership (its access log).

Callers check who may act (partnerships/access.py, cases/access.py); these functions keep the rules
that hold whoever acts, and raise ValidationError with a French message when one is broken.
"""

import secrets
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actions import send_reset_link
from accounts.mail import send_notice
from accounts.models import BackupCodes, User, hash_token
from core.middleware import current_request_id
from core.references import referenced_by

from .access import access_for, may_manage_team, may_staff, networks_for_setup
from .models import (
    CENTRE_ROLES,
    INVITABLE_ROLES,
    STRUCTURE_ROLES,
    Appointment,
    Douar,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Role,
    RoleLog,
    Structure,
)


def log_role_event(
    actor,
    subject,
    action: str,
    *,
    structure: Structure | None = None,
    role: str = "",
    partnership: Partnership | None = None,
    address: str = "",
) -> RoleLog:
    """One append-only row: who did what to whose account, in which centre or partnership, with the
    request id. An invitation has no account yet (`subject` None): its `address` stands for it."""
    return RoleLog.objects.create(
        structure_id=structure.pk if structure else None,
        partnership_id=partnership.pk if partnership else None,
        actor_id=actor.pk,
        actor_username=actor.get_username(),
        subject_id=subject.pk if subject is not None else None,
        subject_username=subject.get_username() if subject is not None else address,
        action=action,
        role=role,
        request_id=current_request_id(),
    )


def centre_of(user) -> Structure | None:
    """The listening centre where `user` holds a centre role, if any (the one a log row is filed under)."""
    row = (
        Membership.objects.filter(
            user=user, role__in=CENTRE_ROLES, structure__kind=Structure.Kind.LISTENING_CENTRE
        )
        .select_related("structure")
        .order_by("pk")
        .first()
    )
    return row.structure if row else None


def has_centre_coordinator(structure: Structure) -> bool:
    """Whether an active account coordinates the centre. When the last one leaves (her account
    deactivated), two administrators appoint the next one as they did the first."""
    return Membership.objects.filter(
        structure=structure, role=Role.CENTRE_COORDINATOR, user__is_active=True
    ).exists()


def send_password_reset(actor, user, request, *, structure: Structure | None = None) -> None:
    """E-mails `user` a one-time link to choose her password, and logs it. Nobody ever types another
    person's password. The caller decides who may send it (the centre coordinator for her centre's
    staff; the platform administrator for anyone else)."""
    if not user.email:
        raise ValidationError(_("Ce compte n'a pas d'adresse e-mail : le lien ne peut pas être envoyé."))
    send_reset_link(user, request)  # the one e-mail with a password link (accounts/actions.py)
    log_role_event(actor, user, RoleLog.Action.PASSWORD_RESET_SENT, structure=structure or centre_of(user))


@transaction.atomic
def reset_second_factor(actor, user, *, structure: Structure | None = None) -> int:
    """Removes every TOTP device of `user`: she enrols a new one at her next sign-in. Logged."""
    deleted, _detail = TOTPDevice.objects.filter(user=user).delete()
    BackupCodes.objects.filter(user=user).delete()  # her backup codes go with her authenticator
    log_role_event(actor, user, RoleLog.Action.SECOND_FACTOR_RESET, structure=structure or centre_of(user))
    return deleted


def _hand_over(actor, user, structure: Structure, request) -> None:
    """A new member of the centre: whatever password or second factor her account had stops working
    (another person may have known them), and a link to choose a password goes to her address."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    reset_second_factor(actor, user, structure=structure)
    send_password_reset(actor, user, request, structure=structure)


def _check_account(user) -> None:
    if not user.is_active:
        raise ValidationError(_("Ce compte est désactivé."))
    if not user.email:
        raise ValidationError(
            _(
                "Ce compte n'a pas d'adresse e-mail : elle reçoit par e-mail le lien pour choisir son mot de passe."
            )
        )


@transaction.atomic
def propose_centre_coordinator(admin, structure: Structure, candidate) -> Appointment:
    """A platform administrator proposes the first centre coordinator of a listening centre that has
    none; another administrator confirms. One pending proposal per centre."""
    if structure.kind != Structure.Kind.LISTENING_CENTRE:
        raise ValidationError(_("Cette structure n'est pas un centre d'écoute."))
    if has_centre_coordinator(structure):
        raise ValidationError(
            _("Ce centre a déjà une coordinatrice : c'est elle qui accorde les rôles du centre.")
        )
    if Appointment.objects.filter(structure=structure, status=Appointment.Status.PENDING).exists():
        raise ValidationError(_("Une proposition attend déjà d'être confirmée pour ce centre."))
    _check_account(candidate)
    appointment = Appointment.objects.create(structure=structure, candidate=candidate, proposed_by=admin)
    log_role_event(
        admin, candidate, RoleLog.Action.PROPOSED, structure=structure, role=Role.CENTRE_COORDINATOR
    )
    return appointment


@transaction.atomic
def confirm_appointment(admin, appointment: Appointment, request) -> Membership:
    """A second platform administrator — neither the proposer nor the candidate — confirms: the
    candidate becomes centre coordinator, her password and second factor are reset and a link to
    choose her password is sent to her address."""
    appointment = (
        Appointment.objects.select_for_update()
        .select_related("structure", "candidate")
        .get(pk=appointment.pk)
    )
    if appointment.status != Appointment.Status.PENDING:
        raise ValidationError(_("Cette proposition n'attend plus de confirmation."))
    if admin.pk == appointment.proposed_by_id:
        raise ValidationError(_("Une autre administratrice doit confirmer : vous avez fait la proposition."))
    if admin.pk == appointment.candidate_id:
        raise ValidationError(_("Une autre administratrice doit confirmer votre propre nomination."))
    structure, candidate = appointment.structure, appointment.candidate
    if has_centre_coordinator(structure):
        raise ValidationError(_("Ce centre a déjà une coordinatrice."))
    _check_account(candidate)
    appointment.status = Appointment.Status.CONFIRMED
    appointment.decided_by = admin
    appointment.decided_at = timezone.now()
    appointment.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    membership = Membership.objects.create(
        user=candidate, role=Role.CENTRE_COORDINATOR, partnership=structure.partnership, structure=structure
    )
    log_role_event(
        admin, candidate, RoleLog.Action.CONFIRMED, structure=structure, role=Role.CENTRE_COORDINATOR
    )
    _hand_over(admin, candidate, structure, request)
    return membership


@transaction.atomic
def withdraw_appointment(admin, appointment: Appointment) -> None:
    """Any platform administrator withdraws a pending proposal (a wrong candidate, a wrong address)."""
    if appointment.status != Appointment.Status.PENDING:
        raise ValidationError(_("Cette proposition n'attend plus de confirmation."))
    appointment.status = Appointment.Status.WITHDRAWN
    appointment.decided_by = admin
    appointment.decided_at = timezone.now()
    appointment.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    log_role_event(
        admin,
        appointment.candidate,
        RoleLog.Action.WITHDRAWN,
        structure=appointment.structure,
        role=Role.CENTRE_COORDINATOR,
    )


@transaction.atomic
def grant_centre_role(coordinator, structure: Structure, user, role: str, request) -> Membership:
    """The centre coordinator gives an existing account a role in her centre. An account new to the
    centre has its password and second factor reset and gets a link at its address."""
    if role not in CENTRE_ROLES:
        raise ValidationError(_("Rôle inconnu pour le centre d'écoute."))
    _check_account(user)
    if Membership.objects.filter(user=user, structure=structure, role=role).exists():
        raise ValidationError(_("Ce compte a déjà ce rôle dans le centre."))
    new_to_centre = not Membership.objects.filter(
        user=user, structure=structure, role__in=CENTRE_ROLES
    ).exists()
    membership = Membership.objects.create(
        user=user, role=role, partnership=structure.partnership, structure=structure
    )
    log_role_event(coordinator, user, RoleLog.Action.GRANTED, structure=structure, role=role)
    if new_to_centre:
        _hand_over(coordinator, user, structure, request)
    return membership


@transaction.atomic
def remove_centre_role(coordinator, membership: Membership) -> None:
    """The centre coordinator takes a role of her centre from someone else (never her own: another
    coordinator, or two administrators if none is left, keep the door)."""
    if membership.role not in CENTRE_ROLES:
        raise ValidationError(_("Ce rôle n'est pas un rôle du centre d'écoute."))
    if membership.user_id == coordinator.pk:
        raise ValidationError(_("Vous ne pouvez pas retirer votre propre rôle."))
    structure, user, role = membership.structure, membership.user, membership.role
    membership.delete()
    log_role_event(coordinator, user, RoleLog.Action.REMOVED, structure=structure, role=role)


# --- The partnership's team (issue 16): invitations, roles, deactivation -------------------------


def _check_manager(actor, partnership: Partnership) -> None:
    if not may_manage_team(access_for(actor, partnership)):
        raise ValidationError(_("Vous ne gérez pas l'équipe de ce partenariat."))


def _check_role(partnership: Partnership, role: str, structure: Structure | None) -> Structure | None:
    """The role is one a team gives (never a centre role), in a structure of this partnership when it
    is a structure's role; the structure to record (None for a partnership role)."""
    if role in CENTRE_ROLES:
        raise ValidationError(
            _("Les rôles du centre d'écoute sont accordés par sa coordinatrice seule, jamais par invitation.")
        )
    if role not in INVITABLE_ROLES:
        raise ValidationError(_("Ce rôle ne peut pas être donné ici."))
    if role not in STRUCTURE_ROLES:
        return None
    if structure is None:
        raise ValidationError(_("Ce rôle s'exerce dans une structure : choisissez-la."))
    if structure.partnership_id != partnership.pk:
        raise ValidationError(_("Cette structure n'appartient pas à ce partenariat."))
    if structure.kind == Structure.Kind.LISTENING_CENTRE:
        raise ValidationError(_("Les comptes du centre d'écoute sont gérés par sa coordinatrice."))
    return structure


def _account_of(email: str) -> "User | None":
    return get_user_model().objects.filter(email__iexact=email).order_by("pk").first()


def account_exists(email: str) -> bool:
    """Whether an account has this address (the invited person then signs in to accept)."""
    return _account_of(email) is not None


def invitation_link(raw: str, base_url: str) -> str:
    """The absolute address of the acceptance page of an invitation token."""
    return base_url.rstrip("/") + reverse("invitations:accept", kwargs={"token": raw})


@transaction.atomic
def invite(
    actor,
    partnership: Partnership,
    email: str,
    role: str,
    structure: Structure | None = None,
    *,
    base_url: str,
) -> Invitation:
    """Invites `email` to `role` in `partnership` (or in `structure`, one of its own) and e-mails the
    link, valid 72 hours. The partnership's coordinator or admin invites to any non-centre role; a
    partnership with no coordinator gets its first one from its network's officer or a platform
    administrator. One pending invitation per address and partnership. Logged."""
    access = access_for(actor, partnership)
    if not may_manage_team(access) and not (may_staff(access) and role == Role.COORDINATOR):
        raise ValidationError(_("Vous ne pouvez pas inviter dans ce partenariat."))
    structure = _check_role(partnership, role, structure)
    email = email.strip()
    if not email:
        raise ValidationError(_("Indiquez l'adresse e-mail de la personne."))
    if actor.email and email.lower() == actor.email.lower():
        raise ValidationError(_("Pas à votre propre adresse : personne ne se donne un rôle à elle-même."))
    if Invitation.objects.pending().filter(partnership=partnership, email__iexact=email).exists():
        raise ValidationError(_("Une invitation attend déjà cette adresse dans ce partenariat."))
    account = _account_of(email)
    if (
        account is not None
        and Membership.objects.filter(
            user=account, role=role, partnership=partnership, structure=structure
        ).exists()
    ):
        raise ValidationError(_("Le compte de cette adresse a déjà ce rôle."))
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        partnership=partnership,
        role=role,
        structure=structure,
        invited_by=actor,
        token_hash=hash_token(raw),
    )
    log_role_event(
        actor,
        None,
        RoleLog.Action.INVITED,
        structure=structure,
        role=role,
        partnership=partnership,
        address=email,
    )
    recipient = account if account is not None and account.is_active else email
    language = account.language if account is not None and account.is_active else settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(partnership.timezone):
        context = {
            "partnership": partnership.label,
            "role": str(invitation.get_role_display()),
            "link": invitation_link(raw, base_url),
            "expires": formats.date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT"),
        }
    send_notice(recipient, "invitation", context)
    return invitation


def invitation_for_token(raw: str) -> Invitation | None:
    """The invitation a link's token opens, whatever its state (None for an unknown token)."""
    return (
        Invitation.objects.select_related("partnership", "structure")
        .filter(token_hash=hash_token(raw))
        .first()
    )


def check_open(invitation: Invitation | None) -> Invitation:
    """The invitation if it may still be accepted; otherwise the reason, in plain words."""
    if invitation is None:
        raise ValidationError(_("Ce lien d'invitation n'est pas valable."))
    if invitation.accepted_at is not None:
        raise ValidationError(_("Cette invitation a déjà été acceptée : connectez-vous avec votre compte."))
    if invitation.revoked_at is not None:
        raise ValidationError(
            _("Cette invitation a été révoquée. Demandez-en une nouvelle à la coordination.")
        )
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("Cette invitation a expiré. Demandez-en une nouvelle à la coordination."))
    return invitation


@transaction.atomic
def accept_invitation(token: str, username: str = "", password: str = "", *, user=None) -> Membership:
    """Accepts the invitation of `token`: a new account (`username`, `password`, checked by Django's
    password validators) with the invited address, or — `user` signed in with that very address — her
    existing account; either way the role is given. An expired, revoked, used or unknown token is
    refused with the reason. Logged."""
    found = invitation_for_token(token)
    if found is not None:
        found = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("partnership", "structure")
            .get(pk=found.pk)
        )
    invitation = check_open(found)
    User = get_user_model()
    if user is not None:
        if not user.is_active:
            raise ValidationError(_("Ce compte est désactivé."))
        if user.pk == invitation.invited_by_id:
            raise ValidationError(_("Pas à votre propre adresse : personne ne se donne un rôle à elle-même."))
        if (user.email or "").lower() != invitation.email.lower():
            raise ValidationError(
                _("Cette invitation est adressée à une autre adresse que celle de votre compte.")
            )
    else:
        if _account_of(invitation.email) is not None:
            raise ValidationError(
                _("Un compte existe déjà pour cette adresse : connectez-vous, puis rouvrez ce lien.")
            )
        username = username.strip()
        if not username:
            raise ValidationError(_("Choisissez un identifiant."))
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Cet identifiant est déjà pris : choisissez-en un autre."))
        candidate = User(username=username, email=invitation.email)
        candidate.full_clean(exclude=["password"])
        password_validation.validate_password(password, candidate)
        user = User.objects.create_user(username, email=invitation.email, password=password)
    membership, _created = Membership.objects.get_or_create(
        user=user,
        role=invitation.role,
        partnership=invitation.partnership,
        structure=invitation.structure,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    log_role_event(
        user,
        user,
        RoleLog.Action.INVITATION_ACCEPTED,
        structure=invitation.structure,
        role=invitation.role,
        partnership=invitation.partnership,
    )
    return membership


@transaction.atomic
def revoke_invitation(actor, invitation: Invitation) -> None:
    """Revokes a pending invitation: its link opens nothing any more. Its inviter's peers (the team's
    managers) or, for a first coordinator's, whoever may staff the partnership. Logged."""
    access = access_for(actor, invitation.partnership)
    if not may_manage_team(access) and not (may_staff(access) and invitation.role == Role.COORDINATOR):
        raise ValidationError(_("Vous ne pouvez pas révoquer cette invitation."))
    if not invitation.is_pending:
        raise ValidationError(_("Cette invitation n'est plus en attente."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    log_role_event(
        actor,
        None,
        RoleLog.Action.INVITATION_REVOKED,
        structure=invitation.structure,
        role=invitation.role,
        partnership=invitation.partnership,
        address=invitation.email,
    )


def _check_member(actor, membership: Membership) -> Partnership:
    partnership = membership.partnership
    if partnership is None:
        raise ValidationError(_("Ce rôle n'est pas tenu dans un partenariat."))
    _check_manager(actor, partnership)
    if membership.role in CENTRE_ROLES:
        raise ValidationError(_("Les rôles du centre d'écoute sont gérés par sa coordinatrice."))
    if membership.user_id == actor.pk:
        raise ValidationError(
            _("Pas sur votre propre compte : une autre personne de la coordination s'en charge.")
        )
    return partnership


def commune_named(name: str) -> Organisation:
    """The commune of that name (whatever its case), or a new one with a free slug."""
    found = Organisation.objects.filter(kind=Organisation.Kind.COMMUNE, name__iexact=name).first()
    if found is not None:
        return found
    base = slugify(name)[:40] or "commune"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Organisation.objects.create(slug=slug, name=name, kind=Organisation.Kind.COMMUNE)


@transaction.atomic
def create_partnership(
    creator, partnership: Partnership, communes: list[Organisation], new_communes: Sequence[str] = ()
) -> Partnership:
    """Creates a partnership and links its communes, those of `new_communes` (names) made when no
    commune bears that name. `creator` officers its network (or is the platform administrator): she
    then sets it up until its first coordinator arrives (access.may_set_up). Rules that hold whoever
    writes: years in order, a free slug, a code prefix no other partnership uses (people's codes are
    unique across partnerships), at least one commune."""
    if not networks_for_setup(creator).filter(pk=partnership.network_id).exists():
        raise ValidationError(_("Vous ne pouvez pas créer de partenariat dans ce réseau."))
    if partnership.end_year < partnership.start_year:
        raise ValidationError(_("La dernière année précède la première."))
    if Partnership.objects.filter(slug=partnership.slug).exists():
        raise ValidationError(_("Un autre partenariat porte déjà cet identifiant."))
    if Partnership.objects.filter(code_prefix__iexact=partnership.code_prefix).exists():
        raise ValidationError(_("Un autre partenariat utilise déjà ce préfixe des codes."))
    if not communes and not new_communes:
        raise ValidationError(_("Choisissez au moins une commune."))
    partnership.save()
    partnership.communes.set([*communes, *(commune_named(name) for name in new_communes)])
    return partnership


@transaction.atomic
def change_role(actor, membership: Membership, role: str, structure: Structure | None = None) -> Membership:
    """The team's manager gives the holder of `membership` another non-centre role instead (in a
    structure of the partnership when the role needs one). Never her own. Logged."""
    partnership = _check_member(actor, membership)
    structure = _check_role(partnership, role, structure)
    if membership.role == role and membership.structure_id == (structure.pk if structure else None):
        raise ValidationError(_("Ce compte a déjà ce rôle."))
    if (
        Membership.objects.filter(
            user_id=membership.user_id, role=role, partnership=partnership, structure=structure
        )
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(_("Ce compte a déjà ce rôle."))
    membership.role = role
    membership.structure = structure
    membership.save(update_fields=["role", "structure", "updated_at"])
    log_role_event(
        actor,
        membership.user,
        RoleLog.Action.CHANGED,
        structure=structure,
        role=role,
        partnership=partnership,
    )
    return membership


@transaction.atomic
def remove_role(actor, membership: Membership) -> None:
    """The team's manager takes a non-centre role of the partnership from someone (never herself).
    Logged."""
    partnership = _check_member(actor, membership)
    user, role, structure = membership.user, membership.role, membership.structure
    membership.delete()
    log_role_event(
        actor, user, RoleLog.Action.REMOVED, structure=structure, role=role, partnership=partnership
    )


@transaction.atomic
def deactivate_account(actor, partnership: Partnership, user) -> None:
    """The team's manager deactivates the account of someone who works only in her partnership: her
    sessions and API tokens end at once (User.save). An account that also holds a role elsewhere, a
    centre role or the platform's administration is not hers to close: she removes its roles here
    instead. Never her own. Logged."""
    _check_manager(actor, partnership)
    if user.pk == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas désactiver votre propre compte."))
    if not user.is_active:
        raise ValidationError(_("Ce compte est déjà désactivé."))
    roles = Membership.objects.filter(user=user)
    if not roles.filter(partnership=partnership).exists():
        raise ValidationError(_("Ce compte n'a pas de rôle dans ce partenariat."))
    if (
        user.is_superuser
        or roles.exclude(partnership=partnership).exists()
        or roles.filter(role__in=CENTRE_ROLES).exists()
    ):
        raise ValidationError(
            _(
                "Ce compte a aussi des rôles ailleurs (un autre partenariat, un réseau ou le centre "
                "d'écoute) : retirez-lui ses rôles ici plutôt."
            )
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    log_role_event(actor, user, RoleLog.Action.DEACTIVATED, partnership=partnership)


def delete_structure(structure: Structure) -> None:
    """Deletes a structure that nothing refers to yet (no role, activity, person, case, indicator
    filter…); refuses otherwise, saying what holds it, and deletes nothing."""
    holders = [str(name) for name in referenced_by(structure)]
    # Indicators name the structures they filter on by code (programme is above this app: read
    # through the partnership's reverse relation, no import).
    filters = structure.partnership.results.values_list("indicators__structures", flat=True)
    if any(structure.code in (codes or []) for codes in filters):
        holders.append(str(_("indicateurs")))
    if holders:
        raise ValidationError(
            _("Cette structure ne peut pas être supprimée : %(holders)s y font référence.")
            % {"holders": ", ".join(holders)}
        )
    structure.delete()


def delete_douar(douar: Douar) -> None:
    """Deletes a douar of the territory nothing refers to (no activity, visit or person); refuses
    otherwise, saying what holds it, and deletes nothing. Whoever may set the partnership up."""
    holders = [str(name) for name in referenced_by(douar)]
    if holders:
        raise ValidationError(
            _("Ce douar ne peut pas être supprimé : des %(holders)s y font référence.")
            % {"holders": ", ".join(holders)}
        )
    douar.delete()

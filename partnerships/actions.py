"""Who holds a listening-centre role, and every change to it (docs/security.md 26).

- The first centre coordinator of a structure: proposed by one platform administrator, confirmed by
  another (`propose_centre_coordinator`, `confirm_appointment`); the proposer never confirms.
- Later centre roles: granted and removed by that structure's centre coordinator (`grant_centre_role`,
  `remove_centre_role`).
- Nobody sets another person's password: she gets a link by e-mail (`send_password_reset`).
- Every grant, removal, second-factor reset and reset link is one append-only RoleLog row.

Callers check who may act (partnerships/access.py, cases/access.py); these functions keep the rules
that hold whoever acts, and raise ValidationError with a French message when one is broken.
"""

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.middleware import current_request_id
from core.references import referenced_by

from .access import networks_for_setup
from .models import CENTRE_ROLES, Appointment, Membership, Organisation, Partnership, Role, RoleLog, Structure

if TYPE_CHECKING:
    from accounts.models import User


def log_role_event(
    actor, subject, action: str, *, structure: Structure | None = None, role: str = ""
) -> RoleLog:
    """One append-only row: who did what to whose account, in which centre, with the request id."""
    return RoleLog.objects.create(
        structure_id=structure.pk if structure else None,
        actor_id=actor.pk,
        actor_username=actor.get_username(),
        subject_id=subject.pk,
        subject_username=subject.get_username(),
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


class OneUserPasswordResetForm(PasswordResetForm):
    """Django's reset-link e-mail, sent to exactly one account (Django's own form would also skip an
    account whose password was just made unusable, and would write to every account of the address)."""

    def __init__(self, user) -> None:
        super().__init__({"email": user.email})
        self.user = user

    def get_users(self, email) -> "Iterator[User]":
        yield self.user


def send_password_reset(actor, user, request, *, structure: Structure | None = None) -> None:
    """E-mails `user` a one-time link to choose her password, and logs it. Nobody ever types another
    person's password. The caller decides who may send it (the centre coordinator for her centre's
    staff; the platform administrator for anyone else)."""
    if not user.email:
        raise ValidationError(_("Ce compte n'a pas d'adresse e-mail : le lien ne peut pas être envoyé."))
    form = OneUserPasswordResetForm(user)
    form.is_valid()
    form.save(
        request=request,
        use_https=request.is_secure(),
        subject_template_name="accounts/password_reset_subject.txt",
        email_template_name="accounts/password_reset_email.txt",
    )
    log_role_event(actor, user, RoleLog.Action.PASSWORD_RESET_SENT, structure=structure or centre_of(user))


@transaction.atomic
def reset_second_factor(actor, user, *, structure: Structure | None = None) -> int:
    """Removes every TOTP device of `user`: she enrols a new one at her next sign-in. Logged."""
    deleted, _detail = TOTPDevice.objects.filter(user=user).delete()
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

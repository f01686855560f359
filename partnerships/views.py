import time

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.middleware import SESSION_STARTED
from accounts.otp import requires_otp
from core.navigation import navigation

from . import actions
from .access import (
    access_log_of,
    get_appointment_for_user,
    get_appointments_for_user,
    get_invitation_for_user,
    get_invite_for_user,
    get_member_for_user,
    get_partnership_for_user,
    get_team_for_user,
    has_coordinator,
    may_manage_team,
    may_set_up,
    team_of,
)
from .context_processors import SESSION_KEY
from .forms import AcceptForm, InviteForm, ProposeForm, RoleChangeForm
from .models import CENTRE_ROLES, INVITABLE_ROLES, Appointment, Invitation, Membership, Role, Structure

PAGE_SIZE = 50


@login_required
def detail(request, slug) -> HttpResponse:
    """The partnership page: its communes, its structures and their status, its partners."""
    partnership, access = get_partnership_for_user(request.user, slug)
    request.session[SESSION_KEY] = partnership.slug
    context = {
        "partnership": partnership,
        "access": access,
        "may_set_up": may_set_up(access),
        "invite_first_coordinator": may_set_up(access) and not has_coordinator(partnership),
        "nav": navigation(access),
        "communes": partnership.communes.all(),
        "structures": partnership.structures.select_related("organisation"),
        "partner_roles": partnership.partner_roles.select_related("organisation"),
        "manages_team": may_manage_team(access),
    }
    return render(request, "partnerships/detail.html", context)


@login_required
def appointments(request, slug) -> HttpResponse:
    """Platform administrators: the listening centres, whether each has a centre coordinator, the
    pending proposals, and the form to propose the first one (another administrator confirms)."""
    partnership, access = get_appointments_for_user(request.user, slug)
    centres = partnership.structures.filter(kind=Structure.Kind.LISTENING_CENTRE)
    form = ProposeForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        try:
            actions.propose_centre_coordinator(
                request.user, form.cleaned_data["structure"], form.cleaned_data["username"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Proposition enregistrée : une autre administratrice doit la confirmer.")
            )
            return redirect("partnerships:appointments", slug=slug)
    coordinated = set(
        Membership.objects.filter(structure__in=centres, role=Role.CENTRE_COORDINATOR).values_list(
            "structure_id", flat=True
        )
    )
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "centres": [{"structure": s, "coordinated": s.pk in coordinated} for s in centres],
        "pending": Appointment.objects.filter(
            structure__in=centres, status=Appointment.Status.PENDING
        ).select_related("structure", "candidate", "proposed_by"),
        "form": form,
    }
    return render(request, "partnerships/appointments.html", context)


@login_required
def appointment_confirm(request, slug, pk) -> HttpResponse:
    """The second step: another platform administrator reads the proposal (the candidate's account
    and address) and confirms it. The proposer is refused, with the reason."""
    appointment, access = get_appointment_for_user(request.user, slug, pk)
    if request.method == "POST":
        try:
            actions.confirm_appointment(request.user, appointment, request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Nomination confirmée : %(user)s a reçu par e-mail le lien pour choisir son mot de passe.")
                % {"user": appointment.candidate.get_username()},
            )
            return redirect("partnerships:appointments", slug=slug)
    context = {
        "partnership": appointment.structure.partnership,
        "nav": navigation(access),
        "appointment": appointment,
        "is_proposer": appointment.proposed_by_id == request.user.pk,
    }
    return render(request, "partnerships/appointment_confirm.html", context)


@login_required
@require_POST
def appointment_withdraw(request, slug, pk) -> HttpResponse:
    """Any platform administrator withdraws a pending proposal."""
    appointment, _access = get_appointment_for_user(request.user, slug, pk)
    actions.withdraw_appointment(request.user, appointment)
    messages.success(request, _("Proposition retirée."))
    return redirect("partnerships:appointments", slug=slug)


# --- The team (issue 16): invitations, roles, deactivation, the access log ------------------------


@login_required
def team(request, slug) -> HttpResponse:
    """The coordinator's team page: who holds which role (a page at a time), the pending invitations
    (revocable), and from each row: change the role, remove it, deactivate the account. Centre roles
    are shown, never changed here (their centre coordinator's, docs/security.md 26)."""
    partnership, access = get_team_for_user(request.user, slug)
    page = Paginator(team_of(partnership), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "membership": m,
            "centre": m.role in CENTRE_ROLES,
            "self": m.user_id == request.user.pk,
        }
        for m in page.object_list
    ]
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "page": page,
        "rows": rows,
        "invitations": Invitation.objects.pending()
        .filter(partnership=partnership)
        .select_related("structure")
        .order_by("expires_at", "pk"),
    }
    return render(request, "partnerships/team.html", context)


def _invite_form(request, partnership, access, form_class=InviteForm, **kwargs) -> InviteForm:
    """The form with the roles and structures the user may give here: every invitable role in a
    structure other than the listening centre for the team's managers; the coordinator alone for
    whoever staffs a partnership without one."""
    if may_manage_team(access):
        roles = INVITABLE_ROLES
        structures = partnership.structures.exclude(kind=Structure.Kind.LISTENING_CENTRE)
    else:
        roles, structures = [Role.COORDINATOR], Structure.objects.none()
    return form_class(request.POST or None, roles=roles, structures=structures, **kwargs)


@login_required
def invite(request, slug) -> HttpResponse:
    """Invite a person by e-mail to a role (link valid 72 hours). The partnership's coordinator or admin
    invites to any non-centre role; the network officer or a platform administrator invites the
    first coordinator of a partnership that has none (and sees those invitations here)."""
    partnership, access = get_invite_for_user(request.user, slug)
    manager = may_manage_team(access)
    form = _invite_form(request, partnership, access)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.invite(
                request.user,
                partnership,
                data["email"],
                data["role"],
                data.get("structure"),
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s : le lien est valable 72 heures.")
                % {"email": data["email"]},
            )
            return redirect("partnerships:team" if manager else "partnerships:invite", slug=slug)
    pending = Invitation.objects.pending().filter(partnership=partnership).select_related("structure")
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "form": form,
        "manager": manager,
        "invitations": [] if manager else pending.filter(role=Role.COORDINATOR),
    }
    return render(request, "partnerships/invite.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def invitation_revoke(request, slug, pk) -> HttpResponse:
    """Revokes a pending invitation: its link opens nothing any more."""
    invitation, access = get_invitation_for_user(request.user, slug, pk)
    try:
        actions.revoke_invitation(request.user, invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation révoquée : son lien n'ouvre plus rien."))
    return redirect("partnerships:team" if may_manage_team(access) else "partnerships:invite", slug=slug)


@login_required
def role_change(request, slug, pk) -> HttpResponse:
    """Give someone of the team another role instead of this one (never a centre role, never her own)."""
    membership, access = get_member_for_user(request.user, slug, pk)
    partnership = access.partnership
    initial = {"role": membership.role, "structure": membership.structure_id}
    form = _invite_form(request, partnership, access, RoleChangeForm, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_role(
                request.user, membership, form.cleaned_data["role"], form.cleaned_data.get("structure")
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Rôle changé pour %(user)s.") % {"user": membership.user.get_username()}
            )
            return redirect("partnerships:team", slug=slug)
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "form": form,
        "membership": membership,
        "self": membership.user_id == request.user.pk,
    }
    return render(request, "partnerships/role_change.html", context, status=400 if form.errors else 200)


def _member_act(request, slug, pk, act, done: str) -> HttpResponse:
    membership, _access = get_member_for_user(request.user, slug, pk)
    try:
        act(membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"user": membership.user.get_username()})
    return redirect("partnerships:team", slug=slug)


@login_required
@require_POST
def role_remove(request, slug, pk) -> HttpResponse:
    """Takes this role from its holder (never a centre role, never her own). Logged."""
    return _member_act(
        request, slug, pk, lambda m: actions.remove_role(request.user, m), _("Rôle retiré à %(user)s.")
    )


@login_required
@require_POST
def deactivate(request, slug, pk) -> HttpResponse:
    """Deactivates the account holding this role, if she works only in this partnership: her sessions
    and tokens end at once. Logged."""
    return _member_act(
        request,
        slug,
        pk,
        lambda m: actions.deactivate_account(request.user, m.partnership, m.user),
        _("Compte de %(user)s désactivé : ses sessions et ses jetons ont pris fin."),
    )


@login_required
def access_log(request, slug) -> HttpResponse:
    """The partnership's access log: every invitation, role given, changed or removed and account
    deactivated, by whom and when, newest first. Append-only."""
    partnership, access = get_team_for_user(request.user, slug)
    page = Paginator(access_log_of(partnership), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"partnership": partnership, "nav": navigation(access), "page": page}
    return render(request, "partnerships/access_log.html", context)


@sensitive_post_parameters("password1", "password2")
def accept_invitation(request, token) -> HttpResponse:
    """The page an invitation's link opens, for anyone holding the link. A new person chooses her
    username and password; someone already signed in with the invited address accepts with one
    button. Then the second factor's enrolment if her role needs one, then the partnership's page.
    An unknown, expired, revoked or used link says so (and changes nothing)."""
    found = actions.invitation_for_token(token)
    try:
        invitation = actions.check_open(found)
    except ValidationError as error:
        return render(
            request,
            "partnerships/invitation_closed.html",
            {"reason": " ".join(error.messages)},
            status=404 if found is None else 410,
        )
    user = request.user if request.user.is_authenticated else None
    form = None if user else AcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form is not None else {}
        try:
            membership = actions.accept_invitation(
                token, data.get("username", ""), data.get("password1", ""), user=user
            )
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect("invitations:accept", token=token)
            form.add_error(None, error)
        else:
            if user is None:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                request.session[SESSION_STARTED] = int(time.time())
            messages.success(request, _("Bienvenue : votre rôle vous est donné."))
            first_page = reverse("partnerships:detail", kwargs={"slug": invitation.partnership.slug})
            if requires_otp(membership.user):
                return redirect(f"{reverse('accounts:otp_setup')}?{urlencode({'next': first_page})}")
            return redirect(first_page)
    email_taken = user is None and actions.account_exists(invitation.email)
    context = {
        "invitation": invitation,
        "form": form,
        "signed_in_elsewhere": user is not None and (user.email or "").lower() != invitation.email.lower(),
        "email_taken": email_taken,
        "login_url": f"{reverse('accounts:login')}?{urlencode({'next': request.path})}",
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "partnerships/invitation_accept.html", context, status=status)

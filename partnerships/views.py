from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.navigation import navigation

from . import actions
from .access import (
    get_appointment_for_user,
    get_appointments_for_user,
    get_partnership_for_user,
    has_coordinator,
    may_set_up,
)
from .context_processors import SESSION_KEY
from .forms import ProposeForm
from .models import Appointment, Membership, Role, Structure


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

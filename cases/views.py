"""The listening centre's pages. Every case is fetched through `cases/access.py` (which logs the read);
writes go through `cases/actions.py`. Views that touch case data hide their locals and POST
parameters from error reports (docs/security.md 14)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_stubs_ext import StrOrPromise

from activities.trainings import training_hours
from core.locking import Stale, refuse
from core.navigation import navigation
from partnerships import actions as role_actions
from partnerships.access import centre_staff, role_log_of
from partnerships.forms import CentreRoleForm

from . import actions, forms, stats
from .access import (
    cases_for,
    get_case_for_user,
    get_centre_coordination_for_user,
    get_centre_for_user,
    get_centre_member_for_user,
    get_group_for_user,
    get_stats_centre_for_user,
    listeners_shown,
    sees_raw_statistics,
)
from .models import (
    AgeBand,
    Case,
    Complaint,
    IncidentType,
    ShelterStay,
    SpeechGroup,
)


def protected(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; no local variable and no POST value of this view in any error report."""
    return login_required(sensitive_post_parameters()(sensitive_variables()(view)))


def _page(request, centre, template, **context):
    context.update({"partnership": centre.partnership, "centre": centre, "nav": navigation(centre.access)})
    return render(request, template, context)


def _training(partnership, listeners) -> dict:
    """{listener: {year: hours}}: the hours of the `formation` activities each listener attended, for
    each year of the programme in which she trained (activities/trainings.py counts them)."""
    by_year = {year: training_hours(partnership, listeners, year) for year in partnership.years}
    return {
        listener: {year: float(hours[listener.pk]) for year, hours in by_year.items() if hours[listener.pk]}
        for listener in listeners
    }


def _case_url(case, slug):
    return reverse("cases:case", kwargs={"slug": slug, "code": case.code})


def _refused_if_anonymised(request, case, slug):
    """An anonymised case is read-only (docs/security.md 25): every write page sends back to the case
    with the reason, whatever the method."""
    if case.anonymised_on is None:
        return None
    messages.error(request, actions.anonymised_message(case))
    return redirect(_case_url(case, slug))


@protected
def centre(request, slug) -> HttpResponse:
    """The centre's home: its cases (hers, or all for the centre coordinator), the shelter's capacity
    and occupancy, and the listeners' continuing-training hours."""
    centre = get_centre_for_user(request.user, slug)
    qs = cases_for(request.user, centre).select_related("assigned_to")
    status = request.GET.get("statut", "")
    if status in Case.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    listeners = listeners_shown(centre, request.user)
    sheltered = ShelterStay.objects.filter(case__structure=centre.structure, end__isnull=True).count()
    return _page(
        request,
        centre,
        "cases/centre.html",
        page=page,
        status=status,
        statuses=Case.Status.choices,
        capacity=centre.structure.capacity,
        sheltered=sheltered,
        training=_training(centre.partnership, listeners),
        listeners=listeners,
    )


@protected
def intake(request, slug) -> HttpResponse:
    """Intake of a new case by a listener (assigned to her) or the centre coordinator."""
    centre = get_centre_for_user(request.user, slug)
    form = forms.CaseForm(request.POST or None, initial={"opened_on": forms.today()})
    if request.method == "POST" and form.is_valid():
        listener = None if centre.is_coordinator else request.user
        case = actions.open_case(
            structure=centre.structure, by=request.user, data=form.cleaned_data, assigned_to=listener
        )
        messages.success(request, _("Dossier %(code)s ouvert.") % {"code": case.code})
        return redirect(_case_url(case, slug))
    return _page(request, centre, "cases/form.html", form=form, title=_("Nouvel accueil"))


@protected
def case_detail(request, slug, code) -> HttpResponse:
    """The case file and its timeline, for her listener and the centre coordinator."""
    case, centre = get_case_for_user(request.user, slug, code, "consultation")
    context = {
        "case": case,
        "incidents": case.incidents.all(),
        "sessions": case.listeningsessions.select_related("by"),
        "notes": case.notes.select_related("by"),
        "referrals": case.referrals.select_related("by"),
        "complaints": case.complaints.prefetch_related("steps"),
        "stays": case.shelterstays.select_related("by"),
        "groups": case.groupmemberships.select_related("group", "by"),
        "events": case.events.select_related("by")[:50],
        "kinds": ADD_KINDS,
    }
    return _page(request, centre, "cases/case.html", **context)


@protected
def case_edit(request, slug, code) -> HttpResponse:
    """Edits the intake; a save from a stale version is refused with a clear message (docs/security.md 21)."""
    case, centre = get_case_for_user(request.user, slug, code, "modification")
    if refused := _refused_if_anonymised(request, case, slug):
        return refused
    form = forms.CaseEditForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in actions.EDITABLE}
        case.refresh_from_db()
        try:
            actions.update_case(case, by=request.user, version=form.cleaned_data["version"], data=data)
        except Stale:
            refuse(form, Case.objects.get(pk=case.pk))
        else:
            messages.success(request, _("Dossier enregistré."))
            return redirect(_case_url(case, slug))
    response = _page(request, centre, "cases/form.html", form=form, case=case, title=_("Modifier l'accueil"))
    response.status_code = 409 if form.stale else 200
    return response


def _groups(centre):
    return SpeechGroup.objects.filter(structure=centre.structure)


# kind in the URL → (form, action, title)
ADD_KINDS: dict[str, tuple[type[BaseForm], Callable[..., object], StrOrPromise]] = {
    "incident": (forms.IncidentForm, actions.add_incident, gettext_lazy("Incident")),
    "ecoute": (forms.SessionForm, actions.give_listening_session, gettext_lazy("Séance d'écoute")),
    "note": (forms.NoteForm, actions.add_note, gettext_lazy("Note de suivi")),
    "orientation": (forms.ReferralForm, actions.refer, gettext_lazy("Orientation vers un partenaire")),
    "plainte": (
        forms.ComplaintForm,
        actions.accompany_complaint,
        gettext_lazy("Accompagnement d'une plainte"),
    ),
    "hebergement": (forms.ShelterForm, actions.shelter, gettext_lazy("Hébergement")),
    "groupe": (forms.GroupJoinForm, actions.join_group, gettext_lazy("Groupe de parole")),
}


@protected
def case_add(request, slug, code, kind) -> HttpResponse:
    """Records something in the case: an incident, a service given, a follow-up note."""
    if kind not in ADD_KINDS:
        raise Http404
    case, centre = get_case_for_user(request.user, slug, code, f"ajout-{kind}")
    if refused := _refused_if_anonymised(request, case, slug):
        return refused
    form_class, action, title = ADD_KINDS[kind]
    extra = {"groups": _groups(centre)} if kind == "groupe" else {}
    form: BaseForm | None  # None: the page says why there is no form
    form = form_class(request.POST or None, initial={"date": forms.today()}, **extra)
    if kind == "orientation" and not case.consent_referral and not centre.is_coordinator:
        form = None
    elif request.method == "POST" and form.is_valid():
        data = form.action_kwargs() if hasattr(form, "action_kwargs") else dict(form.cleaned_data)
        if kind == "orientation":
            data["role"] = centre.role
        try:
            action(case, by=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Enregistré."))
            return redirect(_case_url(case, slug))
    return _page(request, centre, "cases/form.html", form=form, case=case, title=title, kind=kind)


@protected
def complaint_step(request, slug, code, pk) -> HttpResponse:
    """Moves an accompanied complaint to its next stage."""
    case, centre = get_case_for_user(request.user, slug, code, "plainte-etape")
    if refused := _refused_if_anonymised(request, case, slug):
        return refused
    complaint = Complaint.objects.filter(case=case, pk=pk).first()
    if complaint is None:
        raise Http404
    form = forms.ComplaintStepForm(request.POST or None, initial={"date": forms.today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.advance_complaint(complaint, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(_case_url(case, slug))
    return _page(request, centre, "cases/form.html", form=form, case=case, title=_("Étape de la plainte"))


@protected
def shelter_end(request, slug, code, pk) -> HttpResponse:
    """Ends a shelter stay."""
    case, centre = get_case_for_user(request.user, slug, code, "hebergement-fin")
    if refused := _refused_if_anonymised(request, case, slug):
        return refused
    stay = ShelterStay.objects.filter(case=case, pk=pk, end__isnull=True).first()
    if stay is None:
        raise Http404
    form = forms.ShelterEndForm(request.POST or None, initial={"end": forms.today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_shelter(stay, by=request.user, end=form.cleaned_data["end"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(_case_url(case, slug))
    return _page(request, centre, "cases/form.html", form=form, case=case, title=_("Fin de l'hébergement"))


@protected
def case_close(request, slug, code) -> HttpResponse:
    """Closes the case with a reason."""
    case, centre = get_case_for_user(request.user, slug, code, "cloture")
    if refused := _refused_if_anonymised(request, case, slug):
        return refused
    form = forms.CloseForm(request.POST or None, initial={"date": forms.today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.close_case(case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(_case_url(case, slug))
    return _page(request, centre, "cases/form.html", form=form, case=case, title=_("Clôturer le dossier"))


@protected
def case_reopen(request, slug, code) -> HttpResponse:
    """Reopens a closed case."""
    case, centre = get_case_for_user(request.user, slug, code, "reouverture")
    if refused := _refused_if_anonymised(request, case, slug):
        return refused
    if request.method == "POST":
        try:
            actions.reopen_case(case, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect(_case_url(case, slug))
    return _page(request, centre, "cases/form.html", form=None, confirm=True, case=case, title=_("Rouvrir"))


@protected
def case_assign(request, slug, code) -> HttpResponse:
    """The centre coordinator assigns the case to a listener of the centre; 404 for anyone else."""
    get_centre_coordination_for_user(request.user, slug)
    case, centre = get_case_for_user(request.user, slug, code, "attribution")
    if refused := _refused_if_anonymised(request, case, slug):
        return refused
    form = forms.AssignForm(request.POST or None, structure=centre.structure)
    if request.method == "POST" and form.is_valid():
        actions.assign(case, by=request.user, listener=form.cleaned_data["listener"])
        return redirect(_case_url(case, slug))
    return _page(request, centre, "cases/form.html", form=form, case=case, title=_("Attribuer le dossier"))


@protected
def groups(request, slug) -> HttpResponse:
    """The centre's speech groups, with their number of members and sessions."""
    centre = get_centre_for_user(request.user, slug)
    rows = _groups(centre).annotate(
        n_members=Count("memberships", distinct=True), n_sessions=Count("sessions", distinct=True)
    )
    return _page(request, centre, "cases/groups.html", groups=rows)


@protected
def group_new(request, slug) -> HttpResponse:
    """The centre coordinator creates a speech group."""
    centre = get_centre_coordination_for_user(request.user, slug)
    form = forms.GroupForm(request.POST or None, initial={"started_on": forms.today()})
    if request.method == "POST" and form.is_valid():
        if _groups(centre).filter(name=form.cleaned_data["name"]).exists():
            form.add_error("name", _("Un groupe porte déjà ce nom."))
        else:
            group = form.save(commit=False)
            group.structure = centre.structure
            group.save()
            return redirect("cases:group", slug=slug, pk=group.pk)
    return _page(request, centre, "cases/form.html", form=form, title=_("Nouveau groupe de parole"))


@protected
def group_detail(request, slug, pk) -> HttpResponse:
    """A speech group: its sessions and who attended. A listener sees the codes of her own cases
    only; the others are counted."""
    group, centre = get_group_for_user(request.user, slug, pk)
    visible = set(cases_for(request.user, centre).values_list("pk", flat=True))
    sessions = []
    for session in group.sessions.prefetch_related("attendees").select_related("by"):
        present = list(session.attendees.all())
        sessions.append(
            {
                "session": session,
                "codes": [c.code for c in present if c.pk in visible],
                "others": sum(1 for c in present if c.pk not in visible),
            }
        )
    members = group.memberships.select_related("case")
    codes = [m.case.code for m in members if m.case_id in visible]
    return _page(
        request,
        centre,
        "cases/group.html",
        group=group,
        sessions=sessions,
        codes=codes,
        others=len(members) - len(codes),
    )


@protected
def group_session_add(request, slug, pk) -> HttpResponse:
    """Records a session of the group and who attended (among the members she may see)."""
    group, centre = get_group_for_user(request.user, slug, pk)
    members = cases_for(request.user, centre).filter(
        groupmemberships__group=group, anonymised_on__isnull=True
    )
    form = forms.GroupSessionForm(request.POST or None, members=members, initial={"date": forms.today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.hold_group_session(
                group,
                by=request.user,
                date=form.cleaned_data["date"],
                attendees=form.cleaned_data["attendees"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("cases:group", slug=slug, pk=group.pk)
    return _page(request, centre, "cases/form.html", form=form, title=_("Séance du groupe"))


SERVICE_LABELS = {
    "ecoute": gettext_lazy("Écoute"),
    "groupe-de-parole": gettext_lazy("Groupe de parole"),
    "plainte": gettext_lazy("Accompagnement d'une plainte"),
    "hebergement": gettext_lazy("Hébergement"),
    "orientation": gettext_lazy("Orientation"),
}


@login_required
def statistics(request, slug) -> HttpResponse:
    """The centre's statistics (consenting cases only): unsuppressed for the centre coordinator,
    suppressed (docs/security.md 8) for everyone else who may see the partnership."""
    partnership, access, structure = get_stats_centre_for_user(request.user, slug)
    suppressed = not sees_raw_statistics(access, structure)
    year = partnership.asked_year(request.GET.get("annee"))  # None: every year
    published = stats.published(partnership, year, suppressed)
    titles = {
        "by_year": (_("Dossiers par année d'accueil"), {}),
        "by_age": (_("Par tranche d'âge"), dict(AgeBand.choices)),
        "by_incident": (
            _("Par type d'incident (un dossier peut compter sous plusieurs types)"),
            dict(IncidentType.choices),
        ),
        "by_service": (
            _("Par service reçu (un dossier peut compter sous plusieurs services)"),
            SERVICE_LABELS,
        ),
    }
    tables = [
        (
            title,
            {
                "rows": [(labels.get(k, k), c) for k, c in published[name]["rows"].items()],
                "total": published[name]["total"],
            },
        )
        for name, (title, labels) in titles.items()
    ]
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "tables": tables,
        "suppressed": suppressed,
        "year": year,
        "years": partnership.years,
        "followed": published["followed"],
        "target": stats.followed_target(partnership),
    }
    return render(request, "cases/statistics.html", context)


@protected
def roles(request, slug) -> HttpResponse:
    """The centre coordinator manages the centre's accounts (docs/security.md 26): who holds which role,
    granting a role to an existing account, and from each row: remove, reset the second factor, send
    a password link. Nobody outside the centre can do any of it."""
    centre = get_centre_coordination_for_user(request.user, slug)
    form = CentreRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            role_actions.grant_centre_role(
                request.user, centre.structure, data["user"], data["role"], request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Rôle accordé à %(user)s.") % {"user": data["user"].get_username()})
            return redirect("cases:roles", slug=slug)
    staff = list(centre_staff(centre.structure))
    enrolled = set(
        TOTPDevice.objects.filter(user__in=[m.user for m in staff], confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    rows = [
        {"membership": m, "enrolled": m.user_id in enrolled, "self": m.user_id == request.user.pk}
        for m in staff
    ]
    return _page(request, centre, "cases/roles.html", rows=rows, form=form)


ROLE_ACTS = {
    "retirer": lambda request, m, centre: role_actions.remove_centre_role(request.user, m),
    "second-facteur": lambda request, m, centre: role_actions.reset_second_factor(
        request.user, m.user, structure=centre.structure
    ),
    "mot-de-passe": lambda request, m, centre: role_actions.send_password_reset(
        request.user, m.user, request, structure=centre.structure
    ),
}


@protected
@require_POST
def role_act(request, slug, pk, act) -> HttpResponse:
    """One button of the roles page, on one centre role: remove it, reset the holder's second
    factor, or send her a password link. Logged by the action."""
    membership, centre = get_centre_member_for_user(request.user, slug, pk)
    if act not in ROLE_ACTS:
        raise Http404
    if membership.user_id == request.user.pk:
        # Her own account: another coordinator of the centre (or two administrators) acts on it.
        messages.error(
            request, _("Pas sur votre propre compte : une autre coordinatrice du centre s'en charge.")
        )
        return redirect("cases:roles", slug=slug)
    try:
        ROLE_ACTS[act](request, membership, centre)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Fait pour %(user)s.") % {"user": membership.user.get_username()})
    return redirect("cases:roles", slug=slug)


@protected
def role_log(request, slug) -> HttpResponse:
    """The centre's append-only log of roles, second factors and password links, for its coordinator."""
    centre = get_centre_coordination_for_user(request.user, slug)
    page = Paginator(role_log_of(centre.structure), 50).get_page(request.GET.get("page"))
    return _page(request, centre, "cases/role_log.html", page=page)

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core import disclosure
from core.locking import Stale, refuse
from core.navigation import navigation
from partnerships.access import get_partnership_for_user
from people import actions as people_actions
from people.access import may_register, search_people, shows_identity
from people.models import Person

from . import actions
from .access import get_activity_for_user, get_activity_for_writer, get_visits_for_user, may_create, may_write
from .forms import (
    ActivityFilter,
    ActivityForm,
    DecisionForm,
    QuickPersonForm,
    StructurePartnerForm,
    TallyTableForm,
    VisitForm,
)
from .models import Activity, ActivityPartner, StructurePartner, Tally

# The public a structure serves: the default target group of someone registered there on the fly.
DEFAULT_GROUP = {
    "centre-jour": "jeunes-handicap",
    "bureau-migrants": "migrants",
}


def _with_counts(activities):
    tallied = (
        Tally.objects.filter(activity=OuterRef("pk"))
        .values("activity")
        .annotate(total=Sum("count"))
        .values("total")
    )
    return activities.annotate(
        attendance=Count("attendances", distinct=True),
        tallied=Coalesce(Subquery(tallied, output_field=IntegerField()), 0),
    )


@login_required
def activity_list(request, slug) -> HttpResponse:
    """Activities of the partnership, filtered and sorted; everyone with a role here sees them (counts only)."""
    partnership, access = get_partnership_for_user(request.user, slug)
    outside = not access.sees_individuals
    form = ActivityFilter(
        request.GET or None,
        structures=partnership.structures.all(),
        douars=partnership.douars.all(),
        outside=outside,
    )
    activities: QuerySet[Activity] = Activity.objects.visible_to(request.user).filter(partnership=partnership)
    activities = form.apply(activities)
    sort = (form.cleaned_data.get("sort") if form.is_valid() else "") or "-date"
    activities = _with_counts(activities.select_related("structure", "douar")).order_by(sort, "-pk")
    page = Paginator(activities, 30).get_page(request.GET.get("page"))
    if outside:
        k = disclosure.THRESHOLDS["registry"]
        for a in page:
            # `attendance` and `tallied` are _with_counts's annotations; `participants` is for the template.
            a.participants = disclosure.small(a.attendance + a.tallied, k)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "may_create": access.records_work,
        "outside": outside,
    }
    return render(request, "activities/list.html", context)


@login_required
def activity_create(request, slug) -> HttpResponse:
    """A new activity: the coordinator for any structure or none; staff for their own structure."""
    partnership, access = get_partnership_for_user(request.user, slug)
    if not access.records_work:
        raise Http404
    form = ActivityForm(request.POST or None, partnership=partnership, structures=access.work_structures)
    if request.method == "POST" and form.is_valid():
        if not may_create(access, form.cleaned_data["structure"]):
            form.add_error("structure", _("Choisissez votre structure."))
        else:
            activity = form.instance
            activity.partnership, activity.created_by = partnership, request.user
            actions.create_activity(activity, **form.links())
            messages.success(request, _("Activité enregistrée."))
            if activity.date > timezone.localdate():  # planned: attendance is taken on the day
                return redirect("activities:detail", slug=slug, pk=activity.pk)
            return redirect("activities:attendance", slug=slug, pk=activity.pk)
    return render(
        request, "activities/form.html", {"partnership": partnership, "nav": navigation(access), "form": form}
    )


@login_required
def activity_edit(request, slug, pk) -> HttpResponse:
    """Edits an activity: the coordinator any of them, staff those of their structure (to their structure)."""
    activity, access = get_activity_for_user(request.user, slug, pk)
    if not may_write(access, activity):
        raise Http404
    partnership = activity.partnership
    form = ActivityForm(
        request.POST or None,
        instance=activity,
        partnership=partnership,
        structures=access.work_structures,
        initial={"partners": list(activity.partners.all())},
    )
    if request.method == "POST" and form.is_valid():
        if not may_create(access, form.cleaned_data["structure"]):
            form.add_error("structure", _("Choisissez votre structure."))
        else:
            try:
                actions.update_activity(activity, **form.edit())
            except actions.NotYetHeld as error:
                form.add_error("date", str(error))
            except Stale:
                current = Activity.objects.get(pk=activity.pk)
                refuse(form, current, partners=list(current.partners.all()))
            else:
                messages.success(request, _("Activité enregistrée."))
                return redirect("activities:detail", slug=slug, pk=activity.pk)
    context = {"partnership": partnership, "nav": navigation(access), "form": form, "activity": activity}
    return render(request, "activities/form.html", context, status=409 if form.stale else 200)


@login_required
def activity_detail(request, slug, pk) -> HttpResponse:
    """An activity and its counts; who attended only for its writers (coordinator, structure staff)."""
    activity, access = get_activity_for_user(request.user, slug, pk)
    if not access.sees_individuals:
        return _detail_outside(request, activity, access)
    writer = may_write(access, activity)
    context = {
        "partnership": activity.partnership,
        "nav": navigation(access),
        "activity": activity,
        "writer": writer,
        "attendance_count": activity.attendances.count(),
        "attendees": _attendees(activity, access) if writer else [],
        "tallies": activity.tallies.select_related("target_group"),
        "partners": activity.partner_roles.select_related("organisation"),
        "decisions": activity.decisions.all(),
        "decision_form": DecisionForm() if writer and activity.kind == Activity.Kind.COMMITTEE else None,
    }
    return render(request, "activities/detail.html", context)


def _detail_outside(request, activity, access):
    """What the partner commune, the network and the platform admin see of an activity: the annual
    report's allow-list (docs/security.md 9) — kind, month, communes, results, and participants by sex
    through the disclosure rule (docs/security.md 8). No title, place, day, structure, worker or partner;
    a committee's decisions as the report shows them (text, month due, done)."""
    by_sex = dict.fromkeys(("F", "M", "X"), 0)
    for sex, n in activity.attendances.values_list("person__sex").annotate(n=Count("pk")).order_by():
        by_sex[sex] += n
    for sex, n in activity.tallies.values_list("sex").annotate(n=Sum("count")).order_by():
        by_sex[sex] += n or 0
    cells, total = disclosure.breakdown(by_sex, disclosure.THRESHOLDS["registry"])
    labels = dict(Tally.Sex.choices)
    context = {
        "partnership": activity.partnership,
        "nav": navigation(access),
        "activity": activity,
        "participants": [(labels[sex], cells[sex]) for sex in by_sex],
        "total": total,
        "communes": activity.partnership.communes.all(),
        "decisions": activity.decisions.all() if activity.kind == Activity.Kind.COMMITTEE else [],
    }
    return render(request, "activities/detail_outside.html", context)


def _attendees(activity, access):
    rows = activity.attendances.select_related("person").order_by("-created_at")
    return [{"person": a.person, "identity": shows_identity(access, a.person)} for a in rows]


def _attendance_context(request, activity, access, **extra):
    default_group = DEFAULT_GROUP.get(activity.structure.kind if activity.structure else "", "")
    return {
        "partnership": activity.partnership,
        "nav": navigation(access),
        "activity": activity,
        "attendees": _attendees(activity, access),
        "quick_form": QuickPersonForm(initial={"target_group": default_group}),
        "identity_allowed": bool(activity.structure_id) and access.in_structure(activity.structure_id),
        # docs/security.md 34: nobody registers a person on the fly at a listening centre's activity.
        "quick_allowed": may_register(access, activity.structure),
        **extra,
    }


def _tally_form(activity, data=None):
    """The tally table: F, M, X without a public, then each public counted so far."""
    tallies = activity.tallies.select_related("target_group")
    tallies = list(tallies.order_by("target_group__order", "target_group__code", "sex"))
    counts = {(t.sex, t.target_group_id): t.count for t in tallies}
    rows = [(sex, None, counts.get((sex, None), 0)) for sex in Tally.Sex.values]
    rows += [(t.sex, t.target_group, t.count) for t in tallies if t.target_group_id]
    return TallyTableForm(data, rows=rows)


def _saved(changed) -> str:
    """What a tally submit saved, in words: every row written, with its number."""
    if not changed:
        return _("Rien à changer : ces nombres étaient déjà enregistrés.")
    labels = dict(Tally.Sex.choices)
    rows = [
        f"{labels[sex]}{f' · {group.label}' if group else ''} : {n}" for (sex, group), n in changed.items()
    ]
    return _("Comptages enregistrés — %(rows)s.") % {"rows": " ; ".join(rows)}


def _not_yet_held(request, activity):
    """Before its date an activity takes no attendance nor tallies: back to its page, saying why
    (None once its day has come)."""
    try:
        actions.check_held(activity.date)
    except actions.NotYetHeld as error:
        return _back_to_activity(request, activity, error)
    return None


def _back_to_activity(request, activity, error):
    messages.error(request, str(error))
    url = reverse("activities:detail", kwargs={"slug": activity.partnership.slug, "pk": activity.pk})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
def attendance(request, slug, pk) -> HttpResponse:
    """Fast entry on a phone: search as you type, tick, create on the fly, tally with +/−. Writers only,
    once the activity's day has come."""
    activity, access = get_activity_for_writer(request.user, slug, pk)
    if refused := _not_yet_held(request, activity):
        return refused
    context = _attendance_context(request, activity, access, tally_form=_tally_form(activity))
    return render(request, "activities/attendance.html", context)


@login_required
@require_POST
def search(request, slug, pk) -> HttpResponse:
    """Search-as-you-type among the people the user may see: codes in SQL, names only within her structure.

    Posted (with the CSRF token), so that no name reaches an access log (docs/security.md 32)."""
    activity, access = get_activity_for_writer(request.user, slug, pk)
    query = request.POST.get("q", "").strip()
    results = []
    if query:
        people = search_people(request.user, access, query).order_by("number")[:20]
        present = set(activity.attendances.values_list("person_id", flat=True))
        results = [
            {"person": p, "identity": shows_identity(access, p), "present": p.pk in present} for p in people
        ]
    context = {"partnership": activity.partnership, "activity": activity, "results": results, "query": query}
    return render(request, "activities/_results.html", context)


def _person_for(request, activity):
    pk = request.POST.get("person", "")
    people = Person.objects.visible_to(request.user).filter(partnership=activity.partnership)
    return get_object_or_404(people, pk=pk) if pk.isdigit() else None


@login_required
@require_POST
def attend(request, slug, pk) -> HttpResponse:
    """Ticks one person present (idempotent); answers the ticked mark and the refreshed list."""
    activity, access = get_activity_for_writer(request.user, slug, pk)
    person = _person_for(request, activity)
    if person is None:
        raise Http404
    if refused := _not_yet_held(request, activity):
        return refused
    try:
        actions.record_attendance(activity, [person])
    except actions.NotYetHeld as error:  # moved after today meanwhile
        return _back_to_activity(request, activity, error)
    context = _attendance_context(request, activity, access, person=person)
    return render(request, "activities/_ticked.html", context)


@login_required
@require_POST
def unattend(request, slug, pk) -> HttpResponse:
    """Removes one person's attendance."""
    activity, access = get_activity_for_writer(request.user, slug, pk)
    person = _person_for(request, activity)
    if person is None:
        raise Http404
    actions.remove_attendance(activity, person)
    return render(request, "activities/_present.html", _attendance_context(request, activity, access))


@login_required
@require_POST
def quick_person(request, slug, pk) -> HttpResponse:
    """Registers a person on the fly (sex, birth year) and ticks her present."""
    activity, access = get_activity_for_writer(request.user, slug, pk)
    if not may_register(access, activity.structure):
        raise Http404
    if refused := _not_yet_held(request, activity):  # before she is registered: nothing written
        return refused
    form = QuickPersonForm(request.POST)
    if not form.is_valid():
        context = _attendance_context(request, activity, access, quick_errors=form.errors)
        return render(request, "activities/_present.html", context)
    data = form.cleaned_data
    identity = bool(activity.structure_id) and access.in_structure(activity.structure_id)
    person = people_actions.register_person(
        activity.partnership,
        sex=data["sex"],
        birth_year=data["birth_year"],
        target_groups=[data["target_group"]] if data["target_group"] else [],
        structure=activity.structure,
        consent=True,
        first_name=data["first_name"] if identity else "",
        last_name=data["last_name"] if identity else "",
        created_by=request.user,
    )
    try:
        actions.record_attendance(activity, [person])
    except actions.NotYetHeld as error:  # moved after today meanwhile: she stays registered
        return _back_to_activity(request, activity, error)
    context = _attendance_context(request, activity, access, created=person)
    return render(request, "activities/_present.html", context)


@login_required
@require_POST
def tally(request, slug, pk) -> HttpResponse:
    """Saves the tally table in one submit (the − / + buttons only change the numbers on the phone).
    Absolute numbers: a retried or double submit, or a resend after a lost answer, counts once; a row
    someone else changed meanwhile is refused beside it (409 without htmx), nothing written."""
    activity, access = get_activity_for_writer(request.user, slug, pk)
    if refused := _not_yet_held(request, activity):
        return refused
    form, status, saved, changed = _tally_form(activity, request.POST), 200, None, {}
    if form.is_valid():
        try:
            changed = actions.set_tallies(activity, *form.counts())
        except actions.NotYetHeld as error:  # moved after today meanwhile
            return _back_to_activity(request, activity, error)
        except actions.TallyConflict as conflict:
            form.refuse(conflict.current)
            status = 409
        else:
            saved = _saved(changed)
            if not request.htmx:
                messages.success(request, saved)
                return redirect("activities:attendance", slug=slug, pk=pk)
            form = _tally_form(activity)
    if request.htmx:  # htmx swaps only a 2xx answer
        context = {"partnership": activity.partnership, "activity": activity, "tally_form": form}
        return render(
            request, "activities/_tallies.html", {**context, "saved": saved, "changed": len(changed)}
        )
    context = _attendance_context(request, activity, access, tally_form=form)
    return render(request, "activities/attendance.html", context, status=status)


@login_required
@require_POST
def decision_add(request, slug, pk) -> HttpResponse:
    """Records a steering committee's decision, who follows it up and by when. Writers only."""
    activity, access = get_activity_for_writer(request.user, slug, pk)
    if activity.kind != Activity.Kind.COMMITTEE:
        raise Http404
    form = DecisionForm(request.POST)
    if form.is_valid():
        decision = form.save(commit=False)
        decision.activity = activity
        decision.save()
        messages.success(request, _("Décision enregistrée."))
    else:
        messages.error(request, _("La décision n'a pas été enregistrée : le texte est obligatoire."))
    return redirect("activities:detail", slug=slug, pk=pk)


@login_required
@require_POST
def decision_done(request, slug, pk, decision) -> HttpResponse:
    """Marks a committee's decision done, or not done after all (`done` = 1 or 0). Writers only."""
    activity, _access = get_activity_for_writer(request.user, slug, pk)
    found = activity.decisions.filter(pk=decision).first()
    if found is None or request.POST.get("done") not in ("0", "1"):
        raise Http404
    found.done = request.POST["done"] == "1"
    found.save(update_fields=["done", "updated_at"])
    messages.success(
        request, _("Décision marquée réalisée.") if found.done else _("Décision marquée à faire.")
    )
    return redirect("activities:detail", slug=slug, pk=pk)


@login_required
def visits(request, slug) -> HttpResponse:
    """The migrant office's log of visits and orientations: its agents and the coordinator."""
    partnership, access, visit_list, writable = get_visits_for_user(request.user, slug)
    people = Person.objects.visible_to(request.user).filter(
        partnership=partnership, structure__in=[s.pk for s in writable]
    )
    structures = partnership.structures.filter(pk__in=[s.pk for s in writable])
    form = VisitForm(
        request.POST or None,
        partnership=partnership,
        structures=structures,
        people=people,
        initial={"structure": structures.first()},
    )
    if request.method == "POST" and form.is_valid():
        actions.record_visit(form, partnership, request.user)
        messages.success(request, _("Visite enregistrée."))
        return redirect("activities:visits", slug=slug)
    page = Paginator(visit_list.select_related("person", "referred_to", "structure", "douar"), 50).get_page(
        request.GET.get("page")
    )
    context = {"partnership": partnership, "nav": navigation(access), "form": form, "page": page, "query": ""}
    return render(request, "activities/visits.html", context)


@login_required
def partners(request, slug) -> HttpResponse:
    """The partnership's partner organisations, their role in the partnership, its structures and activities.

    Everyone with a role in the partnership reads it; the coordinator adds a structure role.
    """
    partnership, access = get_partnership_for_user(request.user, slug)
    form = None
    if access.coordinates:
        form = StructurePartnerForm(request.POST or None, partnership=partnership)
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, _("Rôle du partenaire enregistré."))
            return redirect("activities:partners", slug=slug)
    elif request.method == "POST":
        raise Http404
    activity_counts = dict(
        ActivityPartner.objects.filter(activity__partnership=partnership)
        .values_list("organisation")
        .annotate(n=Count("pk"))
    )
    roles = [
        {"role": r, "activities": activity_counts.get(r.organisation_id, 0)}
        for r in partnership.partner_roles.select_related("organisation")
    ]
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "roles": roles,
        "structure_roles": StructurePartner.objects.filter(structure__partnership=partnership).select_related(
            "structure", "organisation"
        ),
        "form": form,
    }
    return render(request, "activities/partners.html", context)

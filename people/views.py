from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.locking import Stale, refuse
from core.navigation import navigation

from . import actions
from .access import (
    get_person_for_user,
    get_registry_for_user,
    may_change,
    may_register,
    registering_structures,
    registry_of,
    search_people,
    shows_identity,
    staffs,
    staffs_registry,
    uses_registry,
)
from .forms import MergeForm, PersonEditForm, PersonForm, registry_filter
from .models import Person


@login_required
@require_http_methods(["GET", "POST"])
def person_list(request, slug) -> HttpResponse:
    """The registry: the coordinator sees codes of the whole partnership, staff their structure's people.

    The filters are posted, the search (a name, perhaps) with them, so that no name reaches an access
    log or a browser's history (docs/security.md 32). An address keeps the other filters (?sex=F) and
    ignores `q`.
    """
    partnership, access = get_registry_for_user(request.user, slug)
    params = request.POST if request.method == "POST" else _without_search(request.GET)
    form = registry_filter(params, access)
    people = form.apply(registry_of(request.user, access))
    sort = "code"
    if form.is_valid():
        people = search_people(request.user, access, form.cleaned_data["q"], base=people)
        sort = form.cleaned_data["sort"] or sort
    people = people.select_related("structure").prefetch_related("target_groups").order_by(sort, "pk")
    page = Paginator(people, 50).get_page(params.get("page"))
    rows = [{"person": p, "identity": shows_identity(access, p)} for p in page]
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "form": form,
        "page": page,
        "rows": rows,
        # The pages are buttons of the filters' form: the next page is posted with the same filters.
        "pager_form": "people-filters",
        "may_register": uses_registry(access),
    }
    return render(request, "people/list.html", context)


def _without_search(query):
    query = query.copy()
    query.pop("q", None)
    return query


@login_required
def person_create(request, slug) -> HttpResponse:
    """Registers a person. Coordinator for any structure (codes only); staff for their own structure."""
    partnership, access = get_registry_for_user(request.user, slug)
    structures = registering_structures(access)
    identity = staffs_registry(access)
    form = PersonForm(
        request.POST or None, structures=structures, identity=identity, douars=partnership.douars.all()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not may_register(access, data["structure"]):
            form.add_error("structure", _("Choisissez votre structure."))
        elif data["structure"] is not None and not staffs(access, data["structure"]):
            # Only the holding staff may write identity; the coordinator registers codes only.
            for name in PersonForm.IDENTITY:
                data.pop(name, None)
        if not form.errors:
            duplicates = list(
                actions.possible_duplicates(
                    data["structure"],
                    data.get("first_name", ""),
                    data.get("last_name", ""),
                    data["birth_year"],
                ).values_list("code", flat=True)
            )
            person = actions.register_person(partnership, created_by=request.user, **data)
            messages.success(request, _("Personne enregistrée : %(code)s.") % {"code": person.code})
            if duplicates:
                messages.warning(
                    request,
                    _("Doublon possible (même nom et même année de naissance) : %(codes)s.")
                    % {"codes": ", ".join(duplicates)},
                )
            return redirect("people:detail", slug=slug, pk=person.pk)
    context = {"partnership": partnership, "nav": navigation(access), "form": form}
    return render(request, "people/form.html", context)


@login_required
def person_detail(request, slug, pk) -> HttpResponse:
    """One person: code, sex, birth year, groups, attendance; identity only for the holding staff."""
    person, access = get_person_for_user(request.user, slug, pk)
    identity = shows_identity(access, person)
    duplicates: QuerySet[Person] | list[Person] = []
    if identity and person.name_index:
        duplicates = Person.objects.filter(
            structure=person.structure, name_index=person.name_index, birth_year=person.birth_year
        ).exclude(pk=person.pk)
    context = {
        "partnership": person.partnership,
        "nav": navigation(access),
        "person": person,
        "identity": identity,
        "attendances": person.attendances.select_related("activity").order_by("-date")[:200],
        "may_change": may_change(access, person),
        "merge_form": MergeForm(person=person, candidates=Person.objects.none()),
        "duplicates": duplicates,
    }
    return render(request, "people/detail.html", context)


@login_required
def person_edit(request, slug, pk) -> HttpResponse:
    """Changes a record: the coordinator (codes, sex, year, groups) or the holding staff (and identity)."""
    person, access = get_person_for_user(request.user, slug, pk)
    if not may_change(access, person):
        raise Http404
    identity = shows_identity(access, person)
    initial = {
        "sex": person.sex,
        "birth_year": person.birth_year,
        "target_groups": person.target_groups.all(),
        "consent": person.consent,
        "douar": person.douar,
        "version": person.version,
    }
    if identity:
        initial.update({name: getattr(person, name) for name in PersonForm.IDENTITY})
    form = PersonEditForm(request.POST or None, initial=initial, identity=identity, person=person)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "target_groups"}
        try:
            actions.update_person(person, target_groups=list(form.cleaned_data["target_groups"]), **data)
        except Stale:
            refuse(form, Person.objects.get(pk=person.pk))
        else:
            messages.success(request, _("Fiche enregistrée."))
            return redirect("people:detail", slug=slug, pk=person.pk)
    context = {"partnership": person.partnership, "nav": navigation(access), "form": form, "person": person}
    return render(request, "people/form.html", context, status=409 if form.stale else 200)


@login_required
@require_POST
def person_merge(request, slug, pk) -> HttpResponse:
    """Merges another record (by code) into this one, keeping every attendance. Coordinator or holding staff."""
    person, access = get_person_for_user(request.user, slug, pk)
    if not may_change(access, person):
        raise Http404
    form = MergeForm(request.POST, person=person, candidates=registry_of(request.user, access))
    if form.is_valid():
        other = form.cleaned_data["other"]
        actions.merge_people(person, other)
        messages.success(request, _("Fiches fusionnées : %(code)s a été fusionnée.") % {"code": other.code})
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("other", [])))
    return redirect("people:detail", slug=slug, pk=person.pk)


@login_required
@require_POST
def person_delete(request, slug, pk) -> HttpResponse:
    """Deletes a record and its attendance. Coordinator or holding staff."""
    person, access = get_person_for_user(request.user, slug, pk)
    if not may_change(access, person):
        raise Http404
    code = person.code
    actions.delete_person(person)
    messages.success(request, _("Fiche %(code)s supprimée.") % {"code": code})
    return redirect("people:list", slug=slug)

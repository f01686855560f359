"""A new partnership set up in the browser (issue 16, item 3): a network officer or the platform
administrator creates it, then sets up its structures; the target groups (people/setup_views.py) and
the results framework (programme/editing.py, indicators/editing.py) follow. Nobody needs a developer
or the Django admin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.deleting import delete_then_back
from core.navigation import navigation

from . import actions
from .access import (
    get_douar_to_set_up,
    get_setup_for_user,
    get_structure_to_set_up,
    has_coordinator,
    networks_for_setup,
)
from .setup_forms import DouarForm, PartnershipForm, StructureForm


@login_required
def partnership_new(request) -> HttpResponse:
    """A network officer (in her networks) or the platform administrator creates a partnership."""
    networks = networks_for_setup(request.user)
    if not networks.exists():
        raise Http404
    form = PartnershipForm(request.POST or None, networks=networks)
    if request.method == "POST" and form.is_valid():
        try:
            partnership = actions.create_partnership(
                request.user,
                form.save(commit=False),
                list(form.cleaned_data["communes"]),
                form.cleaned_data["new_communes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Partenariat créé. Mettez en place ses structures et son cadre de résultats.")
            )
            return redirect("partnerships:setup", slug=partnership.slug)
    context = {"form": form, "title": _("Nouveau partenariat")}
    return render(request, "partnerships/setup_form.html", context)


@login_required
def setup(request, slug) -> HttpResponse:
    """The set-up of a partnership: its structures, links to its target groups and its results
    framework, and the next step (inviting its first coordinator)."""
    partnership, access = get_setup_for_user(request.user, slug)
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "structures": partnership.structures.select_related("organisation"),
        "has_coordinator": has_coordinator(partnership),
        "douar_count": partnership.douars.count(),
    }
    return render(request, "partnerships/setup.html", context)


@login_required
def structure_edit(request, slug, code=None) -> HttpResponse:
    """Adds a structure to the partnership, or changes one (its code stays)."""
    if code is None:
        partnership, access = get_setup_for_user(request.user, slug)
        form = StructureForm(request.POST or None, partnership=partnership)
        title = _("Nouvelle structure")
    else:
        structure, access = get_structure_to_set_up(request.user, slug, code)
        partnership = structure.partnership
        form = StructureForm(request.POST or None, instance=structure, partnership=partnership)
        title = _("Structure %(code)s") % {"code": structure.code}
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Structure enregistrée."))
        return redirect("partnerships:setup", slug=slug)
    context = {"partnership": partnership, "nav": navigation(access), "form": form, "title": title}
    return render(request, "partnerships/setup_form.html", context)


@login_required
@require_POST
def structure_delete(request, slug, code) -> HttpResponse:
    """Deletes a structure nothing refers to yet; otherwise says what holds it."""
    structure, _access = get_structure_to_set_up(request.user, slug, code)
    return delete_then_back(
        request,
        lambda: actions.delete_structure(structure),
        _("Structure supprimée."),
        "partnerships:setup",
        slug=slug,
    )


@login_required
def douars(request, slug) -> HttpResponse:
    """The douars and neighbourhoods of the partnership's territory, with how many activities, visits
    and people refer to each: for whoever may set the partnership up."""
    partnership, access = get_setup_for_user(request.user, slug)
    rows = partnership.douars.annotate(
        n_activities=Count("activities", distinct=True),
        n_visits=Count("visits", distinct=True),
        n_residents=Count("residents", distinct=True),
    )
    context = {"partnership": partnership, "nav": navigation(access), "douars": rows}
    return render(request, "partnerships/douars.html", context)


@login_required
def douar_edit(request, slug, code=None) -> HttpResponse:
    """Adds a douar to the partnership's territory, or changes one."""
    if code is None:
        partnership, access = get_setup_for_user(request.user, slug)
        form = DouarForm(request.POST or None, partnership=partnership)
        title = _("Nouveau douar ou quartier")
    else:
        douar, access = get_douar_to_set_up(request.user, slug, code)
        partnership = douar.partnership
        form = DouarForm(request.POST or None, instance=douar, partnership=partnership)
        title = _("Douar %(name)s") % {"name": douar.label}
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Douar enregistré."))
        return redirect("partnerships:douars", slug=slug)
    context = {"partnership": partnership, "nav": navigation(access), "form": form, "title": title}
    return render(request, "partnerships/setup_form.html", context)


@login_required
@require_POST
def douar_delete(request, slug, code) -> HttpResponse:
    """Deletes a douar nothing refers to yet; otherwise says what holds it."""
    douar, _access = get_douar_to_set_up(request.user, slug, code)
    return delete_then_back(
        request, lambda: actions.delete_douar(douar), _("Douar supprimé."), "partnerships:douars", slug=slug
    )

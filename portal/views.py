"""The good-practices library for signed-in users (p/<slug>/bonnes-pratiques/) and the network officer's
comparison of the network's partnerships (reseau/<network>/). Who may: access.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.locking import Stale, refuse, save_edit
from core.navigation import navigation
from indicators import figures
from partnerships.access import get_network_for_user, network_partnerships
from projects.access import get_project_of, projects_of

from . import actions, documents, published
from .access import (
    can_edit,
    get_attachment_for_user,
    get_library_for_user,
    get_practice_for_user,
    library_of,
    network_practices,
)
from .forms import AttachmentForm, LinkForm, PracticeForm, ProjectPrinciplesForm, PublishForm, SearchForm
from .models import GoodPractice, Link
from .search import fold


def search(
    practices: QuerySet[GoodPractice], request: HttpRequest
) -> tuple[SearchForm, QuerySet[GoodPractice]]:
    """Filters by the `q` parameter, accent-, case- and vowel-mark-insensitive (French and Arabic)."""
    form = SearchForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["q"].strip():
        for word in fold(form.cleaned_data["q"]).split():
            practices = practices.filter(search_text__contains=word)
    return form, practices


@login_required
def library(request, slug) -> HttpResponse:
    """The partnership's good practices and those the network's partnerships published to it."""
    partnership, access = get_library_for_user(request.user, slug)
    form, practices = search(library_of(request.user, partnership), request)
    page = Paginator(practices, 20).get_page(request.GET.get("page"))
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "page": page,
        "form": form,
        "can_edit": can_edit(access),
    }
    return render(request, "portal/library.html", context)


@login_required
def practice_edit(request, slug, pk=None) -> HttpResponse:
    """Editors write a good practice (new ones start as drafts)."""
    if pk is None:
        partnership, access = get_library_for_user(request.user, slug)
        if not can_edit(access):
            raise Http404
        practice = GoodPractice(partnership=partnership, created_by=request.user)
    else:
        partnership, access, practice = get_practice_for_user(request.user, slug, pk, to_edit=True)
    form = PracticeForm(request.POST or None, instance=practice, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            practice = save_edit(form)
        except Stale:
            refuse(form, GoodPractice.objects.get(pk=practice.pk))
        else:
            messages.success(request, _("Bonne pratique enregistrée."))
            return redirect("practices:detail", slug=slug, pk=practice.pk)
    context = {"partnership": partnership, "nav": navigation(access), "form": form, "practice": practice}
    return render(request, "portal/practice_form.html", context, status=409 if form.stale else 200)


@login_required
def practice_detail(request, slug, pk) -> HttpResponse:
    """A good practice, its documents and links; editors also publish it and attach documents."""
    partnership, access, practice = get_practice_for_user(request.user, slug, pk)
    editable = practice.partnership_id == partnership.id and can_edit(access)
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "practice": practice,
        "can_edit": editable,
        "publish_form": PublishForm(initial={"audience": practice.audience}),
        "attachment_form": AttachmentForm(),
        "link_form": LinkForm(),
    }
    return render(request, "portal/practice_detail.html", context)


@login_required
@require_POST
def practice_publish(request, slug, pk) -> HttpResponse:
    """Editors publish a practice to the partnership, the network or the public — or withdraw it."""
    _partnership, _access, practice = get_practice_for_user(request.user, slug, pk, to_edit=True)
    if request.POST.get("withdraw"):
        actions.unpublish_practice(practice)
        messages.success(request, _("La bonne pratique est repassée en brouillon."))
    else:
        form = PublishForm(request.POST)
        if form.is_valid():
            actions.publish_practice(practice, form.cleaned_data["audience"])
            messages.success(request, _("Bonne pratique publiée."))
        else:
            messages.error(request, _("Choisissez pour qui publier."))
    return redirect("practices:detail", slug=slug, pk=pk)


@login_required
@require_POST
def attachment_add(request, slug, pk) -> HttpResponse:
    """Editors attach a PDF, PNG or JPEG (size and type checked by content)."""
    partnership, access, practice = get_practice_for_user(request.user, slug, pk, to_edit=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        actions.attach_document(
            practice, form.cleaned_data["file"], form.content_type, form.cleaned_data["display_name"]
        )
        messages.success(request, _("Document ajouté."))
        return redirect("practices:detail", slug=slug, pk=pk)
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "practice": practice,
        "can_edit": True,
        "publish_form": PublishForm(initial={"audience": practice.audience}),
        "attachment_form": form,
        "link_form": LinkForm(),
    }
    return render(request, "portal/practice_detail.html", context, status=400)


@login_required
def attachment_download(request, slug, pk, doc) -> FileResponse:
    """A document, as a download, for whoever may read the practice."""
    return documents.serve(get_attachment_for_user(request.user, slug, pk, doc))


@login_required
@require_POST
def attachment_delete(request, slug, pk, doc) -> HttpResponse:
    """Editors remove a document (row and file)."""
    _partnership, _access, practice = get_practice_for_user(request.user, slug, pk, to_edit=True)
    actions.remove_document(get_object_or_404(practice.attachments, pk=doc))
    messages.success(request, _("Document supprimé."))
    return redirect("practices:detail", slug=slug, pk=pk)


@login_required
@require_POST
def link_add(request, slug, pk) -> HttpResponse:
    """Editors add a link (http or https only)."""
    _partnership, _access, practice = get_practice_for_user(request.user, slug, pk, to_edit=True)
    form = LinkForm(request.POST, instance=Link(practice=practice))
    if form.is_valid():
        form.save()
        messages.success(request, _("Lien ajouté."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("practices:detail", slug=slug, pk=pk)


@login_required
@require_POST
def link_delete(request, slug, pk, link) -> HttpResponse:
    """Editors remove a link."""
    _partnership, _access, practice = get_practice_for_user(request.user, slug, pk, to_edit=True)
    get_object_or_404(practice.links, pk=link).delete()
    messages.success(request, _("Lien supprimé."))
    return redirect("practices:detail", slug=slug, pk=pk)


@login_required
def project_principles(request, slug, project) -> HttpResponse:
    """Editors say which governance principles a project applies (shown on the portal)."""
    partnership, access = get_library_for_user(request.user, slug)
    if not can_edit(access):
        raise Http404
    followed = get_project_of(partnership, project)
    initial = {"principles": [link.principle_id for link in followed.principle_links.all()]}
    form = ProjectPrinciplesForm(request.POST or None, initial=initial, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        actions.set_project_principles(followed, list(form.cleaned_data["principles"]))
        messages.success(request, _("Principes enregistrés."))
        return redirect("practices:projects", slug=slug)
    context = {"partnership": partnership, "nav": navigation(access), "form": form, "project": followed}
    return render(request, "portal/project_principles.html", context)


@login_required
def projects(request, slug) -> HttpResponse:
    """Editors' list of the partnership's projects, with the principles each applies."""
    partnership, access = get_library_for_user(request.user, slug)
    if not can_edit(access):
        raise Http404
    found = projects_of(partnership).prefetch_related("principle_links__principle")
    context = {"partnership": partnership, "nav": navigation(access), "projects": found}
    return render(request, "portal/projects.html", context)


@login_required
def network(request, network_slug) -> HttpResponse:
    """The network officer's view: each partnership of her network side by side, for one year."""
    network = get_network_for_user(request.user, network_slug)
    columns = []
    for partnership, access in network_partnerships(request.user, network):
        year = figures.chosen_year(request.GET.get("annee"), partnership)
        blocks = figures.partnership_tables(partnership, access, year)
        tables = [t for block in blocks for t in block["tables"]]
        columns.append(
            {
                "partnership": partnership,
                "year": year,
                "tables": tables,
                "activities": published.activities_by_kind(partnership, year),
            }
        )
    practices = network_practices(request.user, network)
    return render(
        request, "portal/network.html", {"network": network, "columns": columns, "practices": practices}
    )

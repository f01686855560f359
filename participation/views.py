"""Staff pages of the youth forums (p/<slug>/forums/). Who may do what: see participation/access.py."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.locking import Stale, refuse
from core.navigation import navigation

from . import actions
from .access import (
    can_manage,
    get_batch_for_user,
    get_forum_for_user,
    get_forums_for_user,
    get_proposal_for_user,
    is_officer,
)
from .counting import BallotRefused
from .forms import (
    BallotForm,
    CodesForm,
    DecisionForm,
    ForumForm,
    PaperProposalForm,
    ReopenForm,
)
from .models import Forum, PaperBatch, Phase, Proposal


def _context(access, **extra) -> dict[str, Any]:
    return {
        "partnership": access.partnership,
        "nav": navigation(access),
        "can_manage": can_manage(access),
        "is_officer": is_officer(access),
        **extra,
    }


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def forum_list(request, slug) -> HttpResponse:
    """The partnership's forums, newest first (readers); the coordinator also creates one here."""
    partnership, access = get_forums_for_user(request.user, slug)
    forums = (
        Forum.objects.filter(partnership=partnership)
        .annotate(n_proposals=Count("proposals", distinct=True))
        .order_by("-date", "title")
    )
    page = Paginator(forums, 20).get_page(request.GET.get("page"))
    form = None
    if can_manage(access):
        form = ForumForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if Forum.objects.filter(partnership=partnership, slug=form.cleaned_data["slug"]).exists():
                form.add_error("slug", _("Un forum de ce partenariat porte déjà ce code."))
            else:
                form.instance.partnership = partnership
                forum = form.save()
                messages.success(request, _("Forum créé : les propositions sont ouvertes."))
                return redirect("participation:forum", slug=slug, pk=forum.pk)
    elif request.method == "POST":
        return render(request, "404.html", status=404)
    return render(request, "participation/forum_list.html", _context(access, page=page, form=form))


@login_required
def forum_detail(request, slug, pk) -> HttpResponse:
    """A forum: its phase, proposals, paper batches, results and followed projects (readers)."""
    forum, access = get_forum_for_user(request.user, slug, pk)
    proposals = forum.proposals.all()
    context = _context(
        access,
        forum=forum,
        proposals=proposals,
        batches=forum.batches.annotate(n=Count("ballots")).select_related("entered_by", "confirmed_by"),
        changes=forum.phase_changes.select_related("by"),
        reopen_form=ReopenForm(initial={"phase": forum.earlier_phases[-1] if forum.earlier_phases else None}),
        codes=forum.codes.aggregate(total=Count("pk"), used=Count("pk", filter=Q(used_at__isnull=False))),
        phases=Phase.choices,
    )
    if forum.phase_at_least(Phase.VOTING):
        context["results"] = actions.results(forum)
    return render(request, "participation/forum_detail.html", context)


@login_required
@require_POST
def forum_phase(request, slug, pk) -> HttpResponse:
    """Move to the next phase, or reopen an earlier one with a logged reason (coordinator)."""
    forum, access = get_forum_for_user(request.user, slug, pk, need=can_manage)
    try:
        if request.POST.get("reopen"):
            form = ReopenForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choisissez la phase à rouvrir et indiquez le motif."))
            forum = actions.reopen_phase(
                forum, request.user, form.cleaned_data["phase"], form.cleaned_data["reason"]
            )
            messages.warning(
                request, _("Phase rouverte : %(phase)s (consigné).") % {"phase": forum.get_phase_display()}
            )
        else:
            forum = actions.advance_phase(forum, request.user)
            messages.success(
                request, _("Le forum passe à la phase : %(phase)s.") % {"phase": forum.get_phase_display()}
            )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("participation:forum", slug=slug, pk=pk)


@login_required
def proposal_paper(request, slug, pk) -> HttpResponse:
    """An officer types in a paper proposal form, while proposals are open."""
    forum, access = get_forum_for_user(request.user, slug, pk, need=is_officer)
    form = PaperProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = actions.submit_proposal(forum, entered_by=request.user, **_proposal_fields(form))
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Proposition n° %(n)s enregistrée.") % {"n": proposal.number})
            return redirect("participation:proposal_paper", slug=slug, pk=pk)
    return render(request, "participation/proposal_paper.html", _context(access, forum=forum, form=form))


def _proposal_fields(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "site_web"}


@login_required
def proposal_decide(request, slug, pk, number) -> HttpResponse:
    """The coordinator reads a proposal (with its contact) and decides its admissibility."""
    proposal, access = get_proposal_for_user(request.user, slug, pk, number)
    decided = proposal.status in (Proposal.Status.ADMISSIBLE, Proposal.Status.INADMISSIBLE)
    initial = {"version": proposal.version, "reason": proposal.decision_reason}
    if decided:
        initial["admissible"] = "1" if proposal.status == Proposal.Status.ADMISSIBLE else "0"
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.decide_admissibility(
                proposal,
                request.user,
                admissible=form.cleaned_data["admissible"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        except Stale:
            current = Proposal.objects.get(pk=proposal.pk)
            admissible: dict[str, bool] = {
                Proposal.Status.ADMISSIBLE: True,
                Proposal.Status.INADMISSIBLE: False,
            }
            refuse(form, current, admissible=admissible.get(current.status), reason=current.decision_reason)
        else:
            messages.success(request, _("Décision enregistrée."))
            return redirect("participation:forum", slug=slug, pk=pk)
    context = _context(access, forum=proposal.forum, proposal=proposal, form=form)
    return render(request, "participation/proposal_decide.html", context, status=409 if form.stale else 200)


@login_required
def codes(request, slug, pk) -> HttpResponse:
    """The coordinator prints one-time voting codes: shown once, on a page made for printing."""
    forum, access = get_forum_for_user(request.user, slug, pk, need=can_manage)
    form = CodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = actions.issue_codes(forum, form.cleaned_data["count"])
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            return render(request, "participation/codes_print.html", {"forum": forum, "codes": issued})
    return render(request, "participation/codes.html", _context(access, forum=forum, form=form))


@login_required
def batches(request, slug, pk) -> HttpResponse:
    """Paper ballot lots of a forum; an officer opens a new lot to type ballots into (officers)."""
    forum, access = get_forum_for_user(request.user, slug, pk, need=is_officer)
    if request.method == "POST":
        if forum.phase != Phase.VOTING:
            messages.error(request, _("Les bulletins papier se saisissent pendant la phase de vote."))
            return redirect("participation:forum", slug=slug, pk=pk)
        batch = PaperBatch.objects.create(
            forum=forum, entered_by=request.user, label=request.POST.get("label", "")[:100]
        )
        return redirect("participation:batch", slug=slug, pk=pk, batch=batch.pk)
    return redirect("participation:forum", slug=slug, pk=pk)


@login_required
def batch_detail(request, slug, pk, batch) -> HttpResponse:
    """Type paper ballots into a lot (the officer who opened it); another officer confirms it."""
    batch, access = get_batch_for_user(request.user, slug, pk, batch)
    forum = batch.forum
    proposals = forum.proposals.filter(status=Proposal.Status.ADMISSIBLE)
    form = BallotForm(request.POST or None, proposals=proposals)
    if request.method == "POST":
        if batch.entered_by_id != request.user.pk:
            form = BallotForm(proposals=proposals)
            messages.error(request, _("Seul l'agent qui a ouvert ce lot y saisit des bulletins."))
        elif form.is_valid():
            try:
                actions.cast_ballot(
                    forum,
                    form.cleaned_data["code"],
                    form.choice_ids(),
                    sex=form.cleaned_data["sex"],
                    age_band=form.cleaned_data["age_band"],
                    batch=batch,
                )
            except BallotRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Bulletin saisi."))
                return redirect("participation:batch", slug=slug, pk=pk, batch=batch.pk)
    context = _context(access, forum=forum, batch=batch, form=form, n_ballots=batch.ballots.count())
    return render(request, "participation/batch.html", context)


@login_required
@require_POST
def batch_confirm(request, slug, pk, batch) -> HttpResponse:
    """A second officer, not the one who typed the lot, confirms it: then its ballots count."""
    batch, access = get_batch_for_user(request.user, slug, pk, batch)
    try:
        actions.confirm_batch(batch, request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Lot vérifié : ses bulletins sont comptés."))
    return redirect("participation:batch", slug=slug, pk=pk, batch=batch.pk)

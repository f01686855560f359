"""Public pages of the forums (public/<slug>/forums/), no account needed.

What they show depends on the forum's phase; never a proposer's contact, sex or age band, never who
entered or decided anything. Light pages: text and tables, no images.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from core import throttle
from core.spreadsheets import csv_writer
from projects.models import Project

from . import actions, stats
from .access import get_public_forum, get_public_partnership
from .counting import BallotRefused
from .forms import BallotForm, ProposalForm
from .models import Forum, Phase, Proposal


def _closed(request, forum, message, status) -> HttpResponse:
    return render(
        request, "participation/public/closed.html", {"forum": forum, "message": message}, status=status
    )


def forum_list(request, slug) -> HttpResponse:
    """Every forum of a partnership, with its phase."""
    partnership = get_public_partnership(slug)
    forums = Forum.objects.filter(partnership=partnership)
    return render(request, "participation/public/forum_list.html", {"p": partnership, "forums": forums})


def forum_detail(request, slug, pk) -> HttpResponse:
    """A forum, its phase and its proposals (titles, descriptions, admissibility and public reason)."""
    forum = get_public_forum(slug, pk)
    proposals = forum.proposals.only(
        "number", "title", "description", "category", "estimated_cost", "status", "decision_reason", "forum"
    )
    if forum.phase_at_least(Phase.DELIBERATION):
        proposals = proposals.exclude(status=Proposal.Status.SUBMITTED)
    return render(request, "participation/public/forum.html", {"forum": forum, "proposals": proposals})


@sensitive_post_parameters("contact")
def propose(request, slug, pk) -> HttpResponse:
    """A young person proposes a project (proposals phase only; rate-limited per IP; honeypot)."""
    forum = get_public_forum(slug, pk)
    if forum.phase != Phase.PROPOSALS:
        return _closed(
            request,
            forum,
            _("Les propositions de ce forum sont closes."),
            200 if request.method == "GET" else 403,
        )
    form = ProposalForm(request.POST or None)
    if request.method == "POST":
        if not throttle.allow(request, "propose"):
            form.add_error(
                None, _("Trop de propositions envoyées depuis cette connexion : réessayez dans une heure.")
            )
            return render(
                request, "participation/public/propose.html", {"forum": forum, "form": form}, status=429
            )
        if form.is_valid():
            if form.is_robot:  # honeypot filled: answer as if all went well, keep nothing
                return render(request, "participation/public/thanks.html", {"forum": forum, "number": None})
            fields = {k: v for k, v in form.cleaned_data.items() if k != "site_web"}
            try:
                proposal = actions.submit_proposal(forum, **fields)
            except ValidationError as exc:
                return _closed(request, forum, " ".join(exc.messages), 403)
            return render(
                request, "participation/public/thanks.html", {"forum": forum, "number": proposal.number}
            )
    return render(request, "participation/public/propose.html", {"forum": forum, "form": form})


def vote(request, slug, pk) -> HttpResponse:
    """A voter casts a ballot with a one-time code (voting phase only; rate-limited per IP)."""
    forum = get_public_forum(slug, pk)
    if forum.phase != Phase.VOTING:
        return _closed(
            request,
            forum,
            _("Le vote de ce forum n'est pas ouvert."),
            200 if request.method == "GET" else 403,
        )
    proposals = forum.proposals.filter(status=Proposal.Status.ADMISSIBLE)
    form = BallotForm(request.POST or None, proposals=proposals)
    status = 200
    if request.method == "POST":
        if not throttle.allow(request, "vote"):
            form.add_error(None, _("Trop de tentatives depuis cette connexion : réessayez dans dix minutes."))
            status = 429
        elif form.is_valid():
            try:
                actions.cast_ballot(
                    forum,
                    form.cleaned_data["code"],
                    form.choice_ids(),
                    sex=form.cleaned_data["sex"],
                    age_band=form.cleaned_data["age_band"],
                )
            except BallotRefused as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                return render(request, "participation/public/voted.html", {"forum": forum})
        else:
            status = 400
    context = {"forum": forum, "form": form, "proposals": proposals}
    return render(request, "participation/public/vote.html", context, status=status)


def _result_rows(forum) -> tuple[list, Any]:
    outcome = actions.results(forum)
    winners = set(outcome["winner_ids"])
    rows = [
        {"proposal": p, "votes": outcome["votes"].get(p.pk, 0), "selected": p.pk in winners}
        for p in forum.proposals.filter(status=Proposal.Status.ADMISSIBLE).only(
            "number", "title", "estimated_cost", "forum"
        )
    ]
    rows.sort(key=lambda r: (-r["votes"], r["proposal"].estimated_cost, r["proposal"].number))
    return rows, outcome


def results(request, slug, pk) -> HttpResponse:
    """Votes per proposal, turnout by sex and age band (suppressed), winners, followed projects."""
    forum = get_public_forum(slug, pk)
    if not forum.phase_at_least(Phase.RESULTS):
        return _closed(request, forum, _("Les résultats seront publiés à la fin du vote."), 200)
    rows, _outcome = _result_rows(forum)
    projects = (
        Project.objects.filter(proposal__forum=forum)
        .select_related("proposal")
        .prefetch_related("milestones", "results")
        .annotate(activity_count=Count("activities"))
    )
    context = {"forum": forum, "rows": rows, "turnout": stats.turnout(forum), "projects": projects}
    return render(request, "participation/public/results.html", context)


def results_csv(request, slug, pk) -> HttpResponse:
    """The results as CSV: votes per proposal and the suppressed turnout."""
    forum = get_public_forum(slug, pk)
    if not forum.phase_at_least(Phase.RESULTS):
        return _closed(request, forum, _("Les résultats seront publiés à la fin du vote."), 404)
    rows, _outcome = _result_rows(forum)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="resultats-{forum.slug}.csv"'
    writer = csv_writer(response)
    writer.writerow(["section", "numero", "titre", "cout_dh", "voix", "retenu"])
    for row in rows:
        p = row["proposal"]
        writer.writerow(
            [
                "vote",
                p.number,
                p.title,
                p.estimated_cost,
                row["votes"],
                "oui" if row["selected"] else "non",
            ]
        )
    turnout = stats.turnout(forum)
    for section, cells in (
        ("participation_sexe", turnout["by_sex"]),
        ("participation_age", turnout["by_age"]),
    ):
        for key, label, cell in cells:
            writer.writerow([section, key, label, "", str(cell), ""])
    writer.writerow(["participation_total", "", "", "", str(turnout["total"]), ""])
    return response

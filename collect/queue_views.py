"""The review queue, the review of one submission, the Kobo links, and Kobo's push endpoint (C)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.locking import Stale
from core.navigation import navigation

from . import actions, intake
from .access import (
    get_collect_for_user,
    get_hook_for_user,
    get_submission_for_user,
    hook_by_secret,
    still_collects,
)
from .models import KoboHook, Submission
from .queue_forms import REPEAT_LABELS, KoboHookForm, RejectForm, ReviewForm

RECENT = 20  # applied submissions listed under the queue


@login_required
def queue(request, slug) -> HttpResponse:
    """The submissions waiting in the review queue of the structures she collects for, newest
    first, and the last ones applied with what they created: the coordinator or the staff."""
    partnership, access, structures = get_collect_for_user(request.user, slug)
    mine = Submission.objects.filter(partnership=partnership, structure__in=structures).select_related(
        "structure"
    )
    page = Paginator(mine.filter(status=Submission.Status.WAITING), 25).get_page(request.GET.get("page"))
    applied = mine.filter(status=Submission.Status.APPLIED).select_related("activity", "visit")[:RECENT]
    context = {"partnership": partnership, "nav": navigation(access), "page": page, "applied": applied}
    return render(request, "collect/queue.html", context)


@login_required
def review(request, slug, pk) -> HttpResponse:
    """One submission: its problems beside its answers, corrected and applied again, or rejected."""
    partnership, access, submission = get_submission_for_user(request.user, slug, pk)
    answers = intake.answers_of(submission)
    initial = {"version": submission.version}
    rejecting = request.method == "POST" and "reject" in request.POST
    form = ReviewForm(
        request.POST if request.method == "POST" and not rejecting else None,
        kind=submission.kind,
        answers=answers,
        initial=initial,
    )
    reject = RejectForm(request.POST if rejecting else None, initial=initial)
    status = 200
    if request.method == "POST" and submission.status != Submission.Status.WAITING:
        messages.error(request, _("Cet envoi n'attend plus de révision."))
        return redirect("collect:review", slug=slug, pk=pk)
    try:
        if rejecting and reject.is_valid():
            actions.reject_submission(
                submission, reject.cleaned_data["reason"], reject.cleaned_data["version"], request.user
            )
            messages.success(request, _("Envoi rejeté : rien n'en a été enregistré."))
            return redirect("collect:queue", slug=slug)
        if not rejecting and form.is_bound and form.is_valid():
            done = actions.review_submission(
                submission, form.answers(), form.cleaned_data["version"], request.user
            )
            if done.status == Submission.Status.APPLIED:
                messages.success(request, _("Envoi corrigé et enregistré."))
                return redirect("collect:queue", slug=slug)
            messages.error(request, _("L'envoi a encore des problèmes : il reste à revoir."))
            return redirect("collect:review", slug=slug, pk=pk)
    except (Stale, actions.NotWaiting):
        messages.error(
            request, _("Quelqu'un a revu cet envoi depuis que vous l'avez ouvert : rechargez la page.")
        )
        status = 409
    if request.method == "POST" and status == 200:
        status = 400
    problems: dict[str, list[str]] = {}
    for problem in submission.problems or []:
        problems.setdefault(problem.get("field", ""), []).append(problem.get("message", ""))
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "submission": submission,
        "form": form,
        "reject": reject,
        "general": [m for field, ms in problems.items() if field not in form.fields for m in ms],
        "scalars": [(form[name], problems.get(name, [])) for name in form.scalars],
        "repeats": [
            (
                repeat,
                REPEAT_LABELS[repeat],
                problems.get(repeat, []),
                [[(form[name], problems.get(name, [])) for name in row] for row in rows],
            )
            for repeat, rows in form.repeats.items()
        ],
    }
    return render(request, "collect/review.html", context, status=status)


@login_required
def hooks(request, slug) -> HttpResponse:
    """The Kobo links of the structures she collects for; a new one shows its URL (with its
    secret) once, and how to register it in KoboToolbox."""
    partnership, access, structures = get_collect_for_user(request.user, slug)
    form = KoboHookForm(request.POST or None, structures=structures)
    created_url = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _hook, secret = actions.create_kobo_hook(
            partnership, data["structure"], data["kind"], data["label"], request.user
        )
        created_url = request.build_absolute_uri(
            reverse("openrosa:kobo", kwargs={"slug": slug, "secret": secret})
        )
        form = KoboHookForm(structures=structures)
    rows = KoboHook.objects.filter(partnership=partnership, structure__in=structures).select_related(
        "structure"
    )
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "form": form,
        "hooks": rows,
        "created_url": created_url,
    }
    return render(request, "collect/hooks.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def hook_revoke(request, slug, pk) -> HttpResponse:
    """Revokes a Kobo link of a structure she collects for."""
    _partnership, _access, hook = get_hook_for_user(request.user, slug, pk)
    actions.revoke_kobo_hook(hook)
    messages.success(request, _("Lien Kobo révoqué : Kobo ne peut plus y envoyer."))
    return redirect("collect:hooks", slug=slug)


@csrf_exempt  # Kobo's server posts here: the secret in the URL is the credential
@require_POST
def kobo_push(request, slug, secret) -> JsonResponse:
    """A submission pushed by KoboToolbox's REST Service: 201 applied, 202 waiting for review, 200
    already received; 404 for an unknown secret, 403 for a revoked link or a user who no longer
    collects for its structure, 400 for a body that is not a JSON submission."""
    hook = hook_by_secret(slug, secret)
    if hook is None:
        return JsonResponse({"message": _("Lien Kobo inconnu.")}, status=404)
    if hook.revoked_at is not None or not still_collects(hook.user, hook.structure):
        return JsonResponse({"message": _("Ce lien Kobo est révoqué.")}, status=403)
    try:
        # A form-encoded body was already read by a middleware (request.POST): not Kobo's JSON.
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RawPostDataException):
        return JsonResponse({"message": _("Le corps de la requête n'est pas du JSON.")}, status=400)
    try:
        received = intake.receive_kobo(hook, data)
    except intake.Refused as refused:
        return JsonResponse({"message": refused.message}, status=refused.status)
    intake.touch(hook)
    submission = received.submission
    if not received.created:
        return JsonResponse({"message": _("Envoi déjà reçu."), "status": submission.status}, status=200)
    if submission.status == Submission.Status.APPLIED:
        return JsonResponse({"message": _("Envoi enregistré."), "status": submission.status}, status=201)
    return JsonResponse(
        {"message": _("Envoi reçu : il attend une révision."), "status": submission.status}, status=202
    )

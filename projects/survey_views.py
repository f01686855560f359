"""Staff pages of surveys: the list (and a new survey), one survey with its results and questions,
a response entered in Twiza, and the import of a Kobo/ODK export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import disclosure
from core.navigation import navigation
from programme.models import Result

from . import access as doors
from .access import get_projects_for_user, get_survey_for_user
from .models import Response, Survey
from .survey_forms import ImportForm, QuestionForm, ResponseForm, SurveyForm
from .surveys import (
    ResponseRefused,
    UnreadableFile,
    import_answers,
    new_instance,
    question_results,
    record_response,
    respondents,
)


def _context(access, **extra) -> dict:
    return {"partnership": access.partnership, "nav": navigation(access), **extra}


@login_required
@require_http_methods(["GET", "POST"])
def survey_list(request, slug) -> HttpResponse:
    """The partnership's surveys (readers) and a new one (whoever may create a project)."""
    partnership, access = get_projects_for_user(request.user, slug)
    projects = doors.managed_projects(access)
    # The form only for whoever can submit it: the coordination, or a manager of an open project.
    creator = doors.can_create(access) and (access.is_coordinator or projects.exists())
    if request.method == "POST" and not creator:
        raise Http404
    form = None
    if creator:
        results = Result.objects.filter(partnership=partnership)
        form = SurveyForm(
            request.POST or None,
            partnership=partnership,
            projects=projects,
            results=results if access.is_coordinator else results.none(),
        )
        if request.method == "POST" and form.is_valid():
            survey = form.save(commit=False)
            survey.partnership = partnership
            survey.save()
            return redirect("projects:survey", slug=slug, pk=survey.pk)
    surveys = list(
        Survey.objects.filter(partnership=partnership)
        .select_related("project", "result")
        .annotate(answered=Count("responses"))
    )
    k = disclosure.THRESHOLDS["registry"]
    for survey in surveys:
        survey.respondents = disclosure.small(survey.answered, k)  # type: ignore[attr-defined]
    return render(request, "projects/surveys.html", _context(access, surveys=surveys, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def survey_detail(request, slug, pk) -> HttpResponse:
    """A survey: its questions and, per question, respondents, favourable answers by sex and mean,
    small counts hidden (core.disclosure). Its managers add questions, until a first response."""
    survey, access = get_survey_for_user(request.user, slug, pk)
    manager = doors.can_manage_survey(access, survey)
    if request.method == "POST" and not manager:
        raise Http404
    answered = survey.responses.exists()
    form = None
    if manager and not answered:
        form = QuestionForm(request.POST or None, survey=survey)
        if request.method == "POST" and form.is_valid():
            question = form.save(commit=False)
            question.survey = survey
            question.order = survey.questions.count()
            question.save()
            return redirect("projects:survey", slug=slug, pk=survey.pk)
    elif request.method == "POST":
        messages.error(request, _("L'enquête a déjà des réponses : ses questions ne changent plus."))
        return redirect("projects:survey", slug=slug, pk=survey.pk)
    context = _context(
        access,
        survey=survey,
        results=question_results(survey),
        respondents=respondents(survey),
        form=form,
        can_manage=manager,
    )
    return render(request, "projects/survey.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request, slug, pk) -> HttpResponse:
    """One respondent's answers, entered in Twiza (its managers)."""
    survey, access = get_survey_for_user(request.user, slug, pk, to_manage=True)
    form = ResponseForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            _response, created = record_response(
                survey,
                request.POST.get("instance") or new_instance(),
                date=form.cleaned_data["date"],
                sex=form.cleaned_data["sex"],
                target_group=form.cleaned_data["target_group"],
                values=form.values(),
                source=Response.Source.APP,
            )
        except ResponseRefused as error:
            form.add_error(None, str(error))
        else:
            if created:
                messages.success(request, _("Réponse enregistrée."))
            else:
                messages.info(request, _("Cette réponse était déjà enregistrée : rien n'a changé."))
            return redirect("projects:survey_answer", slug=slug, pk=survey.pk)
    instance = request.POST.get("instance") or new_instance()
    return render(
        request, "projects/survey_answer.html", _context(access, survey=survey, form=form, instance=instance)
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_import(request, slug, pk) -> HttpResponse:
    """Answers from a Kobo/ODK export: every row checked first, nothing written if one is wrong; the
    forms already imported are skipped and counted (its managers)."""
    survey, access = get_survey_for_user(request.user, slug, pk, to_manage=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_answers(survey, upload, upload.name)
        except UnreadableFile as error:
            form.add_error("file", str(error))
    return render(
        request, "projects/survey_import.html", _context(access, survey=survey, form=form, report=report)
    )

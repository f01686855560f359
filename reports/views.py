from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.models import Activity, Tally
from core.locking import Stale, refuse
from core.navigation import navigation
from programme.models import Result

from . import actions, annual, coverage, exports, iati, kobo, outputs
from .access import (
    get_coverage_for_user,
    get_job_for_user,
    get_recorder_for_user,
    get_report_for_user,
    may_download,
    may_write_narratives,
)
from .forms import MappingForm, NarrativeForm, UploadForm
from .models import Job, Narrative
from .tasks import recover_stale_jobs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Past this many rows the exports page suggests preparing the file in the background.
BACKGROUND_FROM = 5000


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def index(request, slug) -> HttpResponse:
    """The report of the chosen year (default: the last year of the programme); everyone with a role here."""
    partnership, _access, year = get_report_for_user(request.user, slug, request.GET.get("annee"))
    return redirect("reports:annual", slug=slug, year=year)


@login_required
def annual_page(request, slug, year) -> HttpResponse:
    """The annual report as a page: aggregates only, suppressed for whoever does not see individuals."""
    partnership, access, year = get_report_for_user(request.user, slug, year)
    report = annual.annual_report(partnership, access, year)
    context = {
        **report,
        "nav": navigation(access),
        "years": partnership.years,
        "may_write": may_write_narratives(access),
        "records_work": access.records_work,
    }
    return render(request, "reports/annual.html", context)


@login_required
def annual_file(request, slug, year, fmt) -> HttpResponse:
    """The report as PDF, XLSX or CSV: the same figures as the page the viewer sees."""
    partnership, access, year = get_report_for_user(request.user, slug, year)
    if fmt not in ("pdf", "xlsx", "csv"):
        raise Http404
    report = annual.annual_report(partnership, access, year)
    name = f"rapport-{partnership.slug}-{year}.{fmt}"
    if fmt == "pdf":
        return _download(outputs.report_pdf(report), name, "application/pdf")
    if fmt == "xlsx":
        return _download(outputs.report_xlsx(report), name, XLSX)
    return _download(outputs.report_csv(report), name, "text/csv; charset=utf-8")


@login_required
@require_POST
def background(request, slug, year) -> HttpResponse:
    """Prepares the PDF (or XLSX) in the background; the user follows it on the job page."""
    partnership, _access, year = get_report_for_user(request.user, slug, year)
    kind = Job.Kind.XLSX if request.POST.get("fmt") == "xlsx" else Job.Kind.PDF
    job = actions.queue_job(partnership, request.user, kind, {"year": year})
    return redirect("reports:job", slug=slug, pk=job.pk)


@login_required
def coverage_page(request, slug) -> HttpResponse:
    """The coverage of the territory (map and table) for a year or the whole programme: everyone with
    a role here, small counts hidden for whoever does not see individuals."""
    partnership, access, year = get_coverage_for_user(request.user, slug, request.GET.get("annee"))
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "years": partnership.years,
        "year": year,
        "coverage": coverage.coverage(partnership, access, year),
        "title": coverage.title(partnership, year),
    }
    return render(request, "reports/coverage.html", context)


@login_required
def narrative(request, slug, year, code) -> HttpResponse:
    """The coordinator writes a result's narrative: drafts saved, the final version locked."""
    partnership, access, year = get_report_for_user(request.user, slug, year)
    if not may_write_narratives(access):
        raise Http404
    result = Result.objects.filter(partnership=partnership, code=code).first()
    if result is None:
        raise Http404
    current = Narrative.objects.filter(partnership=partnership, result=result, year=year).first()
    initial = {"text": current.text if current else "", "version": current.version if current else 0}
    form = NarrativeForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_narrative(
                partnership, result, year, data["text"], data["version"], data["final"], request.user
            )
        except Stale:
            saved = Narrative.objects.filter(partnership=partnership, result=result, year=year).first()
            saved = saved or Narrative(partnership=partnership, result=result, year=year, version=0)
            refuse(form, saved, final=saved.locked)
        except actions.Locked as problem:
            error = str(problem)
        else:
            messages.success(request, _("Récit enregistré."))
            return redirect(
                reverse("reports:annual", kwargs={"slug": slug, "year": year}) + f"#report-{code}"
            )
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "year": year,
        "result": result,
        "narrative": current,
        "form": form,
        "error": error,
    }
    return render(request, "reports/narrative.html", context, status=409 if error or form.stale else 200)


@login_required
def iati_file(request, slug) -> HttpResponse:
    """The partnership as an IATI 2.03 activity file; suppressed as for the public, whoever asks."""
    partnership, _access, _year = get_report_for_user(request.user, slug)
    response = HttpResponse(iati.activity_file(partnership), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="iati-{partnership.slug}.xml"'
    return response


@login_required
def job(request, slug, pk) -> HttpResponse:
    """The progress of a job the user started; the page refreshes itself until the job is done."""
    job, access = get_job_for_user(request.user, slug, pk)
    # docs/security.md 29: a job whose worker died is retried or failed as soon as its page looks at it.
    if job.status == Job.Status.RUNNING and any(recover_stale_jobs(Job.objects.filter(pk=job.pk))):
        job.refresh_from_db()
    context = {
        "partnership": access.partnership,
        "nav": navigation(access),
        "job": job,
        "may_download": may_download(job, access),
    }
    if request.htmx:
        return render(request, "reports/_job.html", context)
    return render(request, "reports/job.html", context)


@login_required
def job_file(request, slug, pk) -> HttpResponse:
    """The output of a finished job, for the user who started it, until it expires. An export (it may
    hold names) only while she may still export, with the roles she holds now."""
    job, access = get_job_for_user(request.user, slug, pk)
    if not may_download(job, access) or not job.output:
        raise Http404
    return _download(bytes(job.output), job.filename, job.content_type)


# Imports ---------------------------------------------------------------------------------------


@login_required
def import_upload(request, slug) -> HttpResponse:
    """Step 1: the coordinator or structure staff upload a Kobo/ODK export and say which activity kind."""
    partnership, access = get_recorder_for_user(request.user, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = actions.open_import(partnership, request.user, data["kind"], data["file"])
        except kobo.UnreadableFile as problem:
            form.add_error("file", str(problem))
        else:
            return redirect("reports:import_mapping", slug=slug, pk=job.pk)
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "form": form,
        "access": access,
        "jobs": Job.objects.visible_to(request.user)
        .filter(partnership=partnership)
        .defer("upload", "output")[:10],
    }
    return render(request, "reports/import_upload.html", context)


def _import_job(request, slug, pk):
    partnership, access = get_recorder_for_user(request.user, slug)
    job, _access = get_job_for_user(request.user, slug, pk)
    if job.kind != Job.Kind.IMPORT:
        raise Http404
    return partnership, access, job


@login_required
def import_mapping(request, slug, pk) -> HttpResponse:
    """Step 2: which column feeds which field (guessed, or remembered for this form)."""
    partnership, access, job = _import_job(request, slug, pk)
    if job.status != Job.Status.QUEUED or job.params.get("enqueued"):
        return redirect("reports:job", slug=slug, pk=pk)
    try:
        with job.open_upload() as file:
            headers, _rows = kobo.read_table(file, job.params["filename"])
    except (OSError, ValueError):  # its file is gone (a restored backup) or no longer decrypts
        messages.error(
            request, _("Import abandonné : le fichier envoyé a été effacé ; envoyez-le de nouveau.")
        )
        return redirect("reports:import_upload", slug=slug)
    form = MappingForm(request.POST or None, headers=headers, initial=job.params["mapping"])
    if request.method == "POST" and form.is_valid():
        try:
            actions.map_import(job, {k: v for k, v in form.cleaned_data.items() if v}, headers)
        except actions.ImportStarted:  # started meanwhile (another tab)
            return redirect("reports:job", slug=slug, pk=pk)
        return redirect("reports:import_dry_run", slug=slug, pk=pk)
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "job": job,
        "form": form,
        "headers": headers,
        "kind_label": dict(Activity.Kind.choices).get(job.params["kind"]),
    }
    return render(request, "reports/import_mapping.html", context)


@login_required
def import_dry_run(request, slug, pk) -> HttpResponse:
    """Step 3: the dry run, in the background: the rows that will be created and every error (row,
    column); then the import, all or nothing."""
    partnership, access, job = _import_job(request, slug, pk)
    if job.status != Job.Status.QUEUED or job.params.get("enqueued"):
        return redirect("reports:job", slug=slug, pk=pk)
    if "check_token" not in job.params:
        return redirect("reports:import_mapping", slug=slug, pk=pk)
    check = job.params.get("check")
    if check is None:  # still checking: the page follows the check, then reloads itself
        if request.htmx:
            return render(request, "reports/_import_check.html", {"partnership": partnership, "job": job})
        return render(
            request,
            "reports/import_dry_run.html",
            {"partnership": partnership, "nav": navigation(access), "job": job, "checking": True},
        )
    if request.htmx:
        return HttpResponse(headers={"HX-Refresh": "true"})
    failed = bool(check.get("unreadable") or check.get("problem_count"))
    if request.method == "POST" and not failed:
        actions.start_import(job)  # queued once, whatever the number of clicks
        return redirect("reports:job", slug=slug, pk=pk)
    sample = check.get("sample", [])
    structures = {
        s.code: s.label for s in partnership.structures.filter(code__in=[r["structure"] for r in sample])
    }
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "job": job,
        "check": check,
        "problems": check.get("problems", []),
        # Rows to be created, with the structure's name (the check keeps its code).
        "new": [{**row, "structure": structures.get(row["structure"], row["structure"])} for row in sample],
        "more": max(0, check.get("new", 0) - len(check.get("sample", []))),
        "sexes": dict(Tally.Sex.choices),
    }
    return render(request, "reports/import_dry_run.html", context, status=422 if failed else 200)


@login_required
def import_sample(request, slug) -> HttpResponse:
    """A small Kobo-like export of fictional submissions, to try the import (mapping, dry run, import)."""
    partnership, access = get_recorder_for_user(request.user, slug)
    data = kobo.sample_export(partnership, request.user, access.work_structures)
    return _download(data, f"exemple-export-kobo-{partnership.slug}.xlsx", XLSX)


# Exports ---------------------------------------------------------------------------------------


def _export_filters(query, what) -> dict:
    """The list pages' filters an export keeps, from a query string or a form."""
    return {name: query[name] for name in exports.FILTERS[what] if query.get(name)}


@login_required
def exports_page(request, slug) -> HttpResponse:
    """The exports the user may take (the coordinator and structure staff), with the filters of the
    page's address, their row counts, and the user's recent background exports."""
    partnership, access = get_recorder_for_user(request.user, slug)
    blocks = []
    for what, label in exports.LABELS.items():
        filters = _export_filters(request.GET, what)
        count = exports.QUERYSETS[what](request.user, access, filters).count()
        blocks.append({"what": what, "label": label, "filters": filters, "count": count})
    jobs = list(
        Job.objects.visible_to(request.user)
        .filter(partnership=partnership, kind=Job.Kind.EXPORT)
        .defer("upload", "output")[:10]
    )
    for j in jobs:
        # Read by the template only: an attribute of this page's rows, not of the model.
        j.label = exports.LABELS.get(j.params.get("what"), "")  # type: ignore[attr-defined]
    context = {
        "partnership": partnership,
        "nav": navigation(access),
        "blocks": blocks,
        "jobs": jobs,
        "background_from": BACKGROUND_FROM,
    }
    return render(request, "reports/exports.html", context)


@login_required
def export(request, slug, what) -> StreamingHttpResponse:
    """A streamed CSV of the registry or of activities, with the list page's filters (?structure=…)."""
    partnership, access = get_recorder_for_user(request.user, slug)
    if what not in exports.ROWS:
        raise Http404
    rows = exports.ROWS[what](request.user, access, request.GET)
    response = StreamingHttpResponse(exports.stream_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{what}-{partnership.slug}.csv"'
    return response


@login_required
@require_POST
def export_background(request, slug, what) -> HttpResponse:
    """Prepares the same CSV in the background, with the posted filters; the user follows it on the
    job page. The task checks the user's access again when it runs."""
    partnership, _access = get_recorder_for_user(request.user, slug)
    if what not in exports.ROWS:
        raise Http404
    params = {"what": what, "filters": _export_filters(request.POST, what)}
    job = actions.queue_job(partnership, request.user, Job.Kind.EXPORT, params)
    return redirect("reports:job", slug=slug, pk=job.pk)

"""The only door to reports, narratives, imports, exports and jobs. "Missing" and "forbidden" are the same 404.

- The annual report (page, PDF, XLSX, CSV) and the IATI file: anyone holding a role in the
  partnership (the coordinator, the partner commune's officer, the network officer, structure staff,
  the platform admin): they hold aggregates only, suppressed for whoever does not see individuals.
- The coverage of the territory (`/territoire/`): the same people as the annual report, for a year
  or the whole programme, suppressed the same way.
- Narratives: written by the coordinator alone; a final version is locked.
- Imports of attendance and tallies: the coordinator (any structure), structure staff (their own
  structure's activities only). Partner and network officers, the partnership's admin and the
  platform admin: 404.
- Exports of the registry and of activities: the coordinator (no identity field) and structure staff
  (their structure's records, with identity fields). Partner and network officers, the
  partnership's admin and the platform admin: 404. Both are `Access.records_work`.
  A background export is checked again when its task runs, with the access the user holds then.
- A job (progress and output) is seen only by the user who started it; its file until it expires
  (JOB_FILES_HOURS), and an export's file only while she may still export.
"""

from django.db.models import QuerySet
from django.http import Http404

from partnerships.access import Access, get_partnership_for_user
from partnerships.models import Partnership

from .models import Job


def get_report_for_user(user, slug: str, year=None) -> tuple[Partnership, Access, int]:
    """The partnership, the viewer's access and a year of the programme; 404 outside it."""
    partnership, access = get_partnership_for_user(user, slug)
    try:
        year = int(year) if year is not None else partnership.end_year
    except (TypeError, ValueError):
        raise Http404 from None
    if year not in partnership.years:
        raise Http404
    return partnership, access, year


def get_coverage_for_user(user, slug: str, year=None) -> tuple[Partnership, Access, int | None]:
    """The partnership, the viewer's access and the year asked (`?annee=`), None for the whole
    programme (no year, or an empty one); anyone holding a role in the partnership, as the annual
    report; 404 outside it. A year outside the programme is brought within it."""
    partnership, access = get_partnership_for_user(user, slug)
    return partnership, access, partnership.asked_year(year)


def may_write_narratives(access: Access) -> bool:
    """Only the coordinator writes the report's narratives."""
    return access.coordinates


def get_recorder_for_user(user, slug: str) -> tuple[Partnership, Access]:
    """The partnership of a user who imports and exports there (`Access.records_work`: the
    coordinator, or staff of a structure for its own records); 404 for anyone else."""
    partnership, access = get_partnership_for_user(user, slug)
    if not access.records_work:
        raise Http404
    return partnership, access


def may_download(job: Job, access: Access) -> bool:
    """Whether the user who started `job` may take its file now: done and not expired; an export (it
    may hold names) only while she may still export, with the roles she holds now."""
    if job.status != Job.Status.DONE:
        return False
    if not job.filename or job.expired:
        return False
    if job.kind != Job.Kind.EXPORT:
        return True
    return access.records_work


def get_job_for_user(user, slug: str, pk: int) -> tuple[Job, Access]:
    """A job the user started in this partnership; 404 otherwise."""
    partnership, access = get_partnership_for_user(user, slug)
    # The files are read (and decrypted) only where they are used.
    jobs = Job.objects.visible_to(user).defer("upload", "output")
    job = jobs.filter(partnership=partnership, pk=pk).first()
    if job is None:
        raise Http404
    return job, access


def finished_jobs(user, since) -> QuerySet[Job]:
    """Her own imports and exports done or failed since `since` (a job is its author's alone,
    `Job.objects.visible_to`). For "Mon travail"."""
    return (
        Job.objects.visible_to(user)
        .filter(
            kind__in=[Job.Kind.IMPORT, Job.Kind.EXPORT],
            status__in=[Job.Status.DONE, Job.Status.FAILED],
            finished_at__gte=since,
        )
        .select_related("partnership")
        .order_by("-finished_at", "-pk")
    )

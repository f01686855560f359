"""The only door to reports, narratives, imports, exports and jobs. "Missing" and "forbidden" are the same 404.

- The annual report (page, PDF, XLSX, CSV) and the IATI file: anyone holding a role in the
  partnership (the coordinator, the partner commune's officer, the network officer, structure staff,
  the platform admin): they hold aggregates only, suppressed for whoever does not see individuals.
- Narratives: written by the coordinator alone; a final version is locked.
- Imports of attendance and tallies: the coordinator (any structure), structure staff (their own
  structure's activities only). Partner and network officers and the platform admin: 404.
- Exports of the registry and of activities: the coordinator (no identity field) and structure staff
  (their structure's records, with identity fields). Partner and network officers, admin: 404.
  A background export is checked again when its task runs, with the access the user holds then.
- A job (progress and output) is seen only by the user who started it; its file until it expires
  (JOB_FILES_HOURS), and an export's file only while she may still export.
"""

from django.http import Http404

from partnerships.access import Access, get_partnership_for_user
from partnerships.models import Partnership, Role

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


def may_write_narratives(access: Access) -> bool:
    """Only the coordinator writes the report's narratives."""
    return access.has(Role.COORDINATOR)


def may_import(access: Access) -> bool:
    """The coordinator, or staff of a structure (who import only for it)."""
    return access.has(Role.COORDINATOR) or bool(access.structure_roles)


def importable_structures(access: Access):
    """The structures whose activities the user may import: all for the coordinator, else her own."""
    structures = access.partnership.structures.all()
    if access.has(Role.COORDINATOR):
        return structures
    return structures.filter(pk__in=list(access.structure_roles))


def get_importer(user, slug: str) -> tuple[Partnership, Access]:
    """The partnership of a user who may import there; 404 for anyone else."""
    partnership, access = get_partnership_for_user(user, slug)
    if not may_import(access):
        raise Http404
    return partnership, access


def may_export(access: Access) -> bool:
    """The coordinator (no identity field) or staff of a structure (their structure's records)."""
    return access.has(Role.COORDINATOR) or bool(access.structure_roles)


def get_exporter(user, slug: str) -> tuple[Partnership, Access]:
    """The partnership of a user who may export individuals' records; 404 for anyone else."""
    partnership, access = get_partnership_for_user(user, slug)
    if not may_export(access):
        raise Http404
    return partnership, access


def may_download(job: Job, access: Access) -> bool:
    """Whether the user who started `job` may take its file now: done and not expired; an export (it
    may hold names) only while she may still export, with the roles she holds now."""
    if job.status != Job.Status.DONE or not job.filename or job.expired:
        return False
    return job.kind != Job.Kind.EXPORT or may_export(access)


def get_job_for_user(user, slug: str, pk: int) -> tuple[Job, Access]:
    """A job the user started in this partnership; 404 otherwise."""
    partnership, access = get_partnership_for_user(user, slug)
    # The files are read (and decrypted) only where they are used.
    jobs = Job.objects.visible_to(user).defer("upload", "output")
    job = jobs.filter(partnership=partnership, pk=pk).first()
    if job is None:
        raise Http404
    return job, access

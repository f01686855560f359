from core.tests.access_matrix import Row
from partnerships.tests.matrix import BELFAA, belfaa

STAFF_OF_STRUCTURES = ["ecoute", "centre", "accueil", "jour"]
IMPORTERS = ["coordination", *STAFF_OF_STRUCTURES]
OTHER = ["autre_coordination", "autre_ecoute", "admin"]
SMALL_EXPORT = (
    "_uuid,_submission_time,activite/titre,activite/date,comptage/femmes,comptage/hommes\n"
    "u-matrix-1,2025-03-01T10:00:00,Réunion,2025-03-01,3,4\n"
)


def year(world):
    return {"slug": world["partnership"].slug, "year": 2025}


def coordinator_job(world, **fields):
    from reports.models import Job

    job = Job.objects.create(
        partnership=world["partnership"], user=world["users"]["coordination"], kind="pdf", **fields
    )
    return {"slug": world["partnership"].slug, "pk": job.pk}


def coordinator_import(world):
    from reports import kobo
    from reports.models import Job

    headers = SMALL_EXPORT.split("\n")[0].split(",")
    job = Job.objects.create(
        partnership=world["partnership"],
        user=world["users"]["coordination"],
        kind="import",
        upload=SMALL_EXPORT.encode(),
        params={"kind": "reunion-info", "filename": "export.csv", "mapping": kobo.guess_mapping(headers)},
    )
    return {"slug": world["partnership"].slug, "pk": job.pk}


def coordinator_checked_import(world):
    """An import whose dry run has run: its page shows what would be created."""
    from reports.models import Job
    from reports.tasks import check_import

    kwargs = coordinator_import(world)
    job = Job.objects.get(pk=kwargs["pk"])
    job.params = {**job.params, "check_token": "matrix"}
    job.save()
    check_import.call(job.pk, "matrix")
    return kwargs


ROWS = {
    # The report and the IATI file: everyone with a role in the partnership (aggregates, suppressed).
    "reports:index": Row(kwargs=belfaa, allowed=BELFAA, ok=302),
    "reports:annual": Row(kwargs=year, allowed=BELFAA),
    "reports:annual#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug, "year": 2025}, allowed=OTHER
    ),
    "reports:file": Row(kwargs=lambda world: {**year(world), "fmt": "csv"}, allowed=BELFAA),
    "reports:background": Row(
        kwargs=year, allowed=BELFAA, method="post", ok=302, data=lambda world: {"fmt": "xlsx"}
    ),
    "reports:iati": Row(kwargs=belfaa, allowed=BELFAA),
    # The coverage of the territory: as the report (aggregates, suppressed for whoever sees no one).
    "reports:coverage": Row(kwargs=belfaa, allowed=BELFAA),
    "reports:coverage#other": Row(kwargs=lambda world: {"slug": world["other"].slug}, allowed=OTHER),
    # Narratives: the coordinator alone.
    "reports:narrative": Row(kwargs=lambda world: {**year(world), "code": "R1"}, allowed=["coordination"]),
    # A job is its author's only.
    "reports:job": Row(kwargs=coordinator_job, allowed=["coordination"]),
    "reports:job_file": Row(
        kwargs=lambda world: coordinator_job(
            world, status="done", output=b"%PDF", filename="r.pdf", content_type="application/pdf"
        ),
        allowed=["coordination"],
    ),
    # Exports of individuals and imports: the coordinator and structure staff; never the partner,
    # the network or the platform admin.
    "reports:exports": Row(kwargs=belfaa, allowed=IMPORTERS),
    "reports:export": Row(kwargs=lambda world: {**belfaa(world), "what": "personnes"}, allowed=IMPORTERS),
    "reports:export#activities": Row(
        kwargs=lambda world: {**belfaa(world), "what": "activites"}, allowed=IMPORTERS
    ),
    "reports:export_background": Row(
        kwargs=lambda world: {**belfaa(world), "what": "activites"},
        allowed=IMPORTERS,
        method="post",
        ok=302,
        data=lambda world: {"kind": "reunion-info"},
    ),
    "reports:import_upload": Row(kwargs=belfaa, allowed=IMPORTERS),
    "reports:import_mapping": Row(kwargs=coordinator_import, allowed=["coordination"]),
    "reports:import_dry_run": Row(kwargs=coordinator_checked_import, allowed=["coordination"]),
    "reports:import_sample": Row(kwargs=belfaa, allowed=IMPORTERS),
}

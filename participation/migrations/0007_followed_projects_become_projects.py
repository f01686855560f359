"""Each followed project of a youth forum becomes a project (projects.Project, origin "forum"): its
title and description from the proposal, its result, status, progress, activities and milestones.
The old status maps onto the life cycle: prévu → planifié, en cours → en cours, terminé → clôturé,
abandonné → abandonné, dated the day of the followed project's last change."""

from django.db import migrations

STAGES = {"prevu": "planifie", "en-cours": "en-cours", "termine": "cloture", "abandonne": "abandonne"}
STATUSES = {v: k for k, v in STAGES.items()}


def forward(apps, schema_editor):
    FollowedProject = apps.get_model("participation", "FollowedProject")
    Project = apps.get_model("projects", "Project")
    Milestone = apps.get_model("projects", "Milestone")
    StageChange = apps.get_model("projects", "StageChange")
    for old in FollowedProject.objects.select_related("proposal__forum").order_by("pk"):
        proposal = old.proposal
        day = old.updated_at.date()
        project = Project.objects.create(
            partnership_id=proposal.forum.partnership_id,
            title=proposal.title,
            summary=proposal.description,
            kind="social",
            origin="forum",
            origin_note=proposal.forum.title[:300],
            stage=STAGES[old.status],
            progress=old.progress,
        )
        if old.result_id:
            project.results.add(old.result_id)
        project.activities.set(old.activities.all())
        StageChange.objects.create(project=project, stage=project.stage, date=day)
        for m in old.milestones.order_by("pk"):
            Milestone.objects.create(
                project=project, title=m.title, due=m.due, done_on=m.updated_at.date() if m.done else None
            )
        proposal.project = project
        proposal.save(update_fields=["project"])


def backward(apps, schema_editor):
    FollowedProject = apps.get_model("participation", "FollowedProject")
    OldMilestone = apps.get_model("participation", "Milestone")
    Proposal = apps.get_model("participation", "Proposal")
    for proposal in Proposal.objects.filter(project__isnull=False).select_related("project"):
        project = proposal.project
        old = FollowedProject.objects.create(
            proposal=proposal,
            result=project.results.order_by("pk").first(),
            status=STATUSES.get(project.stage, "prevu"),
            progress=project.progress,
        )
        old.activities.set(project.activities.all())
        for m in project.milestones.order_by("pk"):
            OldMilestone.objects.create(project=old, title=m.title, due=m.due, done=m.done_on is not None)
        proposal.project = None
        proposal.save(update_fields=["project"])
        project.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0006_proposal_followed_as_a_project"),
        ("projects", "0001_projects_stages_budgets_evaluations_surveys"),
    ]

    operations = [migrations.RunPython(forward, backward)]

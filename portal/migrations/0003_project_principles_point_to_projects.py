"""The principles a followed youth project applies move to its project (projects.Project): each link
follows the proposal from the old followed project to the new project."""

import django.db.models.deletion
from django.db import migrations, models


def forward(apps, schema_editor):
    ProjectPrinciple = apps.get_model("portal", "ProjectPrinciple")
    for link in ProjectPrinciple.objects.select_related("project__proposal"):
        link.target_id = link.project.proposal.project_id
        link.save(update_fields=["target"])


def backward(apps, schema_editor):
    ProjectPrinciple = apps.get_model("portal", "ProjectPrinciple")
    FollowedProject = apps.get_model("participation", "FollowedProject")
    for link in ProjectPrinciple.objects.all():
        link.project_id = FollowedProject.objects.get(proposal__project_id=link.target_id).pk
        link.save(update_fields=["project"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_good_practice_version_for_optimistic_locking"),
        ("participation", "0007_followed_projects_become_projects"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="projectprinciple", name="project_principle_once"),
        migrations.AddField(
            model_name="projectprinciple",
            name="target",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="projects.project"
            ),
        ),
        migrations.AlterField(
            model_name="projectprinciple",
            name="project",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="principle_links",
                to="participation.followedproject",
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="projectprinciple", name="project"),
        migrations.RenameField(model_name="projectprinciple", old_name="target", new_name="project"),
        migrations.AlterField(
            model_name="projectprinciple",
            name="project",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="principle_links", to="projects.project"
            ),
        ),
        migrations.AddConstraint(
            model_name="projectprinciple",
            constraint=models.UniqueConstraint(fields=("project", "principle"), name="project_principle_once"),
        ),
    ]

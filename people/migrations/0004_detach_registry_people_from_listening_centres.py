"""docs/security.md 34: the listening centre holds no registry record; its clients live only in `cases`.

Every registry person whose holding structure is a listening centre (kind `centre-ecoute`) — created
by the centre's staff, or by the coordinator for the centre — is detached from it: no structure, no
creator, and no identifying field (names, phone, place, duplicate index). Her code, sex, birth year,
target groups and attendance stay, so every figure is unchanged (the engine counts attendance and
the activity's structure, never the person's). Nobody could read those identifying fields any more:
they are shown only to the holding structure's staff, and the record no longer has one.

Reverse: nothing to undo in the schema; the cleared values are not restored (they must not be).
"""

from django.db import migrations

LISTENING_CENTRE = "centre-ecoute"


def detach(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    Person.objects.filter(structure__kind=LISTENING_CENTRE).update(
        structure=None, created_by=None, first_name="", last_name="", phone="", place="", name_index=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_person_version_for_optimistic_locking"),
        ("partnerships", "0001_tenancy_networks_partnerships_structures_memberships"),
    ]

    operations = [migrations.RunPython(detach, migrations.RunPython.noop)]

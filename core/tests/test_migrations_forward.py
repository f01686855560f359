"""A database made with the migration history as it was before the squash of issue 15 (item 9)
migrates forward with today's history, its rows intact and no migration left to apply.

`core/tests/data/before_squash/` holds the `programme` and `activities` migrations of that history:
the replaced ones and the two whose dependencies changed as copies, the rest as links to today's
files (they are the same in both histories). Each database is a scratch one (`scratch_db`) of the
test database's kind."""

import datetime as dt

from django.apps.registry import Apps
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from .scratch_db import migrating, scratch_database

BEFORE = {
    "programme": "core.tests.data.before_squash.programme.migrations",
    "activities": "core.tests.data.before_squash.activities.migrations",
}
SQUASHES = {
    ("programme", "0004_activity_totals_derived"),
    ("activities", "0002_activity_indexes_partnership_kind_date"),
}


def migrate(executor: MigrationExecutor, targets: list[tuple[str, str]] | None = None) -> None:
    executor.loader.check_consistent_history(executor.connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()


def unapplied(executor: MigrationExecutor) -> list:
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def partnership_with_an_activity(apps: Apps) -> tuple:
    """A partnership, a result, an activity linked to it and its tallies, in the models of `apps`."""
    network = apps.get_model("partnerships", "Network").objects.create(slug="reseau", name="Réseau")
    partnership = apps.get_model("partnerships", "Partnership").objects.create(
        network=network, slug="belfaa-jette", name="Belfaa–Jette", start_year=2022, end_year=2026
    )
    result = apps.get_model("programme", "Result").objects.create(
        partnership=partnership, code="R1", level="result", name="مركز الاستماع"
    )
    activity = apps.get_model("activities", "Activity").objects.create(
        partnership=partnership, kind="atelier", title="Atelier d'écriture", date=dt.date(2025, 3, 4)
    )
    activity.results.add(result)
    Tally = apps.get_model("activities", "Tally")
    Tally.objects.create(activity=activity, sex="F", count=7, date=activity.date)
    Tally.objects.create(activity=activity, sex="M", count=4, date=activity.date)
    return partnership, result, activity


def rows(apps: Apps) -> dict:
    return {
        (app, model): sorted(apps.get_model(app, model).objects.values_list(*fields))
        for app, model, fields in [
            ("partnerships", "Partnership", ("id", "slug", "name")),
            ("programme", "Result", ("id", "code", "name")),
            ("activities", "Activity", ("id", "kind", "title", "date")),
            ("activities", "Activity_results", ("activity_id", "result_id")),
            ("activities", "Tally", ("activity_id", "sex", "count")),
            (
                "indicators",
                "ActivityTotal",
                ("partnership_id", "year", "result_id", "kind", "activities", "f", "m"),
            ),
        ]
    }


def test_a_database_of_the_previous_history_migrates_forward_intact(tmp_path, django_db_blocker) -> None:
    with django_db_blocker.unblock(), scratch_database(tmp_path) as path:
        with migrating(path, BEFORE) as executor:
            migrate(executor)
            assert not unapplied(executor)
            apps = executor.loader.project_state().apps
            partnership, result, activity = partnership_with_an_activity(apps)
            apps.get_model("indicators", "ActivityTotal").objects.create(
                partnership=partnership, year=2025, result=result, kind="atelier", activities=1, f=7, m=4
            )
            before = rows(apps)
            applied_before = set(executor.loader.applied_migrations)
        assert not SQUASHES & applied_before
        assert len(before[("activities", "Tally")]) == 2

        with migrating(path) as executor:
            assert executor.loader.graph.nodes.keys() & SQUASHES == SQUASHES
            assert not unapplied(executor)  # the squashes stand for what the database applied
            migrate(executor)
            assert set(executor.loader.applied_migrations) >= SQUASHES
            assert not unapplied(executor)
            assert rows(executor.loader.project_state().apps) == before


def test_a_database_from_before_the_derived_totals_gets_them_from_the_squash(
    tmp_path, django_db_blocker
) -> None:
    """The squash keeps the fill of ActivityTotal: a database at programme 0003 with activities gets
    their totals, as the engine's rebuild would count them."""
    with django_db_blocker.unblock(), scratch_database(tmp_path) as path:
        with migrating(path, BEFORE) as executor:
            targets = [
                ("programme", "0003_indicator_source_forums"),
                ("activities", "0001_activities_attendance_tallies_visits_partners"),
            ]
            migrate(executor, targets)
            apps = executor.loader.project_state(targets).apps
            partnership, result, activity = partnership_with_an_activity(apps)

        with migrating(path) as executor:
            plan = {(migration.app_label, migration.name) for migration, _backwards in unapplied(executor)}
            assert plan >= SQUASHES
            migrate(executor)
            assert not unapplied(executor)
            totals = rows(executor.loader.project_state().apps)[("indicators", "ActivityTotal")]
    assert totals == [(partnership.pk, 2025, result.pk, "atelier", 1, 7, 4)]


def test_no_migration_depends_on_a_replaced_name() -> None:
    """The squashes' replaced names are gone from the tree: no migration of any app still names one."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    replaced = {key for squash in SQUASHES for key in loader.disk_migrations[squash].replaces}
    assert replaced
    assert all(key[0] in BEFORE for key in replaced)
    for key, migration in loader.disk_migrations.items():
        assert not set(migration.dependencies) & replaced, key

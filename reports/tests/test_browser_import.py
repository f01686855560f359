"""In a browser: the coordinator imports a small Kobo export through the mapping and the dry run."""

import pytest
from playwright.sync_api import expect

from conftest import build_world, log_in

pytestmark = pytest.mark.browser


def test_coordinator_imports_a_kobo_export(browser_page, tmp_path):
    from activities.models import Activity
    from reports.models import ImportedSubmission
    from reports.tests.test_imports import HEADERS, xlsx

    build_world()
    page = browser_page
    slug = "belfaa-jette-2022-2026"
    path = tmp_path / "kobo-export.xlsx"
    path.write_bytes(
        xlsx(
            [
                [
                    "b-1",
                    "2025-06-02T09:00:00",
                    "Réunion au douar",
                    "2025-06-01",
                    "bureau-migrants",
                    1,
                    0,
                    2,
                    9,
                    0,
                    "migrants",
                    "",
                ],
                [
                    "b-2",
                    "2025-06-09T09:00:00",
                    "Réunion à la commune",
                    "2025-06-08",
                    "bureau-migrants",
                    0,
                    1,
                    4,
                    6,
                    0,
                    "",
                    "",
                ],
            ],
            HEADERS,
        )
    )
    log_in(page, "coordination")
    page.goto(f"{page.base_url}/p/{slug}/imports/")
    page.select_option("#id_kind", "reunion-info")
    page.set_input_files("#id_file", str(path))
    page.click("#import-upload button[type=submit]")
    # The mapping is guessed from the `group/field` headers; the user checks it and runs a dry run.
    expect(page.locator("h1")).to_have_text("Correspondance des colonnes")
    expect(page.locator("#id_date")).to_have_value("activite/date")
    expect(page.locator("#id_results")).to_have_value("activite/resultats")
    page.click("#import-mapping button[type=submit]")
    expect(page.locator("#import-summary")).to_contain_text("2 activité(s) seront créées")
    expect(page.locator("#import-rows tbody tr")).to_have_count(2)
    assert not ImportedSubmission.objects.exists()
    page.click("#import-confirm button[type=submit]")
    expect(page.locator("#job-status")).to_contain_text("2 activité(s) créée(s)")
    assert Activity.objects.filter(title__startswith="Réunion à").count() == 1
    assert ImportedSubmission.objects.count() == 2

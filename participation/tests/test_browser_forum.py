import pytest
from playwright.sync_api import expect

from conftest import build_world, log_in

pytestmark = pytest.mark.browser


def test_a_proposal_is_accepted_voted_on_and_wins(browser_page):
    """A young person proposes, the coordinator accepts it, two codes vote, the results show the winner."""
    from participation.models import Forum, Proposal

    build_world()
    page = browser_page
    slug = "belfaa-jette-2022-2026"

    # The coordinator opens a forum (approval vote, one project selected).
    log_in(page, "coordination")
    page.goto(f"{page.base_url}/p/{slug}/forums/")
    page.fill("#id_title", "Forum d'essai")
    page.fill("#id_slug", "forum-essai")
    page.fill("#id_date", "2026-06-01")
    page.fill("#id_place", "Belfaa")
    page.select_option("#id_rule", "approbation")
    page.fill("#id_max_choices", "1")
    page.fill("#id_seats", "1")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Forum d'essai")
    forum = Forum.objects.get(slug="forum-essai")
    staff = page.url

    # A young person, not signed in, proposes a project (a second one comes from a paper form).
    anonymous = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    young = anonymous.new_page()
    young.goto(f"{page.base_url}/public/{slug}/forums/{forum.pk}/proposer/")
    young.fill("#id_title", "Fresque au lycée")
    young.fill("#id_description", "Une fresque peinte par les jeunes du quartier.")
    young.select_option("#id_category", "culture")
    young.fill("#id_estimated_cost", "3000")
    young.select_option("#id_sex", "F")
    young.select_option("#id_age_band", "18-24")
    young.fill("#id_contact", "0612345678")
    young.click("main form button[type=submit]")
    expect(young.locator(".ok")).to_contain_text("Votre proposition est enregistrée")
    page.goto(f"{staff}propositions/papier/")
    page.fill("#id_title", "Terrain de basket")
    page.fill("#id_description", "Un terrain.")
    page.select_option("#id_category", "sport")
    page.fill("#id_estimated_cost", "9000")
    page.click("main form button[type=submit]")

    # The coordinator reviews and accepts both, then opens the vote.
    page.goto(staff)
    page.click("#phase form button[type=submit]")  # → review
    for number in (1, 2):
        page.goto(f"{staff}propositions/{number}/")
        if number == 1:
            expect(page.locator("#contact")).to_have_text("0612345678")
        page.select_option("#id_admissible", "1")
        page.fill("#id_reason", "Projet d'intérêt collectif.")
        page.click("main form.card button[type=submit]")
    for _ in range(2):  # → deliberation → voting
        page.click("#phase form button[type=submit]")
    expect(page.locator("#phase .phase")).to_have_text("vote")

    # Two codes, printed once.
    page.goto(f"{staff}codes/")
    page.fill("#id_count", "2")
    page.click("main form button[type=submit]")
    codes = page.locator(".codes .code").all_inner_texts()
    assert len(codes) == 2

    fresque = Proposal.objects.get(forum=forum, title="Fresque au lycée")
    for code in codes:
        young.goto(f"{page.base_url}/public/{slug}/forums/{forum.pk}/voter/")
        young.fill("#id_code", code)
        young.check(f"input[name=choices][value='{fresque.pk}']")
        young.click("main form button[type=submit]")
        expect(young.locator(".ok")).to_contain_text("vote est enregistré")
    young.goto(f"{page.base_url}/public/{slug}/forums/{forum.pk}/voter/")
    young.fill("#id_code", codes[0])
    young.click("main form button[type=submit]")
    expect(young.locator(".error")).to_contain_text("déjà servi")

    page.goto(staff)
    page.click("#phase form button[type=submit]")  # → results
    young.goto(f"{page.base_url}/public/{slug}/forums/{forum.pk}/resultats/")
    winner = young.locator("#results tr.winner")
    expect(winner).to_contain_text("Fresque au lycée")
    expect(winner.locator("td").nth(2)).to_have_text("2")
    expect(young.locator("body")).not_to_contain_text("0612345678")
    anonymous.close()

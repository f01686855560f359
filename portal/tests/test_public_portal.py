"""The public portal: published figures only, suppressed (docs/security.md 8), allow-listed (item 9).

Unit tests on factories (`small_world`, `small_counts`). Four stay on the demo world (`demo_world`),
integration tests of the roadmap's portal: its texts and progress figures, its Arabic translations,
and the number of queries of pages carrying the demo's whole programme and library."""

import csv
import io
import re

import pytest
from django.urls import reverse

from programme.models import Indicator, Result
from programme.tests.factories import IndicatorFactory

from .factories import GoodPracticeFactory, film_and_brochure

pytestmark = pytest.mark.small_world


def _csv(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _public_urls(slug, practices=()):
    names = ["home", "activities", "indicators_csv", "activities_csv", "practices"]
    urls = [reverse(f"portal:{n}", kwargs={"slug": slug}) for n in names]
    urls += [reverse("portal:activities", kwargs={"slug": slug}) + f"?annee={y}" for y in range(2022, 2027)]
    urls += [reverse("portal:practice", kwargs={"slug": slug, "pk": p.pk}) for p in practices]
    return urls


def test_small_cells_are_hidden_with_their_complements_in_pages_and_csv(small_counts, client):
    other = small_counts["fictional"]
    rows = _csv(client.get(reverse("portal:indicator_csv", kwargs={"slug": other.slug, "code": "OC.3"})))
    cells = {(r["periode"], r["sexe"]): r for r in rows}
    women = cells[("2024", "F")]
    assert women["masque"] == "oui" and women["reel"] == "< 5"
    # The hidden 2 cannot be recovered from its period's line (F + M = total): a line never has
    # exactly one hidden cell. (Across periods OC.3 counts distinct people, not a sum of the years:
    # the exact attacker of core/tests/test_disclosure.py and the oracle's cover those relations.)
    for period in ["2023", "2024", "2025", "2026", "2023–2026"]:
        hidden = [cells[(period, s)]["masque"] for s in ("F", "M", "total")]
        assert hidden.count("oui") != 1, period
    for row in rows:
        if row["masque"] == "oui":
            assert row["reel"] in ("< 5", "×") and not row["reel"].isdigit()
    # The pages: the true values never appear in a figures cell, nor the activity's free text.
    for url in _public_urls(other.slug):
        body = client.get(url).content.decode()
        assert ">2<span" not in body and ">6<span" not in body, url  # the hidden F and M
        assert "SENTINEL" not in body, url
        assert "17/05" not in body and "2024-05-17" not in body, url
    activity_rows = _csv(client.get(reverse("portal:activities_csv", kwargs={"slug": other.slug})))
    assert activity_rows and all(r["activites"] == "< 5" and r["masque"] == "oui" for r in activity_rows)


def test_home_context_never_carries_a_suppressed_value(small_counts, client):
    response = client.get(reverse("portal:home", kwargs={"slug": small_counts["fictional"].slug}))
    cells = [c for block in response.context["blocks"] for t in block["tables"] for c in t.cells.values()]
    assert any(c.suppressed for c in cells)
    assert all(c.actual is None for c in cells if c.suppressed)


def test_unpublished_indicators_and_items_never_reach_the_public(world, client):
    partnership = world["partnership"]
    slug = partnership.slug
    IndicatorFactory(result__outcome=True, result__partnership=partnership, code="OC.3", public=True)
    IndicatorFactory(
        result__outcome=True,
        result__partnership=partnership,
        result__code="R2",
        result__level=Result.Level.RESULT,
        code="R2.1",
    )
    # Published, it is shown (so the checks below look at the right place)...
    assert "OC.3" in client.get(reverse("portal:home", kwargs={"slug": slug})).content.decode()
    csv_url = reverse("portal:indicator_csv", kwargs={"slug": slug, "code": "OC.3"})
    assert client.get(csv_url).status_code == 200
    # ...then the coordinator withdraws it.
    Indicator.objects.filter(result__partnership=partnership, code="OC.3").update(public=False)
    sentinel = "SENTINEL-BROUILLON"
    drafts = [
        GoodPracticeFactory(partnership=partnership, title=f"{sentinel} 0"),
        GoodPracticeFactory(
            partnership=partnership, title=f"{sentinel} 1", published=True, audience="partenariat"
        ),
        GoodPracticeFactory(
            partnership=partnership, title=f"{sentinel} 2", published=True, audience="reseau"
        ),
    ]
    for url in _public_urls(slug) + [reverse("portal:practices", kwargs={"slug": slug}) + "?q=sentinel"]:
        body = client.get(url).content.decode()
        assert "OC.3" not in body, url
        assert sentinel not in body, url
    assert (
        client.get(reverse("portal:indicator_csv", kwargs={"slug": slug, "code": "OC.3"})).status_code == 404
    )
    assert (
        client.get(reverse("portal:indicator_csv", kwargs={"slug": slug, "code": "R2.1"})).status_code == 404
    )
    for draft in drafts:
        assert (
            client.get(reverse("portal:practice", kwargs={"slug": slug, "pk": draft.pk})).status_code == 404
        )


def _mentions(body: str, text: str) -> bool:
    """`text` in `body` as a whole ("… de test 1" is not in "… de test 12")."""
    return re.search(re.escape(text) + r"(?!\w)", body) is not None


def test_a_partnership_portal_never_shows_another_partnership(world, client):
    mine, other = world["partnership"], world["other"]
    own = GoodPracticeFactory(partnership=mine, title="SENTINEL-ICI", published=True)
    foreign = GoodPracticeFactory(partnership=other, title="SENTINEL-AILLEURS", published=True)
    for url in _public_urls(mine.slug, [own]):
        assert "SENTINEL-AILLEURS" not in client.get(url).content.decode(), url
    crossed = reverse("portal:practice", kwargs={"slug": mine.slug, "pk": foreign.pk})
    assert client.get(crossed).status_code == 404
    # The other partnership's portal shows its own practice and structure, none of mine.
    body = client.get(reverse("portal:home", kwargs={"slug": other.slug})).content.decode()
    assert "SENTINEL-AILLEURS" in body and _mentions(body, other.structures.get().name)
    assert "SENTINEL-ICI" not in body and not _mentions(body, mine.name)
    assert mine.structures.exists()
    assert not any(_mentions(body, structure.name) for structure in mine.structures.all())


@pytest.mark.demo_world
def test_public_portal_shows_the_roadmap_progress_and_good_practices(demo_portal, client):
    slug = demo_portal["partnership"].slug
    body = client.get(reverse("portal:home", kwargs={"slug": slug})).content.decode()
    assert "OC.2" in body and "OC.3" in body
    assert "Le vivre ensemble" in body and "nouveaux habitants" in body
    assert "Centre d&#x27;écoute pour les femmes victimes de violence" in body
    assert "Non disponible" not in body  # OC.1 comes from the listening centre's consenting counts
    assert "/forums/" in body
    assert len(client.get(reverse("portal:home", kwargs={"slug": slug})).content) < 100_000


@pytest.mark.demo_world
def test_portal_in_arabic(demo_portal, client):
    slug = demo_portal["partnership"].slug
    client.cookies["django_language"] = "ar"
    body = client.get(reverse("portal:home", kwargs={"slug": slug})).content.decode()
    assert 'dir="rtl"' in body and 'lang="ar"' in body
    assert "مركز الاستماع للنساء ضحايا العنف" in body
    assert "فيلم « العيش المشترك »" in body


def test_search_ignores_accents_case_and_arabic_vowel_marks(world, client):
    partnership = world["partnership"]
    film_and_brochure(partnership)
    url = reverse("portal:practices", kwargs={"slug": partnership.slug})

    def titles(q):
        return client.get(url, {"q": q}).content.decode()

    assert "nouveaux habitants" in titles("A LA RENCONTRE")
    assert "nouveaux habitants" not in titles("vivre")
    assert "vivre ensemble" in titles("vivre ENSEMBLE")
    assert "vivre ensemble" in titles("العيش")
    assert "nouveaux habitants" in titles("الساكنه")  # ة written as ه
    assert "nouveaux habitants" in titles("كُتَيِّب")  # with short vowels


@pytest.mark.demo_world
def test_public_pages_query_count_is_bounded(demo_portal, client, django_assert_max_num_queries):
    slug = demo_portal["partnership"].slug
    with django_assert_max_num_queries(40):
        client.get(reverse("portal:home", kwargs={"slug": slug}))
    with django_assert_max_num_queries(10):
        client.get(reverse("portal:practices", kwargs={"slug": slug}))

from django.urls import reverse

from programme.models import Indicator, Target


def test_framework_holds_exactly_the_roadmap_targets(partnership):
    oc1, oc2, oc3 = (
        Indicator.objects.get(result__partnership=partnership, code=c) for c in ["OC.1", "OC.2", "OC.3"]
    )
    assert oc1.period == "cumulative"
    assert {(t.year, t.sex, t.value) for t in oc1.targets.all()} == {(None, "F", 150)}
    for indicator, f, m in [(oc2, 43, 51), (oc3, 6, 46)]:
        assert indicator.period == "annual"
        targets = {(t.year, t.sex): t.value for t in indicator.targets.all()}
        assert targets == {(y, s): v for y in range(2022, 2027) for s, v in [("F", f), ("M", m)]}
    assert Target.objects.filter(indicator__result__partnership=partnership).count() == 1 + 10 + 10


def test_framework_page_shows_outcome_results_indicators_and_principles(
    client_for, partnership, django_assert_max_num_queries
):
    client = client_for("jette")
    url = reverse("programme:framework", kwargs={"slug": partnership.slug})
    with django_assert_max_num_queries(15):
        html = client.get(url).content.decode().replace("&#x27;", "'")
    for code in ["OC", "R1", "R2", "R3", "R4", "R5", "OC.1", "OC.2", "OC.3"]:
        assert f'<span class="code">{code}</span>' in html
    assert "En 2026, les publics cibles" in html
    assert "Brulocalis met en réseau les communes du programme" in html
    assert "Egal accès des citoyennes et citoyens au service public" in html
    assert "2022–2026" in html and ">150<" in html


def test_indicator_names_follow_the_language(client_for, partnership):
    client = client_for("coordination")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("programme:framework", kwargs={"slug": partnership.slug})).content.decode()
    assert "Youth with disabilities taking part in the projects" in html

"""A new partnership set up in the browser (issue 16, item 3): a network officer creates it, its
structures, target groups and results framework, with no developer and no Django admin."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from activities import actions as activity_actions
from activities.tests.factories import ActivityFactory
from conftest import verify_second_factor
from indicators import engine, figures
from partnerships.access import access_for
from partnerships.models import Membership, Partnership, Role, Structure
from partnerships.tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory, persona
from people.models import TargetGroup
from people.tests.factories import PersonFactory
from programme.models import Indicator, Result, Target, cumulative

pytestmark = pytest.mark.small_world


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


def new_partnership_data(network, chosen, **changes) -> dict:
    data = {
        "network": network.pk,
        "name": "Partenariat de Tiznit",
        "name_ar": "شراكة تيزنيت",
        "name_en": "Tiznit partnership",
        "name_nl": "Partnerschap Tiznit",
        "slug": "f-tiznit-2025-2028",
        "start_year": 2023,
        "end_year": 2026,
        "communes": [c.pk for c in chosen],
        "code_prefix": "tzn",
    }
    return {**data, **changes}


def url(name, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


def post_ok(client, address, data) -> None:
    response = client.post(address, data)
    errors = response.context["form"].errors if response.context and "form" in response.context else ""
    assert response.status_code == 302, errors


def set_up(client, network, commune) -> Partnership:
    """What a network officer does in the browser: the partnership, 2 structures, 2 target groups,
    the outcome, 2 results, 3 indicators with their targets."""
    post_ok(client, url("setup:partnership_new"), new_partnership_data(network, [commune]))
    partnership = Partnership.objects.get(slug="f-tiznit-2025-2028")
    slug = partnership.slug
    for code, kind in [("f-espace-femmes", "centre-jour"), ("f-bureau", "bureau-migrants")]:
        post_ok(
            client,
            url("partnerships:structure_new", slug=slug),
            {
                "code": code,
                "name": f"Structure {code}",
                "kind": kind,
                "status": "nouveau",
                "organisation": commune.pk,
            },
        )
    for code in ["f-tiznit-femmes", "f-tiznit-jeunes"]:
        post_ok(
            client,
            url("people:target_group_new", slug=slug),
            {"code": code, "name": f"Public {code}", "order": 1},
        )
    for level, code in [("outcome", "OC"), ("result", "R1"), ("result", "R2")]:
        post_ok(
            client,
            url("programme:result_new", slug=slug),
            {"level": level, "code": code, "name": f"Énoncé {code}", "name_ar": f"نص {code}", "order": 1},
        )
    results = {r.code: r for r in partnership.results.all()}
    definitions = [
        ("OC", "OC.1", "people", "annual", {"target_groups": ["f-tiznit-femmes"]}),
        ("R1", "R1.1", "participations", "cumulative", {"activity_kinds": ["atelier"]}),
        ("R2", "R2.1", "activities", "annual", {"structures": ["f-espace-femmes"]}),
    ]
    for result, code, source, period, filters in definitions:
        post_ok(
            client,
            url("indicators:indicator_define_new", slug=slug),
            {
                "result": results[result].pk,
                "code": code,
                "name": f"Indicateur {code}",
                "unit": "personnes",
                "period": period,
                "by_sex": "on",
                "source": source,
                "baseline": 3,
                "baseline_year": 2022,
                **filters,
            },
        )
    post_ok(
        client,
        url("programme:targets_edit", slug=slug, code="OC.1"),
        {"version": Indicator.objects.get(result__partnership=partnership, code="OC.1").version}
        | {f"target_{y}_{s}": 10 + y - 2023 for y in range(2023, 2027) for s in "FM"},
    )
    post_ok(
        client,
        url("programme:targets_edit", slug=slug, code="R1.1"),
        {
            "version": Indicator.objects.get(result__partnership=partnership, code="R1.1").version,
            "target_programme_F": 40,
            "target_programme_M": 20,
        },
    )
    post_ok(
        client,
        url("programme:targets_edit", slug=slug, code="R2.1"),
        {
            "version": Indicator.objects.get(result__partnership=partnership, code="R2.1").version,
            "target_2024_T": 12,
        },
    )
    return partnership


@pytest.fixture
def officer(world):
    return world["users"]["reseau"]


@pytest.fixture
def commune():
    return OrganisationFactory()


def test_a_network_officer_sets_up_a_partnership_and_its_pages_show_it(officer, world, commune):
    client = client_of(officer)
    partnership = set_up(client, world["partnership"].network, commune)
    assert partnership.code_prefix == "TZN"
    assert partnership.variants() == {
        "ar": "شراكة تيزنيت",
        "en": "Tiznit partnership",
        "nl": "Partnerschap Tiznit",
    }
    assert list(partnership.communes.all()) == [commune]
    assert set(partnership.structures.values_list("code", flat=True)) == {"f-espace-femmes", "f-bureau"}
    assert TargetGroup.objects.filter(code__startswith="f-tiznit-").count() == 2
    assert list(partnership.results.values_list("code", "level")) == [
        ("OC", "outcome"),
        ("R1", "result"),
        ("R2", "result"),
    ]
    oc1 = Indicator.objects.get(result__partnership=partnership, code="OC.1")
    assert (oc1.baseline, oc1.baseline_year, oc1.target_groups) == (3, 2022, ["f-tiznit-femmes"])
    assert {(t.year, t.sex, t.value) for t in oc1.targets.all()} == {
        (y, s, 10 + y - 2023) for y in range(2023, 2027) for s in "FM"
    }
    r21 = Indicator.objects.get(result__partnership=partnership, code="R2.1")
    assert r21.by_sex is False  # activities have no sex
    assert [(t.year, t.sex, t.value) for t in r21.targets.all()] == [(2024, "T", 12)]
    assert {
        (t.year, t.sex, t.value)
        for t in Target.objects.filter(indicator__result__partnership=partnership, indicator__code="R1.1")
    } == {(None, "F", 40), (None, "M", 20)}

    for page in ["partnerships:setup", "partnerships:detail"]:
        assert (
            "Inviter la première coordinatrice"
            in client.get(url(page, slug=partnership.slug)).content.decode()
        )
    framework = client.get(url("programme:framework", slug=partnership.slug)).content.decode()
    for code in ["OC", "R1", "R2", "OC.1", "R1.1", "R2.1"]:
        assert f'<span class="code">{code}</span>' in framework
    assert ">40<" in framework and ">13<" in framework and ">12<" in framework  # R2.1: a total
    dashboard = client.get(url("indicators:dashboard", slug=partnership.slug))
    shown = {t.indicator.code for block in dashboard.context["blocks"] for t in block["tables"]}
    assert shown == {"OC.1", "R1.1", "R2.1"}
    cells = {t.indicator.code: t for block in dashboard.context["blocks"] for t in block["tables"]}
    assert cells["OC.1"].cells[(2024, "F")].target == 11
    assert cells["R1.1"].cells[(cumulative(2024), "T")].target == 60


def test_after_each_change_the_dashboard_shows_the_engines_figures(officer, world, commune):
    client = client_of(officer)
    partnership = set_up(client, world["partnership"].network, commune)
    slug = partnership.slug
    women, youth = (TargetGroup.objects.get(code=c) for c in ["f-tiznit-femmes", "f-tiznit-jeunes"])
    space = partnership.structures.get(code="f-espace-femmes")
    people = [
        PersonFactory(partnership=partnership, sex="F", target_groups=[women]),
        PersonFactory(partnership=partnership, sex="F", target_groups=[youth]),
        PersonFactory(partnership=partnership, sex="M", target_groups=[women, youth]),
    ]
    workshop = ActivityFactory(partnership=partnership, structure=space, date=datetime.date(2024, 3, 1))
    activity_actions.record_attendance(workshop, people)
    coordinator = MembershipFactory(coordination=True, tenant=partnership).user

    def dashboard():
        tables = figures.partnership_tables(partnership, access_for(coordinator, partnership), 2024)
        return {t.indicator.code: t for block in tables for t in block["tables"]}

    def the_engine_agrees():
        before = engine.values_of(partnership)
        engine.rebuild(partnership)
        assert engine.values_of(partnership) == before

    the_engine_agrees()
    assert [c.actual for c in dashboard()["OC.1"].row(2024)] == [1, 1, 2]  # F, M, total: women's group
    assert dashboard()["R2.1"].row(2024)[0].actual == 1
    # The coordinator now edits the framework (the officer no longer may): the filter changes.
    oc1 = Indicator.objects.get(result__partnership=partnership, code="OC.1")
    coordinator_client = client_of(coordinator)
    post_ok(
        coordinator_client,
        url("indicators:indicator_define", slug=slug, code="OC.1"),
        {
            "version": oc1.version,
            "result": oc1.result_id,
            "code": "OC.1",
            "name": "Indicateur OC.1",
            "unit": "personnes",
            "period": "annual",
            "by_sex": "on",
            "source": "people",
            "target_groups": ["f-tiznit-jeunes"],
        },
    )
    the_engine_agrees()
    assert [c.actual for c in dashboard()["OC.1"].row(2024)] == [1, 1, 2]
    post_ok(
        coordinator_client,
        url("indicators:indicator_define", slug=slug, code="OC.1"),
        {
            "version": oc1.version + 1,
            "result": oc1.result_id,
            "code": "OC.1",
            "name": "Indicateur OC.1",
            "unit": "personnes",
            "period": "annual",
            "by_sex": "on",
            "source": "people",
        },
    )
    the_engine_agrees()
    assert [c.actual for c in dashboard()["OC.1"].row(2024)] == [2, 1, 3]
    assert client.get(url("programme:framework_edit", slug=slug)).status_code == 404


def test_a_coordinator_of_a_partnership_cannot_edit_another(world):
    other = world["other"]
    coordinator = world["users"]["coordination"]
    client = client_of(coordinator)
    before = Result.objects.filter(partnership=other).count()
    for name in [
        "programme:framework_edit",
        "programme:result_new",
        "partnerships:setup",
        "people:target_groups",
    ]:
        assert client.get(url(name, slug=other.slug)).status_code == 404
    response = client.post(
        url("programme:result_new", slug=other.slug),
        {"level": "result", "code": "R9", "name": "x", "order": 1},
    )
    assert response.status_code == 404
    assert Result.objects.filter(partnership=other).count() == before
    # …and her own, yes.
    assert client.get(url("programme:framework_edit", slug=world["partnership"].slug)).status_code == 200


@pytest.mark.parametrize("name", ["ecoute", "centre", "accueil", "jour", "jette"])
def test_structure_staff_and_partner_officers_cannot_edit_the_framework(world, name):
    partnership = world["partnership"]
    client = client_of(world["users"][name])
    response = client.post(
        url("programme:result_new", slug=partnership.slug),
        {"level": "result", "code": "R9", "name": "x", "order": 1},
    )
    assert response.status_code == 404
    assert not Result.objects.filter(partnership=partnership).exists()
    assert client.get(url("programme:framework_edit", slug=partnership.slug)).status_code == 404


def test_once_a_coordinator_exists_the_network_officer_no_longer_sets_up(officer, world):
    partnership = world["partnership"]  # has a coordinator (small_world's `coordination`)
    assert client_of(officer).get(url("partnerships:setup", slug=partnership.slug)).status_code == 404
    fresh = PartnershipFactory(network=partnership.network)
    assert client_of(officer).get(url("partnerships:setup", slug=fresh.slug)).status_code == 200


def test_only_network_officers_and_the_admin_create_partnerships(world, commune):
    network = world["partnership"].network
    for name in ["coordination", "ecoute", "jette", "outsider"]:
        client = client_of(world["users"][name])
        response = client.post(url("setup:partnership_new"), new_partnership_data(network, [commune]))
        assert response.status_code == 404
    officer_elsewhere = client_of(world["users"]["reseau"])
    response = officer_elsewhere.post(
        url("setup:partnership_new"), new_partnership_data(world["other"].network, [commune])
    )
    assert response.status_code == 200 and "network" in response.context["form"].errors
    assert not Partnership.objects.filter(slug="f-tiznit-2025-2028").exists()
    post_ok(
        client_of(world["users"]["admin"]),
        url("setup:partnership_new"),
        new_partnership_data(world["other"].network, [commune]),
    )


BAD_PARTNERSHIPS = [
    ({"start_year": 2027, "end_year": 2024}, "La dernière année précède la première."),
    ({"slug": "SLUG_EXISTANT"}, "Un autre partenariat porte déjà cet identifiant."),
    ({"code_prefix": "X"}, "De 2 à 5 lettres ou chiffres"),
    ({"communes": []}, "Choisissez au moins une commune."),
]


@pytest.mark.parametrize(("changes", "message"), BAD_PARTNERSHIPS)
def test_a_bad_partnership_gets_a_french_error_and_nothing_is_written(
    officer, world, commune, changes, message
):
    if changes.get("slug") == "SLUG_EXISTANT":
        changes = {"slug": world["other"].slug}
    count = Partnership.objects.count()
    response = client_of(officer).post(
        url("setup:partnership_new"), new_partnership_data(world["partnership"].network, [commune], **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Partnership.objects.count() == count


@pytest.fixture
def fresh(officer, world, commune):
    """A partnership the officer has just set up (no coordinator yet), with its client."""
    client = client_of(officer)
    return set_up(client, world["partnership"].network, commune), client


def test_an_indicator_filter_the_engine_does_not_know_is_refused(fresh):
    partnership, client = fresh
    result = partnership.results.get(code="R1")
    base = {"result": result.pk, "name": "Dossiers", "unit": "femmes", "period": "annual", "by_sex": "on"}
    cases = [
        (
            {"code": "R1.9", "source": "cases", "target_groups": ["f-tiznit-femmes"]},
            "target_groups",
            "Cette source ne se filtre pas ainsi",
        ),
        (
            {"code": "R1.9", "source": "forums", "structures": ["f-bureau"]},
            "structures",
            "Cette source ne se filtre pas ainsi",
        ),
        (
            {"code": "R1.9", "source": "activities", "target_groups": ["f-tiznit-jeunes"]},
            "target_groups",
            "Cette source ne se filtre pas ainsi",
        ),
        (
            {"code": "R1.9", "source": "people", "activity_kinds": ["danse-inconnue"]},
            "activity_kinds",
            "Sélectionnez un choix valide",
        ),
        ({"code": "R1.9", "source": "sondage"}, "source", "Sélectionnez un choix valide"),
        ({"code": "R1/9", "source": "people"}, "code", "Lettres, chiffres, points, tirets ou soulignés"),
    ]
    for data, field, message in cases:
        response = client.post(
            url("indicators:indicator_define_new", slug=partnership.slug), {**base, **data}
        )
        assert response.status_code == 200
        assert any(message in e for e in response.context["form"].errors[field]), response.context[
            "form"
        ].errors
    assert not Indicator.objects.filter(result__partnership=partnership, code="R1.9").exists()


def test_the_action_itself_refuses_a_filter_the_source_does_not_read(fresh):
    from django.core.exceptions import ValidationError

    from indicators.actions import save_indicator

    partnership, _client = fresh
    indicator = Indicator(
        result=partnership.results.get(code="R1"),
        code="R1.8",
        name="x",
        period="annual",
        source="cases",
        structures=["f-bureau"],
    )
    with pytest.raises(ValidationError):
        save_indicator(indicator)
    assert not Indicator.objects.filter(result__partnership=partnership, code="R1.8").exists()


def test_a_negative_target_is_refused_in_french_and_nothing_changes(fresh):
    partnership, client = fresh
    indicator = Indicator.objects.get(result__partnership=partnership, code="R1.1")
    before = {(t.year, t.sex, t.value) for t in indicator.targets.all()}
    response = client.post(
        url("programme:targets_edit", slug=partnership.slug, code="R1.1"),
        {"version": indicator.version, "target_programme_F": -5, "target_programme_M": 7},
    )
    assert response.status_code == 200
    assert "supérieure ou égale à 0" in response.content.decode()
    assert {(t.year, t.sex, t.value) for t in indicator.targets.all()} == before
    indicator.refresh_from_db()
    assert indicator.version == Indicator.objects.get(pk=indicator.pk).version


def test_a_second_outcome_and_a_duplicate_code_are_refused(fresh):
    partnership, client = fresh
    for data, message in [
        ({"level": "outcome", "code": "OC2"}, "Ce partenariat a déjà un objectif (outcome)."),
        ({"level": "result", "code": "R1"}, "Un autre résultat de ce partenariat porte déjà ce code."),
        ({"level": "result", "code": "R/3"}, "Lettres, chiffres, points, tirets ou soulignés"),
    ]:
        response = client.post(
            url("programme:result_new", slug=partnership.slug), {**data, "name": "x", "order": 1}
        )
        assert message in response.content.decode().replace("&#x27;", "'")
    assert partnership.results.count() == 3


def test_what_is_referenced_is_not_deleted_and_the_rest_is(fresh):
    partnership, client = fresh
    slug = partnership.slug
    # R2.1 filters on f-espace-femmes, OC.1 on f-tiznit-femmes; R1 holds R1.1.
    client.post(url("partnerships:structure_delete", slug=slug, code="f-espace-femmes"))
    client.post(url("people:target_group_delete", slug=slug, code="f-tiznit-femmes"))
    response = client.post(url("programme:result_delete", slug=slug, code="R1"), follow=True)
    assert "Ce résultat ne peut pas être supprimé" in response.content.decode()
    assert partnership.structures.filter(code="f-espace-femmes").exists()
    assert TargetGroup.objects.filter(code="f-tiznit-femmes").exists()
    # A used target group is not edited either.
    response = client.get(url("people:target_group_edit", slug=slug, code="f-tiznit-femmes"), follow=True)
    assert "déjà utilisé" in response.content.decode()
    # Free ones go.
    client.post(url("partnerships:structure_delete", slug=slug, code="f-bureau"))
    client.post(url("people:target_group_delete", slug=slug, code="f-tiznit-jeunes"))
    client.post(url("indicators:indicator_delete", slug=slug, code="R1.1"))
    client.post(url("programme:result_delete", slug=slug, code="R1"))
    assert not partnership.structures.filter(code="f-bureau").exists()
    assert not TargetGroup.objects.filter(code="f-tiznit-jeunes").exists()
    assert not partnership.results.filter(code="R1").exists()


def test_a_structure_with_a_role_is_not_deleted(fresh):
    partnership, client = fresh
    structure = partnership.structures.get(code="f-bureau")
    Membership.objects.create(
        user=persona("outsider"), role=Role.OFFICE_AGENT, partnership=partnership, structure=structure
    )
    response = client.post(
        url("partnerships:structure_delete", slug=partnership.slug, code="f-bureau"), follow=True
    )
    assert "Cette structure ne peut pas être supprimée" in response.content.decode()
    assert Structure.objects.filter(pk=structure.pk).exists()


def test_a_stale_targets_form_is_refused(fresh):
    partnership, client = fresh
    indicator = Indicator.objects.get(result__partnership=partnership, code="R1.1")
    old = indicator.version
    post_ok(
        client,
        url("programme:targets_edit", slug=partnership.slug, code="R1.1"),
        {"version": old, "target_programme_F": 41, "target_programme_M": 20},
    )
    response = client.post(
        url("programme:targets_edit", slug=partnership.slug, code="R1.1"),
        {"version": old, "target_programme_F": 99, "target_programme_M": 20},
    )
    assert response.status_code == 409
    assert Target.objects.get(indicator=indicator, sex="F").value == 41


def test_the_older_definition_page_and_the_admin_refuse_it_too_without_a_500(fresh):
    from indicators.admin import IndicatorAdminForm

    partnership, _client = fresh
    coordinator = MembershipFactory(coordination=True, tenant=partnership).user
    indicator = Indicator.objects.get(result__partnership=partnership, code="R2.1")
    data = {
        "version": indicator.version,
        "result": indicator.result_id,
        "code": "R2.1",
        "name": "Indicateur R2.1",
        "unit": "activités",
        "period": "annual",
        "source": "forums",
        "structures": ["f-espace-femmes"],
    }
    response = client_of(coordinator).post(
        url("indicators:indicator_edit", slug=partnership.slug, code="R2.1"), data
    )
    assert response.status_code == 200
    assert "Cette source ne se filtre pas ainsi" in response.content.decode()
    admin_form = IndicatorAdminForm({**data, "order": 0}, instance=indicator)
    assert not admin_form.is_valid()
    assert "structures" in admin_form.errors
    indicator.refresh_from_db()
    assert indicator.source == "activities"


def test_a_commune_not_yet_listed_is_added_with_the_partnership(officer, world, commune):
    from partnerships.models import Organisation

    data = new_partnership_data(
        world["partnership"].network, [], new_communes="Commune de Tafraout\n\n" + commune.name.upper()
    )
    post_ok(client_of(officer), url("setup:partnership_new"), data)
    partnership = Partnership.objects.get(slug="f-tiznit-2025-2028")
    tafraout = Organisation.objects.get(name="Commune de Tafraout")
    assert (tafraout.kind, tafraout.slug) == ("commune", "commune-de-tafraout")
    assert set(partnership.communes.all()) == {tafraout, commune}  # the same name, whatever its case


def test_the_network_page_and_the_admins_partnership_page_lead_to_the_creation(officer, world):
    creation = url("setup:partnership_new")
    network_page = client_of(officer).get(
        reverse("network:detail", kwargs={"network_slug": world["partnership"].network.slug})
    )
    assert creation in network_page.content.decode()
    admin_page = client_of(world["users"]["admin"]).get(
        url("partnerships:detail", slug=world["partnership"].slug)
    )
    assert creation in admin_page.content.decode()
    coordinator_page = client_of(world["users"]["coordination"]).get(
        url("partnerships:detail", slug=world["partnership"].slug)
    )
    assert creation not in coordinator_page.content.decode()


def test_the_editor_and_set_up_pages_take_a_bounded_number_of_queries(fresh, django_assert_max_num_queries):
    partnership, client = fresh
    for name in ["programme:framework_edit", "partnerships:setup"]:
        with django_assert_max_num_queries(20):
            assert client.get(url(name, slug=partnership.slug)).status_code == 200


def test_a_structures_kind_is_fixed_once_saved(world):
    """Turned into another kind, the listening centre's staff would lose its files and the coordinator
    could invite into it (docs/security.md 4, 26): the form no longer offers the kind."""
    partnership = world["partnership"]
    centre = partnership.structures.get(kind=Structure.Kind.LISTENING_CENTRE)
    client = client_of(world["users"]["coordination"])
    edit = url("partnerships:structure_edit", slug=partnership.slug, code=centre.code)
    assert 'name="kind"' not in client.get(edit).content.decode()
    from partnerships.setup_forms import StructureForm

    form = StructureForm(instance=centre, partnership=partnership)  # what the page sends back
    sent = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    sent.update(name="Centre d'écoute renommé", kind=Structure.Kind.MIGRANT_OFFICE)
    assert client.post(edit, sent).status_code == 302  # saved: the name changed, the kind did not
    centre.refresh_from_db()
    assert (centre.name, centre.kind) == ("Centre d'écoute renommé", Structure.Kind.LISTENING_CENTRE)

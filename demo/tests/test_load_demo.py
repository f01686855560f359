import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from collect.models import Device, Submission
from partnerships.models import Membership, Partnership, Structure
from people.models import TargetGroup
from programme.models import GovernancePrinciple, Result, Target


def counts():
    return [
        m.objects.count()
        for m in (
            User,
            Partnership,
            Structure,
            Membership,
            TargetGroup,
            Result,
            Target,
            GovernancePrinciple,
            Device,
            Submission,
        )
    ]


@pytest.fixture
def demo_settings(settings, empty_db):
    settings.DEBUG = True
    return settings


def test_load_demo_loads_the_roadmap_and_is_safe_twice(db, demo_settings):
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert Device.objects.get().label == "Téléphone du bureau"
    assert Submission.objects.get().status == Submission.Status.WAITING
    partnership = Partnership.objects.get(slug="belfaa-jette-2022-2026")
    assert (partnership.start_year, partnership.end_year, partnership.network.slug) == (
        2022,
        2026,
        "brulocalis",
    )
    assert set(partnership.communes.values_list("slug", flat=True)) == {"belfaa", "jette"}
    assert set(partnership.structures.values_list("code", flat=True)) == {
        "centre-ecoute",
        "bureau-migrants",
        "maison-creation",
        "centre-jour",
        "figuiers-toulaasri",
    }
    assert set(TargetGroup.objects.values_list("code", flat=True)) == {
        "femmes-violence",
        "jeunes-handicap",
        "migrants",
        "jeunes-citoyens",
        "ouvrieres-agricoles",
        "parents-autisme",
    }
    assert list(Result.objects.filter(partnership=partnership).values_list("code", flat=True)) == [
        "OC",
        "R1",
        "R2",
        "R3",
        "R4",
        "R5",
    ]
    assert GovernancePrinciple.objects.filter(partnership=partnership).count() == 6
    assert set(User.objects.values_list("username", flat=True)) >= {
        "admin",
        "coordination",
        "ecoute",
        "centre",
        "accueil",
        "jour",
        "jette",
        "reseau",
    }
    assert User.objects.get(username="jette").check_password("twiza-demo-2026")


def test_load_demo_refuses_a_database_with_other_data(db, demo_settings):
    User.objects.create_user("vraie.personne", password="un-mot-de-passe-long")
    with pytest.raises(CommandError, match="hors démo"):
        call_command("load_demo")
    assert not Partnership.objects.exists()


def test_load_demo_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")


def test_load_demo_says_the_password_a_stranger_signs_in_with(db, demo_settings, monkeypatch):
    """The default demo password is printed; a password set in the environment is never echoed."""
    from io import StringIO

    monkeypatch.delenv("TWIZA_DEMO_PASSWORD", raising=False)
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert f"mot de passe : {demo_settings.TWIZA_DEMO_PASSWORD}." in out.getvalue()
    out = StringIO()
    monkeypatch.setenv("TWIZA_DEMO_PASSWORD", "un-secret-du-formateur")
    demo_settings.TWIZA_DEMO_PASSWORD = "un-secret-du-formateur"
    call_command("load_demo", stdout=out)
    assert "un-secret-du-formateur" not in out.getvalue()
    assert "la valeur de TWIZA_DEMO_PASSWORD" in out.getvalue()

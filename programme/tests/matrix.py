from core.tests.access_matrix import Row
from partnerships.tests.matrix import BELFAA, belfaa

OTHER = ["autre_coordination", "autre_ecoute", "admin"]


def other(world):
    return {"slug": world["other"].slug}


def manual(world):
    return {"slug": world["partnership"].slug, "code": "R4.1"}


def first_measurement(world):
    from programme.models import Indicator, Measurement

    indicator = Indicator.objects.get(result__partnership=world["partnership"], code="R4.1")
    measurement, _ = Measurement.objects.get_or_create(
        indicator=indicator, period=2024, sex="T", defaults={"value": 10}
    )
    return {**manual(world), "pk": measurement.pk, "step": "submit"}


ROWS = {
    "programme:framework": Row(kwargs=belfaa, allowed=BELFAA),
    "programme:framework#other": Row(kwargs=other, allowed=OTHER),
    # Manual figures of R4.1 (the plantation's): the coordinator enters and approves them.
    "programme:measurements": Row(kwargs=manual, allowed=["coordination"]),
    "programme:measurement_step": Row(
        kwargs=first_measurement, method="post", ok=302, allowed=["coordination"]
    ),
    # The XLSX logframe: template and export for whoever reads the framework; the import for the
    # coordinator (the admin and the network officer only where there is no coordinator).
    "programme:logframe_template": Row(kwargs=belfaa, allowed=BELFAA),
    "programme:logframe_export": Row(kwargs=belfaa, allowed=BELFAA),
    "programme:logframe_export#other": Row(kwargs=other, allowed=OTHER),
    "programme:logframe_import": Row(kwargs=belfaa, allowed=["coordination"]),
    "programme:logframe_import#other": Row(kwargs=other, allowed=["autre_coordination"]),
}


def result_r1(world):
    return {**belfaa(world), "code": "R1"}


def indicator_oc2(world):
    return {**belfaa(world), "code": "OC.2"}


# The results framework's editor (issue 16, item 3): whoever sets the partnership up — Belfaa's
# coordinator (the network officer and the admin only before a coordinator exists). R1 holds
# indicators and activities: its deletion is refused, then back to the editor.
ROWS |= {
    "programme:framework_edit": Row(kwargs=belfaa, allowed=["coordination"]),
    "programme:framework_edit#other": Row(kwargs=other, allowed=["autre_coordination"]),
    "programme:result_new": Row(kwargs=belfaa, allowed=["coordination"]),
    "programme:result_edit": Row(kwargs=result_r1, allowed=["coordination"]),
    "programme:result_delete": Row(kwargs=result_r1, allowed=["coordination"], method="post", ok=302),
    "programme:targets_edit": Row(kwargs=indicator_oc2, allowed=["coordination"]),
}

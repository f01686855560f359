from core.tests.access_matrix import Row
from partnerships.tests.matrix import BELFAA, belfaa
from programme.tests.matrix import OTHER, other

ROWS = {
    "indicators:dashboard": Row(kwargs=belfaa, allowed=BELFAA),
    "indicators:dashboard#other": Row(kwargs=other, allowed=OTHER),
    # Defining indicators: the coordinator (the platform admin holds no role in the partnership).
    "indicators:indicator_new": Row(kwargs=belfaa, allowed=["coordination"]),
    "indicators:indicator_edit": Row(
        kwargs=lambda world: {"slug": world["partnership"].slug, "code": "OC.2"}, allowed=["coordination"]
    ),
    "api:indicators": Row(
        token=True,
        kwargs=belfaa,
        allowed=BELFAA,
    ),
}


def indicator_oc2(world):
    return {"slug": world["partnership"].slug, "code": "OC.2"}


def manual_r41(world):
    """R4.1 holds figures entered by hand (made here if the demo has none): its deletion is refused."""
    from programme.models import Indicator, Measurement

    indicator = Indicator.objects.get(result__partnership=world["partnership"], code="R4.1")
    Measurement.objects.get_or_create(indicator=indicator, period=2024, sex="T", defaults={"value": 10})
    return {"slug": world["partnership"].slug, "code": "R4.1"}


# The framework's editor (issue 16, item 3; programme/tests/matrix.py lists its other pages).
ROWS |= {
    "indicators:indicator_define_new": Row(kwargs=belfaa, allowed=["coordination"]),
    "indicators:indicator_define": Row(kwargs=indicator_oc2, allowed=["coordination"]),
    "indicators:indicator_define#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug, "code": "OC.2"}, allowed=[]
    ),
    "indicators:indicator_delete": Row(kwargs=manual_r41, allowed=["coordination"], method="post", ok=302),
}

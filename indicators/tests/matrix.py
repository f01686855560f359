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

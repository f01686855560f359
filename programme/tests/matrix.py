from core.tests.access_matrix import Row
from partnerships.tests.matrix import BELFAA, belfaa

ROWS = {
    "programme:framework": Row(kwargs=belfaa, allowed=BELFAA),
    "programme:framework#other": Row(
        kwargs=lambda world: {"slug": world["other"].slug},
        allowed=["autre_coordination", "autre_ecoute", "admin"],
    ),
}

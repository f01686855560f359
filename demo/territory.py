"""The territory of the demo (issue 18): ten douars and neighbourhoods of the commune of Belfaa
(Chtouka-Aït Baha), with plausible points within about 15 km of its centre and plausible
populations — clearly a demo: neither the points nor the figures are survey data.

Where the demo's activities take place, where its visitors come from and where its people live is
chosen here from what each row already says (its place, its year, its rank), never from the demo's
random draws: the douars change no figure of the demo.
"""

from decimal import Decimal

from demo.partnerships import by_name
from partnerships.models import Douar, Partnership

# code, French name, Arabic name, kind, latitude, longitude, population
DOUARS = [
    ("belfaa-centre", "Belfaa centre", "بلفاع المركز", "quartier", "30.04120", "-9.55480", 4850),
    ("hay-essalam", "Hay Essalam", "حي السلام", "quartier", "30.03610", "-9.56290", 2310),
    ("toulaasri", "Toulaasri", "تولعسري", "douar", "30.08540", "-9.50870", 640),
    ("lahrach", "Lahrach", "الحراش", "douar", "30.00930", "-9.59820", 1420),
    ("tassila", "Tassila", "تاسيلا", "douar", "30.06870", "-9.61750", 980),
    ("ait-ouzzine", "Aït Ouzzine", "آيت وزين", "douar", "30.10210", "-9.56640", 760),
    ("laaouina", "Laâouina", "العوينة", "douar", "29.98640", "-9.52230", 1150),
    ("tighanimine", "Tighanimine", "تيغانيمين", "douar", "30.02250", "-9.47910", 530),
    ("oulad-jerrar", "Oulad Jerrar", "أولاد جرار", "douar", "29.97280", "-9.58410", 2040),
    ("tagadirt", "Tagadirt", "تاكاديرت", "douar", "30.12480", "-9.52760", 410),
]

# Where the demo's activities take place, by the place they name (None: no douar recorded — the
# listening centre's address is never shown, and not every activity says where it was).
BY_PLACE = {
    "Centre d'accueil de jour": "belfaa-centre",
    "Salle communale de Belfaa": "belfaa-centre",
    "Salle du conseil communal": "belfaa-centre",
    "Ferme du douar Toulaasri (fictive)": "toulaasri",
    "Maison des jeunes": "hay-essalam",
    "Belfaa": "belfaa-centre",
}
# The women's association takes its campaign to another douar each year.
TOURS = ["lahrach", "tassila", "laaouina", "oulad-jerrar", "tighanimine"]
# Where people live and visitors come from, by rank: the centre's and the farms' douars most.
HOMES = [
    "belfaa-centre",
    "hay-essalam",
    "oulad-jerrar",
    "belfaa-centre",
    "lahrach",
    "laaouina",
    "hay-essalam",
    "toulaasri",
    "tassila",
    None,  # not said
    "ait-ouzzine",
    "tighanimine",
    "belfaa-centre",
    "tagadirt",
    None,
]


def load_douars(partnership: Partnership) -> dict[str, Douar]:
    """The ten douars of Belfaa, by code (a second run updates them and adds none)."""
    douars = {}
    for code, name, arabic, kind, latitude, longitude, population in DOUARS:
        douars[code], _created = Douar.objects.update_or_create(
            partnership=partnership,
            code=code,
            defaults={
                "name": name,
                "translations": by_name({"ar": arabic}),
                "kind": kind,
                "latitude": Decimal(latitude),
                "longitude": Decimal(longitude),
                "population": population,
            },
        )
    return douars


def where(douars: dict[str, Douar], place: str, year: int) -> Douar | None:
    """The douar of an activity held at `place` in `year`."""
    if place == "Association féminine de Belfaa":
        return douars.get(TOURS[year % len(TOURS)])
    code = BY_PLACE.get(place)
    return douars.get(code) if code else None


def home(douars: dict[str, Douar], rank: int) -> Douar | None:
    """The douar of the `rank`-th person registered (or visitor recorded) by a loader."""
    code = HOMES[rank % len(HOMES)]
    return douars.get(code) if code else None

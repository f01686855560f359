"""The authorisation matrix: every URL name × every persona → expected status (docs/security.md 3).

Each app lists its own URLs in `<app>/tests/matrix.py` as ROWS = {url_name: Row(...)}; the test in
core/tests/test_authorisation_matrix.py walks the URL resolver and fails on any name nobody listed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

STAFF = ["coordination", "ecoute", "centre", "accueil", "jour", "jette", "reseau", "admin"]


@dataclass
class Row:
    """`kwargs(world)` builds the URL's arguments; `allowed` personas get `ok`, the others `denied`.

    `denied` for anonymous is a redirect to the login page unless `anonymous` is in `allowed`.
    """

    kwargs: Callable = lambda world: {}
    allowed: list = field(default_factory=list)
    ok: int = 200
    denied: int = 404
    method: str = "get"
    data: Callable | None = None
    token: bool = False  # an API URL: personas call it with their bearer token

"""Small-cell suppression of a published breakdown (SECURITY.md 8: registries other than the centre).

A breakdown is one line of cells (turnout by sex, or by age band) and its total. Counts 1–4 are
shown as "< 5" (primary suppression). Complementary suppression then hides more cells until no
hidden cell can be recovered from the total and the shown cells, by a reader who knows that a
primary cell holds 1–4 and that any other hidden cell holds 0 or at least 5. That is checked
exactly (`solvable_cells`), not by a rule of thumb; if hiding every cell is still not enough, the
total is hidden too.
"""

from dataclasses import dataclass

THRESHOLD = 5


@dataclass(frozen=True)
class Cell:
    key: str
    value: int
    hidden: bool = False
    primary: bool = False

    @property
    def shown(self) -> str:
        if not self.hidden:
            return str(self.value)
        return f"< {THRESHOLD}" if self.primary else "x"


def _domain(cell: Cell, total: int) -> range | list:
    if cell.primary:
        return range(1, THRESHOLD)
    return [0, *range(THRESHOLD, total + 1)]


def _sums(domains: list, limit: int) -> set[int]:
    """Every sum the values of `domains` can reach, capped at `limit`."""
    reach = {0}
    for domain in domains:
        reach = {s + v for s in reach for v in domain if s + v <= limit}
    return reach


def solvable_cells(cells: list[Cell], total: int | None) -> list[str]:
    """Keys of hidden cells whose value a reader can deduce from what is shown."""
    if total is None:
        return []
    hidden = [c for c in cells if c.hidden]
    rest = total - sum(c.value for c in cells if not c.hidden)
    found = []
    for cell in hidden:
        others = _sums([_domain(o, total) for o in hidden if o is not cell], rest)
        possible = [v for v in _domain(cell, total) if v <= rest and rest - v in others]
        if len(possible) <= 1:
            found.append(cell.key)
    return found


def suppress(counts: dict[str, int]) -> tuple[list[Cell], int | None]:
    """The cells to publish and the total (None when it must be hidden)."""
    total = sum(counts.values())
    cells = [Cell(k, v, hidden=0 < v < THRESHOLD, primary=0 < v < THRESHOLD) for k, v in counts.items()]
    while any(c.hidden for c in cells) and solvable_cells(cells, total):
        shown = [c for c in cells if not c.hidden]
        if not shown:
            return cells, None
        smallest = min(shown, key=lambda c: (c.value, c.key))
        cells = [Cell(c.key, c.value, hidden=True) if c is smallest else c for c in cells]
    return cells, total

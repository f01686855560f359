"""Small-cell suppression with complementary suppression (SECURITY.md 8).

A table is a dict {cell: value}; `lines` are the additive relations a reader knows, each a tuple of
cells whose values sum to the line's last cell (the margin). Primary suppression hides every value
from 1 to k−1; complementary suppression then hides, in any line left with exactly one hidden
member, the smallest other member, until no line has exactly one hidden member — so no hidden value
can be recovered by subtraction from the published margins.
"""

LISTENING_CENTRE_THRESHOLD = 10  # counts 1–9 shown as "< 10"
REGISTRY_THRESHOLD = 5  # counts 1–4 shown as "< 5"


def suppress(values: dict, lines: list[tuple], k: int, known: frozenset = frozenset()) -> set:
    """The set of cells to hide. `known` cells are never published but must be assumed known to a
    reader (e.g. the count of people whose sex was not recorded): they are never chosen to hide."""
    hidden = {cell for cell, value in values.items() if 0 < value < k and cell not in known}
    changed = True
    while changed:
        changed = False
        for line in lines:
            members = [cell for cell in line if cell in values]
            hidden_here = [cell for cell in members if cell in hidden]
            if len(hidden_here) != 1:
                continue
            candidates = [cell for cell in members if cell not in hidden and cell not in known]
            if not candidates:
                continue
            # Prefer hiding an inner cell over the margin, then the smallest value.
            margin = members[-1]
            candidates.sort(key=lambda cell: (cell == margin, values[cell]))
            hidden.add(candidates[0])
            changed = True
    return hidden


def sex_table_lines(periods, additive: bool) -> list[tuple]:
    """Relations of an indicator table: per period F + M + X = T; if the measure is additive over
    the years (participations, activities), also each sex summed over the years = the programme."""
    lines = [((p, "F"), (p, "M"), (p, "X"), (p, "T")) for p in periods]
    if additive:
        years = [p for p in periods if p != 0]
        for sex in ("F", "M", "X", "T"):
            lines.append(tuple((y, sex) for y in years) + ((0, sex),))
    return lines

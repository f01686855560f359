"""docs/security.md 8 on the turnout: 1–4 shown as "< 5", and no hidden cell solvable from what is shown."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from core.disclosure import THRESHOLDS, breakdown

THRESHOLD = THRESHOLDS["registry"]


def brute_force_possible(cells, total, data):
    """Every value each hidden cell can take given the total and shown cells, by exhaustive search.

    The reader knows a "< 5" cell holds 1–4 and a "×" at least 5 (anything when every cell is "×").
    Independent of the module's own solver, on purpose."""
    everything = all(c.mark == "×" for c in [*cells.values(), total])
    bound = 2 * sum(data.values()) + 10  # a bounded reader knows more than one who is not

    def domain(cell):
        if not cell.hidden:
            return [cell.value]
        if everything:
            return range(0, bound)
        return range(1, THRESHOLD) if cell.mark == f"< {THRESHOLD}" else range(THRESHOLD, bound)

    keys = [k for k, c in cells.items() if c.hidden]
    possible = {k: set() for k in keys} | {"total": set()}
    shown_sum = sum(c.value for c in cells.values() if not c.hidden)
    for t in domain(total):
        rest = t - shown_sum
        for values in itertools.product(*[domain(cells[k]) for k in keys]):
            if sum(values) == rest:
                for key, v in zip(keys, values, strict=True):
                    possible[key].add(v)
                possible["total"].add(t)
    return possible


counts = st.lists(st.integers(min_value=0, max_value=14), min_size=2, max_size=4).map(
    lambda vs: {f"k{i}": v for i, v in enumerate(vs)}
)


@settings(max_examples=300, deadline=None)
@given(counts)
def test_no_suppressed_cell_is_solvable_from_the_published_margins(data):
    cells, total = breakdown(data, THRESHOLD)
    everything = all(c.mark == "×" for c in [*cells.values(), total])
    for key, value in data.items():
        if 0 < value < THRESHOLD and not everything:
            assert cells[key].hidden and str(cells[key]) == "< 5"
        if not cells[key].hidden:
            assert str(cells[key]) == str(value)
    assert total.hidden or total.value == sum(data.values())
    possible = brute_force_possible(cells, total, data)
    for key, cell in cells.items():
        if cell.hidden:
            assert data[key] in possible[key]
            assert len(possible[key]) >= 2 or (everything and data[key] == 0), (data, cells, total)
    if total.hidden:
        assert len(possible["total"]) >= 2, (data, cells, total)


def test_nothing_is_hidden_when_every_count_is_zero_or_at_least_five():
    cells, total = breakdown({"F": 12, "M": 0, "X": 7}, THRESHOLD)
    assert [str(c) for c in cells.values()] == ["12", "0", "7"]
    assert total.value == 19


def test_a_lone_small_cell_gets_a_complementary_one():
    cells, total = breakdown({"F": 12, "M": 3, "X": 0}, THRESHOLD)
    hidden = [k for k, c in cells.items() if c.hidden]
    assert "M" in hidden and len(hidden) >= 2
    assert str(cells["F"]) == "×" and str(cells["M"]) == "< 5"

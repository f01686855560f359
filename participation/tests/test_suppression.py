"""SECURITY.md 8 on the turnout: 1–4 shown as "< 5", and no hidden cell solvable from what is shown."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from participation.suppression import THRESHOLD, suppress


def brute_force_possible(cells, total):
    """Every value each hidden cell can take given the total and shown cells, by exhaustive search.

    The reader knows a "< 5" cell holds 1–4 and any other hidden cell ("x") holds 0 or ≥ 5.
    Independent of the module's own solver, on purpose.
    """
    hidden = [c for c in cells if c.hidden]
    if total is None:
        return None
    rest = total - sum(c.value for c in cells if not c.hidden)
    domains = [range(1, THRESHOLD) if c.primary else [0, *range(THRESHOLD, rest + 1)] for c in hidden]
    possible = {c.key: set() for c in hidden}
    for values in itertools.product(*domains):
        if sum(values) == rest:
            for cell, v in zip(hidden, values, strict=True):
                possible[cell.key].add(v)
    return possible


counts = st.lists(st.integers(min_value=0, max_value=14), min_size=2, max_size=5).map(
    lambda vs: {f"k{i}": v for i, v in enumerate(vs)}
)


@settings(max_examples=300, deadline=None)
@given(counts)
def test_no_suppressed_cell_is_solvable_from_the_published_margins(data):
    cells, total = suppress(data)
    shown = {c.key: c for c in cells}
    for key, value in data.items():
        if 0 < value < THRESHOLD:
            assert shown[key].hidden and shown[key].shown == "< 5"
        if not shown[key].hidden:
            assert shown[key].shown == str(value)
    possible = brute_force_possible(cells, total)
    if possible is None:
        assert total is None
        return
    assert total == sum(data.values())
    for cell in cells:
        if cell.hidden:
            assert cell.value in possible[cell.key]
            assert len(possible[cell.key]) >= 2, (data, cells, total)


def test_nothing_is_hidden_when_every_count_is_zero_or_at_least_five():
    cells, total = suppress({"F": 12, "M": 0, "X": 7})
    assert [c.shown for c in cells] == ["12", "0", "7"]
    assert total == 19


def test_a_lone_small_cell_gets_a_complementary_one():
    cells, total = suppress({"F": 12, "M": 3, "X": 0})
    hidden = [c.key for c in cells if c.hidden]
    assert "M" in hidden and len(hidden) >= 2

"""SECURITY.md 8: no suppressed cell can be recovered from the published margins."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from programme.suppression import sex_table_lines, suppress


def table(years, f, m, x, additive):
    """An indicator table: per period F, M, X (known to the reader, never published) and T."""
    values = {}
    for y, (fv, mv, xv) in zip(years, zip(f, m, x, strict=True), strict=True):
        values.update({(y, "F"): fv, (y, "M"): mv, (y, "X"): xv, (y, "T"): fv + mv + xv})
    if additive:
        for sex in "FMXT":
            values[(0, sex)] = sum(values[(y, sex)] for y in years)
    else:
        # Distinct people over the programme: at least the largest year, at most the sum.
        for sex in "FMX":
            values[(0, sex)] = max(values[(y, sex)] for y in years)
        values[(0, "T")] = values[(0, "F")] + values[(0, "M")] + values[(0, "X")]
    return values


cells = st.lists(st.integers(0, 12), min_size=3, max_size=3)


@settings(max_examples=300, deadline=None)
@given(
    f=cells,
    m=cells,
    x=st.lists(st.integers(0, 2), min_size=3, max_size=3),
    additive=st.booleans(),
    k=st.sampled_from([5, 10]),
)
def test_no_line_is_left_with_a_single_hidden_member(f, m, x, additive, k):
    years = [2023, 2024, 2025]
    values = table(years, f, m, x, additive)
    lines = sex_table_lines([*years, 0], additive)
    known = frozenset(c for c in values if c[1] == "X")
    hidden = suppress(values, lines, k, known)
    for cell in hidden:
        assert cell not in known
    # Every small count is hidden.
    assert all(cell in hidden for cell, v in values.items() if 0 < v < k and cell not in known)
    # No line lets a reader subtract her way to a hidden value.
    for line in lines:
        assert sum(1 for cell in line if cell in hidden) != 1


@settings(max_examples=150, deadline=None)
@given(f=st.integers(0, 9), m=st.integers(0, 9), x=st.integers(0, 2), k=st.sampled_from([5, 10]))
def test_a_hidden_cell_has_several_possible_values_given_what_is_published(f, m, x, k):
    """Brute force on one period: enumerate every (F, M) consistent with the published cells."""
    values = {(1, "F"): f, (1, "M"): m, (1, "X"): x, (1, "T"): f + m + x}
    lines = sex_table_lines([1], additive=False)
    hidden = suppress(values, lines, k, frozenset({(1, "X")}))
    published = {c: v for c, v in values.items() if c not in hidden}
    consistent = []
    for cf, cm in itertools.product(range(0, 30), repeat=2):
        candidate = {(1, "F"): cf, (1, "M"): cm, (1, "X"): x, (1, "T"): cf + cm + x}
        if all(candidate[c] == v for c, v in published.items()):
            consistent.append(candidate)
    for cell in hidden:
        assert len({c[cell] for c in consistent}) > 1, (values, hidden)


def test_a_small_women_count_hides_the_men_count_too():
    values = {(1, "F"): 3, (1, "M"): 40, (1, "X"): 0, (1, "T"): 43}
    assert suppress(values, sex_table_lines([1], False), 5, frozenset({(1, "X")})) == {(1, "F"), (1, "M")}


def test_zero_is_not_a_small_cell():
    values = {(1, "F"): 0, (1, "M"): 40, (1, "X"): 0, (1, "T"): 40}
    assert suppress(values, sex_table_lines([1], False), 5, frozenset({(1, "X")})) == set()

"""docs/security.md 8: the one disclosure rule, checked against an independent exact attacker.

The attacker knows the rule: a "< k" holds 1 to k−1 (0 to k−1 in a table where a zero is hidden),
a "×" at least k (anything from 0 when the whole table is hidden), and every relation. With integer programming (scipy's milp, nothing shared
with core/disclosure.py) it computes the smallest and the largest value of each hidden cell
consistent with what is published; a cell is recovered when both are equal.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from core.disclosure import (
    THRESHOLDS,
    Cell,
    Relation,
    at_most,
    breakdown,
    distinct_over_years,
    protect,
    small,
    total,
)


def attack(cells, relations, k, values, known=()):
    """{hidden key: (min, max)} over every integer table consistent with what is published; when the
    minimum is below the true value, the true value stands for the maximum (saves half the solves)."""
    hidden = [key for key, cell in cells.items() if cell.hidden and key not in known]
    if not hidden:
        return {}
    everything = all(cell.mark == "×" for cell in cells.values())
    # Once a zero is hidden, a reader can no longer tell which "< k" holds 0.
    floor = 0 if any(values[key] == 0 for key in hidden) else 1
    index = {key: i for i, key in enumerate(hidden)}
    low = [0 if everything else floor if cells[key].mark == f"< {k}" else k for key in hidden]
    ceiling = 10 * max(values.values()) + k  # knowing a bound, the attacker only knows more
    high = [k - 1 if cells[key].mark == f"< {k}" else ceiling for key in hidden]
    rows, lbs, ubs = [], [], []
    for relation in relations:
        row = np.zeros(len(hidden))
        rest = relation.rhs
        for key, a in relation.coeffs.items():
            if key in index:
                row[index[key]] += a
            else:
                rest -= a * (values[key] if key in known else cells[key].value)
        rows.append(row)
        lbs.append(rest if relation.op == "=" else -np.inf)
        ubs.append(rest)
    constraints = [LinearConstraint(np.array(rows), lbs, ubs)] if rows else []
    found = {}
    for key, i in index.items():
        ends = []
        for sign in (1, -1):
            if sign == -1 and ends[0] < values[key]:
                ends.append(values[key])
                break
            c = np.zeros(len(hidden))
            c[i] = sign
            result = milp(
                c,
                constraints=constraints,
                integrality=np.ones(len(hidden)),
                bounds=Bounds(low, high),
                options={"presolve": False},  # HiGHS's presolve returned a wrong minimum (19 → 20)
            )
            assert result.status == 0, (key, result.message)
            ends.append(round(result.x[i]))
        found[key] = tuple(ends)
    return found


def check(values, relations, k, known=()):
    """Every small cell is hidden as "< k", shown cells are exact, and no hidden cell is recovered."""
    cells = protect(values, relations, k, known)
    everything = all(cell.mark == "×" for cell in cells.values())
    for key, value in values.items():
        cell = cells[key]
        if key in known:
            continue
        if 0 < value < k:
            assert cell.mark == ("×" if everything else f"< {k}"), (key, value, cells)
        if not cell.hidden:
            assert cell.value == value and cell.mark == ""
        elif cell.mark == "×" and not everything:
            assert value >= k  # a reader may rely on it
        if value == 0 and not everything:
            assert cell in (Cell(0), Cell(None, f"< {k}"))
    for key, (lowest, highest) in attack(cells, relations, k, values, known).items():
        assert lowest <= values[key] <= highest
        if everything and values[key] == 0:
            continue  # the whole table hidden: a zero is only as certain as the relations make it
        assert lowest < highest, f"{key} = {values[key]} is recovered from {cells}"
    return cells


# Unit tests of the markers and thresholds


def test_thresholds_are_ten_for_the_centre_and_five_for_other_registries():
    assert THRESHOLDS == {"registry": 5, "centre": 10}
    assert [str(small(v, 5)) for v in (0, 1, 4, 5)] == ["0", "< 5", "< 5", "5"]
    assert [str(small(v, 10)) for v in (0, 1, 9, 10)] == ["0", "< 10", "< 10", "10"]


def test_a_cell_shows_its_mark_or_its_value():
    assert str(Cell(12)) == "12" and not Cell(12).hidden
    assert str(Cell(None, "< 5")) == "< 5" and Cell(None, "< 5").hidden
    assert str(Cell(None, "×")) == "×"


def test_three_women_hide_the_men_as_a_complement_never_as_a_small_cell():
    """The dashboard showed F "< 5", M "< 5" (really 40) beside the total 43, which gives F away
    if M reads as small, and M away if it does not."""
    values = {"F": 3, "M": 40, "X": 0, "T": 43}
    cells = check(values, [total(["F", "M", "X"], "T")], 5)
    assert [str(cells[s]) for s in "FMXT"] == ["< 5", "×", "0", "43"]


def test_nothing_small_returns_every_value():
    values = {(y, s): v for y in range(2022, 2027) for s, v in (("F", 12), ("M", 0), ("T", 12))}
    cells = protect(values, [total([(y, "F"), (y, "M")], (y, "T")) for y in range(2022, 2027)], 5)
    assert cells == {key: Cell(v) for key, v in values.items()}


def test_the_complement_is_the_smallest_inner_cell_beside_the_small_one():
    cells, whole = breakdown({"a": 12, "b": 3, "c": 40}, THRESHOLDS["centre"])
    assert [str(c) for c in cells.values()] == ["×", "< 10", "40"] and str(whole) == "55"


def test_two_small_cells_whose_total_gives_them_away_hide_the_total():
    cells, whole = breakdown({"a": 9, "b": 9}, 10)
    assert [str(c) for c in cells.values()] == ["< 10", "< 10"] and str(whole) == "×"


def test_zeros_are_shown():
    cells, whole = breakdown({"a": 0, "b": 0, "c": 25}, 10)
    assert [str(c) for c in cells.values()] == ["0", "0", "25"] and str(whole) == "25"


def test_when_hiding_every_count_is_not_enough_the_zeros_beside_them_are_hidden():
    """Four cells of 1 and a total of 4: "< 5" everywhere still says every cell is 1, unless the
    zero beside them is hidden too (then any of them may be 0)."""
    values = {"a": 1, "b": 1, "c": 1, "d": 1, "e": 0, "T": 4}
    cells = check(values, [total("abcde", "T")], 5)
    assert all(str(cell) == "< 5" for cell in cells.values())


def test_with_no_zero_to_hide_the_whole_table_is_hidden():
    values = {"a": 1, "b": 1, "c": 1, "d": 1, "T": 4}
    cells = check(values, [total("abcd", "T")], 5)
    assert all(cell == Cell(None, "×") for cell in cells.values())


def test_a_breakdown_without_total_hides_small_cells_only():
    cells, whole = breakdown({"viol": 3, "psychologique": 30, "economique": 0}, 10, with_total=False)
    assert whole is None
    assert [str(c) for c in cells.values()] == ["< 10", "30", "0"]


def test_a_year_is_recovered_from_two_cumulative_counts_unless_more_is_hidden():
    """10 people until 2022, 14 until 2023: the 2023 count (4) is at least 14 − 10, and below 5."""
    values = {"2022": 10, "2023": 4, "c2022": 10, "c2023": 14}
    relations = distinct_over_years([("2022", "c2022"), ("2023", "c2023")])
    cells = check(values, relations, 5)
    assert str(cells["2023"]) == "< 5"
    assert sum(cell.hidden for cell in cells.values()) >= 2


def test_known_cells_are_never_hidden_but_count_as_known():
    values = {"F": 3, "M": 40, "X": 2, "T": 45}
    cells = check(values, [total("FMX", "T")], 5, known={"X"})
    assert cells["X"] == Cell(2) and str(cells["F"]) == "< 5" and str(cells["M"]) == "×"


def test_a_relation_on_an_unknown_cell_is_refused():
    with pytest.raises(ValueError):
        protect({"a": 1}, [at_most("a", "b")], 5)


def test_relations_are_linear_with_an_operator():
    relation = Relation({"a": 1, "b": -1}, "<=")
    assert at_most("a", "b") == relation and total(["a"], "b") == Relation({"a": 1, "b": -1})


# Property tests: random tables, the exact attacker

counts = st.one_of(st.integers(0, 6), st.integers(0, 60))


@st.composite
def additive_tables(draw):
    """Years × (F, M, X) with a total column and a programme row, X sometimes known to the reader."""
    years = range(draw(st.integers(1, 4)))
    sexes = draw(st.sampled_from(["FM", "FMX"]))
    values = {(y, s): draw(counts) for y in years for s in sexes}
    relations = []
    for y in years:
        values[(y, "T")] = sum(values[(y, s)] for s in sexes)
        relations.append(total([(y, s) for s in sexes], (y, "T")))
    for s in [*sexes, "T"]:
        values[("all", s)] = sum(values[(y, s)] for y in years)
        relations.append(total([(y, s) for y in years], ("all", s)))
    known = {key for key in values if key[1] == "X"} if draw(st.booleans()) else set()
    return values, relations, known


@st.composite
def people_tables(draw):
    """Distinct people per year and cumulatively through each year, by sex with a total."""
    years = range(draw(st.integers(1, 4)))
    values, relations = {}, []
    for s in "FMX":
        cumulative = 0
        for y in years:
            year = draw(counts)
            # The people of year y were all seen before, or none of them, or anything between.
            cumulative = draw(st.integers(max(cumulative, year), cumulative + year)) if y else year
            values[("year", y, s)], values[("cum", y, s)] = year, cumulative
    for kind in ("year", "cum"):
        for y in years:
            values[(kind, y, "T")] = sum(values[(kind, y, s)] for s in "FMX")
            relations.append(total([(kind, y, s) for s in "FMX"], (kind, y, "T")))
    for s in "FMXT":
        relations += distinct_over_years([(("year", y, s), ("cum", y, s)) for y in years])
    return values, relations


def _truthful(values, relations):
    for relation in relations:
        left = sum(a * values[key] for key, a in relation.coeffs.items())
        assert left == relation.rhs if relation.op == "=" else left <= relation.rhs, relation


@settings(max_examples=200, deadline=None)
@given(additive_tables(), st.sampled_from([5, 10]))
def test_no_hidden_cell_of_an_additive_table_is_recovered(table, k):
    values, relations, known = table
    check(values, relations, k, known)


@settings(max_examples=200, deadline=None)
@given(people_tables(), st.sampled_from([5, 10]))
def test_no_hidden_cell_of_a_distinct_people_table_is_recovered(table, k):
    values, relations = table
    _truthful(values, relations)
    check(values, relations, k)


@st.composite
def shared_totals(draw):
    """Two breakdowns of one total (a forum's voters by sex and by age band)."""
    sexes = {("sex", i): draw(counts) for i in range(3)}
    whole = sum(sexes.values())
    ages, left = {}, whole
    for i in range(draw(st.integers(1, 4))):
        ages[("age", i)] = draw(st.integers(0, left))
        left -= ages[("age", i)]
    ages[("age", "rest")] = left
    values = {**sexes, **ages, "T": whole}
    return values, [total(sexes, "T"), total(ages, "T")]


@settings(max_examples=200, deadline=None)
@given(shared_totals(), st.sampled_from([5, 10]))
def test_no_hidden_cell_of_two_breakdowns_of_one_total_is_recovered(table, k):
    values, relations = table
    check(values, relations, k)

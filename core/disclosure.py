"""The one small-cell disclosure rule for every figure that leaves the holding service (docs/security.md 8).

A table is `values` ({key: count}) and the linear `relations` a reader knows between its cells
(parts sum to a margin; for distinct people, cumulative counts that can only grow and never grow by
more than the year). `protect()` decides what is published:

- a count of 1 to k−1 is hidden and marked "< k" (primary suppression); zeros are shown;
- then more cells, chosen among shown counts of at least k (so a reader may assume a "×" holds at
  least k), are hidden and marked "×" until no hidden cell can be recovered.

"Recovered" means exactly one value of the cell is consistent with the shown cells, the relations
and what the marks tell ("< k": 1 to k−1; "×": k or more). A cell is declared safe only when a second
complete assignment of every hidden cell, with another value for it, has actually been found; if the
search gives up, the cell counts as recoverable and more is hidden.

When no shown count can protect a cell (four cells of 1 and their total of 4, all "< k"), the zeros
of its lines are hidden as "< k" too: a "< k" of that table then means 0 to k−1 for a reader. If that
is still not enough, the whole table is hidden, every cell "×".
"""

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

THRESHOLDS = {"registry": 5, "centre": 10}  # centre counts 1–9 → "< 10"; other registries 1–4 → "< 5"
COMPLEMENTARY = "×"
STEP_BUDGET = 3_000  # propagation steps per search; past it the cell is treated as recoverable


@dataclass(frozen=True)
class Cell:
    """A published count: `value` is None when hidden; `mark` is "" (shown), "< k" or "×"."""

    value: int | None
    mark: str = ""

    @property
    def hidden(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return self.mark or str(self.value)


@dataclass(frozen=True)
class Relation:
    """Σ coeffs[key] × value(key) `op` rhs, with op "=" or "<=", known to every reader."""

    coeffs: dict
    op: str = "="
    rhs: int = 0


def total(parts, margin) -> Relation:
    """The parts sum to the margin."""
    coeffs = dict.fromkeys(parts, 1)
    coeffs[margin] = coeffs.get(margin, 0) - 1
    return Relation(coeffs)


def at_most(smaller, larger) -> Relation:
    """smaller ≤ larger (a case counted under a type is one of the cases)."""
    return Relation({smaller: 1, larger: -1}, "<=")


def distinct_over_years(chain) -> list[Relation]:
    """Distinct people counted per year and cumulatively, `chain` = [(year key, cumulative key)] from
    the programme's first year: the first cumulative is the first year; then each cumulative is at
    least the previous one and the year, and at most their sum."""
    (first_year, first_cumulative), *rest = chain
    relations = [total([first_year], first_cumulative)]
    previous = first_cumulative
    for year, cumulative in rest:
        relations += [
            at_most(previous, cumulative),
            at_most(year, cumulative),
            Relation({cumulative: 1, previous: -1, year: -1}, "<="),
        ]
        previous = cumulative
    return relations


def small(value: int, k: int) -> Cell:
    """One count published alone, with no relation (the only rule is the threshold)."""
    return Cell(None, f"< {k}") if 0 < value < k else Cell(value)


def breakdown(counts: dict, k: int, with_total: bool = True) -> tuple[dict, Cell | None]:
    """One line of counts and their total (turnout by sex, cases by age band): ({key: Cell}, total).

    Without a total (a case counted under several incident types) only small cells are hidden."""
    if not with_total:
        return {key: small(v, k) for key, v in counts.items()}, None
    margin = _Total()
    cells = protect({**counts, margin: sum(counts.values())}, [total(counts, margin)], k)
    return {key: cells[key] for key in counts}, cells[margin]


def holds(relation: Relation, values: dict) -> bool:
    """Whether `values` satisfy `relation`."""
    left = sum(a * values[key] for key, a in relation.coeffs.items())
    return left == relation.rhs if relation.op == "=" else left <= relation.rhs


class _Total:
    """The key of a breakdown's total: never equal to a caller's key."""


def protect(values: dict, relations: list[Relation], k: int, known=()) -> dict:
    """{key: Cell} for publishing `values` to a reader who knows `relations` (docs/security.md 8).

    `known` cells are not published but a reader is assumed to know them (the people whose sex was
    not recorded, shown elsewhere): never hidden, used as shown values."""
    for relation in relations:
        if unknown := [key for key in relation.coeffs if key not in values]:
            raise ValueError(f"relation on cells not in the table: {unknown}")
        if not holds(relation, values):
            raise ValueError(f"the values contradict a relation: {relation}")
    known = set(known)
    primary = {key for key, v in values.items() if 0 < v < k and key not in known}
    if not primary:
        return {key: Cell(v) for key, v in values.items()}
    margins = dict.fromkeys(values, 0)
    for relation in relations:
        if relation.op == "=":
            for key, a in relation.coeffs.items():
                margins[key] += a < 0
    # Inner cells before margins, smallest first (a zero is never a complement: "×" means ≥ k).
    preferred = sorted(
        (key for key, v in values.items() if v >= k and key not in known),
        key=lambda key: (margins[key], values[key]),
    )
    reader = _Reader(values, relations, k, marked_small := set(primary))
    hidden = set(primary)
    while (exposed := reader.exposed(hidden)) is not None:
        candidates = [key for key in preferred if key not in hidden]
        if candidates and (cover := reader.cover(exposed, hidden, candidates)):
            hidden |= cover
            continue
        # Nothing shown can cover it: the lines of small counts are all 1s (four cells of 1 and a
        # total of 4). Their zeros are hidden as "< k" too; from then on a "< k" of this table may
        # hold 0 for a reader, who can no longer tell which one does.
        zeros = {key for r in relations if exposed in r.coeffs for key in r.coeffs if values[key] == 0}
        if zeros := zeros - hidden - known:
            hidden |= zeros
            marked_small |= zeros
            reader.floor = 0
        elif candidates:
            hidden.add(candidates[0])
        else:
            return {key: Cell(None, COMPLEMENTARY) for key in values}
    return {
        key: Cell(None, f"< {k}" if key in marked_small else COMPLEMENTARY) if key in hidden else Cell(v)
        for key, v in values.items()
    }


class _OutOfBudget(Exception):
    pass


class _Reader:
    """What a reader can work out about the hidden cells, by looking for another complete table
    consistent with what is published: bounds propagation over the relations and a bounded search,
    within 1 of every true value (on random tables of every shape the callers build, a wider search
    found no further safe cell, at ten times the cost; a cell not shown safe is hidden more)."""

    def __init__(self, values, relations, k, small) -> None:
        self.values, self.relations, self.k, self.small = values, relations, k, small
        self.floor = 1  # the least value of a "< k": 1 while every zero is shown
        self.safe: set = set()  # hiding more only widens what a reader must consider: safe stays safe

    def exposed(self, hidden) -> Any:
        """A hidden cell a reader can recover, or None."""
        keys = [key for key in self.values if key in hidden]
        self._setup(keys)
        for var, key in enumerate(keys):
            if key not in self.safe and self._another(var, order=range(len(keys))) is None:
                return key
        return None

    def cover(self, exposed, hidden, candidates) -> set:
        """Shown cells whose hiding lets `exposed` take another value (those changing in a table
        found with every candidate hidden too; the least preferred are kept at their value first),
        or an empty set if none is found."""
        keys = [key for key in self.values if key in hidden] + candidates[::-1]
        self._setup(keys)
        order = [*range(len(hidden), len(keys)), *range(len(hidden))]
        found = self._another(keys.index(exposed), order)
        return set() if found is None else {key for key in candidates if found[key] != self.values[key]}

    def _setup(self, keys) -> None:
        """Variables: `keys`, within 1 of their true value and their published range ("< k": 1 to
        k−1; "×": at least k); every other cell is a constant."""
        self.keys = keys
        index = {key: i for i, key in enumerate(keys)}
        self.truth = [self.values[key] for key in keys]
        self.rows: list = []
        self.of_var: list[list] = [[] for _ in keys]
        for relation in self.relations:
            terms = [(index[key], a) for key, a in relation.coeffs.items() if key in index and a]
            if not terms:
                continue  # every cell shown: true of the published values
            shown = sum(a * self.values[key] for key, a in relation.coeffs.items() if key not in index)
            for var, _a in terms:
                self.of_var[var].append(len(self.rows))
            self.rows.append((terms, relation.rhs - shown, relation.op == "="))
        self.lo = [
            max(t - 1, self.floor if key in self.small else self.k)
            for key, t in zip(keys, self.truth, strict=True)
        ]
        self.hi = [
            min(t + 1, self.k - 1) if key in self.small else t + 1
            for key, t in zip(keys, self.truth, strict=True)
        ]
        with suppress(_OutOfBudget):  # bounds narrowed part of the way are still true bounds
            self._propagate(self.lo, self.hi, range(len(self.rows)), [STEP_BUDGET])
        # Hidden cells linked by no relation are independent: a search changes one group only and
        # leaves every other cell at its true value (which satisfies its relations).
        group = list(range(len(keys)))

        def root(v) -> Any:
            while group[v] != v:
                group[v] = group[group[v]]
                v = group[v]
            return v

        for terms, _rest, _equal in self.rows:
            for v, _a in terms[1:]:
                group[root(v)] = root(terms[0][0])
        self.group = [root(v) for v in range(len(keys))]

    def _another(self, var, order) -> Any:
        """{key: value} of a complete table where `var` differs from its true value, or None. When
        one is found, every hidden cell that differs in it is safe."""
        for value in (self.truth[var] + 1, self.truth[var] - 1):
            if not self.lo[var] <= value <= self.hi[var]:
                continue
            lo, hi = list(self.lo), list(self.hi)
            lo[var] = hi[var] = value
            budget = [STEP_BUDGET]
            mine = [v for v in order if self.group[v] == self.group[var]]
            rows = {r for v in mine for r in self.of_var[v]}
            try:
                if self._propagate(lo, hi, self.of_var[var], budget):
                    found = self._dfs(lo, hi, mine, rows, budget)
                    if found is not None:
                        found = [
                            found[v] if self.group[v] == self.group[var] else t
                            for v, t in enumerate(self.truth)
                        ]
                        table = dict(zip(self.keys, found, strict=True))
                        self.safe.update(key for key, x in table.items() if x != self.values[key])
                        return table
            except _OutOfBudget:
                continue
        return None

    def _dfs(self, lo, hi, order, rows, budget, start=0) -> Any:
        """An assignment of the variables in `order` within [lo, hi] satisfying `rows` (all the
        relations they appear in), or None. Variables are fixed in `order`, true value first (those
        before `start` are fixed already)."""
        i = next((i for i in range(start, len(order)) if lo[order[i]] < hi[order[i]]), None)
        if i is None:
            return lo if all(self._holds(self.rows[r], lo) for r in rows) else None
        var = order[i]
        near = min(max(self.truth[var], lo[var]), hi[var])
        for value in sorted(range(lo[var], hi[var] + 1), key=lambda value: abs(value - near)):
            lo2, hi2 = list(lo), list(hi)
            lo2[var] = hi2[var] = value
            if self._propagate(lo2, hi2, self.of_var[var], budget):
                found = self._dfs(lo2, hi2, order, rows, budget, i + 1)
                if found is not None:
                    return found
        return None

    @staticmethod
    def _holds(row, x) -> bool:
        terms, rest, equal = row
        left = sum(a * x[v] for v, a in terms)
        return left == rest if equal else left <= rest

    def _propagate(self, lo, hi, rows, budget) -> bool:
        """Narrow [lo, hi] of every variable to what the relations allow; False if nothing is left."""
        todo, queued = list(rows), set(rows)
        while todo:
            r = todo.pop()
            queued.discard(r)
            budget[0] -= 1
            if budget[0] < 0:
                raise _OutOfBudget
            terms, rest, equal = self.rows[r]
            low = high = 0
            for v, a in terms:
                if a > 0:
                    low += a * lo[v]
                    high += a * hi[v]
                else:
                    low += a * hi[v]
                    high += a * lo[v]
            if low > rest or (equal and high < rest):
                return False
            slack_up, slack_down = rest - low, high - rest  # how far each side may still move
            for v, a in terms:
                # a·x may rise by slack_up at most; for "=", it may also fall by slack_down at most.
                old_lo, old_hi = lo[v], hi[v]
                if a > 0:
                    new_hi = old_lo + slack_up // a
                    new_lo = old_hi - slack_down // a if equal else old_lo
                else:
                    new_lo = old_hi - slack_up // -a
                    new_hi = old_lo + slack_down // -a if equal else old_hi
                new_lo, new_hi = max(new_lo, old_lo), min(new_hi, old_hi)
                if new_lo > new_hi:
                    return False
                if new_lo != old_lo or new_hi != old_hi:
                    lo[v], hi[v] = new_lo, new_hi
                    for other in self.of_var[v]:
                        if other not in queued:
                            queued.add(other)
                            todo.append(other)
        return True

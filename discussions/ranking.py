"""Aggregate ranked ballots: Borda, mean rank, Schulze, Kemeny-Young and Kendall's W;
and, for the screens, places shared on equal scores and where two orders disagree.

The model
---------
``items`` are the ids of the things being ranked (recommendation numbers) in their
canonical order, i.e. the slide order. A *ballot* is a sequence of distinct items,
best first. It may be partial: a participant who ranks only a top k leaves the other
n - k items *unranked*, which means tied with each other and below every ranked item.
An empty ballot carries no information and is skipped everywhere (it does not count
towards m, the number of ballots).

``weights`` optionally gives one non-negative number per ballot (default 1). "Each
group counts equally" is weight 1/group size. Int and Fraction weights are summed as
Fractions so that a tie is an exact tie rather than a coin toss of float rounding; if
any weight is a float, all arithmetic for that call is float.

Tie-breaks
----------
Every function that returns an order is deterministic. The last resort is always the
canonical order of ``items``: the earlier item wins. The intermediate tie-breaks are
documented on each function.

Pure standard library, no Django: discussions/results.py counts each table's ballots
once (``tally``) and sums the tables for the room (``summarise_tallies``). All the
ranking maths is in this one module, as the design asks, so it runs past 400 lines;
half of it is the definitions, in the docstrings.
"""

import functools
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction

type Item = Hashable
type Number = Fraction | float
type Weight = int | Fraction | float
type Ballots = Sequence[Sequence[Item]]
type Weights = Sequence[Weight] | None

# The exact Kemeny DP keeps 2**n subsets in memory; 16 items is ~65k subsets and still
# runs in about a second, beyond that the table and the run time grow too fast.
MAX_KEMENY_ITEMS = 16


@dataclass(slots=True)
class _Tally:
    """Integer counts over the ballots that share one weight, by item index.

    Everything below is a weighted sum over ballots, so it can be counted in plain
    ints per weight and multiplied by the weight once: exact (mid-ranks are halves,
    so positions are counted doubled) and many times faster than adding a Fraction
    per ballot. A room where every participant weighs the same is one tally. Lists
    by the items' index rather than dicts by item: a dashboard redraw counts thirty
    groups, and the lists took half the time.
    """

    weight: Number
    ballots: int  # how many non-empty ballots have this weight
    twice_positions: list[int]  # sum of 2 × position (unranked: the mid-rank)
    firsts: list[int]  # ballots that rank the item first
    beats: list[list[int]]  # [a][b]: ballots that put a above b (the diagonal 0)
    counts: list[list[int]]  # histogram as in position_counts
    ties: int  # sum over ballots of t**3 - t, t = the number of unranked items


@dataclass(frozen=True, slots=True)
class _Election:
    """Validated input: the items and the tallies of the non-empty ballots."""

    items: list[Item]
    zero: Number  # Fraction(0) or 0.0, so sums start in the right number type
    tallies: list[_Tally]

    @property
    def n(self) -> int:
        return len(self.items)

    @property
    def m(self) -> int:
        """The number of non-empty ballots."""
        return sum(t.ballots for t in self.tallies)

    @property
    def plain(self) -> bool:
        """One tally of weight exactly 1 (a group's ballots, or a hall counted per
        participant): its weighted sums are its counts, ints, and a Fraction costs
        many times more."""
        tallies = self.tallies
        return len(tallies) == 1 and tallies[0].weight == 1 and type(self.zero) is Fraction

    def weighted(self, count) -> Number:
        """Sum over the tallies of weight × count(tally), in the election's number type
        (an int when plain)."""
        if self.plain:
            return count(self.tallies[0])
        return sum((t.weight * count(t) for t in self.tallies), self.zero)

    def per_item(self, counts) -> list[Number]:
        """weighted() of a count per item, counts(tally) giving the list by index."""
        if self.plain:
            return counts(self.tallies[0])
        sums = [self.zero] * self.n
        for t in self.tallies:
            weight = t.weight
            sums = [total + weight * count for total, count in zip(sums, counts(t), strict=True)]
        return sums


def _tallies(n: int, ballots: list[tuple[tuple[int, ...], Number]]) -> list[_Tally]:
    """Count ballots of item indexes."""
    # The same ballot from many phones is counted once, with its multiplicity.
    distinct: dict[Number, dict[tuple[int, ...], int]] = {}
    for ballot, weight in ballots:
        same = distinct.setdefault(weight, {})
        same[ballot] = same.get(ballot, 0) + 1
    return [_count(n, weight, same) for weight, same in distinct.items()]


def _count(n: int, weight: Number, same: dict[tuple[int, ...], int]) -> _Tally:
    """The tally of ballots of item indexes, each ballot with how many times it was
    cast."""
    # Only a ballot's ranked items are visited (3 of 8 on a top-3 ballot): what it
    # says of the unranked ones (the mid-rank, "unranked", below every ranked
    # item) follows at the end from how many ballots ranked each item.
    base = 0  # sum over ballots of the unranked mid-rank (k + 1 + n), doubled
    shift = [0] * n  # 2 × position minus that mid-rank, when ranked
    ranked_in = [0] * n  # ballots that rank the item
    firsts = [0] * n
    above = [[0] * n for _ in range(n)]  # both ranked, a above b
    counts = [[0] * (n + 1) for _ in range(n)]
    ties = 0
    for ranked, count in same.items():
        k = len(ranked)
        mid = k + 1 + n
        base += mid * count
        for index, a in enumerate(ranked):
            shift[a] += (2 * index + 2 - mid) * count
            ranked_in[a] += count
            counts[a][index] += count
            row = above[a]
            for b in ranked[index + 1 :]:
                row[b] += count
        firsts[ranked[0]] += count
        ties += ((n - k) ** 3 - (n - k)) * count
    total = sum(same.values())
    for a in range(n):
        counts[a][n] = total - ranked_in[a]
    # a is above b on a ballot that ranks a, unless it ranks both with b above.
    beats = [[ranked_in[a] - above[b][a] if b != a else 0 for b in range(n)] for a in range(n)]
    twice = [base + s for s in shift]
    return _Tally(weight, total, twice, firsts, beats, counts, ties)


def _prepare(items: Sequence[Item], ballots: Ballots, weights: Weights) -> _Election:
    items = list(items)
    if len(set(items)) != len(items):
        raise ValueError("items contains a duplicate")
    position = {item: index for index, item in enumerate(items)}
    ballots = [tuple(ballot) for ballot in ballots]
    if weights is None:
        weights = [1] * len(ballots)
    else:
        weights = list(weights)
        if len(weights) != len(ballots):
            raise ValueError(f"got {len(weights)} weights for {len(ballots)} ballots")
    # One float weight makes exact arithmetic pointless, so the whole call goes float.
    cast = float if any(isinstance(w, float) for w in weights) else Fraction
    prepared = []
    # A hall's thousands of ballots are a few hundred distinct ones with a few
    # distinct weights: each is checked (and each weight cast) once.
    indexed: dict[tuple[Item, ...], tuple[int, ...]] = {}
    cast_weights: dict[tuple[type, Number], Number] = {}
    for index, (ballot, weight) in enumerate(zip(ballots, weights, strict=True)):
        key = (type(weight), weight)
        exact = cast_weights.get(key)
        if exact is None:
            exact = cast_weights[key] = _checked_weight(index, weight, cast)
        ranked = indexed.get(ballot)
        if ranked is None:
            ranked = indexed[ballot] = _indexed(index, ballot, position)
        if ranked:
            prepared.append((ranked, exact))
    return _Election(items, cast(0), _tallies(len(items), prepared))


def _indexed(index: int, ballot: tuple[Item, ...], position: dict[Item, int]) -> tuple[int, ...]:
    """The ballot as item indexes; ValueError for an unknown or repeated item."""
    for item in ballot:
        if item not in position:
            raise ValueError(f"ballot {index} ranks an unknown item: {item!r}")
    if len(set(ballot)) != len(ballot):
        raise ValueError(f"ballot {index} ranks an item twice: {ballot!r}")
    return tuple([position[item] for item in ballot])


def _checked_weight(index: int, weight: Weight, cast) -> Number:
    if isinstance(weight, bool) or not isinstance(weight, int | Fraction | float):
        raise TypeError(f"weight {index} is not an int, Fraction or float: {weight!r}")
    if isinstance(weight, float) and not math.isfinite(weight):
        raise ValueError(f"weight {index} is not finite: {weight!r}")
    if weight < 0:
        raise ValueError(f"weight {index} is negative: {weight!r}")
    return cast(weight)


def _half(twice: int) -> Fraction:
    """A doubled count back to its value, exactly (a float weight makes it float)."""
    return Fraction(twice, 2)


# --- Scores -------------------------------------------------------------------------


def _borda(e: _Election) -> list[Number]:
    # Per ballot an item earns n - position, so over a tally m·n - (sum of positions).
    n = e.n
    return e.per_item(lambda t: [_half(2 * t.ballots * n - twice) for twice in t.twice_positions])


def borda(items: Sequence[Item], ballots: Ballots, weights: Weights = None) -> dict[Item, Number]:
    """Weighted Borda count.

    With n items, position p (1-based) earns n - p points. On a ballot ranking k items
    the unranked items share the remaining points equally, (n - k - 1) / 2 each, which
    is n minus their mid-rank; so every non-empty ballot hands out n(n - 1)/2 points and
    a partial ballot is neither louder nor quieter than a complete one.
    Result: item -> sum over ballots of weight * points. No tie-break (it is a score).
    """
    e = _prepare(items, ballots, weights)
    return dict(zip(e.items, _borda(e), strict=True))


def _mean_rank(e: _Election) -> list[Number | None]:
    total_weight = e.weighted(lambda t: t.ballots)
    if not e.m or total_weight == 0:
        return [None] * e.n
    positions = e.per_item(lambda t: [_half(twice) for twice in t.twice_positions])
    return [total / total_weight for total in positions]


def mean_rank(
    items: Sequence[Item], ballots: Ballots, weights: Weights = None
) -> dict[Item, Number | None]:
    """Weighted mean position (1 = best, lower is better).

    mean_rank[x] = sum(w_j * pos_j(x)) / sum(w_j) over non-empty ballots j, where an
    unranked item sits at the mid-rank (k + 1 + n) / 2 of the free positions. Hence for
    every item borda = total weight * (n - mean_rank).
    None for every item when there is no non-empty ballot (or all weights are 0).
    No tie-break (it is a score).
    """
    e = _prepare(items, ballots, weights)
    return dict(zip(e.items, _mean_rank(e), strict=True))


def _first_places(e: _Election) -> list[Number]:
    return e.per_item(lambda t: t.firsts)


def first_places(
    items: Sequence[Item], ballots: Ballots, weights: Weights = None
) -> dict[Item, Number]:
    """Total weight of the ballots that rank each item first. No tie-break (a score)."""
    e = _prepare(items, ballots, weights)
    return dict(zip(e.items, _first_places(e), strict=True))


def _position_counts(e: _Election) -> list[list[int]]:
    """By item index; new lists, which the caller may keep."""
    if not e.tallies:
        return [[0] * (e.n + 1) for _ in e.items]
    return [_sums(t.counts[a] for t in e.tallies) for a in range(e.n)]


def position_counts(items: Sequence[Item], ballots: Ballots) -> dict[Item, list[int]]:
    """Unweighted histogram per item, a list of length n + 1.

    Index 0..n-1: how many ballots put the item at position 1..n; index n: how many
    non-empty ballots left it unranked. Each list sums to m.
    """
    e = _prepare(items, ballots, None)
    return dict(zip(e.items, _position_counts(e), strict=True))


def _pairwise(e: _Election) -> list[list[Number]]:
    """d[a][b] by item index, the diagonal 0. Read only: it may be a tally's own."""
    if e.plain:
        return e.tallies[0].beats
    d = [[e.zero] * e.n for _ in e.items]
    for t in e.tallies:
        weight = t.weight
        d = [
            [total + weight * count for total, count in zip(row, beats, strict=True)]
            for row, beats in zip(d, t.beats, strict=True)
        ]
    return d


def pairwise(
    items: Sequence[Item], ballots: Ballots, weights: Weights = None
) -> dict[Item, dict[Item, Number]]:
    """Pairwise preference matrix: d[a][b] = total weight of ballots ranking a above b.

    A ranked item is above every unranked one; two unranked items are tied, so such a
    ballot counts towards neither d[a][b] nor d[b][a]. The diagonal is left out.
    """
    e = _prepare(items, ballots, weights)
    d = _pairwise(e)
    return {a: {b: d[i][j] for j, b in enumerate(e.items) if j != i} for i, a in enumerate(e.items)}


# --- Orders -------------------------------------------------------------------------


def _exact_matrix(e: _Election, d: list[list[Number]]) -> list[list[Number]]:
    """d in numbers the orders' loops are fast with. Exact ints are many times faster
    than Fractions, so Fractions are scaled by their common denominator: a positive
    factor changes no comparison and no sum's order. Read only, like d."""
    if e.plain or not isinstance(e.zero, Fraction):
        return d  # ints, or floats
    scale = math.lcm(*(v.denominator for row in d for v in row))
    return [[v.numerator * (scale // v.denominator) for v in row] for row in d]


def _schulze(e: _Election, w: list[list[Number]], points: list[Number]) -> list[Item]:
    """The order, from d as _exact_matrix gives it."""
    n = e.n
    # Winning votes: a link a -> b has the strength of its winning side d[a][b], and
    # there is no link when d[a][b] <= d[b][a] — the measure Schulze's paper (Social Choice
    # and Welfare 36, 2011) uses by default, and the one most worked examples follow.
    p = [[w[a][b] if a != b and w[a][b] > w[b][a] else 0 for b in range(n)] for a in range(n)]
    # Floyd-Warshall for the widest path: a path is as strong as its weakest link.
    for i in range(n):
        through = p[i]
        for j in range(n):
            if j == i:
                continue
            row, to_i = p[j], p[j][i]
            for k in range(n):
                if k != i and k != j:
                    via = to_i if to_i < through[k] else through[k]
                    if via > row[k]:
                        row[k] = via
    beaten = [sum(1 for b in range(n) if b != a and p[a][b] > p[b][a]) for a in range(n)]
    order = sorted(range(n), key=lambda a: (-beaten[a], -points[a], a))
    return [e.items[a] for a in order]


def schulze(items: Sequence[Item], ballots: Ballots, weights: Weights = None) -> list[Item]:
    """Schulze method (beatpath), winning-votes variant, as a full linear order.

    Formula: the link a -> b has strength d[a][b] if d[a][b] > d[b][a], else there is no
    link (strength 0) — "winning votes", the variant Schulze's paper recommends. p[a][b]
    is the strength of the strongest (widest) path from a to b, computed Floyd-Warshall
    style. a *beats* b when p[a][b] > p[b][a].

    This relation is a strict partial order (Schulze proves it transitive), but not
    always total, so items are sorted by
      1. the number of items they beat (more first),
      2. Borda points (higher first),
      3. canonical order (earlier first).
    Step 1 alone already respects the relation: if a beats b, transitivity means a also
    beats everything b beats, plus b itself, so a beats strictly more items.
    """
    e = _prepare(items, ballots, weights)
    return _schulze(e, _exact_matrix(e, _pairwise(e)), _borda(e))


@functools.cache
def _subsets(n: int) -> list[list[tuple[int, int]]]:
    """For each subset S of n items (a bit mask), for each member x: the index of
    (x, S - {x}) in the table of all x's and subsets, and S - {x}. The same for
    every election of n items, so made once."""
    subsets = 1 << n
    return [
        [(x * subsets + (s ^ 1 << x), s ^ 1 << x) for x in range(n) if s >> x & 1]
        for s in range(subsets)
    ]


def _kemeny(e: _Election, w: list[list[Number]]) -> list[Item]:
    """The order, from d as _exact_matrix gives it."""
    n = e.n
    if n > MAX_KEMENY_ITEMS:
        raise ValueError(f"kemeny supports at most {MAX_KEMENY_ITEMS} items, got {n}")
    subsets = 1 << n
    members = _subsets(n)
    # ahead[x * 2**n + S] = sum of w[x][y] for y in S: what x gains by standing before
    # all of S. Each x's run is doubled bit by bit: the subsets with bit y are those
    # without it, plus w[x][y]. (w[x][x] is 0.)
    ahead = []
    for x in range(n):
        run = [0]
        for gain in w[x]:
            run += [total + gain for total in run]
        ahead += run

    def placed_first(x: int, s: int) -> Number:
        rest = s & ~(1 << x)
        return ahead[x * subsets + rest] + best[rest]

    # best[S] = best score of an order of the items in S alone. Subsets are numbered so
    # that S - {x} < S and is always computed before S. (placed_first, inlined.)
    best = [0] * subsets
    for s in range(1, subsets):
        best[s] = max([ahead[at] + best[rest] for at, rest in members[s]])
    # Walk from the front choosing the earliest item that still reaches the optimum: this
    # gives the lexicographically smallest optimal order. placed_first recomputes the very
    # same expression as the max above, so the equality test is exact even for floats.
    order, s = [], subsets - 1
    while s:
        x = next(x for x in range(n) if s >> x & 1 and placed_first(x, s) == best[s])
        order.append(e.items[x])
        s &= ~(1 << x)
    return order


def kemeny(items: Sequence[Item], ballots: Ballots, weights: Weights = None) -> list[Item]:
    """Exact Kemeny-Young consensus order.

    Formula: the linear order maximising score(order) = sum of d[a][b] over all pairs
    with a before b, i.e. the order that agrees with the most (weighted) pairwise
    preferences of the ballots. Solved exactly by dynamic programming over subsets,
    O(2^n * n): best[S] = max over x in S of best[S - {x}] + sum_{y in S - {x}} d[x][y],
    i.e. x placed first among S (the mirror of "x placed last": same optimum, but it
    lets the order be read off from the front).
    Tie-break among optimal orders: the lexicographically smallest one by canonical item
    index (earliest possible item first, then the earliest possible second, ...).
    Raises ValueError for more than MAX_KEMENY_ITEMS (16) items.
    """
    e = _prepare(items, ballots, weights)
    return _kemeny(e, _exact_matrix(e, _pairwise(e)))


def _kendalls_w(e: _Election) -> float | None:
    n, m = e.n, e.m
    if m < 2 or n < 2:
        return None
    # Rank sums and their mean doubled, so S is 1/4 of a sum of int squares.
    twice_sums = _sums(t.twice_positions for t in e.tallies)
    twice_mean = m * (n + 1)
    four_s = sum((r - twice_mean) ** 2 for r in twice_sums)
    # The unranked items are the only tie group of a ballot (t = 1 adds nothing).
    tie_correction = sum(t.ties for t in e.tallies)
    denominator = m * m * (n**3 - n) - m * tie_correction
    if denominator <= 0:
        return None
    # 12 S / denominator; int / int is rounded once, so only that rounding can wander
    # outside [0, 1].
    return min(1.0, max(0.0, 3 * four_s / denominator))


def kendalls_w(items: Sequence[Item], ballots: Ballots) -> float | None:
    """Kendall's coefficient of concordance W, corrected for ties (unweighted).

    Each ballot gives ranks 1..k to its ranked items and the mid-rank (k + 1 + n) / 2 to
    its unranked ones. With R_i the rank sum of item i over the m non-empty ballots,
        S = sum_i (R_i - mean R)^2,   mean R = m (n + 1) / 2,
        W = 12 S / (m^2 (n^3 - n) - m * sum_j T_j),   T_j = sum over tie groups t of (t^3 - t).
    1 = everybody agrees, 0 = no agreement at all.
    None when m < 2 or n < 2 or the denominator is 0. Clamped to [0, 1].
    """
    return _kendalls_w(_prepare(items, ballots, None))


# --- Summary for the dashboard and the export --------------------------------------


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One row of the results table. Positions are 1-based."""

    item: Item
    borda: Number
    mean_rank: Number | None
    first_places: Number
    schulze_position: int
    kemeny_position: int | None  # None beyond MAX_KEMENY_ITEMS
    position_counts: list[int]


@dataclass(frozen=True, slots=True)
class Summary:
    """Everything a dashboard or export renders for one set of ballots."""

    ballots: int  # non-empty ballots (m)
    weight: Number  # their total weight
    order: list[Item]  # Schulze order
    kemeny: list[Item]
    w: float | None  # Kendall's W (unweighted)
    rows: list[ItemResult]  # in Schulze order


def summarise(items: Sequence[Item], ballots: Ballots, weights: Weights = None) -> Summary:
    """All of the above in one pass; rows come in Schulze order (see ``schulze``).

    Raises ValueError like the individual functions. A list longer than
    MAX_KEMENY_ITEMS gets everything but the Kemeny order (an empty ``kemeny``
    and no ``kemeny_position``): its exact computation would take too long.
    """
    return _summary(_prepare(items, ballots, weights))


def _summary(e: _Election) -> Summary:
    w = _exact_matrix(e, _pairwise(e))
    points = _borda(e)
    order = _schulze(e, w, points)
    consensus = _kemeny(e, w) if len(e.items) <= MAX_KEMENY_ITEMS else []
    kemeny_position = {item: i for i, item in enumerate(consensus, start=1)}
    means, firsts, counts = _mean_rank(e), _first_places(e), _position_counts(e)
    index = {item: i for i, item in enumerate(e.items)}
    rows = [
        ItemResult(
            item=item,
            borda=points[index[item]],
            mean_rank=means[index[item]],
            first_places=firsts[index[item]],
            schulze_position=position,
            kemeny_position=kemeny_position.get(item),
            position_counts=counts[index[item]],
        )
        for position, item in enumerate(order, start=1)
    ]
    return Summary(
        ballots=e.m,
        weight=e.weighted(lambda t: t.ballots),
        order=order,
        kemeny=consensus,
        w=_kendalls_w(e),
        rows=rows,
    )


# --- Tallies: counting once, summing later --------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    """The counts of one set of ballots, each weighing 1 (see `tally`)."""

    items: tuple[Item, ...]
    counts: _Tally | None  # None: no non-empty ballot

    @property
    def ballots(self) -> int:
        return self.counts.ballots if self.counts else 0


def tally(items: Sequence[Item], ballots: Ballots) -> Tally:
    """Validate and count `ballots` once, to summarise them later with other tallies
    (`summarise_tallies`). Raises ValueError like ``summarise``.

    Every count is a sum over ballots, so the tallies of a hall's groups add up to
    the hall's: its overall result needs no second pass over every ballot.
    """
    e = _prepare(items, ballots, None)
    return Tally(tuple(e.items), e.tallies[0] if e.tallies else None)


def summarise_tallies(
    items: Sequence[Item], tallies: Sequence[Tally], weights: Weights = None
) -> Summary:
    """``summarise`` of all the tallies' ballots together, each tally's ballots
    weighing its weight (default 1): the same Summary as from the ballots."""
    items = list(items)
    if len(set(items)) != len(items):
        raise ValueError("items contains a duplicate")
    weights = [1] * len(tallies) if weights is None else list(weights)
    if len(weights) != len(tallies):
        raise ValueError(f"got {len(weights)} weights for {len(tallies)} tallies")
    cast = float if any(isinstance(w, float) for w in weights) else Fraction
    # Equal weights share one tally in the order first seen, as _tallies counts.
    same: dict[Number, list[_Tally]] = {}
    for index, (t, weight) in enumerate(zip(tallies, weights, strict=True)):
        if list(t.items) != items:
            raise ValueError(f"tally {index} counts other items: {t.items!r}")
        exact = _checked_weight(index, weight, cast)
        if t.counts is not None:
            same.setdefault(exact, []).append(t.counts)
    merged = [_merged(items, weight, counts) for weight, counts in same.items()]
    return _summary(_Election(items, cast(0), merged))


def _merged(items: list[Item], weight: Number, tallies: list[_Tally]) -> _Tally:
    if len(tallies) == 1:
        t = tallies[0]
        return _Tally(weight, t.ballots, t.twice_positions, t.firsts, t.beats, t.counts, t.ties)
    n = len(items)
    return _Tally(
        weight,
        sum(t.ballots for t in tallies),
        _sums(t.twice_positions for t in tallies),
        _sums(t.firsts for t in tallies),
        [_sums(t.beats[a] for t in tallies) for a in range(n)],
        [_sums(t.counts[a] for t in tallies) for a in range(n)],
        sum(t.ties for t in tallies),
    )


def _sums(lists) -> list[int]:
    """Element by element: [1, 2] and [3, 4] give [4, 6]."""
    return [sum(column) for column in zip(*lists, strict=True)]


# --- Places as the screens show them ------------------------------------------------


def shared_places(scores: Sequence[Number]) -> list[int]:
    """The place of each score, higher being better, equal scores sharing a place and
    the next place skipping as many as shared: scores 9, 7, 7, 4 give 1, 2, 2, 4.
    The scores need not be sorted; the places come in the scores' order."""
    return [1 + sum(1 for other in scores if other > score) for score in scores]


def disagreements(shown: Sequence[int], other: Sequence[int | None]) -> list[tuple[int, int]]:
    """Where another method's order disagrees with the shown places, as ranges of the
    shown places, best first.

    ``shown[i]`` and ``other[i]`` are item i's place in the order a screen shows
    (ties share a place) and in another method's. Two items disagree when the shown
    places put one strictly above the other and the other method strictly below it;
    a tie in the shown places is no disagreement, whatever the other method says.
    Each disagreeing pair covers the shown places from the higher one to the lower
    one, and ranges that overlap or share a place are merged: a swap of the 6th and
    the 7th gives [(6, 7)]; 3rd, 4th, 5th becoming 4th, 5th, 3rd gives [(3, 5)].
    Empty when the other method has no place for some item (None: Kemeny beyond
    MAX_KEMENY_ITEMS).
    """
    if len(shown) != len(other):
        raise ValueError(f"got {len(other)} places for {len(shown)} items")
    if any(place is None for place in other):
        return []
    spans = sorted(
        (shown[a], shown[b])
        for a in range(len(shown))
        for b in range(len(shown))
        if shown[a] < shown[b] and other[a] > other[b]
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged

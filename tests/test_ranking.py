"""Tests for discussions.ranking (pure Python, no database).

Expected values are taken from the literature or computed by hand in the comments;
the property tests re-derive what they need (pairwise counts, Kemeny scores, Schulze
paths) with their own small implementations instead of calling the module's helpers.
"""

import itertools
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from discussions.ranking import (
    ItemResult,
    Summary,
    borda,
    first_places,
    kemeny,
    kendalls_w,
    mean_rank,
    pairwise,
    position_counts,
    schulze,
    summarise,
    summarise_tallies,
    tally,
)

# --- Literature: Schulze ---------------------------------------------------------------

# Wikipedia, "Schulze method", section "Example" (45 voters, candidates A-E).
# https://en.wikipedia.org/wiki/Schulze_method#Example
WIKIPEDIA_GROUPS = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]
WIKIPEDIA_BALLOTS = [list(order) for count, order in WIKIPEDIA_GROUPS for _ in range(count)]


def test_schulze_wikipedia_example():
    assert schulze("ABCDE", WIKIPEDIA_BALLOTS) == list("EACBD")


def test_pairwise_wikipedia_example():
    # The matrix of pairwise preferences d[*,*] printed in the same Wikipedia section.
    expected = {
        "A": {"B": 20, "C": 26, "D": 30, "E": 22},
        "B": {"A": 25, "C": 16, "D": 33, "E": 18},
        "C": {"A": 19, "B": 29, "D": 17, "E": 24},
        "D": {"A": 15, "B": 12, "C": 28, "E": 14},
        "E": {"A": 23, "B": 27, "C": 21, "D": 31},
    }
    assert pairwise("ABCDE", WIKIPEDIA_BALLOTS) == expected


def test_schulze_wikipedia_example_as_weighted_groups():
    # One ballot per group weighted by its size must give the same order.
    ballots = [list(order) for _, order in WIKIPEDIA_GROUPS]
    weights = [count for count, _ in WIKIPEDIA_GROUPS]
    assert schulze("ABCDE", ballots, weights) == list("EACBD")


def test_schulze_uses_winning_votes_not_margins():
    # Hand-made: 2x "a b", 1x "b c", 3x "c a", 3x "b" (partial ballots, so the two sides
    # of a pair do not add up to m and winning votes and margins can disagree).
    #   d[a][b] = 2+3 = 5, d[b][a] = 1+3 = 4;  d[b][c] = 2+1+3 = 6, d[c][b] = 3;
    #   d[c][a] = 1+3 = 4, d[a][c] = 2.       Cycle a>b>c>a.
    # Winning votes: links a->b 5, b->c 6, c->a 4; the weakest is c->a, so
    #   p[a][b] = 5 > p[b][a] = min(6, 4) = 4, p[b][c] = 6 > 4, p[a][c] = 5 > 4: a b c.
    # Margins would give links 1, 3, 2, drop a->b and yield b c a instead.
    # Kemeny: scores abc 13, bca 6+4+4 = 14, cab 12, acb 10, bac 12, cba 11: b c a.
    ballots = [["a", "b"]] * 2 + [["b", "c"]] + [["c", "a"]] * 3 + [["b"]] * 3
    assert pairwise("abc", ballots) == {
        "a": {"b": 5, "c": 2},
        "b": {"a": 4, "c": 6},
        "c": {"a": 4, "b": 3},
    }
    assert schulze("abc", ballots) == ["a", "b", "c"]
    assert kemeny("abc", ballots) == ["b", "c", "a"]


# --- Hand-computed scores with partial ballots -----------------------------------------

# n = 4. The empty ballot must be ignored (m = 3).
#   ballot 1: a b c d  -> points a3 b2 c1 d0,        positions a1 b2 c3 d4
#   ballot 2: b        -> b3, the rest (4-1-1)/2 = 1; positions b1, rest (1+1+4)/2 = 3
#   ballot 3: c a      -> c3 a2, the rest (4-2-1)/2 = 1/2; positions c1 a2, rest 7/2
HAND_ITEMS = ["a", "b", "c", "d"]
HAND_BALLOTS = [["a", "b", "c", "d"], [], ["b"], ["c", "a"]]


def test_borda_partial_ballots():
    # a = 3+1+2 = 6, b = 2+3+1/2 = 11/2, c = 1+1+3 = 5, d = 0+1+1/2 = 3/2 (sum 18 = 3 * 6).
    assert borda(HAND_ITEMS, HAND_BALLOTS) == {
        "a": 6,
        "b": Fraction(11, 2),
        "c": 5,
        "d": Fraction(3, 2),
    }


def test_mean_rank_partial_ballots():
    # a = (1+3+2)/3 = 2, b = (2+1+7/2)/3 = 13/6, c = (3+3+1)/3 = 7/3, d = (4+3+7/2)/3 = 7/2.
    assert mean_rank(HAND_ITEMS, HAND_BALLOTS) == {
        "a": 2,
        "b": Fraction(13, 6),
        "c": Fraction(7, 3),
        "d": Fraction(7, 2),
    }


def test_mean_rank_without_ballots_is_none():
    assert mean_rank(HAND_ITEMS, [[], []]) == dict.fromkeys(HAND_ITEMS)


def test_first_places_and_position_counts():
    assert first_places(HAND_ITEMS, HAND_BALLOTS) == {"a": 1, "b": 1, "c": 1, "d": 0}
    assert position_counts(HAND_ITEMS, HAND_BALLOTS) == {
        "a": [1, 1, 0, 0, 1],
        "b": [1, 1, 0, 0, 1],
        "c": [1, 0, 1, 0, 1],
        "d": [0, 0, 0, 1, 2],
    }


def test_pairwise_partial_ballots():
    # Unranked items are tied: ballot 2 says nothing about c vs d, ballot 3 nothing on b vs d.
    assert pairwise(HAND_ITEMS, HAND_BALLOTS) == {
        "a": {"b": 2, "c": 1, "d": 2},
        "b": {"a": 1, "c": 2, "d": 2},
        "c": {"a": 1, "b": 1, "d": 2},
        "d": {"a": 0, "b": 0, "c": 0},
    }


def test_orders_partial_ballots():
    # Majorities a>b, a>d, b>c, b>d, c>d (2-1 or 2-0), a vs c tied 1-1. Schulze: a->b->c
    # has strength 2, c has no path back, so the order is total: a b c d. Kemeny: a b c d
    # scores 2+1+2+2+2+2 = 11, the sum of every pair's larger side, and is the only order
    # that agrees with all five majorities.
    assert schulze(HAND_ITEMS, HAND_BALLOTS) == HAND_ITEMS
    assert kemeny(HAND_ITEMS, HAND_BALLOTS) == HAND_ITEMS


def test_summarise_partial_ballots():
    result = summarise(HAND_ITEMS, HAND_BALLOTS)
    assert isinstance(result, Summary)
    assert (result.ballots, result.weight) == (3, 3)
    assert result.order == result.kemeny == HAND_ITEMS
    # W: rank sums a6 b13/2 c7 d21/2, mean 15/2, S = 9/4+1+1/4+9 = 25/2;
    # ties T = (27-3) + (8-2) = 30; W = 12 * 25/2 / (9*60 - 3*30) = 150/450 = 1/3.
    assert result.w == pytest.approx(1 / 3)
    assert result.rows[1] == ItemResult(
        item="b",
        borda=Fraction(11, 2),
        mean_rank=Fraction(13, 6),
        first_places=1,
        schulze_position=2,
        kemeny_position=2,
        position_counts=[1, 1, 0, 0, 1],
    )


def test_summary_is_frozen():
    result = summarise(HAND_ITEMS, HAND_BALLOTS)
    with pytest.raises(AttributeError):
        result.w = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.rows[0].borda = 0  # type: ignore[misc]


# --- Tie-breaks -------------------------------------------------------------------------

CYCLE = [["c", "a", "b"], ["a", "b", "c"], ["b", "c", "a"]]


def test_condorcet_cycle_weights_make_one_kemeny_order_optimal():
    # Weights 3, 2, 2: d[c][a] = 3+2 = 5, d[a][b] = 3+2 = 5, d[b][c] = 2+2 = 4 and the
    # reverse sides 2, 2, 3 - still a cycle c>a>b>c. Scores (sum of d[x][y], x before y):
    #   c a b: 5+3+5 = 13   a b c: 5+4+2 = 11   b c a: 4+2+2 = 8
    #   c b a: 2+3+5 = 10   a c b: 2+2+5 =  9   b a c: 2+4+2 = 8
    assert kemeny("abc", CYCLE, [3, 2, 2]) == ["c", "a", "b"]
    # Schulze: links c->a 5, a->b 5, b->c 4; p[c][b] = 5 > p[b][c] = 4 etc.: c a b.
    assert schulze("abc", CYCLE, [3, 2, 2]) == ["c", "a", "b"]


def test_unweighted_cycle_falls_back_to_canonical_order():
    # Every majority is 2-1: the three rotations all score 2+2+1 = 5 for Kemeny, Schulze
    # has all path strengths 2 (no relation) and Borda is 3 for everyone.
    assert kemeny("abc", CYCLE) == ["a", "b", "c"]
    assert schulze("abc", CYCLE) == ["a", "b", "c"]
    # The canonical order decides, not the sort order of the ids.
    assert kemeny("cab", CYCLE) == ["c", "a", "b"]
    assert schulze("bca", CYCLE) == ["b", "c", "a"]


def test_schulze_unrelated_items_ordered_by_borda_before_canonical_order():
    # Ballots a c b and b a c: a beats c 2-0; a-b and b-c are 1-1 ties, so b is unrelated.
    # Beaten counts a1 b0 c0; Borda b = 0+2 = 2 > c = 1+0 = 1, so b before c even though
    # the canonical order (c, b, a) puts c first.
    assert schulze(["c", "b", "a"], [["a", "c", "b"], ["b", "a", "c"]]) == ["a", "b", "c"]


def test_no_ballots_give_canonical_order():
    assert schulze([3, 1, 2], [[], []]) == [3, 1, 2]
    assert kemeny([3, 1, 2], []) == [3, 1, 2]
    result = summarise([3, 1, 2], [[]])
    assert (result.ballots, result.weight, result.w) == (0, 0, None)
    assert [row.mean_rank for row in result.rows] == [None, None, None]


# --- Weights ---------------------------------------------------------------------------


def test_group_equal_weights_change_the_result():
    # Group 1: three participants a b. Groups 2 and 3: one participant each, b a.
    ballots = [["a", "b"]] * 3 + [["b", "a"]] * 2
    # Per participant: a beats b 3-2; Borda a = 3*2 + 2*1 = 8, b = 3*1 + 2*2 = 7.
    assert schulze("abc", ballots) == ["a", "b", "c"]
    assert kemeny("abc", ballots) == ["a", "b", "c"]
    assert borda("abc", ballots) == {"a": 8, "b": 7, "c": 0}
    # Per group (weight 1/3, 1/3, 1/3, 1, 1): a 1 vs b 2; Borda a = 2 + 2 = 4, b = 1 + 4 = 5.
    group_equal = [Fraction(1, 3)] * 3 + [1, 1]
    assert schulze("abc", ballots, group_equal) == ["b", "a", "c"]
    assert kemeny("abc", ballots, group_equal) == ["b", "a", "c"]
    assert borda("abc", ballots, group_equal) == {"a": 4, "b": 5, "c": 0}
    assert first_places("abc", ballots, group_equal) == {"a": 1, "b": 2, "c": 0}
    assert summarise("abc", ballots, group_equal).weight == 3


def test_thirds_tie_exactly():
    # Three thirds are exactly one: a 1-1 tie, decided by canonical order, not rounding.
    ballots = [["b", "a"]] * 3 + [["a", "b"]]
    weights = [Fraction(1, 3)] * 3 + [1]
    assert pairwise("ab", ballots, weights) == {"a": {"b": 1}, "b": {"a": 1}}
    assert schulze("ab", ballots, weights) == ["a", "b"]
    assert kemeny("ab", ballots, weights) == ["a", "b"]


def test_float_weights():
    result = summarise("abc", [["a", "b"], ["b"]], [0.25, 1.0])
    assert result.weight == pytest.approx(1.25)
    assert isinstance(result.rows[0].borda, float)
    # b: 0.25*1 + 1.0*2 = 2.25, a: 0.25*2 + 1.0*0.5 = 1.0, c: 0 + 0.5 = 0.5.
    assert result.order == result.kemeny == ["b", "a", "c"]
    assert borda("abc", [["a", "b"], ["b"]], [0.25, 1.0]) == pytest.approx(
        {"a": 1.0, "b": 2.25, "c": 0.5}
    )


def test_empty_ballot_weights_are_ignored():
    assert summarise("ab", [["b"], []], [1, 5]).weight == 1


# --- Kendall's W ------------------------------------------------------------------------


def test_kendalls_w_complete_agreement():
    assert kendalls_w("abcd", [list("abcd")] * 3) == 1.0


def test_kendalls_w_complete_reversal():
    # Rank sums are all n + 1 = 5, so S = 0.
    assert kendalls_w("abcd", [list("abcd"), list("dcba")]) == 0.0


def test_kendalls_w_without_ties():
    # a b c d, a c b d, b a c d: rank sums a4 b6 c8 d12, mean 3*5/2 = 15/2,
    # S = 49/4 + 9/4 + 1/4 + 81/4 = 35, W = 12*35 / (9*(64-4)) = 420/540 = 7/9.
    assert kendalls_w("abcd", [list("abcd"), list("acbd"), list("bacd")]) == pytest.approx(7 / 9)


def test_kendalls_w_with_ties():
    # n = 3, ballots "a" (b, c tied at 5/2, T = 2^3 - 2 = 6) and "a b c".
    # Rank sums a2 b9/2 c11/2, mean 2*4/2 = 4, S = 4 + 1/4 + 9/4 = 13/2,
    # W = 12 * 13/2 / (4*(27-3) - 2*6) = 78/84 = 13/14.
    assert kendalls_w("abc", [["a"], ["a", "b", "c"]]) == pytest.approx(13 / 14)


def test_kendalls_w_undefined():
    assert kendalls_w("abc", [["a", "b", "c"]]) is None  # m = 1
    assert kendalls_w("abc", [["a", "b", "c"], []]) is None  # empty ballots do not count
    assert kendalls_w("a", [["a"], ["a"]]) is None  # n = 1


# --- Validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "function", [borda, mean_rank, first_places, pairwise, schulze, kemeny, summarise]
)
@pytest.mark.parametrize(
    ("ballots", "weights"),
    [
        ([["a", "a"]], None),  # duplicate
        ([["a"], ["x"]], None),  # unknown item
        ([["a"], ["b"]], [1]),  # too few weights
        ([["a"]], [1, 1]),  # too many weights
        ([["a"], ["b"]], [1, -1]),  # negative
        ([["a"], ["b"]], [1, Fraction(-1, 3)]),
        ([["a"]], [float("nan")]),
    ],
)
def test_invalid_input(function, ballots, weights):
    with pytest.raises(ValueError):
        function("abc", ballots, weights)


@pytest.mark.parametrize("function", [position_counts, kendalls_w])
def test_invalid_ballots_unweighted_functions(function):
    with pytest.raises(ValueError):
        function("abc", [["a", "b", "a"]])
    with pytest.raises(ValueError):
        function("abc", [["d"]])


def test_each_ballot_and_weight_is_checked_where_it_first_appears():
    # Checked once per distinct value: a valid ballot or weight seen before must not
    # let an invalid one of another kind (True is not the weight 1) through.
    with pytest.raises(TypeError, match="weight 1"):
        borda("abc", [["a"], ["a"]], [1, True])
    with pytest.raises(ValueError, match="ballot 2 ranks an item twice"):
        borda("abc", [["a", "b"], ["a", "b"], ["b", "b"]])
    assert borda("abc", [["a"]] * 3, [1, 1.0, Fraction(1)]) == borda("abc", [["a"]] * 3)


def test_invalid_items():
    with pytest.raises(ValueError):
        borda(["a", "a"], [])


def test_kemeny_item_limit():
    with pytest.raises(ValueError):
        kemeny(range(17), [])
    assert kemeny(range(16), [[15]]) == [15, *range(15)]
    # summarise still answers for a long list: everything but the Kemeny order.
    long = summarise(range(17), [[16, 3]])
    assert long.kemeny == []
    assert {row.kemeny_position for row in long.rows} == {None}
    assert long.order[:2] == [16, 3]
    assert long.rows[0].borda == 16


# --- Properties -------------------------------------------------------------------------

QUICK = settings(max_examples=100, deadline=None)


@st.composite
def elections(draw, min_items=1, max_items=6, max_ballots=7, weighted=True):
    """(items, ballots, weights): a shuffled canonical order, partial/empty ballots."""
    n = draw(st.integers(min_items, max_items))
    items = draw(st.permutations(range(n)))
    ballots = []
    for _ in range(draw(st.integers(0, max_ballots))):
        order = draw(st.permutations(items))
        ballots.append(order[: draw(st.integers(0, n))])
    weights = None
    if weighted and draw(st.booleans()):
        weights = [Fraction(draw(st.integers(0, 4)), draw(st.integers(1, 3))) for _ in ballots]
    return items, ballots, weights


def preferences(items, ballots, weights):
    """d[(a, b)]: weight of ballots ranking a above b, from positions (unranked = n)."""
    weights = [1] * len(ballots) if weights is None else weights
    d = {(a, b): 0 for a in items for b in items if a != b}
    for ballot, weight in zip(ballots, weights, strict=True):
        position = {item: ballot.index(item) if item in ballot else len(items) for item in items}
        for a, b in d:
            if position[a] < position[b]:
                d[a, b] += weight
    return d


def kemeny_score(order, d):
    return sum(d[a, b] for a, b in itertools.combinations(order, 2))


@QUICK
@given(st.data())
def test_unanimous_ballots(data):
    n = data.draw(st.integers(2, 6))
    items = data.draw(st.permutations(range(n)))
    order = data.draw(st.permutations(items))
    m = data.draw(st.integers(2, 5))
    weights = data.draw(st.lists(st.integers(1, 3), min_size=m, max_size=m))
    ballots = [order] * m
    assert schulze(items, ballots, weights) == order
    assert kemeny(items, ballots, weights) == order
    assert kendalls_w(items, ballots) == 1.0


@QUICK
@given(elections(), st.data())
def test_summarise_ignores_ballot_order(election, data):
    items, ballots, weights = election
    permutation = data.draw(st.permutations(range(len(ballots))))
    shuffled = [ballots[i] for i in permutation]
    shuffled_weights = None if weights is None else [weights[i] for i in permutation]
    assert summarise(items, shuffled, shuffled_weights) == summarise(items, ballots, weights)


@QUICK
@given(elections(max_items=5))
def test_condorcet_winner_tops_schulze_and_kemeny(election):
    items, ballots, weights = election
    d = preferences(items, ballots, weights)
    winners = [c for c in items if all(d[c, x] > d[x, c] for x in items if x != c)]
    assume(winners)
    assert schulze(items, ballots, weights)[0] == winners[0]
    assert kemeny(items, ballots, weights)[0] == winners[0]


@QUICK
@given(elections(), st.data())
def test_ranking_first_never_lowers_borda(election, data):
    items, ballots, weights = election
    x = data.draw(st.sampled_from(items))
    rest = data.draw(st.permutations([item for item in items if item != x]))
    extra = [x, *rest[: data.draw(st.integers(0, len(rest)))]]
    extra_weight = [] if weights is None else [data.draw(st.integers(0, 3))]
    before = borda(items, ballots, weights)[x]
    more_weights = None if weights is None else weights + extra_weight
    after = borda(items, [*ballots, extra], more_weights)[x]
    assert after >= before


@QUICK
@given(elections(max_items=6))
def test_kemeny_is_optimal(election):
    items, ballots, weights = election
    d = preferences(items, ballots, weights)
    result = kemeny(items, ballots, weights)
    assert sorted(result) == sorted(items)
    # itertools.permutations follows the canonical order, so the first optimum found is
    # the lexicographically smallest one - the documented tie-break.
    best = max(itertools.permutations(items), key=lambda order: kemeny_score(order, d))
    assert kemeny_score(result, d) == kemeny_score(best, d)
    assert kemeny_score(result, d) >= kemeny_score(schulze(items, ballots, weights), d)
    assert result == list(best)


@QUICK
@given(elections(max_items=6))
def test_schulze_respects_strongest_paths(election):
    items, ballots, weights = election
    d = preferences(items, ballots, weights)
    # Widest paths by repeated relaxation (Bellman-Ford style, not Floyd-Warshall).
    strength = {(a, b): d[a, b] if d[a, b] > d[b, a] else 0 for a, b in d}
    for _ in items:
        for a, b in d:
            for c in items:
                if c not in (a, b):
                    strength[a, b] = max(strength[a, b], min(strength[a, c], strength[c, b]))
    result = schulze(items, ballots, weights)
    assert sorted(result) == sorted(items)
    place = {item: i for i, item in enumerate(result)}
    for a, b in d:
        if strength[a, b] > strength[b, a]:
            assert place[a] < place[b]


@QUICK
@given(elections(weighted=False))
def test_borda_is_n_minus_mean_rank(election):
    items, ballots, _ = election
    n, m = len(items), sum(1 for ballot in ballots if ballot)
    points, means = borda(items, ballots), mean_rank(items, ballots)
    for item in items:
        if m == 0:
            assert points[item] == 0
            assert means[item] is None
        else:
            assert points[item] / m == n - means[item]


@QUICK
@given(elections(weighted=False))
def test_counts_and_w_are_consistent(election):
    items, ballots, _ = election
    m = sum(1 for ballot in ballots if ballot)
    for counts in position_counts(items, ballots).values():
        assert sum(counts) == m
    w = kendalls_w(items, ballots)
    if m < 2 or len(items) < 2:
        assert w is None
    else:
        assert 0.0 <= w <= 1.0


@QUICK
@given(elections(max_ballots=12, weighted=False), st.data())
def test_summed_tallies_summarise_like_their_ballots(election, data):
    """The overall table from the groups' tallies equals the one from every ballot,
    each group's ballots weighing the group's weight (as "each group equal" does)."""
    items, ballots, _ = election
    cuts = sorted(data.draw(st.lists(st.integers(0, len(ballots)), max_size=4)))
    groups = [ballots[a:b] for a, b in itertools.pairwise([0, *cuts, len(ballots)])]
    group_weights = data.draw(
        st.one_of(
            st.none(),
            st.lists(
                st.fractions(0, 3, max_denominator=4), min_size=len(groups), max_size=len(groups)
            ),
            st.lists(st.floats(0, 3), min_size=len(groups), max_size=len(groups)),
        )
    )
    tallies = [tally(items, group) for group in groups]
    per_ballot = None
    if group_weights is not None:
        per_ballot = [w for w, g in zip(group_weights, groups, strict=True) for _ in g]
    expected = summarise(items, ballots, per_ballot)
    assert summarise_tallies(items, tallies, group_weights) == expected
    assert [t.ballots for t in tallies] == [sum(1 for b in g if b) for g in groups]


def test_tallies_are_checked():
    with pytest.raises(ValueError, match="ranks an item twice"):
        tally("abc", [["a", "a"]])
    with pytest.raises(ValueError, match="counts other items"):
        summarise_tallies("abc", [tally("abd", [["a"]])])
    with pytest.raises(ValueError, match="weights for"):
        summarise_tallies("abc", [tally("abc", [["a"]])], [1, 1])
    with pytest.raises(ValueError, match="negative"):
        summarise_tallies("abc", [tally("abc", [["a"]])], [-1])
    with pytest.raises(TypeError):
        summarise_tallies("abc", [tally("abc", [["a"]])], [True])

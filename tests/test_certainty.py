"""discussions.certainty: the methods agreeing, the Condorcet winner and the
bootstrap of the top three, against hand counts and for any ballots."""

from fractions import Fraction
from unittest import TestCase

from hypothesis import given
from hypothesis import strategies as st

from discussions import ranking
from discussions.certainty import agree, condorcet_winner, top_chances, twice_points

ballots_of = st.integers(min_value=1, max_value=6).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.lists(
                st.permutations(list(range(n))).flatmap(
                    lambda order: st.integers(min_value=1, max_value=len(order)).map(
                        lambda k: order[:k]
                    )
                ),
                min_size=1,
                max_size=6,
            ),
            min_size=1,
            max_size=4,
        ),
    )
)


class AgreeTests(TestCase):
    def test_same_winner_and_top_three_in_another_order(self):
        self.assertEqual(agree([[1, 2, 3, 4], [1, 3, 2, 4], [1, 2, 3, 4]]), (True, True))

    def test_another_third(self):
        self.assertEqual(agree([[1, 2, 3, 4], [1, 2, 4, 3]]), (True, False))

    def test_another_winner(self):
        self.assertEqual(agree([[1, 2, 3, 4], [2, 1, 3, 4]]), (False, True))

    def test_an_order_not_counted_is_left_out(self):
        self.assertEqual(agree([[1, 2, 3], []]), (True, True))


class CondorcetTests(TestCase):
    def test_the_one_who_beats_every_other(self):
        # Three ballots: a>b>c, b>c>a, a>c>b. a beats b 2–1 and c 2–1.
        ballots = [("a", "b", "c"), ("b", "c", "a"), ("a", "c", "b")]
        beats = ranking.pairwise("abc", ballots)
        matrix = [[beats[x].get(y, 0) for y in "abc"] for x in "abc"]
        self.assertEqual(condorcet_winner("abc", matrix), "a")

    def test_a_cycle_has_none(self):
        # The Condorcet paradox: a>b>c, b>c>a, c>a>b, each pair 2–1 round the circle.
        ballots = [("a", "b", "c"), ("b", "c", "a"), ("c", "a", "b")]
        beats = ranking.pairwise("abc", ballots)
        matrix = [[beats[x].get(y, 0) for y in "abc"] for x in "abc"]
        self.assertIsNone(condorcet_winner("abc", matrix))

    def test_a_tie_head_to_head_is_no_win(self):
        self.assertIsNone(condorcet_winner("ab", [[0, 1], [1, 0]]))


class PointsTests(TestCase):
    def test_a_partial_ballot_shares_what_is_left(self):
        # 8 recommendations, 3 ranked: 7, 6, 5 points; the other five share 4+3+2+1+0.
        self.assertEqual(twice_points(8, [2, 7, 0]), [10, 4, 14, 4, 4, 4, 4, 12])

    @given(ballots_of)
    def test_the_same_points_as_the_borda_count(self, case):
        n, tables = case
        ballots = [ballot for table in tables for ballot in table]
        borda = ranking.borda(list(range(n)), ballots)
        totals = [sum(twice_points(n, ballot)[i] for ballot in ballots) for i in range(n)]
        self.assertEqual([Fraction(t, 2) for t in totals], [borda[i] for i in range(n)])


class TopChancesTests(TestCase):
    def test_unanimous_ballots_leave_nothing_to_chance(self):
        chances = top_chances(5, [[[0, 1, 2, 3, 4]] * 4, [[0, 1, 2, 3, 4]] * 3])
        self.assertEqual(chances, [1, 1, 1, 0, 0])

    def test_a_close_third_place_is_uncertain(self):
        # One table: two ballots put 2 third, two put 3 third; 0 and 1 always lead.
        table = [[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 3, 2], [0, 1, 3, 2]]
        chances = top_chances(4, [table])
        self.assertEqual(chances[:2], [1, 1])
        self.assertTrue(0 < chances[2] < 1 and 0 < chances[3] < 1)
        # A tie at the third place counts both in: the two chances add up to more than 1.
        self.assertGreater(chances[2] + chances[3], 1)

    @given(ballots_of, st.integers(min_value=0, max_value=2**32))
    def test_the_same_seed_gives_the_same_chances(self, case, seed):
        n, tables = case
        first = top_chances(n, tables, rounds=20, seed=seed)
        self.assertEqual(first, top_chances(n, tables, rounds=20, seed=seed))
        self.assertTrue(all(0 <= chance <= 1 for chance in first))
        # At least k items are in the top k in every draw (ties may add more).
        self.assertGreaterEqual(sum(first), min(3, n))

    def test_a_table_of_more_than_256_ballots_draws_too(self):
        # 160 put 0 first, 150 put 1 first: 1's 150 out of 310 leads in some draws.
        table = [[0, 1, 2]] * 160 + [[1, 0, 2]] * 150
        chances = top_chances(3, [table], k=1, rounds=100)
        self.assertTrue(0 < chances[1] < chances[0] < 1)
        self.assertEqual(chances[2], 0)
        self.assertEqual(chances, top_chances(3, [table], k=1, rounds=100))

    def test_weights_per_table_and_refused_counts(self):
        # Every table weighing the same: the one ballot at table 2 outweighs the two
        # at table 1 three to two, so 1 always comes first and 0 never.
        tables = [[[0, 1], [0, 1]], [[1, 0]]]
        self.assertEqual(top_chances(2, tables, weights=[1, 3], k=1), [0, 1])
        with self.assertRaises(ValueError):
            top_chances(2, tables, weights=[1])

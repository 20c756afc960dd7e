"""discussions.consensus: Tastle and Wierman's ordinal consensus and the split flag.

The expected values are the published ones (the measure's defined ends, and the
worked example of the agrmt package's documentation, which implements Tastle and
Wierman 2007) or counted by hand below; the properties hold for any histogram.
"""

import math
from unittest import TestCase

from hypothesis import given
from hypothesis import strategies as st

from discussions.consensus import contested, ends, tastle_wierman

histograms = st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=12).filter(
    lambda counts: sum(counts) > 0
)


class TastleWiermanExamples(TestCase):
    def test_everyone_the_same_place_is_1(self):
        self.assertEqual(tastle_wierman([0, 0, 7, 0, 0]), 1)

    def test_half_first_half_last_is_0(self):
        self.assertEqual(tastle_wierman([4, 0, 0, 0, 4]), 0)

    def test_the_agrmt_packages_worked_example(self):
        # consensus(c(30,40,210,130,530,50,10)) is documented as 0.7256876.
        self.assertAlmostEqual(tastle_wierman([30, 40, 210, 130, 530, 50, 10]), 0.7256876, places=7)

    def test_five_places_one_ballot_each_by_hand(self):
        # μ = 3, d = 4: places 1 and 5 are 1/2 of the width away, 2 and 4 a quarter:
        # 1 + 0.2 · (2 · log2(1/2) + 2 · log2(3/4) + log2(1)) = 0.6 + 0.4 · log2(0.75).
        expected = 0.6 + 0.4 * math.log2(0.75)
        self.assertAlmostEqual(expected, 0.43399, places=5)
        self.assertAlmostEqual(tastle_wierman([1, 1, 1, 1, 1]), expected, places=12)

    def test_neighbouring_places_are_near_agreement(self):
        # Half at 1, half at 2 of 5: each an eighth of the width from μ = 1.5.
        self.assertAlmostEqual(tastle_wierman([3, 3, 0, 0, 0]), 1 + math.log2(7 / 8))

    def test_no_ballots_is_none_and_bad_counts_are_refused(self):
        self.assertIsNone(tastle_wierman([0, 0, 0]))
        self.assertEqual(tastle_wierman([5]), 1)
        with self.assertRaises(ValueError):
            tastle_wierman([1, -1, 2])


class TastleWiermanProperties(TestCase):
    @given(st.integers(min_value=1, max_value=12), st.data())
    def test_unanimous_places_are_1(self, n, data):
        place = data.draw(st.integers(min_value=0, max_value=n - 1))
        counts = [0] * n
        counts[place] = data.draw(st.integers(min_value=1, max_value=1000))
        self.assertEqual(tastle_wierman(counts), 1)

    @given(histograms)
    def test_between_0_and_1_and_the_same_read_backwards(self, counts):
        value = tastle_wierman(counts)
        self.assertTrue(0 <= value <= 1)
        self.assertAlmostEqual(value, tastle_wierman(counts[::-1]), places=12)

    @given(histograms, st.integers(min_value=2, max_value=5))
    def test_only_the_shares_count(self, counts, times):
        self.assertAlmostEqual(
            tastle_wierman(counts), tastle_wierman([c * times for c in counts]), places=12
        )

    @given(st.integers(min_value=2, max_value=12), st.integers(min_value=1, max_value=100))
    def test_an_even_split_between_the_ends_is_0(self, n, k):
        self.assertAlmostEqual(tastle_wierman([k] + [0] * (n - 2) + [k]), 0)


class ContestedTests(TestCase):
    def test_two_camps_at_the_ends(self):
        self.assertTrue(contested([4, 1, 0, 0, 0, 0, 1, 3]))
        self.assertEqual(ends([4, 1, 0, 0, 0, 0, 1, 3]), (5, 4, 2))

    def test_evenly_scattered_is_not_a_split(self):
        self.assertFalse(contested([2, 2, 2, 2, 2, 2]))

    def test_one_camp_is_not_a_split(self):
        self.assertFalse(contested([6, 2, 1, 0, 0, 0, 0, 1]))  # 1 of 10 at the bottom

    def test_a_hill_in_the_middle_is_not_a_split(self):
        # A quarter at each end, but more per place between: a hill, not a valley.
        self.assertFalse(contested([3, 0, 3, 3, 0, 3]))

    def test_too_few_places_or_ballots(self):
        self.assertFalse(contested([3, 3]))
        self.assertFalse(contested([0, 0, 0]))
        self.assertEqual(ends([1, 2]), (0, 0, 0))

"""discussions.agreement: the distance between two orders, and the tables most alike.

The worked examples are the published ones (the Kendall tau distance's usual
textbook examples), counted by hand there; the properties hold for any order.
"""

from fractions import Fraction
from unittest import TestCase

from hypothesis import given
from hypothesis import strategies as st

from discussions.agreement import kendall_distance, largest_move, nearest

orders = st.integers(min_value=0, max_value=9).flatmap(lambda n: st.permutations(list(range(n))))


class KendallDistanceExamples(TestCase):
    def test_five_people_by_height_and_by_weight(self):
        # Heights rank A..E 1..5, weights 3 4 1 2 5: 4 of the 10 pairs swapped, 0.4.
        by_height = ["A", "B", "C", "D", "E"]
        by_weight = ["C", "D", "A", "B", "E"]
        self.assertEqual(kendall_distance(by_height, by_weight), Fraction(2, 5))

    def test_two_people_ranking_five_cities(self):
        # Joe and Ken disagree on AC, BC, BD, BE, CE and DE: 6 / 10.
        joe = ["Camden", "Austin", "Denver", "Boston", "Eureka"]
        ken = ["Austin", "Eureka", "Boston", "Camden", "Denver"]
        self.assertEqual(kendall_distance(joe, ken), Fraction(6, 10))

    def test_seven_items_four_pairs_swapped(self):
        # 0-1, 3-1, 2-4 and 5-4 the other way round, of 21 pairs.
        a = [0, 3, 1, 6, 2, 5, 4]
        b = [1, 0, 3, 6, 4, 2, 5]
        self.assertEqual(kendall_distance(a, b), Fraction(4, 21))

    def test_one_neighbour_swap_of_ten_is_one_pair_of_45(self):
        a = list(range(10))
        b = [1, 0, *range(2, 10)]
        self.assertEqual(kendall_distance(a, b), Fraction(1, 45))

    def test_too_few_items_is_no_distance(self):
        self.assertEqual(kendall_distance([], []), 0)
        self.assertEqual(kendall_distance([7], [7]), 0)

    def test_different_items_are_refused(self):
        for a, b in [([1, 2], [1, 3]), ([1, 2], [1, 2, 3]), ([1, 1], [1, 1])]:
            with self.subTest(a=a, b=b), self.assertRaises(ValueError):
                kendall_distance(a, b)


class KendallDistanceProperties(TestCase):
    @given(orders)
    def test_an_order_is_at_0_from_itself_and_1_from_its_reverse(self, order):
        self.assertEqual(kendall_distance(order, list(order)), 0)
        if len(order) > 1:
            self.assertEqual(kendall_distance(order, order[::-1]), 1)

    @given(orders.flatmap(lambda a: st.tuples(st.just(a), st.permutations(a))))
    def test_symmetric_exact_and_between_0_and_1(self, pair):
        a, b = pair
        distance = kendall_distance(a, b)
        self.assertIsInstance(distance, Fraction)
        self.assertEqual(distance, kendall_distance(b, a))
        self.assertTrue(0 <= distance <= 1)
        # Reversing one of them turns every agreeing pair into a swapped one.
        if len(a) > 1:
            self.assertEqual(kendall_distance(a, b[::-1]), 1 - distance)

    @given(orders.flatmap(lambda a: st.tuples(st.just(a), st.permutations(a), st.permutations(a))))
    def test_the_triangle_inequality(self, triple):
        a, b, c = triple
        self.assertLessEqual(
            kendall_distance(a, c), kendall_distance(a, b) + kendall_distance(b, c)
        )


class NearestTests(TestCase):
    def test_the_closest_other_and_every_one_on_a_tie(self):
        distances = {
            ("x", "y"): Fraction(1, 10),
            ("x", "z"): Fraction(1, 2),
            ("z", "y"): Fraction(1, 2),
        }
        alike = nearest(distances, ["x", "y", "z"])
        self.assertEqual(alike, {"x": ["y"], "y": ["x"], "z": ["x", "y"]})

    def test_alone_has_no_one_alike(self):
        self.assertEqual(nearest({}, ["x"]), {"x": []})


class LargestMoveTests(TestCase):
    def test_the_recommendation_furthest_from_its_room_place(self):
        own = ["c", "a", "b", "d"]
        places = {"c": 1, "a": 2, "b": 3, "d": 4}
        room = {"a": 1, "b": 2, "d": 3, "c": 4}
        self.assertEqual(largest_move(own, places, room), "c")  # 1st here, 4th there

    def test_a_tie_goes_to_the_one_the_table_lists_first(self):
        own = ["b", "a"]
        places = {"b": 1, "a": 2}
        room = {"a": 1, "b": 2}
        self.assertEqual(largest_move(own, places, room), "b")

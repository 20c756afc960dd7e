"""How far apart two orders are, and which tables order alike.

Pure standard library, no Django, exact (Fractions): discussions/results.py feeds it
each table's order and the room's (both by the points, as every list shows them).

The distance is the normalised Kendall tau distance: of all the pairs of
recommendations, the share that one order puts the other way round from the other.
0 = the same order, 1 = one is the other reversed. Why Kendall's and not Spearman's
footrule (the sum of the places' differences): it is the same pairwise view the
rankings themselves take (Schulze and Kemeny compare recommendations two by two), a
facilitator can say it in one sentence ("of every two recommendations, the table
orders a third the other way round from the room"), and its maximum, n(n − 1)/2
pairs, is the same formula for every n, while the footrule's maximum differs with n
being odd or even and a move of one recommendation far down counts the same as many
small swaps.
"""

from collections.abc import Hashable, Sequence
from fractions import Fraction

type Item = Hashable


def kendall_distance(a: Sequence[Item], b: Sequence[Item]) -> Fraction:
    """The share of pairs of items that `a` and `b` order differently, 0 to 1.

    Both are full orders (best first) of the same items; ValueError otherwise. With
    fewer than two items there is no pair to disagree on: 0.
    """
    if len(a) != len(b) or set(a) != set(b) or len(set(a)) != len(a):
        raise ValueError("two orders of the same distinct items")
    n = len(a)
    if n < 2:
        return Fraction(0)
    position = {item: i for i, item in enumerate(b)}
    places = [position[item] for item in a]
    # The pairs a puts one way and b the other: the inversions of b's places in a's order.
    swapped = sum(1 for i in range(n) for j in range(i + 1, n) if places[i] > places[j])
    return Fraction(swapped, n * (n - 1) // 2)


def nearest[K](distances: dict[tuple[K, K], Fraction], keys: Sequence[K]) -> dict[K, list[K]]:
    """For each key, the other keys at the smallest distance from it (all of them on a
    tie, in the order of `keys`): the tables that rank most alike. `distances` holds
    each pair once, either way round; a key alone has none."""

    def between(x: K, y: K) -> Fraction:
        return distances[(x, y)] if (x, y) in distances else distances[(y, x)]

    alike = {}
    for key in keys:
        others = [other for other in keys if other != key]
        if not others:
            alike[key] = []
            continue
        least = min(between(key, other) for other in others)
        alike[key] = [other for other in others if between(key, other) == least]
    return alike


def largest_move(own: Sequence[Item], places: dict[Item, int], room: dict[Item, int]) -> Item:
    """The item whose place in `places` (one table's) is furthest from its place in
    `room`; on a tie, the one `own` (the table's order) lists first."""
    return max(own, key=lambda item: (abs(places[item] - room[item]), -own.index(item)))

"""How sure a ranking is: whether the methods agree, whether one recommendation beats
every other head to head, and how often each one stays in the top k when the
ballots are drawn again.

Pure standard library, no Django, deterministic. discussions/results.py feeds it
the room's orders, its pairwise counts and its ballots as points.

The resampling is a bootstrap: the ballots are drawn again with replacement, as
many as there were (results.py passes the room as one table when every participant
weighs the same, each table on its own when every table does, so that a table keeps
its size and its weight), the points are counted again, and each recommendation's
chance is the share of the draws in which it ends in the top k (a tie at the k-th
place counts as in). The random generator has a fixed seed: the same ballots give
the same chances, on every screen and in every file. Cheap on purpose: a ballot's
points are packed into one integer (each recommendation a field of bits), so that a
draw of a table's ballots is summed by one call of the built-in sum.
"""

import random
from collections.abc import Hashable, Sequence
from fractions import Fraction

type Item = Hashable

ROUNDS = 200
SEED = 25


def agree(orders: Sequence[Sequence[Item]], k: int = 3) -> tuple[bool, bool]:
    """(whether the orders have the same first item, whether they have the same k
    first items in any order). Orders that are empty (not counted) are left out."""
    counted = [list(order) for order in orders if order]
    if not counted:
        return True, True
    winner = all(order[0] == counted[0][0] for order in counted)
    top = all(set(order[:k]) == set(counted[0][:k]) for order in counted)
    return winner, top


def condorcet_winner(items: Sequence[Item], beats: Sequence[Sequence[int]]) -> Item | None:
    """The item that more ballots put above each other item than below it, head to
    head (beats[a][b]: the weight of the ballots that put a above b, by index), or
    None when no item beats every other."""
    n = len(items)
    for a in range(n):
        if all(beats[a][b] > beats[b][a] for b in range(n) if b != a):
            return items[a]
    return None


def twice_points(n: int, ballot: Sequence[int]) -> list[int]:
    """A ballot's Borda points, doubled to stay whole, by item index: place p of n
    earns n − p; what it left unranked shares the points left over equally."""
    points = [0] * n
    for place, index in enumerate(ballot, start=1):
        points[index] = 2 * (n - place)
    left = n - len(ballot)
    if left:
        share = left - 1  # 2 × (0 + 1 + … + (left − 1)) / left
        ranked = set(ballot)
        for index in range(n):
            if index not in ranked:
                points[index] = share
    return points


def top_chances(
    n: int,
    tables: Sequence[Sequence[Sequence[int]]],
    weights: Sequence[int] | None = None,
    k: int = 3,
    rounds: int = ROUNDS,
    seed: int = SEED,
) -> list[Fraction]:
    """Each item's chance (by index) to end among the k with the most points when
    every table's ballots (sequences of item indexes, best first) are drawn again.
    `weights`: an integer factor per table (every table weighing the same: the
    common multiple of the tables' sizes over each one's), default 1."""
    weights = [1] * len(tables) if weights is None else list(weights)
    if len(weights) != len(tables):
        raise ValueError(f"got {len(weights)} weights for {len(tables)} tables")
    kept = [(list(b), w) for b, w in zip(tables, weights, strict=True) if b]
    tables, weights = [b for b, _w in kept], [w for _b, w in kept]
    if not tables or n == 0:
        return [Fraction(0)] * n
    # Wide enough a field for an item's weighted points in the whole room, so that the
    # tables' packed sums add up without one field spilling into the next.
    first = 2 * max(n - 1, 1)  # a first place's doubled points
    most = sum(weight * first * len(b) for b, weight in zip(tables, weights, strict=True))
    bits = most.bit_length() + 1
    mask = (1 << bits) - 1
    # A hall's ballots repeat (three of eight recommendations have 336 orders):
    # each distinct ballot is packed once.
    seen: dict[tuple[int, ...], int] = {}

    def pack(ballot) -> int:
        key = tuple(ballot)
        if key not in seen:
            seen[key] = _pack(twice_points(n, ballot), bits)
        return seen[key]

    packed = [[pack(ballot) for ballot in ballots] for ballots in tables]
    draws = [(_Draw(ballots), weight) for ballots, weight in zip(packed, weights, strict=True)]
    generator = random.Random(seed)
    inside = [0] * n
    for _ in range(rounds):
        room = sum(weight * draw.total(generator) for draw, weight in draws)
        totals = [(room >> (bits * index)) & mask for index in range(n)]
        for index in range(n):
            if sum(1 for other in totals if other > totals[index]) < k:
                inside[index] += 1
    return [Fraction(count, rounds) for count in inside]


def _pack(values: list[int], bits: int) -> int:
    return sum(value << (bits * index) for index, value in enumerate(values))


class _Draw:
    """Draws a table's ballots again, as many as it has, with replacement, and sums
    them. A table of up to 256 ballots draws random bytes, keeps those below the
    largest multiple of its size (so that every ballot is equally likely) and looks
    its ballots up by the byte: a few built-in calls instead of a Python call per
    ballot, several times faster than random.choices."""

    def __init__(self, ballots: list[int]):
        self.ballots = ballots
        m = len(ballots)
        self.small = m <= 256
        if self.small:
            limit = 256 - 256 % m
            self.pick = [ballots[byte % m] for byte in range(256)]
            self.unfair = bytes(range(limit, 256))  # bytes left out: no bias

    def total(self, generator: random.Random) -> int:
        m = len(self.ballots)
        if not self.small:
            return sum(generator.choices(self.ballots, k=m))
        got = b""
        while len(got) < m:
            got += generator.randbytes(m + m // 2 + 8).translate(None, self.unfair)
        return sum(map(self.pick.__getitem__, got[:m]))

"""What moved between round 1 and round 2: places gained or lost, and how the
agreement changed. Pure standard library, no Django: discussions/results.py feeds it
the places of each round's results (the room's and each table's, by the points, as
every list shows them), their Kendall's W and each recommendation's Tastle-Wierman
consensus.

Movement compares results, not people: a table's round-1 ranking with its round-2
ranking. Who joined only in round 2 counts in round 2's results; who left counts in
round 1's. A place is the shared place of the lists (1, 2, 2, 4), so two
recommendations that tie in one round and not in the other move by what the lists
show. `gained` is the round-1 place minus the round-2 place: +2 climbed two places,
−1 fell one; None where a round has no place for it (a table without ballots).
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

type Item = Hashable


@dataclass(frozen=True)
class Move:
    """One item's place in each round."""

    item: Item
    before: int | None  # its place in round 1; None: no ballots there
    after: int | None  # in round 2
    consensus_before: float | None = None  # Tastle-Wierman over its places, round 1
    consensus_after: float | None = None

    @property
    def gained(self) -> int | None:
        """Places climbed (negative: fallen); None unless both rounds placed it."""
        if self.before is None or self.after is None:
            return None
        return self.before - self.after

    @property
    def lost(self) -> int | None:
        """Places fallen: −gained, for a sentence that says "fell 2 places"."""
        return None if self.gained is None else -self.gained

    @property
    def consensus_change(self) -> float | None:
        return change(self.consensus_before, self.consensus_after)


@dataclass(frozen=True)
class Shift:
    """One ranking's movement: a table's, or the room's."""

    moves: list[Move]  # in round 2's order (then round 1's for what round 2 lacks)
    agreement_before: float | None  # Kendall's W, round 1
    agreement_after: float | None
    ballots_before: int = 0
    ballots_after: int = 0

    @property
    def agreement_change(self) -> float | None:
        return change(self.agreement_before, self.agreement_after)

    @property
    def moved(self) -> list[Move]:
        """The items whose place changed, the biggest change first (among equal
        changes, in round 2's order)."""
        changed = [move for move in self.moves if move.gained]
        return sorted(changed, key=lambda move: -abs(move.gained))

    @property
    def any_moved(self) -> bool:
        return bool(self.moved)


def change(before: float | None, after: float | None) -> float | None:
    """after − before; None unless both exist."""
    if before is None or after is None:
        return None
    return after - before


def shift(
    before: Mapping[Item, int],
    after: Mapping[Item, int],
    *,
    order: Sequence[Item] | None = None,
    agreement_before: float | None = None,
    agreement_after: float | None = None,
    consensus_before: Mapping[Item, float | None] | None = None,
    consensus_after: Mapping[Item, float | None] | None = None,
    ballots_before: int = 0,
    ballots_after: int = 0,
) -> Shift:
    """The movement from the places `before` (item → place in round 1; empty: no
    ballots) to `after`. `order`: the items in the order to list them (default:
    round 2's places, then round 1's for items only it placed)."""
    if order is None:
        order = sorted(after, key=lambda item: after[item])
        order += sorted((i for i in before if i not in after), key=lambda i: before[i])
    consensus_before = consensus_before or {}
    consensus_after = consensus_after or {}
    moves = [
        Move(
            item,
            before.get(item),
            after.get(item),
            consensus_before.get(item),
            consensus_after.get(item),
        )
        for item in order
    ]
    return Shift(moves, agreement_before, agreement_after, ballots_before, ballots_after)

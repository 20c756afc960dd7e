"""What divides the room and how sure its result is (issue 25, points 1–3), in values.

discussions/results.py asks for these lazily (`Results.tables_vs_room`,
`Results.splits`, `Results.certainty`: each counted once per Results, that is once
per revision, and only when a screen or a file shows it, so the phones never pay for
them). This module feeds the pure maths (discussions/agreement.py, consensus.py,
certainty.py) from what a Results already holds, and names the numbers; the
templates say them in words. No Django here, no translated text.

The rules, each one chosen here:

- Tables against the room. A table's order and the room's are their lists by the
  points (ties in the Schulze order), as every screen lists them; their distance is
  the normalised Kendall tau distance (agreement.py says why not the footrule): the
  share of the pairs of recommendations the table orders the other way round. A table
  is flagged when it is at least FAR from the room, at most MOST_FLAGS of them, the
  furthest first, and only when two or more tables have ballots (one table is the
  room). The flag's words name the recommendation whose place at the table is
  furthest from its place in the room (agreement.largest_move; on a tie the one the
  table puts highest, so "ranks X first; the room ranks it fifth" wins over a move as
  large further down): the single biggest difference is what the room can discuss.
- Contested recommendations. Each recommendation's Tastle–Wierman consensus over the
  places the room's ballots gave it (unranked not counted) and consensus.contested's
  split flag; listed contested first, then the least consensus first: what the
  plenary should open with. The bands of the words (CLEAR, SOME) are ours; the paper
  gives none.
- How sure. The points', Schulze's and Kemeny's orders agreeing on the winner and on
  the top three (as a set); the Condorcet winner from the room's pairwise counts; each
  recommendation's bootstrap chance to end in the top three. A recommendation whose
  chance is strictly between 10 % and 90 % (UNSETTLED) is unsettled; with none the top
  three is clear, else the sentence names the room's places of the unsettled ones,
  first to last ("places 2–4 are too close to call"). Below MIN_BALLOTS ballots
  nothing is said but that they are too few. Cost: the bootstrap draws at most DRAWS
  ballots in all, ROUNDS rounds for a room up to DRAWS / ROUNDS ballots (125) and
  fewer for a larger hall, never below MIN_ROUNDS (2,000 ballots: 25 rounds, chances
  in steps of 4 %, about 8 ms of a dashboard's cold redraw of some 120; at 200 rounds
  it was 40 ms). The seed is fixed, so the same ballots give the same chances on
  every screen and in every file.
- A frozen report (the participants' data deleted) keeps the tables' orders and the
  places' counts, so distances, consensus and whether the methods agree come out as
  before; it keeps no ballots nor pairwise counts, so the chances and the Condorcet
  winner are stated absent (`Certainty.kept` False).
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

from discussions import agreement, certainty, consensus

FAR = Fraction(1, 3)  # a table ordering a third of the pairs the other way round is flagged
MOST_FLAGS = 3
CLEAR, SOME = 0.75, 0.5  # consensus at least CLEAR: much agreement; below SOME: little
TOP = 3
UNSETTLED = (Fraction(1, 10), Fraction(9, 10))  # a chance strictly between: unsettled
MIN_BALLOTS = 5
ROUNDS, MIN_ROUNDS, DRAWS = certainty.ROUNDS, 25, 25_000


@dataclass(frozen=True)
class TableDivide:
    """One table with ballots against the room."""

    group_id: int | None
    name: str
    ballots: int
    distance: Fraction  # Kendall tau distance from the room's order, 0–1
    agreement: float | None  # the table's Kendall's W
    alike: list[str]  # the tables that rank most alike (names), empty when alone
    alike_ids: list[int | None]  # and their groups' ids
    alike_distance: Fraction | None  # their distance from this one
    rec: object  # results.Rec: the recommendation furthest from its room place
    place: int  # its place at the table
    room_place: int  # and in the room
    flagged: bool  # among the tables furthest from the room (see FAR)

    @property
    def percent(self) -> int:
        """The distance as the share of pairs in whole per cent, for the words (a
        whole number: forty tables' floatformat cost a dashboard 2 ms)."""
        return _whole_percent(self.distance)

    @property
    def alike_percent(self) -> int | None:
        return None if self.alike_distance is None else _whole_percent(self.alike_distance)


def _whole_percent(share: Fraction) -> int:
    """100 × share rounded half up, as floatformat rounds."""
    return math.floor(100 * share + Fraction(1, 2))


def tables_vs_room(room, tables) -> list[TableDivide]:
    """Every table with ballots, in the discussion's order; `flagged` marks the
    furthest. Empty without ballots."""
    counted = [t for t in tables if t.ballots and t.rows]
    if not room.ballots or not counted:
        return []
    room_order = [row.rec.number for row in room.rows]
    room_places = {row.rec.number: row.place for row in room.rows}
    orders = {t.group_id: [row.rec.number for row in t.rows] for t in counted}
    keys = [t.group_id for t in counted]
    # Every pair of tables (780 for forty): by the pairs' bit masks, not one
    # kendall_distance call each, which took a full hall's dashboard 5 ms.
    masks = {key: pair_mask(orders[key], room_order) for key in keys}
    pairs_count = max(len(room_order) * (len(room_order) - 1) // 2, 1)
    # The pairs each two tables order differently, whole numbers: nearest compares
    # them alike, and a Fraction's comparison was most of the time left.
    swapped = {
        (a, b): (masks[a] ^ masks[b]).bit_count() for i, a in enumerate(keys) for b in keys[i + 1 :]
    }
    alike = agreement.nearest(swapped, keys)
    names = {t.group_id: t.name for t in counted}

    def between(a, b):
        return Fraction(swapped[(a, b)] if (a, b) in swapped else swapped[(b, a)], pairs_count)

    far = {t.group_id: agreement.kendall_distance(orders[t.group_id], room_order) for t in counted}
    furthest = sorted(
        (key for key in keys if far[key] >= FAR), key=lambda key: -far[key]
    )  # stable: the discussion's order among equals
    flagged = set(furthest[:MOST_FLAGS]) if len(counted) > 1 else set()
    divides = []
    for t in counted:
        places = {row.rec.number: row.place for row in t.rows}
        moved = agreement.largest_move(orders[t.group_id], places, room_places)
        near = alike[t.group_id]
        divides.append(
            TableDivide(
                group_id=t.group_id,
                name=t.name,
                ballots=t.ballots,
                distance=far[t.group_id],
                agreement=t.agreement,
                alike=[names[key] for key in near],
                alike_ids=list(near),
                alike_distance=between(t.group_id, near[0]) if near else None,
                rec=t.row(moved).rec,
                place=places[moved],
                room_place=room_places[moved],
                flagged=t.group_id in flagged,
            )
        )
    return divides


def pair_mask(order, items) -> int:
    """A bit per pair of `items` (i < j in their order), set when `order` puts item i
    above item j: two orders' Kendall distance is the bits their masks differ in,
    over the pairs (as agreement.kendall_distance counts them; tests/test_divides.py
    checks the two agree on any orders)."""
    position = {item: place for place, item in enumerate(order)}
    places = [position[item] for item in items]
    mask, bit = 0, 1
    for i, first in enumerate(places):
        for second in places[i + 1 :]:
            if first < second:
                mask |= bit
            bit <<= 1
    return mask


def flagged(divides: list[TableDivide]) -> list[TableDivide]:
    """The flagged tables, the furthest first."""
    return sorted((d for d in divides if d.flagged), key=lambda d: -d.distance)


@dataclass(frozen=True)
class Split:
    """How alike the room placed one recommendation."""

    row: object  # the room's results.Row: its place, its bars
    placed: int  # ballots that gave it a place
    consensus: float | None  # Tastle–Wierman, 0–1; None when nobody placed it
    contested: bool  # a split between the top and the bottom third of the places
    top: int  # ballots among the top third of the places
    bottom: int  # among the bottom third
    third: int  # how many places a third is

    @property
    def rec(self):
        return self.row.rec

    @property
    def level(self) -> str:
        """ "much", "some" or "little" agreement on its place, for the words."""
        if self.consensus is None:
            return ""
        if self.consensus >= CLEAR:
            return "much"
        return "some" if self.consensus >= SOME else "little"


def splits(room) -> list[Split]:
    """Every recommendation the room's ballots placed, contested first, then the least
    consensus first (among equals the room's order). Empty without ballots."""
    if not room.ballots:
        return []
    found = []
    for row in room.rows:
        counts = row.position_counts[:-1]  # the last count is "unranked"
        if not sum(counts):
            continue
        top, bottom, third = consensus.ends(counts)
        found.append(
            Split(
                row=row,
                placed=sum(counts),
                consensus=consensus.tastle_wierman(counts),
                contested=consensus.contested(counts),
                top=top,
                bottom=bottom,
                third=third,
            )
        )
    return sorted(found, key=lambda s: (not s.contested, s.consensus))


@dataclass(frozen=True)
class Chance:
    rec: object  # results.Rec
    place: int  # the room's
    chance: Fraction  # of ending in the top three when the ballots are drawn again

    @property
    def percent(self) -> int:
        return _whole_percent(self.chance)

    @property
    def unsettled(self) -> bool:
        return UNSETTLED[0] < self.chance < UNSETTLED[1]

    @property
    def bar_step(self) -> int:
        """The chance to the nearest 5 %, for the CSS classes that draw bars (f-w-*)."""
        return 5 * round(self.percent / 5)


@dataclass(frozen=True)
class Certainty:
    """How sure the room's result is."""

    ballots: int
    kept: bool  # False in a frozen report: no chances, no Condorcet winner
    winner_agree: bool  # the points, Schulze and Kemeny name the same winner
    top_agree: bool  # and the same three first, in any order
    kemeny_compared: bool  # Kemeny counted (not beyond ranking.MAX_KEMENY_ITEMS)
    condorcet: object | None  # results.Rec beating every other head to head, or None
    chances: list[Chance]  # in the room's order; empty when not counted
    rounds: int  # of the bootstrap; 0 when not counted
    state: str  # "none", "few", "absent", "clear" or "close": which sentence
    span: tuple[int, int] | None  # the places too close to call, first and last

    @property
    def unsettled(self) -> list[Chance]:
        return [c for c in self.chances if c.unsettled]

    @property
    def whole(self) -> bool:
        """Every place too close to call: the sentence says so, not "places 1–8"."""
        return self.span is not None and self.span == (1, max(c.place for c in self.chances))


def certainty_of(room, recs, people=(), weighting_by_group=False, tables=(), kept=True):
    """The room's Certainty. `people` (results.Person, with their ballots) and
    `tables` (with their tallies) are what the bootstrap and the Condorcet winner
    are counted from; `kept` False (a frozen report) leaves them out."""
    numbers = [rec.number for rec in recs]
    points = [row.rec.number for row in room.rows]
    schulze = [row.rec.number for row in sorted(room.rows, key=lambda row: row.schulze_place)]
    kemeny = [rec.number for rec in room.kemeny]
    winner_agree, top_agree = certainty.agree([points, schulze, kemeny], TOP)
    base = {
        "ballots": room.ballots,
        "kept": kept,
        "winner_agree": winner_agree,
        "top_agree": top_agree,
        "kemeny_compared": bool(kemeny),
    }
    if not room.ballots:
        return Certainty(**base, condorcet=None, chances=[], rounds=0, state="none", span=None)
    if not kept:
        return Certainty(**base, condorcet=None, chances=[], rounds=0, state="absent", span=None)
    condorcet = _condorcet(recs, tables, weighting_by_group)
    if room.ballots < MIN_BALLOTS:
        return Certainty(**base, condorcet=condorcet, chances=[], rounds=0, state="few", span=None)
    index = {number: i for i, number in enumerate(numbers)}
    by_table = defaultdict(list)
    for person in people:
        if person.ballot:
            by_table[person.group_id].append([index[rec.number] for rec in person.ballot])
    if weighting_by_group:
        drawn = list(by_table.values())
        common = lcm(*(len(ballots) for ballots in drawn))
        weights = [common // len(ballots) for ballots in drawn]
    else:  # every participant weighs the same: the room is drawn as one
        drawn, weights = [[b for ballots in by_table.values() for b in ballots]], [1]
    total = sum(len(ballots) for ballots in drawn)
    rounds = rounds_for(total)
    got = certainty.top_chances(len(numbers), drawn, weights, k=TOP, rounds=rounds)
    places = {row.rec.number: row.place for row in room.rows}
    by_number = {rec.number: rec for rec in recs}
    chances = [Chance(by_number[n], places[n], got[index[n]]) for n in points]
    unsettled = [c.place for c in chances if c.unsettled]
    span = (min(unsettled), max(unsettled)) if unsettled else None
    return Certainty(
        **base,
        condorcet=condorcet,
        chances=chances,
        rounds=rounds,
        state="close" if unsettled else "clear",
        span=span,
    )


def rounds_for(ballots: int) -> int:
    """The bootstrap's rounds for a room of this many ballots (see the docstring)."""
    return max(MIN_ROUNDS, min(ROUNDS, DRAWS // max(ballots, 1)))


def _condorcet(recs, tables, by_group: bool):
    """The room's Condorcet winner from the tables' pairwise counts (each ballot
    weighing 1 / its table's ballots when every table weighs the same)."""
    n = len(recs)
    counted = [t for t in tables if t.tally is not None and t.tally.counts is not None]
    # Whole numbers: each table's counts times the common multiple of the tables'
    # ballots over its own is 1 / its ballots scaled alike, and a comparison of two
    # sums does not change with the scale.
    common = lcm(*(t.ballots for t in counted)) if by_group and counted else 1
    beats = [[0] * n for _ in range(n)]
    for t in counted:
        weight = common // t.ballots if by_group else 1
        for a, row in enumerate(t.tally.counts.beats):
            total = beats[a]
            for b in range(n):
                total[b] += weight * row[b]
    return certainty.condorcet_winner(list(recs), beats)

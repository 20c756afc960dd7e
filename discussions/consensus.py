"""How much the room agrees on one recommendation's place, and whether it is split.

Pure standard library, no Django: discussions/results.py feeds it the places a
recommendation received (how many ballots put it 1st, 2nd, …, nth).

Tastle and Wierman's ordinal consensus (Tastle & Wierman 2007, "Consensus and
dissention: a measure of ordinal dispersion", International Journal of Approximate
Reasoning 45(3), 531–545), over the places as an ordinal scale 1..n:

    Cns = 1 + Σ p_i · log2(1 − |i − μ| / d)

p_i the share of the ballots that gave place i, μ the mean place, d = n − 1 the
width of the scale. 1 when every ballot gave it the same place; 0 when the ballots
split evenly between the first and the last place. Unlike a standard deviation it
sees the order of the places: a half at 1 and a half at 2 is near agreement, a half
at 1 and a half at n is none. A float: the logarithm is not exact anyway.

A ballot that left the recommendation unranked gave it no place and is not counted:
the measure says how alike those who placed it placed it.

"Contested" is a split, two camps: at least a quarter of the ballots put it among
the top third of the places, at least a quarter among the bottom third, and the
places between got fewer ballots each than the places at either end (a valley
between two hills, so evenly scattered places are not a split). A facilitator can
name the camps; a middling consensus alone does not tell them from a shrug.
"""

import math
from collections.abc import Sequence
from fractions import Fraction

SPLIT = Fraction(1, 4)  # the share of the ballots at each end that makes a split


def tastle_wierman(counts: Sequence[int]) -> float | None:
    """Cns of a histogram: counts[i] ballots gave place i + 1. None without ballots;
    1 on a scale of one place (nothing to disagree on)."""
    if any(count < 0 for count in counts):
        raise ValueError("counts of ballots")
    total = sum(counts)
    if not total:
        return None
    width = len(counts) - 1
    if width < 1:
        return 1.0
    # In floats: the logarithm is one anyway, and a dashboard counts this for every
    # recommendation at every table on each redraw.
    mean = sum(place * count for place, count in enumerate(counts, start=1)) / total
    # A place with ballots is never a whole width from the mean, unless all of them are
    # there, which makes the mean that place: the logarithm's argument stays positive.
    spread = (
        sum(
            count * math.log2(1 - abs(place - mean) / width)
            for place, count in enumerate(counts, start=1)
            if count
        )
        / total
    )
    return max(0.0, min(1.0, 1 + spread))


def ends(counts: Sequence[int]) -> tuple[int, int, int]:
    """(ballots among the top third of the places, among the bottom third, how many
    places a third is): what a split's sentence says. (0, 0, 0) below three places."""
    third = len(counts) // 3
    if third < 1:
        return 0, 0, 0
    return sum(counts[:third]), sum(counts[-third:]), third


def contested(counts: Sequence[int]) -> bool:
    """Whether the ballots split between the top and the bottom third of the places
    (at least SPLIT of them at each end, fewer per place between). Needs three
    places or more."""
    total = sum(counts)
    top, bottom, third = ends(counts)
    if not total or third < 1:
        return False
    if Fraction(top, total) < SPLIT or Fraction(bottom, total) < SPLIT:
        return False
    between = counts[third:-third]
    per_place = Fraction(sum(between), len(between))
    return per_place < Fraction(min(top, bottom), third)

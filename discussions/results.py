"""Every number the screens and the exports show comes from here.

`results.of(discussion, weighting)` reads a discussion's answers in a fixed number
of queries, whatever the crowd, and returns a `Results`: plain values for the whole
room and for each table (every ranking method, the matrix of tables, participation,
the entries with their +1s and merges, the reasons). The dashboard, the projector,
the phones, the printed report and the XLSX, CSV and JSON files all read these
values; the templates and discussions/export.py only format them, and every shown
number is rounded by Django's floatformat (`rounded` for the files).

The maths is in plain modules without Django that this one feeds, each named for
what it computes: ranking.py (the orders and their points), divides.py (which tables
differ from the room, which recommendations split it, how sure the top three is:
agreement.py, consensus.py and certainty.py), movement.py (what moved between two
rounds), coverage.py (the activities per recommendation and table) and receipt.py
(one participant's places beside their table's and the room's). Results reaches
each of them (`Results.certainty`, `.coverage`, …), counted once per count and only
when a screen or a file asks.

One order, one number. Every list a person reads (the projector, the phones, the
dashboard, the report) and every file lists the recommendations by their points
(Borda: with n recommendations a first place earns n − 1 points, a second n − 2, …,
the last 0; what a ballot leaves unranked shares the points left over equally) and
prints those points, so the numbers fall down the list and one sentence explains
them. Equal points share a place (1, 2, 2, 4), listed among themselves in the Schulze
order. Schulze (who wins the head-to-head comparisons) and Kemeny (the order that
agrees with the most of everyone's pairwise choices) are second opinions: the
dashboard shows their places beside the points' and names the places where they
disagree (`Table.schulze_differs`, `Table.kemeny_differs`), rather than listing a
different order than it prints numbers for. Why the points and not Schulze: a
facilitator can explain them to a room in one sentence, anybody can check them on a
ballot, and no other number has to be printed beside the order to agree with it.

Where the rules live:

- A ballot counts only the recommendations of the discussion's current list: a
  ranking left from before the facilitator switched lists is cut to what is still
  there (`_people`), and one left empty counts nowhere.
- Overall, either every participant weighs the same (PARTICIPANT) or every table
  (GROUP): then a ballot weighs 1 / the ballots of its table, so a table of three
  counts as much as a table of twelve.
- Hidden entries are never in the lists the room sees; an entry merged into another
  shows only as part of that one (its +1s were moved there by the merge).
- Once the participants' data is deleted, the results are those frozen in the
  discussion's ReportSnapshot (discussions/stored.py writes and reads that form).
- In a second round (discussions/rounds.py) the live ballots are round 2's; round
  1's results are counted from its copy (`of(..., round=1)`, the same rules, no
  entries: those belong to the discussion, not to a round) and kept apart, as
  round 1 never changes once copied. Round 2's Results carry them (`first_round`)
  and what moved between the two (`movement`, discussions/movement.py).

A Results holds no translated text: it is kept in this process with the discussion's
live revision it was counted at (`_newest`) and shown in every language. Every write
bumps that revision, so what is kept is never taken for newer than it is.

The values, their counting and their keeping are one module, past 400 lines, on
purpose: "where does this number come from?" starts and ends here (the values a
Results holds, the nine queries that read them, the per-process memo, and the
workshops compared), while the maths that has a name lives in the modules above.
"""

import math
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from fractions import Fraction
from functools import cached_property

from django.db.models import Count
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from discussions import after_answer, consensus, divides, movement, ranking
from discussions.coverage import Coverage, coverage
from discussions.models import (
    ActivityProposal,
    Discussion,
    FirstRound,
    FirstRoundRanking,
    MissingArea,
    Participant,
    Ranking,
    ReportSnapshot,
    TableAnswer,
)
from recommendations.models import Recommendation

PARTICIPANT = "deltagare"
GROUP = "grupp"
WEIGHTINGS = {
    PARTICIPANT: _("Varje deltagare väger lika"),
    GROUP: _("Varje grupp väger lika"),
}


def parse_weighting(raw: str | None) -> str:
    return GROUP if raw == GROUP else PARTICIPANT


def rounded(value, places: int):
    """A number as a file stores it: an int when whole, else rounded as the screens'
    floatformat rounds it (half up), so a file and a screen never disagree."""
    if value is None or isinstance(value, int):
        return value
    value = float(floatformat(float(value), f"{places}u"))
    return int(value) if value.is_integer() else value


# --- The values ---------------------------------------------------------------------


@dataclass(frozen=True)
class Rec:
    """A recommendation as the results name it."""

    number: int
    title: str


@dataclass(frozen=True)
class Row:
    """One recommendation in one table."""

    rec: Rec
    place: int  # by the points, equal points sharing a place: what every list shows
    schulze_place: int  # in the Schulze order, a second opinion
    kemeny_place: int | None  # None beyond ranking.MAX_KEMENY_ITEMS
    borda: float
    borda_percent: int  # of the most points possible (everyone's first place), for bars
    mean_rank: float | None  # None without ballots
    first_places: float
    position_counts: list[int]  # ballots that put it 1st, 2nd, …, nth; last: unranked
    peak: int  # the highest count of places 1..n in its table, which bars are scaled to

    @property
    def bar_step(self) -> int:
        """borda_percent to the nearest 5, for the CSS classes that draw bars (f-w-*):
        the pages' Content-Security-Policy allows no inline style."""
        return 5 * round(self.borda_percent / 5)

    @property
    def unranked(self) -> int:
        return self.position_counts[-1]

    @cached_property
    def bars(self) -> list[tuple[int, int, float]]:
        """(place, ballots, height out of 24) for places 1..n. "Unranked" gets no bar:
        with top-3 ballots it dwarfs the rest, so it is said in words instead."""
        peak = self.peak or 1
        return [
            (place, count, round(24 * count / peak, 1))
            for place, count in enumerate(self.position_counts[:-1], start=1)
        ]


@dataclass(frozen=True)
class Table:
    """The ranking of one set of ballots: a table's, or the whole room's."""

    group_id: int | None  # None for the room
    name: str  # the table's; "" for the room, which the screens name in their language
    participants: int  # joined, ranked or not
    ballots: int  # who ranked at least one recommendation
    weight: int | Fraction  # the ballots' total weight
    agreement: float | None  # Kendall's W: 1 = all ranked alike; None below two ballots
    rows: list[Row]  # by the points (see the module's docstring), ties in Schulze order
    kemeny: list[Rec]  # the Kemeny order; empty beyond ranking.MAX_KEMENY_ITEMS
    revision: int = 0  # the group's: it changes with every answer at the table
    tally: ranking.Tally | None = field(default=None, repr=False, compare=False)
    # Ranges of places (first, last) where Schulze's or Kemeny's order disagrees with
    # the points' (ranking.disagreements): [(6, 7)] reads "places 6–7".
    schulze_differs: list[tuple[int, int]] = field(default_factory=list)
    kemeny_differs: list[tuple[int, int]] = field(default_factory=list)

    def row(self, number: int) -> Row | None:
        return next((row for row in self.rows if row.rec.number == number), None)

    @property
    def first_points(self) -> int:
        """What a first place earns on one ballot: one less than the recommendations."""
        return max(len(self.rows) - 1, 0)

    @property
    def second_points(self) -> int:
        return max(len(self.rows) - 2, 0)

    @property
    def schulze_differs_text(self) -> str:
        """The ranges as a sentence shows them, "2–3, 6–7" ("" when none)."""
        return _ranges(self.schulze_differs)

    @property
    def kemeny_differs_text(self) -> str:
        return _ranges(self.kemeny_differs)

    @property
    def kemeny_compared(self) -> bool:
        """Whether the Kemeny order was counted (not beyond ranking.MAX_KEMENY_ITEMS)."""
        return bool(self.kemeny)

    @cached_property
    def consensus_by_rec(self) -> dict:
        """Each recommendation's Tastle-Wierman consensus over the places it got (the
        unranked left out: consensus.py says why), for the movement between rounds;
        kept on the table, so round 1's, which never changes, is counted once."""
        return {row.rec: consensus.tastle_wierman(row.position_counts[:-1]) for row in self.rows}

    @cached_property
    def tied_places(self) -> frozenset[int]:
        """The places two or more recommendations share (equal points): marked as ties."""
        counts = Counter(row.place for row in self.rows)
        return frozenset(place for place, n in counts.items() if n > 1)


def _ranges(spans: list[tuple[int, int]]) -> str:
    return ", ".join(f"{first}–{last}" for first, last in spans)


@dataclass(frozen=True)
class MatrixRow:
    """One recommendation across the tables: where each table put it."""

    rec: Rec
    place: int  # the room's, by the points
    cells: list[Row | None]  # one per table; None for a table without ballots
    spread: int | None  # the lowest place minus the highest, over the tables that ranked


@dataclass(frozen=True)
class Participation:
    group_id: int | None  # None for the totals
    name: str
    joined: int
    ranked: int
    wrote: int | None  # a why, an area or an activity, hidden too; None: not kept


@dataclass(slots=True)
class Person:
    """A participant (slotted: a hall counts two thousand on every redraw)."""

    pk: int
    public_id: str
    name: str
    group_id: int
    why: str
    ranked_at: datetime | None
    joined_at: datetime
    ballot: list[Rec]  # best first, only recommendations of the list

    @property
    def first(self) -> Rec | None:
        return self.ballot[0] if self.ballot else None


@dataclass(slots=True)
class Entry:
    """A missing area or an activity, with its +1s."""

    kind: str  # "area" or "activity", as in the URLs
    pk: int | None  # None in a frozen report
    text: str
    group_id: int | None
    group_name: str
    author_id: int | None
    endorsements: int
    hidden: bool
    merged_into_id: int | None
    created_at: datetime | None
    rec: Rec | None  # an activity's recommendation
    merged: list["Entry"] = field(default_factory=list)  # merged into this one, oldest first
    merged_count: int = 0  # how many: len(merged), or what a frozen report counted

    @property
    def absorbed(self) -> list["Entry"]:
        """The duplicates merged into this one that the room may see (not hidden)."""
        return [entry for entry in self.merged if not entry.hidden]

    @property
    def tables(self) -> list[str]:
        """The tables that raised it: its own, then those of the duplicates merged into
        it (a hidden one's not), each once. A frozen report kept only its own."""
        names = [self.group_name, *(e.group_name for e in self.merged if not e.hidden)]
        return list(dict.fromkeys(name for name in names if name))


@dataclass(frozen=True)
class Activities:
    rec: Rec
    entries: list[Entry]  # most +1 first


@dataclass(frozen=True)
class Reasons:
    """The whys of everyone whose first choice is `rec` (None: who ranked nothing)."""

    rec: Rec | None
    answers: list[tuple[str, str]]  # (text, table name), in the order people joined
    # The name each writer gave ("" for none), beside answers; none in a frozen
    # report. Shown only where the facilitator chooses (the projector's reasons).
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AnswerVersion:
    """One version of a table's agreed answer (models.TableAnswer)."""

    number: int
    rec: Rec | None
    why: str
    author_id: int | None  # the participant's pk; None in a frozen report
    author_name: str  # as it was when saved; "" for a member without a name
    created_at: datetime | None


@dataclass(frozen=True)
class Agreed:
    """A table's agreed answer beside its members' own ballots.

    `members_first` is what the table's own ballots put first by the points (equal
    points sharing the place: all of them), the first row of the table's list on
    every screen. The agreed answer agrees with them when its recommendation is
    among those; with no recommendation chosen or no ballot at the table there is
    nothing to compare (None).
    """

    group_id: int | None
    name: str
    versions: list[AnswerVersion]  # newest first; a frozen report keeps the newest only
    version_count: int
    members_first: list[Rec]
    ballots: int

    @property
    def newest(self) -> AnswerVersion:
        return self.versions[0]

    @property
    def members_first_numbers(self) -> str:
        """ "1" or, when the points tie for first, "1, 4"."""
        return ", ".join(str(rec.number) for rec in self.members_first)

    @property
    def agrees(self) -> bool | None:
        if self.newest.rec is None or not self.members_first:
            return None
        return self.newest.rec in self.members_first


def agreed_answers(tables, versions_by_group: dict) -> list[Agreed]:
    """The tables with an agreed answer, in the tables' order, each beside its own
    ballots. `versions_by_group`: group id → its versions, newest first."""
    agreed = []
    for t in tables:
        versions = versions_by_group.get(t.group_id)
        if not versions:
            continue
        first = [row.rec for row in t.rows if row.place == 1] if t.ballots else []
        agreed.append(Agreed(t.group_id, t.name, versions, len(versions), first, t.ballots))
    return agreed


@dataclass(frozen=True)
class Results:
    discussion_id: int
    revision: int  # the discussion's live revision when the answers were read
    weighting: str
    recs: list[Rec]  # the discussion's list, in its order
    room: Table
    tables: list[Table]  # in the discussion's order, those without ballots too
    matrix: list[MatrixRow]  # in the room's order
    participation: list[Participation]  # one per table
    totals: Participation
    people: list[Person]  # in the order they joined; none in a frozen report
    areas: list[Entry]  # shown (not hidden, not merged away), most +1 first
    activities: list[Activities]  # shown, under their recommendation, in the room's order
    hidden: list[Entry]  # hidden by the facilitator, both kinds, oldest first
    reasons: list[Reasons]  # under each first choice, in the room's order
    all_areas: list[Entry]  # every one, hidden and merged too, oldest first
    all_activities: list[Entry]
    frozen_at: datetime | None = None  # when the participants' data was deleted
    agreed: list[Agreed] = field(default_factory=list)  # tables' agreed answers, in table order
    # A second round (discussions/rounds.py): these are round 2's results; round 1's
    # are `first_round`, and `movement` what moved between them. None in round 1.
    round: int = 1
    first_round: "Results | None" = field(default=None, repr=False, compare=False)
    movement: "Movement | None" = None

    def table(self, group_id: int) -> Table | None:
        return next((t for t in self.tables if t.group_id == group_id), None)

    # Participation as a report states it: only what happened, no empty tables.

    @property
    def tables_with_anyone(self) -> int:
        """The tables someone joined (a room set up for six where four were used: 4)."""
        return sum(1 for p in self.participation if p.joined)

    @property
    def tables_ranked(self) -> int:
        """The tables with at least one ballot: the columns of the matrix that has any."""
        return sum(1 for t in self.tables if t.ballots)

    @property
    def without_agreed(self) -> list[str]:
        """The tables someone joined that have no agreed answer (yet), by name."""
        agreed = {a.group_id for a in self.agreed}
        return [p.name for p in self.participation if p.joined and p.group_id not in agreed]

    @property
    def reasons_given(self) -> int:
        return sum(len(reasons.answers) for reasons in self.reasons)

    @property
    def activities_shown(self) -> int:
        return sum(len(group.entries) for group in self.activities)

    # Look-ups for the phones' receipts (discussions/receipt.py), built once per count. Results is
    # kept and shared by the threads of a process; a look-up built twice is the same.

    @cached_property
    def people_by_pk(self) -> dict[int, Person]:
        return {person.pk: person for person in self.people}

    @cached_property
    def entries_by_author(self) -> dict[int, list[Entry]]:
        by_author = defaultdict(list)
        for entry in [*self.all_areas, *self.all_activities]:
            if entry.author_id is not None:
                by_author[entry.author_id].append(entry)
        return dict(by_author)

    @cached_property
    def entries_by_key(self) -> dict[tuple[str, int], Entry]:
        return {(e.kind, e.pk): e for e in [*self.all_areas, *self.all_activities]}

    @property
    def room_with_moves(self) -> list[tuple[Row, "movement.Move | None"]]:
        """The room's rows, each with its move since round 1 (None in round 1)."""
        moves = {m.item: m for m in self.movement.room.shift.moves} if self.movement else {}
        return [(row, moves.get(row.rec)) for row in self.room.rows]

    @cached_property
    def coverage(self) -> "Coverage":
        """Which recommendations got a concrete activity, at which table (coverage.py)."""
        return coverage(self.room, self.tables, self.activities)

    # What divides the room and how sure its result is (discussions/divides.py says
    # the rules): counted once per Results, and only when a screen or a file asks.

    @cached_property
    def tables_vs_room(self) -> list["divides.TableDivide"]:
        return divides.tables_vs_room(self.room, self.tables)

    @cached_property
    def tables_flagged(self) -> list["divides.TableDivide"]:
        return divides.flagged(self.tables_vs_room)

    @cached_property
    def splits(self) -> list["divides.Split"]:
        return divides.splits(self.room)

    @cached_property
    def contested(self) -> list["divides.Split"]:
        return [split for split in self.splits if split.contested]

    @cached_property
    def certainty(self) -> "divides.Certainty":
        return divides.certainty_of(
            self.room,
            self.recs,
            self.people,
            self.weighting == GROUP,
            self.tables,
            kept=self.frozen_at is None,
        )


# --- The one way in -----------------------------------------------------------------


def of(
    discussion: Discussion,
    weighting: str = PARTICIPANT,
    *,
    kept_for: float | None = None,
    round: int | None = None,
):
    """The discussion's results as of its live revision, with every participant or
    every table weighing the same: nine queries, one while this process has them.

    `kept_for`, for a screen that polls and may show numbers a few seconds old: the
    newest results this process has counted come back at once; when they are behind
    and were counted more than `kept_for` seconds ago, the current ones are counted
    as soon as this request's answer is sent (discussions/after_answer.py), for the
    screen's next poll. A full hall's count takes a tenth of a second of a busy core;
    this way no poll waits for it, and the screens of one hall (the dashboard, the
    projector) share one count per wait instead of each starting its own.

    `round=1` in a second round: round 1's results (those of round 2 carry them).
    """
    weighting = parse_weighting(weighting)
    if round == 1 and discussion.round == 2:
        current = of(discussion, weighting, kept_for=kept_for)
        return current.first_round or current
    # Read before the answers (here, or by the caller that annotated it): a write in
    # between shows one count later, never the other way round.
    revision = getattr(discussion, "live_revision", None)
    if revision is None:
        revision = discussion.get_live_revision()
    key = (discussion.pk, weighting)
    kept, age = _newest.get(key), _newest.age(key)
    if kept is not None and kept.revision >= revision:
        return kept
    if kept_for is not None and kept is not None:
        if age > kept_for:
            after_answer.later(("count", key), lambda: _count_again(*key))
        return kept
    return _newest.count(key, revision, lambda: _count(discussion, weighting, revision))


class _Newest:
    """This process's newest results of each discussion and weighting, for the last
    few discussions, with when they were counted. One thread counts a key at a time:
    the phones of a hall that open the revealed results together count them once."""

    def __init__(self, size: int):
        self._size = size
        self._lock = threading.Lock()
        self._values: dict = {}  # key: (Results, time.monotonic() when counted)
        self._counting: dict = {}

    def get(self, key) -> Results | None:
        with self._lock:
            return self._values.get(key, (None, 0))[0]

    def age(self, key) -> float:
        """Seconds since the kept results of `key` were counted (inf: none kept)."""
        with self._lock:
            if key not in self._values:
                return math.inf
            return time.monotonic() - self._values[key][1]

    def count(self, key, revision: int, compute) -> Results:
        """Results at `revision` or newer: the kept ones, or compute()'s."""
        with self._lock:
            counting = self._counting.setdefault(key, threading.Lock())
        with counting:
            kept = self.get(key)
            if kept is not None and kept.revision >= revision:
                return kept  # counted by another thread while this one waited
            value = compute()
            with self._lock:
                if key not in self._values and len(self._values) >= self._size:
                    oldest = next(iter(self._values))
                    del self._values[oldest]
                    self._counting.pop(oldest, None)
                self._values[key] = (value, time.monotonic())
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


# Both weightings of a discussion, and a few other discussions' (another dashboard,
# an export).
_newest = _Newest(size=8)


def clear() -> None:
    """Forget what this process kept (the tests do: a rollback reuses revisions)."""
    _newest.clear()
    _first_rounds.clear()


def _count_again(pk: int, weighting: str) -> None:
    """Count what a screen's poll was answered without, now that the answer is out."""
    discussion = Discussion.objects.filter(pk=pk).first()
    if discussion is not None:  # else deleted meanwhile: nobody to show it to
        of(discussion, weighting)


# Round 1's results of the last few discussions in a second round, by the moment
# round 2 opened: they never change after it (see the module's docstring).
_first_rounds: dict = {}
_FIRST_ROUNDS_KEPT = 8


def _with_first_round(discussion: Discussion, weighting: str, current: Results) -> Results:
    """Round 2's results with round 1's and the movement: one query when round 1's
    results are kept, five when counted."""
    first = FirstRound.objects.filter(discussion_id=discussion.pk).first()
    if first is None:
        return current
    key = (discussion.pk, weighting, first.closed_at)
    before = _first_rounds.get(key)
    if before is None:
        before = _count_answers(discussion, weighting, current.revision, first_round=first)
        if len(_first_rounds) >= _FIRST_ROUNDS_KEPT:
            del _first_rounds[next(iter(_first_rounds))]
        _first_rounds[key] = before
    return replace(current, round=2, first_round=before, movement=moved(before, current))


# --- Counting -----------------------------------------------------------------------


def _count(discussion: Discussion, weighting: str, revision: int) -> Results:
    from discussions import stored  # which builds Results from a frozen report

    snapshot = ReportSnapshot.objects.filter(discussion=discussion).first()
    if snapshot is not None:
        return stored.results(discussion.pk, revision, weighting, snapshot)
    current = _count_answers(discussion, weighting, revision)
    if discussion.round == 2:
        return _with_first_round(discussion, weighting, current)
    return current


def _count_answers(
    discussion: Discussion, weighting: str, revision: int, first_round: FirstRound | None = None
) -> Results:
    """The results of the live answers; with `first_round`, round 1's, of its copy."""
    by_pk = {
        pk: Rec(number, title)
        for pk, number, title in Recommendation.objects.filter(
            recommendation_set_id=discussion.recommendation_set_id
        )
        .order_by("number")
        .values_list("pk", "number", "title")
    }
    recs = list(by_pk.values())
    groups = list(discussion.groups.values_list("pk", "name", "revision"))
    names = {pk: name for pk, name, _revision in groups}
    people = _people(discussion, by_pk, first_round)
    if first_round is not None:
        areas, activities = [], []  # the discussion's, not a round's
    else:
        areas = _entries(MissingArea, discussion, names)
        activities = _entries(ActivityProposal, discussion, names)

    authors = {entry.author_id for entry in [*areas, *activities]}
    joined, ranked, wrote = Counter(), Counter(), Counter()
    ballots, by_first, names_by_first = defaultdict(list), defaultdict(list), defaultdict(list)
    for person in people:
        joined[person.group_id] += 1
        if person.ballot:
            ranked[person.group_id] += 1
            ballots[person.group_id].append([rec.number for rec in person.ballot])
        if person.why or person.pk in authors:
            wrote[person.group_id] += 1
        if person.why:
            by_first[person.first].append((person.why, names.get(person.group_id, "")))
            names_by_first[person.first].append(person.name)

    numbers = [rec.number for rec in recs]
    tables = []
    for pk, name, group_revision in groups:
        tally = ranking.tally(numbers, ballots[pk])
        summary = ranking.summarise_tallies(numbers, [tally])
        tables.append(table(recs, summary, pk, name, joined[pk], group_revision, tally))
    # The tables' counts add up to the room's: no second pass over every ballot. Exact
    # fractions for the weights, so that equal tables tie exactly (see ranking.py).
    counted = [t for t in tables if t.ballots]
    weights = [Fraction(1, t.ballots) for t in counted] if weighting == GROUP else None
    summary = ranking.summarise_tallies(numbers, [t.tally for t in counted], weights)
    room = table(recs, summary, None, "", len(people))

    participation = [
        Participation(pk, name, joined[pk], ranked[pk], wrote[pk]) for pk, name, _rev in groups
    ]
    order = [row.rec for row in room.rows]
    reasons = [
        Reasons(rec, by_first[rec], names_by_first[rec])
        for rec in [*order, None]
        if by_first.get(rec)
    ]
    return finish(
        discussion.pk,
        revision,
        weighting,
        recs,
        room,
        tables,
        participation,
        reasons,
        people=people,
        areas=areas,
        activities=activities,
        # The agreed answers belong to the discussion, like the entries: none in round 1's.
        agreed=[] if first_round else agreed_answers(tables, _answer_versions(discussion)),
    )


@dataclass(frozen=True)
class TableMovement:
    """What moved at one table (group_id None: the room) between the rounds; its
    moves' items are Recs."""

    group_id: int | None
    name: str
    shift: movement.Shift


@dataclass(frozen=True)
class Movement:
    room: TableMovement
    tables: list[TableMovement]  # in the discussion's order, those of either round


def _table_movement(before: Table | None, after: Table | None) -> TableMovement:
    counted = [t for t in (before, after) if t is not None and t.ballots]
    shown = after or before
    return TableMovement(
        shown.group_id,
        shown.name,
        movement.shift(
            {row.rec: row.place for row in before.rows} if before and before.ballots else {},
            {row.rec: row.place for row in after.rows} if after and after.ballots else {},
            order=[row.rec for row in (counted[-1] if counted else shown).rows],
            agreement_before=before.agreement if before else None,
            agreement_after=after.agreement if after else None,
            consensus_before=before.consensus_by_rec if before and before.ballots else None,
            consensus_after=after.consensus_by_rec if after and after.ballots else None,
            ballots_before=before.ballots if before else 0,
            ballots_after=after.ballots if after else 0,
        ),
    )


def moved(before: Results, after: Results) -> Movement:
    """What moved from round 1's results to round 2's: the room's, and each table's
    (a table added in round 2 has nothing before; one deleted, nothing after)."""
    earlier = {t.group_id: t for t in before.tables}
    later = {t.group_id: t for t in after.tables}
    ids = [*later, *(pk for pk in earlier if pk not in later)]
    return Movement(
        _table_movement(before.room, after.room),
        [_table_movement(earlier.get(pk), later.get(pk)) for pk in ids],
    )


def table(recs, summary: ranking.Summary, group_id, name, participants, revision=0, tally=None):
    """A Table of ranking.summarise's numbers, the items being recommendation numbers,
    listed by the points (equal points: in the Schulze order) with shared places."""
    by_number = {rec.number: rec for rec in recs}
    # Everybody ranking an item first gives it weight × (n − 1) points.
    most = summary.weight * (len(recs) - 1)
    peak = max((c for r in summary.rows for c in r.position_counts[:-1]), default=0)
    listed = sorted(summary.rows, key=lambda r: (-r.borda, r.schulze_position))
    places = ranking.shared_places([r.borda for r in listed])
    rows = [
        Row(
            rec=by_number[r.item],
            place=place,
            schulze_place=r.schulze_position,
            kemeny_place=r.kemeny_position,
            borda=float(r.borda),
            borda_percent=round(100 * r.borda / most) if most else 0,
            mean_rank=None if r.mean_rank is None else float(r.mean_rank),
            first_places=float(r.first_places),
            position_counts=r.position_counts,
            peak=peak,
        )
        for r, place in zip(listed, places, strict=True)
    ]
    shown = [row.place for row in rows]
    return Table(
        group_id=group_id,
        name=name,
        participants=participants,
        ballots=summary.ballots,
        weight=summary.weight,
        agreement=summary.w,
        rows=rows,
        kemeny=[by_number[number] for number in summary.kemeny],
        revision=revision,
        tally=tally,
        schulze_differs=ranking.disagreements(shown, [row.schulze_place for row in rows]),
        kemeny_differs=ranking.disagreements(shown, [row.kemeny_place for row in rows]),
    )


def finish(
    discussion_id,
    revision,
    weighting,
    recs,
    room,
    tables,
    participation,
    reasons,
    *,
    people=(),
    areas=(),
    activities=(),
    frozen_at=None,
    agreed=(),
) -> Results:
    """Results from the tables, the entries and the reasons: what is derived the same
    way from the answers and from a frozen report."""
    shown_areas, hidden_areas = _shown(areas)
    shown_activities, hidden_activities = _shown(activities)
    order = [row.rec for row in room.rows]
    by_rec = defaultdict(list)
    for entry in shown_activities:
        by_rec[entry.rec].append(entry)
    # An activity keeps its recommendation when the facilitator switches lists:
    # those under a recommendation outside the list come after the others.
    outside = sorted((rec for rec in by_rec if rec not in order), key=lambda rec: rec.number)
    return Results(
        discussion_id=discussion_id,
        revision=revision,
        weighting=weighting,
        recs=recs,
        room=room,
        tables=tables,
        matrix=_matrix(room, tables),
        participation=participation,
        totals=Participation(
            None,
            "",
            sum(p.joined for p in participation),
            sum(p.ranked for p in participation),
            None
            if None in {p.wrote for p in participation}
            else sum(p.wrote for p in participation),
        ),
        people=list(people),
        areas=shown_areas,
        activities=[Activities(rec, by_rec[rec]) for rec in [*order, *outside] if by_rec[rec]],
        hidden=sorted([*hidden_areas, *hidden_activities], key=lambda e: (e.created_at, e.pk)),
        reasons=reasons,
        all_areas=list(areas),
        all_activities=list(activities),
        frozen_at=frozen_at,
        agreed=list(agreed),
    )


def _matrix(room: Table, tables: list[Table]) -> list[MatrixRow]:
    matrix = []
    for row in room.rows:
        cells = [t.row(row.rec.number) if t.ballots else None for t in tables]
        places = [cell.place for cell in cells if cell is not None]
        spread = max(places) - min(places) if len(places) > 1 else None
        matrix.append(MatrixRow(row.rec, row.place, cells, spread))
    return matrix


def _shown(entries) -> tuple[list[Entry], list[Entry]]:
    """The entries the room sees, most +1 first (among equals the oldest first, so a
    list does not jump about), and the hidden ones; merged ones go inside their target."""
    by_pk = {entry.pk: entry for entry in entries if entry.pk is not None}
    shown, hidden = [], []
    for entry in entries:
        if entry.merged_into_id is not None:
            target = by_pk.get(entry.merged_into_id)
            if target is not None:
                target.merged.append(entry)
                target.merged_count += 1
        elif entry.hidden:
            hidden.append(entry)
        else:
            shown.append(entry)
    shown.sort(key=lambda entry: entry.endorsements, reverse=True)  # stable
    return shown, hidden


# --- Reading the answers: one query each --------------------------------------------


def _people(
    discussion: Discussion, recs: dict[int, Rec], first_round: FirstRound | None = None
) -> list[Person]:
    """Everyone who joined, with their ballot cut to the recommendations of the list;
    with `first_round`, who had joined when round 2 opened, with their round-1 ballot
    and why (a table someone moved to since counts them there)."""
    people = {}
    joined = Participant.objects.filter(discussion=discussion)
    why_field, ballots = "why", Ranking.objects
    if first_round is not None:
        joined = joined.filter(created_at__lte=first_round.closed_at)
        why_field, ballots = "first_round_why", FirstRoundRanking.objects
    for pk, public_id, name, group_id, why, ranked_at, joined_at in joined.order_by(
        "created_at", "pk"
    ).values_list(
        "pk", "public_id", "display_name", "group_id", why_field, "ranked_at", "created_at"
    ):
        people[pk] = Person(pk, public_id, name, group_id, why, ranked_at, joined_at, [])
    rows = (
        ballots.filter(participant__discussion=discussion)
        .order_by("participant_id", "position")
        .values_list("participant_id", "recommendation_id")
    )
    for participant_id, rec_id in rows:
        rec = recs.get(rec_id)  # None: a recommendation of a list no longer used
        if rec is not None and participant_id in people:
            people[participant_id].ballot.append(rec)
    return list(people.values())


def _answer_versions(discussion: Discussion) -> dict[int, list[AnswerVersion]]:
    """Every version of every table's agreed answer, newest first: one query."""
    versions = defaultdict(list)
    for group_id, number, rec_number, rec_title, why, author_id, name, at in (
        TableAnswer.objects.filter(group__discussion=discussion)
        .order_by("group_id", "-number")
        .values_list(
            "group_id",
            "number",
            "recommendation__number",
            "recommendation__title",
            "why",
            "author_id",
            "author_name",
            "created_at",
        )
    ):
        rec = Rec(rec_number, rec_title) if rec_number is not None else None
        versions[group_id].append(AnswerVersion(number, rec, why, author_id, name, at))
    return versions


def _entries(model, discussion: Discussion, names: dict[int, str]) -> list[Entry]:
    """One kind of entry with its +1s, oldest first."""
    kind = "activity" if model is ActivityProposal else "area"
    fields = ["pk", "text", "group_id", "author_id", "hidden", "merged_into_id", "created_at"]
    if model is ActivityProposal:
        # Its own recommendation, also when the discussion's list changed since.
        fields += ["recommendation__number", "recommendation__title"]
    rows = (
        model.objects.filter(discussion=discussion)
        .annotate(n=Count("endorsements"))
        .order_by("created_at", "pk")
        .values_list(*fields, "n")
    )
    entries = []
    for pk, text, group_id, author_id, hidden, merged_into_id, created_at, *rest in rows:
        rec = Rec(rest[0], rest[1]) if model is ActivityProposal else None
        entries.append(
            Entry(
                kind,
                pk,
                text,
                group_id,
                names.get(group_id, ""),
                author_id,
                rest[-1],
                hidden,
                merged_into_id,
                created_at,
                rec,
            )
        )
    return entries


# --- Several workshops compared -----------------------------------------------------
# Workshops that discussed the same list (a region each, say): each one's ranking of
# all its discussions together, its agreement and its most +1'd missing areas, and a
# combined ranking in which every workshop weighs the same (each ballot 1 / its
# workshop's ballots), so a workshop of 12 counts as much as one of 80.

TOP_AREAS = 3


@dataclass(frozen=True)
class WorkshopColumn:
    workshop_id: int
    title: str
    date: object  # a date or None
    place: str
    table: Table  # all its discussions of the list; every participant weighs the same
    top_areas: list[Entry]  # its most +1'd shown missing areas, at most TOP_AREAS
    frozen: int  # its discussions left out: their data deleted, only the report kept


@dataclass(frozen=True)
class ComparisonRow:
    rec: Rec
    place: int  # in the combined ranking
    cells: list[Row | None]  # one per workshop; None for one without ballots


@dataclass(frozen=True)
class Comparison:
    recs: list[Rec]
    columns: list[WorkshopColumn]
    combined: Table  # every workshop weighing the same
    rows: list[ComparisonRow]  # in the combined order


def compare(workshops, recommendation_set) -> Comparison:
    """The workshops side by side on `recommendation_set`, counted from their
    discussions of that list (results.of each, so a few queries a discussion)."""
    recs = [
        Rec(number, title)
        for number, title in Recommendation.objects.filter(recommendation_set=recommendation_set)
        .order_by("number")
        .values_list("number", "title")
    ]
    numbers = [rec.number for rec in recs]
    columns, tallies, weights = [], [], []
    for workshop in workshops:
        discussions = workshop.discussions.filter(recommendation_set=recommendation_set).order_by(
            "created_at"
        )
        counted = [of(d) for d in discussions]
        frozen = sum(1 for res in counted if res.frozen_at is not None)
        own = [t.tally for res in counted for t in res.tables if t.ballots and t.tally]
        summary = ranking.summarise_tallies(numbers, own)
        participants = sum(res.room.participants for res in counted if res.frozen_at is None)
        areas = sorted(
            (entry for res in counted for entry in res.areas),
            key=lambda entry: -entry.endorsements,
        )
        columns.append(
            WorkshopColumn(
                workshop.pk,
                workshop.title,
                workshop.date,
                workshop.place,
                table(recs, summary, None, workshop.title, participants),
                areas[:TOP_AREAS],
                frozen,
            )
        )
        if summary.ballots:
            tallies += own
            weights += [Fraction(1, summary.ballots)] * len(own)
    combined_summary = ranking.summarise_tallies(numbers, tallies, weights)
    participants = sum(column.table.participants for column in columns)
    combined = table(recs, combined_summary, None, "", participants)
    rows = [
        ComparisonRow(
            row.rec,
            row.place,
            [c.table.row(row.rec.number) if c.table.ballots else None for c in columns],
        )
        for row in combined.rows
    ]
    return Comparison(recs, columns, combined, rows)

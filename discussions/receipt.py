"""A participant's receipt.

What a phone shows its participant once the results are revealed: its own ballot
beside its table's places and the room's, and what became of each entry it wrote.
Read off the kept Results (`people_by_pk`, `entries_by_author`: built once per count, then a
look-up per phone), so a hall's phones opening the results together count nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from discussions.results import Entry, Rec, Results


@dataclass(frozen=True)
class ReceiptLine:
    """One recommendation: the participant's place for it, its table's, the room's."""

    rec: Rec
    mine: int | None  # on the participant's ballot; None: left unranked
    table: int | None  # the table's place by the points, shared as every list shares it
    room: int | None
    table_shared: bool = False  # the place is shared with another recommendation
    room_shared: bool = False


@dataclass(frozen=True)
class Fate:
    """What became of an entry the participant wrote."""

    SHOWN = "shown"
    MERGED = "merged"
    HIDDEN = "hidden"

    kind: str  # "area" or "activity"
    text: str
    rec: Rec | None  # an activity's recommendation
    status: str  # SHOWN, MERGED (into `into`) or HIDDEN (by the facilitator)
    endorsements: int  # its +1s; merged: those of the entry it went into, its own with them
    into: str = ""  # merged: the text of the entry it went into


@dataclass(frozen=True)
class Receipt:
    table_name: str
    total: int  # recommendations in the list: "place 5 of 8"
    lines: list[ReceiptLine]  # the participant's ballot, then the rest in the room's order
    entries: list[Fate]  # the areas, then the activities, oldest first

    @property
    def first(self) -> ReceiptLine | None:
        """The participant's first choice, the line its sentences are about."""
        return self.lines[0] if self.lines and self.lines[0].mine == 1 else None

    @property
    def shared(self) -> bool:
        """Whether any place shown is shared (marked "=", which a note explains)."""
        return any(line.table_shared or line.room_shared for line in self.lines)

    @property
    def room_first(self) -> ReceiptLine | None:
        """The room's first place, when one recommendation holds it alone."""
        firsts = [line for line in self.lines if line.room == 1]
        return firsts[0] if len(firsts) == 1 else None


def of(counted: Results, participant_id: int) -> Receipt | None:
    """The receipt of one participant, from results already counted; None when the
    results do not know them (a frozen report keeps no people)."""
    person = counted.people_by_pk.get(participant_id)
    if person is None:
        return None
    room = {row.rec.number: row.place for row in counted.room.rows}
    own = counted.table(person.group_id)
    table = {row.rec.number: row.place for row in own.rows} if own and own.ballots else {}
    table_shared = own.tied_places if own else frozenset()
    mine = {rec.number: place for place, rec in enumerate(person.ballot, start=1)}
    order = [*person.ballot, *(row.rec for row in counted.room.rows if row.rec.number not in mine)]
    lines = [
        ReceiptLine(
            rec,
            mine.get(rec.number),
            table.get(rec.number),
            room.get(rec.number) if counted.room.ballots else None,
            table.get(rec.number) in table_shared,
            counted.room.ballots > 0 and room.get(rec.number) in counted.room.tied_places,
        )
        for rec in order
    ]
    return Receipt(
        own.name if own else "",
        len(counted.recs),
        lines,
        [
            _fate(entry, counted.entries_by_key)
            for entry in counted.entries_by_author.get(person.pk, [])
        ],
    )


def status(hidden: bool, target_hidden: bool | None) -> str:
    """What became of an entry, as its author is told everywhere (here, and on the
    step pages: phone_lists.py): HIDDEN by the facilitator, MERGED, or SHOWN.
    `target_hidden`: whether the entry it was merged into is hidden; None when it
    was not merged. Merges go one step (the facilitator's merge moves the followers
    along); an entry merged into one hidden since is hidden as far as its author can
    tell: nobody sees it."""
    if hidden or target_hidden:
        return Fate.HIDDEN
    return Fate.SHOWN if target_hidden is None else Fate.MERGED


def _fate(entry: Entry, by_pk: dict) -> Fate:
    """Shown, merged into which one, or hidden (`status`)."""
    merged = entry.merged_into_id is not None
    target = by_pk.get((entry.kind, entry.merged_into_id)) if merged else None
    fate = status(entry.hidden, None if target is None else target.hidden)
    if fate == Fate.HIDDEN:
        endorsements, into = 0, ""
    elif fate == Fate.MERGED:
        endorsements, into = target.endorsements, target.text
    else:
        endorsements, into = entry.endorsements, ""
    return Fate(entry.kind, entry.text, entry.rec, fate, endorsements, into)

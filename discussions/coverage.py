"""Coverage: the activities per recommendation and table.

Pure standard library, no Django: discussions/results.py feeds it a count's room,
tables and shown activities (`Results.coverage`), and every screen and file reads it
from there.

The workshop's third question asks for concrete activities under the
recommendations; the gap it exists to close is a recommendation nobody proposed
one for. The rule a cell counts by, as the screens say it in one sentence:

- An activity counts when the room sees it: a hidden one never does.
- A merge says two proposals were the same activity: the one kept counts once
  under its recommendation (the row's total), and once under every table it came
  from, its own and those of the duplicates merged into it (a hidden duplicate's
  not); two duplicates from one table count there once. So a table that proposed
  it keeps the credit after the merge, and a row's total, the activities under the
  recommendation, can be less than the sum of its cells. A table's total is the
  sum of its column: each activity has one recommendation.
- Rows in the room's order (the dashboard's and every file's; the projector keeps
  the list's order until the ranking is revealed, plenary.py), then any
  recommendation outside the list that an activity still names (the facilitator
  switched lists). Columns: every table, those without an activity too.
A frozen report kept its entries' table names only: they find their table by name
(names are unique within a discussion).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from discussions.results import Activities, Entry, Rec, Table


@dataclass(frozen=True)
class CoverageRow:
    rec: Rec
    place: int | None  # the room's; None for a recommendation no longer in the list
    counts: list[int]  # activities from each table, in Results.tables' order
    total: int  # the activities under it, each once

    @property
    def gap(self) -> bool:
        """A recommendation of the list that no table proposed an activity for."""
        return self.total == 0


@dataclass(frozen=True)
class Coverage:
    tables: list[Table]  # the columns, in the discussion's order
    rows: list[CoverageRow]
    table_totals: list[int]  # each table's activities (the sum of its column)
    total: int  # the activities the room sees, each once
    gaps: list[Rec]  # the list's recommendations without any activity, by number
    listed: int  # the recommendations of the list

    @property
    def gap_numbers(self) -> str:
        """The gaps' numbers as a sentence lists them: "2, 5, 7"."""
        return ", ".join(str(rec.number) for rec in self.gaps)

    @property
    def tables_without(self) -> list[str]:
        """The names of the tables someone sat at without any activity, in the
        discussion's order (a table nobody joined has nothing to say)."""
        return [
            t.name
            for t, n in zip(self.tables, self.table_totals, strict=True)
            if not n and t.participants
        ]

    @property
    def tables_without_text(self) -> str:
        return ", ".join(self.tables_without)

    @cached_property
    def seated(self) -> Coverage:
        """The same with only the tables someone joined: the report's columns, which
        leave out a table nobody sat at."""
        keep = [i for i, t in enumerate(self.tables) if t.participants]
        return replace(
            self,
            tables=[self.tables[i] for i in keep],
            rows=[replace(row, counts=[row.counts[i] for i in keep]) for row in self.rows],
            table_totals=[self.table_totals[i] for i in keep],
        )


def coverage(room: Table, tables: list[Table], activities: list[Activities]) -> Coverage:
    """The activities the room sees (`activities`, Results.activities) counted per
    recommendation and table, by the rule above."""
    by_id = {t.group_id: i for i, t in enumerate(tables)}
    by_name = {t.name: i for i, t in enumerate(tables)}

    def columns(entry: Entry) -> set[int]:
        found = set()
        for raised in [entry, *(e for e in entry.merged if not e.hidden)]:
            if raised.group_id is not None:
                column = by_id.get(raised.group_id)
            else:
                column = by_name.get(raised.group_name)
            if column is not None:
                found.add(column)
        return found

    places = {row.rec: row.place for row in room.rows}
    counts = {rec: [0] * len(tables) for rec in places}
    totals = Counter()
    for group in activities:
        cells = counts.setdefault(group.rec, [0] * len(tables))
        for entry in group.entries:
            totals[group.rec] += 1
            for column in columns(entry):
                cells[column] += 1
    rows = [CoverageRow(rec, places.get(rec), cells, totals[rec]) for rec, cells in counts.items()]
    return Coverage(
        tables=list(tables),
        rows=rows,
        table_totals=[sum(row.counts[i] for row in rows) for i in range(len(tables))],
        total=sum(totals.values()),
        gaps=sorted((row.rec for row in rows if row.gap), key=lambda rec: rec.number),
        listed=len(places),
    )

"""The plenary on the projector: the groups' words, a screenful at a time. No Django.

After the discussion the room talks about what the tables wrote: the missing areas,
the activities under their recommendation, and why people put the room's top
recommendations first. A projector does not scroll and its type must be read from
the back of the hall, so a list longer than a screen is cut into pages, which the
facilitator turns; no text is ever cut short.

How much fits on a page is estimated from the texts' lengths, in lines of the
projector's type. facilitator.css sizes that type by the screen's height (and its
width on a narrow one), so a line holds about as many characters at 1920 × 1080 as
at 1280 × 720: LINE_CHARS and PAGE_LINES hold at both, with room to spare.

The values read are a results.Results' (every number comes from there); this module
only chooses what goes on which page.
"""

import math
from dataclasses import dataclass
from itertools import zip_longest

AREAS = "areas"
ACTIVITIES = "activities"
REASONS = "reasons"
COVERAGE = "coverage"

LINE_CHARS = 72  # characters of an entry's text in one line (about 75 in Chromium)
TITLE_CHARS = 60  # of a recommendation's title, in its larger type (about 69)
PAGE_LINES = 15  # lines of an entry's text a page holds below its heading (about 16.8)
TABLES_LINES = 0.8  # the line under an entry naming its tables, in smaller type
GAP_LINES = 0.35  # between two entries
HEADING_LINES = 1.05  # a line of a recommendation's title
HEADING_GAP = 0.75  # above and below it
NONE_LINES = 0.95  # "no proposals yet" under a recommendation
MOST = {AREAS: 7, ACTIVITIES: 8, REASONS: 3}  # entries on one page: a few reasons at a time
# The coverage's tables (its columns) on one page: twelve columns of counts beside the
# recommendations' titles still read from the back row at 1280 × 720.
MOST[COVERAGE] = 12
TOP_PLACES = 3  # reasons are shown for the recommendations the room put at these places


@dataclass(frozen=True)
class Quote:
    """A reason as the projector shows it."""

    text: str
    table: str
    name: str  # "" unless the facilitator shows names and the writer gave one


@dataclass(frozen=True)
class Section:
    """A recommendation's entries on one page (rec None: the missing areas' one list)."""

    rec: object | None  # a results.Rec
    place: int | None  # the room's, when the ranking is shown; else None
    items: list  # results.Entry or Quote
    total: int  # the recommendation's entries on every page
    first: int  # the number of the first of them on this page, from 1

    @property
    def continued(self) -> bool:
        """Its first entries were on an earlier page."""
        return self.first > 1

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    sections: list[Section]


def lines(text: str, per_line: int) -> int:
    return max(1, math.ceil(len(text) / per_line))


def entry_lines(entry) -> float:
    """An entry or a quote: its text, and the line under it that names its tables."""
    return lines(entry.text, LINE_CHARS) + TABLES_LINES + GAP_LINES


def heading_lines(rec) -> float:
    return 0 if rec is None else lines(rec.title, TITLE_CHARS) * HEADING_LINES + HEADING_GAP


def paginate(sections, most: int, *, page_per_section=False, budget=PAGE_LINES) -> list[Page]:
    """(rec, place, items) in their order → pages of at most `most` items and about
    `budget` lines each. A recommendation's entries run on over as many pages as they
    need; its heading comes again on each. One entry longer than a page gets a page
    of its own. Never fewer than one page (an empty one says there is nothing yet)."""
    pages: list[list[Section]] = []
    page: list[Section] = []
    used, count = 0.0, 0

    def turn():
        nonlocal page, used, count
        pages.append(page)
        page, used, count = [], 0.0, 0

    for rec, place, items in sections:
        if page_per_section and page:
            turn()
        head = heading_lines(rec)
        if not items:
            if page and used + head + NONE_LINES > budget:
                turn()
            page.append(Section(rec, place, [], 0, 1))
            used += head + NONE_LINES
            continue
        chunk, first = [], 1
        for number, item in enumerate(items, start=1):
            cost = entry_lines(item) + (0 if chunk else head)
            if (page or chunk) and (used + cost > budget or count >= most):
                if chunk:
                    page.append(Section(rec, place, chunk, len(items), first))
                turn()
                chunk, first = [], number
                cost = entry_lines(item) + head
            chunk.append(item)
            used += cost
            count += 1
        page.append(Section(rec, place, chunk, len(items), first))
    if page or not pages:
        pages.append(page)
    return [Page(number, sections) for number, sections in enumerate(pages, start=1)]


def pages(view: str, results, *, ranked: bool, names: bool = False) -> list[Page]:
    """The pages of one of the plenary's views.

    `ranked`: the facilitator has revealed the ranking, so the views may follow the
    room's order (and say the places); until then activities come in the list's order
    and no reasons are shown, since choosing which to show would give the order away.
    `names`: the facilitator shows the names people gave beside their reasons.
    """
    if view == AREAS:
        return paginate([(None, None, results.areas)] if results.areas else [], MOST[AREAS])
    if view == ACTIVITIES:
        return paginate(activity_sections(results, ranked), MOST[ACTIVITIES])
    if view == REASONS:
        return paginate(
            reason_sections(results, names) if ranked else [], MOST[REASONS], page_per_section=True
        )
    if view == COVERAGE:
        return coverage_pages(results.coverage, ranked)
    raise ValueError(view)


@dataclass(frozen=True)
class CoveragePage:
    """Some of the tables' columns of results.coverage, every recommendation's row."""

    number: int  # from 1
    tables: list  # results.Table: this page's columns
    rows: list[tuple]  # (coverage.CoverageRow, its counts at this page's tables)
    totals: list[int]  # this page's tables' totals
    first: int  # the number of this page's first table, from 1
    of: int  # the tables on every page

    @property
    def last(self) -> int:
        return self.first + len(self.tables) - 1


def coverage_pages(coverage, ranked: bool, most: int = MOST[COVERAGE]) -> list[CoveragePage]:
    """The tables in pages of at most `most` columns, as even as they divide (40
    tables: four pages of ten, not three of twelve and one of four). `ranked`: rows
    in the room's order; until the ranking is revealed in the list's, which gives no
    order away (those outside the list come last either way)."""
    rows = coverage.rows
    if not ranked:
        listed = sorted((r for r in rows if r.place is not None), key=lambda r: r.rec.number)
        rows = listed + [r for r in rows if r.place is None]
    n = len(coverage.tables)
    count = max(1, math.ceil(n / most))
    size = math.ceil(n / count) if n else 0
    pages = []
    for number in range(1, count + 1):
        start = (number - 1) * size
        end = min(start + size, n)
        pages.append(
            CoveragePage(
                number,
                coverage.tables[start:end],
                [(row, row.counts[start:end]) for row in rows],
                coverage.table_totals[start:end],
                start + 1,
                n,
            )
        )
    return pages


def activity_sections(results, ranked: bool):
    """Every recommendation of the list, those without an activity too, in the room's
    order (or the list's); then any an activity names that the list no longer has."""
    by_rec = {group.rec: group.entries for group in results.activities}
    rows = results.room.rows if ranked else sorted(results.room.rows, key=lambda r: r.rec.number)
    listed = [(row.rec, row.place if ranked else None, by_rec.get(row.rec, [])) for row in rows]
    known = {row.rec for row in rows}
    outside = [
        (group.rec, None, group.entries) for group in results.activities if group.rec not in known
    ]
    return listed + outside


def reason_sections(results, names: bool):
    """The reasons of those who put one of the room's top recommendations first."""
    places = {row.rec: row.place for row in results.room.rows}
    sections = []
    for reasons in results.reasons:
        place = places.get(reasons.rec)
        if place is None or place > TOP_PLACES:
            continue
        quotes = [
            Quote(text, table, (name or "") if names else "")
            for (text, table), name in zip_longest(
                reasons.answers, reasons.names[: len(reasons.answers)]
            )
        ]
        sections.append((reasons.rec, place, quotes))
    return sections


def any_names(results) -> bool:
    """Whether anyone whose reason the projector may show gave a name."""
    return any(name for reasons in results.reasons for name in reasons.names)

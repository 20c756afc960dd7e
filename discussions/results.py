"""What a discussion's answers add up to, for the dashboard, the projector and the phones.

Everything is loaded with a fixed number of queries, whatever the number of
participants: one for the recommendations, one for the groups, one for all ballots,
one for the participants, one per kind of entry. The maths is `discussions.ranking`;
this module only feeds it ids and turns its numbers into rows a template can show.

Rankings are computed per group (every participant of the group counts once) and
overall, where either every participant or every group weighs the same: with
"each group equal" a ballot weighs 1 / (number of ballots in its group), so a table
of three counts as much as a table of twelve.

Hidden entries never reach the results, and an entry merged into another is shown
only as part of that one (its endorsements were moved there by the merge).
"""

import contextlib
import functools
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from fractions import Fraction
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection, connections
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from discussions import latest, ranking
from discussions.models import ActivityProposal, Discussion, MissingArea, Participant, Ranking
from discussions.services import ENDORSEMENT_MODELS

PARTICIPANT = "deltagare"
GROUP = "grupp"
WEIGHTINGS = {
    PARTICIPANT: _("Varje deltagare väger lika"),
    GROUP: _("Varje grupp väger lika"),
}

# The distribution of positions is drawn as a small SVG histogram this high.
HISTOGRAM_HEIGHT = 24
# Computed rankings are kept this long under the discussion's revision: after a
# reveal every phone asks for the same results at once, and all but the first get
# them without redoing the maths. A new revision is a new key, so nothing stale is
# ever served; the timeout only frees memory.
CACHE_SECONDS = 120


def parse_weighting(raw: str | None) -> str:
    return GROUP if raw == GROUP else PARTICIPANT


@dataclass(frozen=True)
class Bar:
    """One column of a position histogram: `count` ballots put the item at `position`."""

    position: int
    count: int
    x: int
    y: float
    height: float


@dataclass(frozen=True)
class Row:
    """One recommendation in one table. Numbers are floats, ready to format."""

    rec: object  # recommendations.models.Recommendation
    borda: float
    borda_step: int  # Borda points as a share of the maximum, rounded to 5 %: a CSS class
    mean_rank: float | None
    first_places: float
    schulze_position: int
    kemeny_position: int | None  # None when the list is too long for exact Kemeny
    position_counts: list[int]  # as ranking.summarise: positions 1..n, then "unranked"
    peak: int  # the highest count of the row's table, to which every bar is scaled

    @functools.cached_property
    def bars(self) -> list[Bar]:
        """Positions 1..n. Drawn only for the tables shown: the dashboard's matrix
        reads every group's rows, but a closed group's histograms are never drawn."""
        return _bars(self.position_counts, self.peak)

    @property
    def unranked(self) -> int:
        return self.position_counts[-1]

    @property
    def histogram_width(self) -> int:
        return 10 * len(self.bars)

    @property
    def histogram_title(self) -> str:
        """The histogram's text ("plats 1: 4, …, ej rangordnad: 2"), built once per row:
        a translation tag per bar was a large share of the dashboard's render time."""
        # Outside the f-strings, where makemessages can see them.
        place, unranked = gettext("plats %(n)s"), gettext("ej rangordnad")
        parts = [f"{place % {'n': bar.position}}: {bar.count}" for bar in self.bars]
        return ", ".join([*parts, f"{unranked}: {self.unranked}"])


@dataclass(frozen=True)
class Table:
    """The ranking of one set of ballots: a group's, or everybody's."""

    group: object | None  # discussions.models.Group, None for the overall table
    ballots: int
    agreement: float | None  # Kendall's W
    rows: list[Row]  # in Schulze order
    kemeny: list  # recommendations in Kemeny order; empty beyond ranking.MAX_KEMENY_ITEMS
    tally: ranking.Tally | None = None  # a group's counts, which the overall table sums

    def top(self, k: int = 3) -> list[Row]:
        return self.rows[:k] if self.ballots else []

    def row_for(self, rec_id: int) -> Row:
        return next(row for row in self.rows if row.rec.pk == rec_id)


@dataclass(frozen=True)
class MatrixRow:
    """One recommendation across the groups: where each group put it."""

    rec: object
    overall_position: int
    cells: list[Row | None]  # one per group, None for a group without ballots
    spread: int | None  # highest minus lowest Schulze position among the groups


@dataclass(frozen=True)
class Rankings:
    weighting: str
    recs: list  # in the set's order
    overall: Table
    groups: list[Table]  # in the discussion's group order, also those without ballots
    matrix: list[MatrixRow] = field(default_factory=list)  # in the overall Schulze order
    # participant id -> the recommendation they ranked first, for everyone who ranked
    firsts: dict[int, int] = field(default_factory=dict)

    def for_group(self, group_id: int) -> Table | None:
        return next((t for t in self.groups if t.group.pk == group_id), None)


# --- Loading ------------------------------------------------------------------------


def _load(discussion: Discussion):
    """Recommendations, groups, ballots {group id: [(rec id, ...), ...]} and each
    ranker's first choice {participant id: rec id}: three queries."""
    recs = list(discussion.recommendation_set.recommendations.order_by("number"))
    groups = list(discussion.groups.all())
    known = {rec.pk for rec in recs}
    ballots: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    firsts = {}
    for participant_id, group_id, ranked in _ballot_rows(discussion):
        # A ranking left over from before the facilitator changed the recommendation
        # set means nothing in this one; skipping it keeps summarise's input valid.
        if not known.issuperset(ranked):
            ranked = [rec_id for rec_id in ranked if rec_id in known]
        if ranked:
            ballots[group_id].append(tuple(ranked))  # tuples: a group's ballots are a key
            firsts[participant_id] = ranked[0]
    return recs, groups, ballots, firsts


def _ballot_rows(discussion: Discussion) -> list[tuple[int, int, list[int]]]:
    """(participant id, group id, recommendation ids best first) of every ballot of
    the hall, by participant. Through a cursor, as the ORM's row handling took
    longer than the query; on PostgreSQL a ballot is one row, its ids an array, a
    third of the rows (SQLite cannot order what it aggregates)."""
    aggregated = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(_ballots_sql(aggregated), [discussion.pk])
        rows = cursor.fetchall()
    if aggregated:
        return rows
    return [
        (participant_id, group_id, [rec_id for _, _, rec_id in ranked])
        for (participant_id, group_id), ranked in groupby(rows, itemgetter(0, 1))
    ]


@functools.cache
def _ballots_sql(aggregated: bool) -> str:
    rankings, participants = Ranking._meta.db_table, Participant._meta.db_table
    joined = (
        f" FROM {rankings} r JOIN {participants} p ON p.id = r.participant_id"
        f" WHERE p.discussion_id = %s"
    )
    if aggregated:
        return (
            f"SELECT r.participant_id, p.group_id,"
            f" array_agg(r.recommendation_id ORDER BY r.position){joined}"
            f" GROUP BY r.participant_id, p.group_id ORDER BY r.participant_id"
        )
    return (
        f"SELECT r.participant_id, p.group_id, r.recommendation_id{joined}"
        f" ORDER BY r.participant_id, r.position"
    )


# --- Turning a Summary into rows ------------------------------------------------------


def _bars(counts: list[int], peak: int) -> list[Bar]:
    """Columns for positions 1..n, all scaled to the same peak so rows compare.

    "Unranked" gets no column: with top-3 ballots it dwarfs the rest; its count
    goes into the histogram's text instead.
    """
    bars = []
    for index, count in enumerate(counts[:-1]):
        height = round(HISTOGRAM_HEIGHT * count / peak, 1) if peak else 0
        bars.append(
            Bar(
                position=index + 1,
                count=count,
                x=index * 10,
                y=round(HISTOGRAM_HEIGHT - height, 1),
                height=height,
            )
        )
    return bars


def _group_table(recs, ballots, before: Table | None = None, ballots_before=()) -> Table:
    """A group's table; `before`, its table of `ballots_before`, saves counting
    again the ballots that are the same."""
    items = [rec.pk for rec in recs]
    new, old = Counter(ballots), Counter(ballots_before)
    added, removed = list((new - old).elements()), list((old - new).elements())
    if before is not None and len(added) + len(removed) < len(ballots):
        tally = ranking.retally(before.tally, removed, added)
    else:
        tally = ranking.tally(items, ballots)
    return _table(None, recs, ranking.summarise_tallies(items, [tally]), tally)


def _table(group, recs, summary: ranking.Summary, tally=None) -> Table:
    by_id = {rec.pk: rec for rec in recs}
    # Everybody ranking an item first gives it weight * (n - 1) points.
    most = float(summary.weight) * (len(recs) - 1)
    peak = max((c for r in summary.rows for c in r.position_counts[:-1]), default=0)
    rows = [
        Row(
            rec=by_id[r.item],
            borda=float(r.borda),
            borda_step=round(20 * float(r.borda) / most) * 5 if most else 0,
            mean_rank=None if r.mean_rank is None else float(r.mean_rank),
            first_places=float(r.first_places),
            schulze_position=r.schulze_position,
            kemeny_position=r.kemeny_position,
            position_counts=r.position_counts,
            peak=peak,
        )
        for r in summary.rows
    ]
    return Table(
        group=group,
        ballots=summary.ballots,
        agreement=summary.w,
        rows=rows,
        kemeny=[by_id[item] for item in summary.kemeny],
        tally=tally,
    )


def compute_rankings(discussion: Discussion, weighting: str = PARTICIPANT) -> Rankings:
    """Overall and per-group tables; three queries, whatever the number of ballots."""
    recs, groups, ballots, firsts = _load(discussion)
    tables = _group_tables(discussion, recs, groups, ballots)
    # The groups' counts add up to the hall's: no second pass over every ballot.
    # Exact fractions, so that equal groups tie exactly (see ranking.py).
    counted = [table for table in tables if table.ballots]
    weights = [Fraction(1, table.ballots) for table in counted] if weighting == GROUP else None
    summary = ranking.summarise_tallies(
        [rec.pk for rec in recs], [table.tally for table in counted], weights
    )
    overall = _table(None, recs, summary)
    return Rankings(
        weighting=weighting,
        recs=recs,
        overall=overall,
        groups=tables,
        matrix=_matrix(overall, tables),
        firsts=firsts,
    )


def _group_tables(discussion, recs, groups, ballots) -> list[Table]:
    """Each group's table, reused from this process's last computation while the
    group's ballots stay the same.

    In a full hall some table gets a new ballot every second, but most of what the
    phones write is not a ballot (whys, entries, +1s): keyed by the ballots rather
    than by the group's revision, a redraw recomputes only the tables with a new
    ballot (after two busy seconds 11 of 40, where the revisions said 28), and
    counts only the ballots that changed. Not in the shared cache: pickling forty
    tables on every redraw cost more than computing the few that changed.
    """
    # The rows hold the recommendations, so what is shown of them is in the key too.
    where = (
        discussion.pk,
        discussion.created_at.timestamp(),
        tuple((rec.pk, rec.number, rec.title) for rec in recs),
    )
    before = _kept_tables.get(where) or _Kept({}, {})
    now = _Kept({}, {})
    tables = []
    for group in groups:
        mine = tuple(ballots.get(group.pk, ()))
        table = now.tables.get(mine) or before.tables.get(mine)
        if table is None:
            was = before.ballots.get(group.pk, ())
            table = _group_table(recs, mine, before.tables.get(was), was)
        now.tables[mine] = table
        now.ballots[group.pk] = mine
        # The group as loaded now: its name or revision may have changed.
        tables.append(replace(table, group=group))
    _keep(_kept_tables, {where: now}, MAX_KEPT_DISCUSSIONS)
    return tables


@dataclass
class _Kept:
    """A discussion's group tables of the last computation, by their ballots, and
    each group's ballots then."""

    tables: dict[tuple, Table]
    ballots: dict[int, tuple]


def _matrix(overall: Table, tables: list[Table]) -> list[MatrixRow]:
    matrix = []
    for row in overall.rows:
        cells = [t.row_for(row.rec.pk) if t.ballots else None for t in tables]
        positions = [cell.schulze_position for cell in cells if cell is not None]
        matrix.append(
            MatrixRow(
                rec=row.rec,
                overall_position=row.schulze_position,
                cells=cells,
                spread=max(positions) - min(positions) if len(positions) > 1 else None,
            )
        )
    return matrix


def rankings(discussion: Discussion, weighting: str = PARTICIPANT) -> Rankings:
    """compute_rankings, kept in the cache under the discussion's live revision.

    The revision is read before the answers are (here, or by the caller who
    annotated `live_revision`): a write that lands in between then shows up one poll
    later, never the other way round.
    """
    weighting = parse_weighting(weighting)
    revision = getattr(discussion, "live_revision", None)
    if revision is None:
        revision = discussion.get_live_revision()
    # created_at as well as pk: a test database may hand out a deleted row's id again.
    key = f"gf:rankings:{discussion.pk}:{discussion.created_at.timestamp()}:{revision}:{weighting}"
    # Shared with the other app servers only once the phones and the projector ask
    # for it, after the reveal; before that only the dashboard reads it, and pickling
    # 200 kB (and the groups' tables) on each busy redraw was a tenth of its time.
    shared = discussion.results_revealed
    result = _kept_rankings.get(key) or (cache.get(key) if shared else None)
    if result is None:
        result = compute_rankings(discussion, weighting)
        if shared:
            cache.set(key, result, CACHE_SECONDS)
    _keep(_kept_rankings, {key: result}, MAX_KEPT_RANKINGS)
    return result


# This process's copies: of the rankings by the shared cache's key, which names one
# revision, so a copy is right for as long as it is asked for (unpickling 300 kB of
# them took 14 ms on every phone that showed the results); of the groups' tables by
# their ballots (see _group_tables).
MAX_KEPT_RANKINGS = 4  # a discussion's two weightings, and another discussion's
MAX_KEPT_DISCUSSIONS = 8  # each with its groups' tables of the last computation
_kept_rankings: dict[str, Rankings] = {}
_kept_tables: dict[tuple, _Kept] = {}


def forget_kept() -> None:
    _kept_rankings.clear()
    _kept_tables.clear()
    _boards.forget()


def counting() -> bool:
    """Whether newest_dashboard's thread is counting (the tests wait for it)."""
    return _boards.busy()


def stop_background() -> None:
    """End newest_dashboard's thread and close its database connection (the tests
    do, before their database is dropped)."""
    _boards.stop(last=connections.close_all)


def _keep(kept: dict, new: dict, limit: int) -> None:
    if len(kept.keys() | new.keys()) > limit:  # a bound, not an LRU: old keys go at once
        kept.clear()
    kept.update(new)


@dataclass(frozen=True)
class PhoneResults:
    overall: Table
    group: Table | None  # None when the group is not (or no longer) in the discussion


def for_phone(discussion: Discussion, group_id: int) -> PhoneResults:
    """The overall result (each participant equal) and the given group's, for a phone.

    Call it only once the facilitator has revealed the results
    (`discussion.results_revealed`); this function does not check.
    """
    result = rankings(discussion, PARTICIPANT)
    return PhoneResults(overall=result.overall, group=result.for_group(group_id))


# --- The dashboard: rankings plus everything people wrote ---------------------------


class Entry:
    """A missing area or an activity with the fields the dashboard uses.

    A plain slotted record rather than a model instance: a conference writes
    thousands of entries and the live dashboard reads them all every redraw.
    """

    __slots__ = (
        "author_id",
        "group_id",
        "hidden",
        "merged_into_id",
        "n_endorsements",
        "pk",
        "recommendation_id",
        "text",
    )

    def __init__(self, row):
        (
            self.pk,
            self.text,
            self.group_id,
            self.author_id,
            hidden,
            self.merged_into_id,
            self.recommendation_id,
            self.n_endorsements,
        ) = row
        self.hidden = bool(hidden)  # SQLite answers 0 or 1


# Not frozen: a frozen dataclass sets each field through object.__setattr__, and
# the dashboard makes one of these per entry on every redraw.
@dataclass(slots=True)
class EntryRow:
    kind: str  # "area" or "activity", as in the URLs
    entry: Entry
    group_name: str
    endorsements: int
    merged: list  # the entries merged into this one, oldest first


@dataclass(frozen=True)
class WhyGroup:
    rec: object | None  # None: people who wrote why but ranked nothing
    answers: list[tuple[str, str]]  # (text, group name)


@dataclass(frozen=True)
class Participation:
    group: object
    joined: int
    ranked: int
    wrote: int  # a why, a missing area or an activity (hidden ones too: they wrote it)


class Shown(list):
    """The first rows of a list, and how many rows the whole list has."""

    def __init__(self, rows, total: int):
        super().__init__(rows)
        self.total = total


@dataclass(frozen=True)
class Activities:
    rec: object
    entries: Shown


@dataclass(frozen=True)
class Dashboard:
    rankings: Rankings
    participation: list[Participation]
    totals: Participation
    whys: list[WhyGroup]
    areas: Shown
    activities: list[Activities]
    hidden: list[EntryRow]  # both kinds, for restoring


@dataclass
class _Entries:
    """One kind of entry as the dashboard reads it: the query's rows, made into
    records only for the rows shown."""

    kind: str  # "area" or "activity", as in the URLs
    group_names: dict[int, str]
    visible: list[tuple]  # most endorsed first
    hidden: list[tuple]
    merged: dict[int, list[Entry]]  # by the id of the entry they were merged into
    authors: set[int]  # of every entry, hidden and merged ones too

    def rows(self, raw: list[tuple]) -> list[EntryRow]:
        rows = []
        for row in raw:
            entry = Entry(row)
            name = self.group_names.get(entry.group_id, "")
            merged = self.merged.get(entry.pk, [])
            rows.append(EntryRow(self.kind, entry, name, entry.n_endorsements, merged))
        return rows

    def shown(self, raw: list[tuple], limit: int | None) -> Shown:
        return Shown(self.rows(raw[:limit]), len(raw))


# Where Entry finds these fields in a row of _entries_sql.
_AUTHOR, _HIDDEN, _MERGED_INTO, _RECOMMENDATION, _ENDORSEMENTS = 3, 4, 5, 6, 7


def _entries(model, kind, discussion, group_names) -> _Entries:
    """All entries of one kind with their endorsement counts: one query.

    Through a cursor rather than the ORM, and kept as the cursor's rows until they
    are shown: a conference writes thousands of entries, the dashboard shows the
    first LIST_LIMIT of each list, and a record for every one on every redraw was
    a tenth of its time.
    """
    with connection.cursor() as cursor:
        cursor.execute(_entries_sql(model), [discussion.pk, discussion.pk])
        rows = cursor.fetchall()  # oldest first
    visible, hidden, merged = [], [], defaultdict(list)
    for row in rows:
        if row[_MERGED_INTO] is not None:
            merged[row[_MERGED_INTO]].append(Entry(row))
        elif row[_HIDDEN]:
            hidden.append(row)
        else:
            visible.append(row)
    # Most endorsed first; among equals the oldest (a stable sort, reversed too), so
    # the list does not jump about.
    visible.sort(key=itemgetter(_ENDORSEMENTS), reverse=True)
    authors = {row[_AUTHOR] for row in rows}
    return _Entries(kind, group_names, visible, hidden, merged, authors)


@functools.cache
def _entries_sql(model) -> str:
    entries = model._meta.db_table
    endorsements = ENDORSEMENT_MODELS[model]._meta.db_table
    recommendation = "e.recommendation_id" if model is ActivityProposal else "NULL"
    # The counts in one grouped pass joined on, rather than a subquery per entry:
    # half the database time with thousands of entries.
    return (
        f"SELECT e.id, e.text, e.group_id, e.author_id, e.hidden, e.merged_into_id,"
        f" {recommendation}, COALESCE(c.n, 0)"
        f" FROM {entries} e LEFT JOIN ("
        f"SELECT x.entry_id, COUNT(*) AS n FROM {endorsements} x"
        f" JOIN {entries} y ON y.id = x.entry_id WHERE y.discussion_id = %s GROUP BY x.entry_id"
        f") c ON c.entry_id = e.id"
        f" WHERE e.discussion_id = %s ORDER BY e.created_at, e.id"
    )


def dashboard(
    discussion: Discussion, weighting: str = PARTICIPANT, limit: int | None = None
) -> Dashboard:
    """Everything the facilitator's dashboard shows: three queries besides the rankings'
    three (none while they are cached), whatever the crowd. `limit`: how many rows
    of each list of entries to show (None: all); the hidden ones are all shown."""
    result = rankings(discussion, weighting)
    recs_by_id = {rec.pk: rec for rec in result.recs}
    groups = [table.group for table in result.groups]
    group_names = {group.pk: group.name for group in groups}

    participants = list(
        Participant.objects.filter(discussion=discussion)
        .order_by("created_at", "pk")
        .values_list("pk", "group_id", "why")
    )
    # The rankings already read every ballot: their first choices are free.
    firsts = result.firsts
    areas = _entries(MissingArea, "area", discussion, group_names)
    activities = _entries(ActivityProposal, "activity", discussion, group_names)
    wrote = areas.authors | activities.authors
    ranked_ids = set(firsts)
    joined, ranked, writers = defaultdict(int), defaultdict(int), defaultdict(int)
    whys: dict[int | None, list[tuple[str, str]]] = defaultdict(list)
    for pk, group_id, why in participants:
        joined[group_id] += 1
        ranked[group_id] += pk in ranked_ids
        writers[group_id] += bool(why) or pk in wrote
        if why:
            first = firsts.get(pk)
            whys[first if first in recs_by_id else None].append((why, group_names.get(group_id)))
    participation = [
        Participation(group, joined[group.pk], ranked[group.pk], writers[group.pk])
        for group in groups
    ]
    totals = Participation(
        None,
        sum(p.joined for p in participation),
        sum(p.ranked for p in participation),
        sum(p.wrote for p in participation),
    )
    why_groups = [
        WhyGroup(row.rec, whys[row.rec.pk]) for row in result.overall.rows if whys[row.rec.pk]
    ]
    if whys[None]:
        why_groups.append(WhyGroup(None, whys[None]))

    # One pass over the activities, not one per recommendation: thousands of them.
    by_rec = defaultdict(list)
    for row in activities.visible:
        by_rec[row[_RECOMMENDATION]].append(row)
    return Dashboard(
        rankings=result,
        participation=participation,
        totals=totals,
        whys=why_groups,
        areas=areas.shown(areas.visible, limit),
        activities=[
            Activities(rec, activities.shown(by_rec[rec.pk], limit))
            for rec in result.recs
            if by_rec[rec.pk]
        ],
        hidden=[*areas.rows(areas.hidden), *activities.rows(activities.hidden)],
    )


# The dashboards this process computed last, one per discussion and way of showing it.
_boards = latest.Latest(limit=MAX_KEPT_RANKINGS)


def newest_dashboard(
    discussion: Discussion,
    weighting: str = PARTICIPANT,
    limit: int | None = None,
    *,
    shown: int = -1,
    wait: float | None = None,
    fresh_enough: float = 0.0,
) -> latest.Done | None:
    """dashboard() at the discussion's live revision or later, as a latest.Done
    (its revision, the Dashboard, its age), computed in this process's background
    thread (settings.DASHBOARD_IN_BACKGROUND).

    `wait`: how long to wait for it (None: as long as it takes). When it is not
    ready by then, the newest dashboard finished before, if newer than `shown` (the
    revision the caller's screen shows), else None: nothing new to show yet. One
    newer than `shown` and at most `fresh_enough` seconds old is taken at once.
    """
    weighting = parse_weighting(weighting)
    current = getattr(discussion, "live_revision", None)
    if current is None:
        current = discussion.get_live_revision()
    if not settings.DASHBOARD_IN_BACKGROUND:
        return latest.Done(current, dashboard(discussion, weighting, limit), time.monotonic())
    pk = discussion.pk

    def compute():
        # This thread's own connection: closed when broken or past CONN_MAX_AGE,
        # as Django does around each request.
        close_old_connections()
        try:
            fresh = Discussion.with_live_revision(
                Discussion.objects.select_related("recommendation_set")
            ).get(pk=pk)
            return fresh.live_revision, dashboard(fresh, weighting, limit)
        finally:
            close_old_connections()

    # created_at as well as pk: a test database may hand out a deleted row's id again.
    key = (pk, discussion.created_at.timestamp(), weighting, limit)
    return _boards.get(
        key, compute, current=current, shown=shown, wait=wait, fresh_enough=fresh_enough
    )


def start_dashboard(discussion: Discussion, weighting: str, limit: int | None) -> None:
    """Start newest_dashboard's count in the background for a poll to come (none
    when the requests count for themselves)."""
    if settings.DASHBOARD_IN_BACKGROUND:
        # Deleted by another member meanwhile: nothing to count, nobody to tell.
        with contextlib.suppress(Discussion.DoesNotExist):
            newest_dashboard(discussion, weighting, limit, wait=0)

"""After the workshop: every result as XLSX, CSV (a ZIP) or JSON, the printable report,
and deleting what people left behind.

Loading
-------
`load(workshop)` reads a whole workshop in eight queries, whatever the number of
discussions, groups, participants or texts, inside one transaction: an export taken
while a discussion runs is a consistent picture of one moment (PostgreSQL is asked
for a repeatable-read snapshot; SQLite's read transaction is one already).

From there everything is plain Python: `results` aggregates the ballots with
discussions/ranking.py, `sheets` lays out the tables shared by XLSX and CSV,
`document` builds the JSON (its schema is docs/export-schema.json, described in
docs/export-schema.md) and `report` what the printable page shows.

Deleting
--------
`delete_participant_data` removes participants, rankings, texts and +1s but first
freezes each discussion's report in a ReportSnapshot; from then on the report and
the summary sheets come from that snapshot. `delete_workshop` removes everything.

Spreadsheet safety
------------------
A spreadsheet runs a cell that starts with = + - or @ as a formula (and some strip a
leading tab or carriage return first), so such text gets an apostrophe in front,
OWASP's advice for CSV injection, and is always stored as text. Characters XML cannot
hold are dropped from XLSX cells instead of failing the whole export.
"""

import csv
import io
import json
import zipfile
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from functools import cached_property

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from discussions import ranking, timer
from discussions.models import (
    ActivityEndorsement,
    ActivityProposal,
    Discussion,
    Group,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
    Ranking,
    ReportSnapshot,
    Workshop,
)
from discussions.services import Refused
from recommendations.models import Recommendation

SCHEMA_VERSION = 1
FORMATS = {
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("zip", "application/zip"),
    "json": ("json", "application/json"),
}
# Scores are exact fractions in ranking.py; files get them rounded to this many
# decimals, plenty to tell two items apart and short enough to read.
DECIMALS = 4
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Column widths in characters: wide enough for a title, never a screen wide.
MIN_WIDTH, MAX_WIDTH = 6, 60
BUSY = (timer.State.RUNNING, timer.State.PAUSED)


# --- Loading ------------------------------------------------------------------------


@dataclass(slots=True)
class Person:
    pk: int
    group_id: int
    public_id: str
    name: str
    why: str
    ranked_at: datetime | None
    created_at: datetime
    ballot: list[int] = field(default_factory=list)  # recommendation ids, best first


@dataclass(slots=True)
class Entry:
    pk: int
    group_id: int
    author_id: int
    text: str
    hidden: bool
    merged_into_id: int | None
    endorsements: int
    created_at: datetime
    rec_number: int | None = None  # activities only
    rec_title: str = ""


@dataclass
class DiscussionData:
    discussion: Discussion
    recs: list[Recommendation]  # the discussion's list, in number order
    groups: list[Group]  # in the discussion's order
    people: list[Person]  # in the order they joined
    areas: list[Entry]  # oldest first
    activities: list[Entry]
    snapshot: ReportSnapshot | None

    @cached_property
    def live_results(self) -> dict:
        return results(self)

    @cached_property
    def _live_results_by_participant(self) -> dict:
        return results(self, group_weighting=False)

    def results(self, group_weighting: bool = True) -> dict:
        """The rankings the report and the summary sheets show: the snapshot's once
        participant data was deleted, otherwise computed from the answers now.

        Each table costs about 0.1 ms per ballot, so a caller that never shows the
        group-weighted overall table (the XLSX and CSV, the default report) passes
        group_weighting=False and its result has no "overall_by_group".
        """
        if self.snapshot is not None:
            return self.snapshot.data["results"]
        if group_weighting or "live_results" in self.__dict__:
            return self.live_results
        return self._live_results_by_participant

    @property
    def texts(self) -> dict:
        if self.snapshot is not None:
            return self.snapshot.data["kept_texts"]
        return kept_texts(self)

    @cached_property
    def group_names(self) -> dict[int, str]:
        return {group.pk: group.name for group in self.groups}

    @cached_property
    def recs_by_id(self) -> dict[int, Recommendation]:
        return {rec.pk: rec for rec in self.recs}

    @cached_property
    def people_by_pk(self) -> dict[int, Person]:
        return {person.pk: person for person in self.people}


@dataclass
class WorkshopData:
    workshop: Workshop
    discussions: list[DiscussionData]
    loaded_at: datetime


@contextmanager
def _consistent_read():
    """A transaction whose reads all see one moment, even while phones keep writing."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        # Must be the transaction's first statement, so only when we opened it (a
        # caller's transaction, or a test case's, has already decided its isolation).
        if not outer and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def load(workshop: Workshop) -> WorkshopData:
    """Everything about a workshop, in eight queries."""
    loaded_at = timezone.now()
    with _consistent_read():
        discussions = list(
            workshop.discussions.select_related("recommendation_set").order_by("created_at", "pk")
        )
        ids = [d.pk for d in discussions]
        recs = defaultdict(list)
        for rec in Recommendation.objects.filter(
            recommendation_set_id__in={d.recommendation_set_id for d in discussions}
        ).order_by("number"):
            recs[rec.recommendation_set_id].append(rec)
        groups = defaultdict(list)
        for group in Group.objects.filter(discussion_id__in=ids).order_by(
            "discussion_id", "position", "pk"
        ):
            groups[group.discussion_id].append(group)

        people: dict[int, Person] = {}
        by_discussion = defaultdict(list)
        rows = (
            Participant.objects.filter(discussion_id__in=ids)
            .order_by("discussion_id", "created_at", "pk")
            .values_list(
                "pk",
                "discussion_id",
                "group_id",
                "public_id",
                "display_name",
                "why",
                "ranked_at",
                "created_at",
            )
        )
        for pk, discussion_id, group_id, public_id, name, why, ranked_at, created in rows.iterator(
            chunk_size=2000
        ):
            person = Person(pk, group_id, public_id, name, why, ranked_at, created)
            people[pk] = person
            by_discussion[discussion_id].append(person)
        rankings = (
            Ranking.objects.filter(participant__discussion_id__in=ids)
            .order_by("participant_id", "position")
            .values_list("participant_id", "recommendation_id")
        )
        for participant_id, rec_id in rankings.iterator(chunk_size=5000):
            person = people.get(participant_id)
            if person is not None:
                person.ballot.append(rec_id)

        areas = _entries(MissingArea, ids)
        activities = _entries(ActivityProposal, ids)
        snapshots = {
            s.discussion_id: s for s in ReportSnapshot.objects.filter(discussion_id__in=ids)
        }

    return WorkshopData(
        workshop=workshop,
        discussions=[
            DiscussionData(
                discussion=d,
                recs=recs[d.recommendation_set_id],
                groups=groups[d.pk],
                people=by_discussion[d.pk],
                areas=areas[d.pk],
                activities=activities[d.pk],
                snapshot=snapshots.get(d.pk),
            )
            for d in discussions
        ],
        loaded_at=loaded_at,
    )


def _entries(model, discussion_ids) -> dict[int, list[Entry]]:
    """One kind of entry for all discussions, with its +1 count: one query."""
    fields = [
        "pk",
        "group_id",
        "author_id",
        "text",
        "hidden",
        "merged_into_id",
        "n_endorsements",
        "created_at",
    ]
    if model is ActivityProposal:
        # A join rather than a lookup in the discussion's list: the activity keeps its
        # recommendation even if the facilitator later switched lists.
        fields += ["recommendation__number", "recommendation__title"]
    rows = (
        model.objects.filter(discussion_id__in=discussion_ids)
        .annotate(n_endorsements=Count("endorsements"))
        .order_by("discussion_id", "created_at", "pk")
        .values_list("discussion_id", *fields)
    )
    entries = defaultdict(list)
    for discussion_id, *values in rows:
        entries[discussion_id].append(Entry(*values))
    return entries


# --- Aggregation --------------------------------------------------------------------


def _number(value):
    """An exact number (int or Fraction) as a JSON number: an int when whole, else rounded."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return round(float(value), DECIMALS)


def _table(recs, ballots, weights=None) -> dict:
    by_id = {rec.pk: rec for rec in recs}
    summary = ranking.summarise(list(by_id), ballots, weights)
    return {
        "ballots": summary.ballots,
        "weight": _number(summary.weight),
        "kendalls_w": None if summary.w is None else round(summary.w, DECIMALS),
        "rows": [
            {
                "recommendation": by_id[row.item].number,
                "title": by_id[row.item].title,
                "schulze_position": row.schulze_position,
                "kemeny_position": row.kemeny_position,
                "borda": _number(row.borda),
                "mean_rank": _number(row.mean_rank),
                "first_places": _number(row.first_places),
                "position_counts": row.position_counts,
            }
            for row in summary.rows
        ],
    }


def results(data: DiscussionData, group_weighting: bool = True) -> dict:
    """Overall (each participant equal, and each group equal) and per-group rankings.

    With group_weighting=False the "each group equal" table is left out.
    """
    known = set(data.recs_by_id)
    joined = Counter()
    ballots = defaultdict(list)
    for person in data.people:
        joined[person.group_id] += 1
        # A ranking left from before the facilitator switched lists means nothing in
        # this one (as in discussions/results.py); an empty ballot counts nowhere.
        ballot = [rec_id for rec_id in person.ballot if rec_id in known]
        if ballot:
            ballots[person.group_id].append(ballot)
    everyone, weights = [], []
    for group in data.groups:
        mine = ballots.get(group.pk, [])
        everyone.extend(mine)
        if mine:
            # Exact fractions, so that equal groups tie exactly (see ranking.py).
            weights.extend([Fraction(1, len(mine))] * len(mine))
    tables = {"overall": _table(data.recs, everyone)}
    if group_weighting:
        tables["overall_by_group"] = _table(data.recs, everyone, weights)
    return {
        "participants": len(data.people),
        "ballots": len(everyone),
        **tables,
        "groups": [
            {
                "group": group.pk,
                "name": group.name,
                "participants": joined[group.pk],
                **_table(data.recs, ballots.get(group.pk, [])),
            }
            for group in data.groups
        ],
    }


def kept_texts(data: DiscussionData) -> dict:
    """The texts as the report shows them: no hidden or merged-away entry, no author.

    Missing areas and activities come most endorsed first, the oldest first among
    equals; why answers in the order people joined.
    """
    first_numbers = {}
    for person in data.people:
        ranked = [r for r in person.ballot if r in data.recs_by_id]
        first_numbers[person.pk] = data.recs_by_id[ranked[0]].number if ranked else None

    def shown(entries):
        merged = Counter(e.merged_into_id for e in entries if e.merged_into_id is not None)
        visible = [e for e in entries if not e.hidden and e.merged_into_id is None]
        visible.sort(key=lambda e: -e.endorsements)  # stable: the oldest first among equals
        return [(e, merged[e.pk]) for e in visible]

    return {
        "whys": [
            {
                "recommendation": first_numbers[p.pk],
                "group": data.group_names.get(p.group_id, ""),
                "text": p.why,
            }
            for p in data.people
            if p.why
        ],
        "missing_areas": [
            {
                "group": data.group_names.get(e.group_id, ""),
                "text": e.text,
                "endorsements": e.endorsements,
                "merged": merged,
            }
            for e, merged in shown(data.areas)
        ],
        "activities": [
            {
                "recommendation": e.rec_number,
                "title": e.rec_title,
                "group": data.group_names.get(e.group_id, ""),
                "text": e.text,
                "endorsements": e.endorsements,
                "merged": merged,
            }
            for e, merged in shown(data.activities)
        ],
    }


# --- Tables for XLSX and CSV --------------------------------------------------------


@dataclass
class Table:
    filename: str  # inside the CSV ZIP
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # str, int, float, bool or None


@dataclass
class Sheet:
    name: str
    tables: list[Table]  # one, or a few one under the other

    def widths(self) -> list[float]:
        widest: dict[int, int] = defaultdict(int)
        for table in self.tables:
            for row in [table.headers, *table.rows]:
                for i, value in enumerate(row):
                    if value is not None:
                        widest[i] = max(widest[i], len(str(value)))
        return [min(MAX_WIDTH, max(MIN_WIDTH, widest[i] + 2)) for i in range(len(widest))]


def _person_columns(include_names: bool) -> list[str]:
    return ["Deltagare", "Namn"] if include_names else ["Deltagare"]


def _person(person: Person | None, include_names: bool) -> list:
    # An entry whose author is missing can only come from an inconsistent database;
    # the export still shows the entry rather than failing.
    public_id = person.public_id if person else ""
    return [public_id, person.name if person else ""] if include_names else [public_id]


def sheets(data: WorkshopData, include_names: bool = False) -> list[Sheet]:
    """The six sheets of the workbook; the CSV ZIP has one file per table in them."""
    summary = Table(
        "sammanfattning.csv",
        [
            "Diskussion",
            "Plats",
            "Nr",
            "Rekommendation",
            "Borda",
            "Medelplats",
            "Förstaplatser",
            "Kemeny-plats",
        ],
    )
    agreement = Table(
        "enighet.csv",
        ["Diskussion", "Grupp", "Deltagare", "Rangordningar", "Enighet (Kendalls W)"],
    )
    most_recs = max((len(d.recs) for d in data.discussions), default=0)
    groups = Table(
        "grupper.csv",
        ["Diskussion", "Grupp", "Deltagare", "Rangordningar", "Enighet (Kendalls W)"]
        + [f"Rek. {n}" for n in range(1, most_recs + 1)],
    )
    person_cols = _person_columns(include_names)
    rankings = Table(
        "rangordningar.csv",
        ["Diskussion", "Grupp", *person_cols, "Nr", "Rekommendation", "Plats"],
    )
    whys = Table(
        "varfor.csv",
        ["Diskussion", "Grupp", *person_cols, "Förstaplats nr", "Förstaplats", "Varför"],
    )
    entry_end = ["Text", "Antal +1", "Dold", "Sammanslagen med"]
    areas = Table(
        "saknade-omraden.csv",
        ["Id", "Diskussion", "Grupp", *person_cols, *entry_end],
    )
    activities = Table(
        "aktiviteter.csv",
        ["Id", "Diskussion", "Grupp", *person_cols, "Nr", "Rekommendation", *entry_end],
    )

    for d in data.discussions:
        title = d.discussion.title
        result = d.results(group_weighting=False)
        for row in result["overall"]["rows"]:
            summary.rows.append(
                [
                    title,
                    row["schulze_position"],
                    row["recommendation"],
                    row["title"],
                    row["borda"],
                    row["mean_rank"],
                    row["first_places"],
                    row["kemeny_position"],
                ]
            )
        # Fixed Swedish like the headers: the files are data, not interface.
        everyone = ("Alla grupper", result["participants"], result["overall"])
        per_group = [(g["name"], g["participants"], g) for g in result["groups"]]
        for name, joined, table in [everyone, *per_group]:
            agreement.rows.append([title, name, joined, table["ballots"], table["kendalls_w"]])
            places = {row["recommendation"]: row["schulze_position"] for row in table["rows"]}
            groups.rows.append(
                [title, name, joined, table["ballots"], table["kendalls_w"]]
                + [places.get(n) if table["ballots"] else None for n in range(1, most_recs + 1)]
            )

        for person in d.people:
            group = d.group_names.get(person.group_id, "")
            who = _person(person, include_names)
            ranked = [d.recs_by_id[r] for r in person.ballot if r in d.recs_by_id]
            for position, rec in enumerate(ranked, start=1):
                rankings.rows.append([title, group, *who, rec.number, rec.title, position])
            if person.why:
                first = ranked[0] if ranked else None
                whys.rows.append(
                    [
                        title,
                        group,
                        *who,
                        first.number if first else None,
                        first.title if first else "",
                        person.why,
                    ]
                )
        for entry in d.areas:
            areas.rows.append(
                [
                    entry.pk,
                    title,
                    d.group_names.get(entry.group_id, ""),
                    *_person(d.people_by_pk.get(entry.author_id), include_names),
                    *_entry_end(entry),
                ]
            )
        for entry in d.activities:
            activities.rows.append(
                [
                    entry.pk,
                    title,
                    d.group_names.get(entry.group_id, ""),
                    *_person(d.people_by_pk.get(entry.author_id), include_names),
                    entry.rec_number,
                    entry.rec_title,
                    *_entry_end(entry),
                ]
            )

    return [
        Sheet("Sammanfattning", [summary, agreement]),
        Sheet("Grupper", [groups]),
        Sheet("Rangordningar", [rankings]),
        Sheet("Varför", [whys]),
        Sheet("Saknade områden", [areas]),
        Sheet("Aktiviteter", [activities]),
    ]


def _entry_end(entry: Entry) -> list:
    return [entry.text, entry.endorsements, entry.hidden, entry.merged_into_id]


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# --- XLSX ---------------------------------------------------------------------------


def _xlsx_value(value):
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def build_xlsx(workshop: Workshop, include_names: bool = False) -> bytes:
    """The workbook, built in write-only mode: rows stream out, no cell objects kept."""
    data = load(workshop)
    workbook = Workbook(write_only=True)
    workbook.properties.title = _xlsx_value(workshop.title)
    workbook.properties.creator = "Gränsforum"
    bold = Font(bold=True)
    top = Alignment(vertical="top")
    for sheet in sheets(data, include_names):
        ws = workbook.create_sheet(sheet.name)
        ws.freeze_panes = "A2"
        for i, width in enumerate(sheet.widths(), start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        for n, table in enumerate(sheet.tables):
            if n:
                ws.append([])
            header = []
            for title in table.headers:
                cell = WriteOnlyCell(ws, value=_xlsx_value(title))
                cell.font = bold
                cell.alignment = top
                header.append(cell)
            ws.append(header)
            for row in table.rows:
                # Neutralised text never starts with "=", so openpyxl stores it as a
                # string, never as a formula.
                ws.append([_xlsx_value(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- CSV ----------------------------------------------------------------------------


def _csv_value(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        return neutralise(value)
    return "" if value is None else value


def build_csv_zip(workshop: Workshop, include_names: bool = False) -> bytes:
    """One CSV per table, comma-separated, UTF-8 with a BOM (so Excel reads å, ä, ö)."""
    data = load(workshop)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets(data, include_names):
            for table in sheet.tables:
                text = io.StringIO()
                writer = csv.writer(text, lineterminator="\r\n")
                writer.writerow([_csv_value(h) for h in table.headers])
                writer.writerows([_csv_value(v) for v in row] for row in table.rows)
                archive.writestr(table.filename, ("\ufeff" + text.getvalue()).encode("utf-8"))
    return out.getvalue()


# --- JSON ---------------------------------------------------------------------------


def _iso(moment) -> str | None:
    return None if moment is None else moment.isoformat()


def _discussion_document(d: DiscussionData, include_names: bool, now) -> dict:
    discussion = d.discussion

    def entry(e: Entry) -> dict:
        author = d.people_by_pk.get(e.author_id)
        item = {
            "id": e.pk,
            "group": e.group_id,
            "author": author.public_id if author else None,
            "text": e.text,
            "hidden": e.hidden,
            "merged_into": e.merged_into_id,
            "endorsements": e.endorsements,
            "created_at": _iso(e.created_at),
        }
        if e.rec_number is not None:
            item["recommendation"] = e.rec_number
        return item

    participants = []
    for person in d.people:
        item = {"id": person.public_id, "group": person.group_id}
        if include_names:
            item["name"] = person.name
        item.update(
            ranking=[d.recs_by_id[r].number for r in person.ballot if r in d.recs_by_id],
            why=person.why,
            ranked_at=_iso(person.ranked_at),
            joined_at=_iso(person.created_at),
        )
        participants.append(item)

    snapshot = d.snapshot
    state = timer.state(discussion.clock, now)
    return {
        "id": discussion.pk,
        "title": discussion.title,
        "recommendation_set": discussion.recommendation_set.slug,
        "questions": {
            "rank": discussion.question_rank,
            "missing": discussion.question_missing,
            "activities": discussion.question_activities,
        },
        "duration_seconds": discussion.duration_seconds,
        "state": state.value,
        "started_at": _iso(discussion.started_at),
        # Also when the time ran out on its own, without anyone pressing "end".
        "ended_at": _iso(timer.deadline(discussion.clock, now))
        if state is timer.State.ENDED
        else None,
        "groups": [
            {"id": group.pk, "name": group.name, "position": group.position} for group in d.groups
        ],
        "participants": participants,
        "missing_areas": [entry(e) for e in d.areas],
        "activities": [entry(e) for e in d.activities],
        "results_source": "snapshot" if snapshot else "live",
        "snapshot_created_at": _iso(snapshot.created_at) if snapshot else None,
        "results": d.results(),
        "kept_texts": snapshot.data["kept_texts"] if snapshot else None,
    }


def document(data: WorkshopData, include_names: bool = False) -> dict:
    """The whole workshop as one JSON-ready dict (docs/export-schema.md)."""
    workshop = data.workshop
    sets = {}
    for d in data.discussions:
        rec_set = d.discussion.recommendation_set
        if rec_set.slug not in sets:
            sets[rec_set.slug] = {
                "slug": rec_set.slug,
                "name": rec_set.name,
                "source": rec_set.source,
                "recommendations": [
                    {"number": rec.number, "title": rec.title, "bullets": rec.bullet_list}
                    for rec in d.recs
                ],
            }
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": "Gränsforum",
        "exported_at": _iso(data.loaded_at),
        "includes_names": include_names,
        "workshop": {
            "id": workshop.pk,
            "title": workshop.title,
            "date": workshop.date.isoformat() if workshop.date else None,
            "place": workshop.place,
            "language": workshop.language,
        },
        "recommendation_sets": list(sets.values()),
        "discussions": [
            _discussion_document(d, include_names, data.loaded_at) for d in data.discussions
        ],
    }


def build_json(workshop: Workshop, include_names: bool = False) -> dict:
    return document(load(workshop), include_names)


def build(workshop: Workshop, kind: str, include_names: bool = False) -> bytes:
    """The file of one of FORMATS, as bytes: what a download and the command write."""
    if kind == "xlsx":
        return build_xlsx(workshop, include_names)
    if kind == "csv":
        return build_csv_zip(workshop, include_names)
    if kind == "json":
        doc = build_json(workshop, include_names)
        return json.dumps(doc, ensure_ascii=False, indent=2).encode()
    raise ValueError(f"unknown format {kind!r}")


def filename(workshop: Workshop, extension: str) -> str:
    name = slugify(workshop.title)[:50].strip("-") or "workshop"
    day = (workshop.date or timezone.localdate()).isoformat()
    return f"gransforum-{name}-{day}.{extension}"


# --- The printable report -----------------------------------------------------------


@dataclass
class ReportTable:
    name: str
    participants: int
    ballots: int
    agreement: float | None
    rows: list[dict]  # as in results, plus "bar": Borda as a percentage of the most possible


@dataclass
class ReportDiscussion:
    discussion: Discussion
    participants: int
    ballots: int
    overall: ReportTable
    groups: list[ReportTable]
    whys: list[tuple[dict | None, list[dict]]]  # (overall row of the recommendation, answers)
    areas: list[dict]
    activities: list[tuple[dict, list[dict]]]  # (overall row, its activities)
    snapshot_created_at: datetime | None

    @property
    def n_recs(self) -> int:
        return len(self.overall.rows)

    @property
    def top_points(self) -> int:
        return max(0, self.n_recs - 1)


def _report_table(name, participants, table, n_recs) -> ReportTable:
    # Everybody ranking an item first gives it weight * (n - 1) points.
    most = (table["weight"] or 0) * (n_recs - 1)
    rows = [
        {**row, "bar": round(100 * row["borda"] / most) if most else 0} for row in table["rows"]
    ]
    return ReportTable(name, participants, table["ballots"], table["kendalls_w"], rows)


def report(data: WorkshopData, by_group: bool = False) -> list[ReportDiscussion]:
    """What the printable report shows for each discussion."""
    out = []
    for d in data.discussions:
        result, texts = d.results(group_weighting=by_group), d.texts
        overall = result["overall_by_group" if by_group else "overall"]
        n_recs = len(overall["rows"])
        rows = {row["recommendation"]: row for row in overall["rows"]}
        whys = defaultdict(list)
        for answer in texts["whys"]:
            whys[answer["recommendation"]].append(answer)
        activities = defaultdict(list)
        for activity in texts["activities"]:
            activities[activity["recommendation"]].append(activity)
        order = [row["recommendation"] for row in overall["rows"]]
        out.append(
            ReportDiscussion(
                discussion=d.discussion,
                participants=result["participants"],
                ballots=result["ballots"],
                overall=_report_table(_("Alla grupper"), result["participants"], overall, n_recs),
                groups=[
                    _report_table(g["name"], g["participants"], g, n_recs) for g in result["groups"]
                ],
                whys=[(rows[n], whys[n]) for n in order if whys[n]]
                + ([(None, whys[None])] if whys[None] else []),
                areas=texts["missing_areas"],
                # Activities for a recommendation outside the list (it was switched)
                # still show, after the others.
                activities=[(rows.get(n), activities[n]) for n in order if activities[n]]
                + [
                    ({"recommendation": n, "title": items[0]["title"]}, items)
                    for n, items in activities.items()
                    if n not in rows
                ],
                snapshot_created_at=d.snapshot.created_at if d.snapshot else None,
            )
        )
    return out


# --- Deleting -----------------------------------------------------------------------


def counts(workshop: Workshop) -> dict[str, int]:
    """What the workshop holds, for the confirmation pages."""
    people = Participant.objects.filter(discussion__workshop=workshop)
    return {
        "discussions": workshop.discussions.count(),
        "groups": Group.objects.filter(discussion__workshop=workshop).count(),
        "participants": people.count(),
        "rankings": Ranking.objects.filter(participant__discussion__workshop=workshop).count(),
        "whys": people.exclude(why="").count(),
        "missing_areas": MissingArea.objects.filter(discussion__workshop=workshop).count(),
        "activities": ActivityProposal.objects.filter(discussion__workshop=workshop).count(),
        "endorsements": (
            MissingAreaEndorsement.objects.filter(entry__discussion__workshop=workshop).count()
            + ActivityEndorsement.objects.filter(entry__discussion__workshop=workshop).count()
        ),
        "snapshots": ReportSnapshot.objects.filter(discussion__workshop=workshop).count(),
    }


def busy_discussions(workshop: Workshop, now=None) -> list[Discussion]:
    """Discussions that are running or paused: nothing is deleted under them."""
    now = now or timezone.now()
    return [d for d in workshop.discussions.all() if timer.state(d.clock, now) in BUSY]


def _refuse_if_busy(discussions, now) -> None:
    busy = [d for d in discussions if timer.state(d.clock, now) in BUSY]
    if busy:
        raise Refused(
            _("Diskussionen ”%(title)s” pågår. Avsluta den först.") % {"title": busy[0].title},
            409,
        )


def delete_participant_data(workshop: Workshop) -> dict[str, int]:
    """Delete participants, rankings, texts and +1s; keep the report as a snapshot.

    Raises Refused while a discussion is running or paused. A discussion that has
    started gets a ReportSnapshot of what it holds now (one that already has one and
    no new answers keeps it, so deleting twice loses no report) and is ended for good,
    so nobody can extend it and add answers the frozen report would lack. One that
    never started keeps no report: it may still run later.
    Returns how many rows of each kind went.
    """
    with transaction.atomic():
        discussions = list(
            Discussion.objects.select_for_update().filter(workshop=workshop).order_by("pk")
        )
        now = timezone.now()
        _refuse_if_busy(discussions, now)
        whys = Participant.objects.filter(discussion__workshop=workshop).exclude(why="").count()
        # Inside the transaction: the snapshot holds exactly what is deleted below.
        data = load(workshop)
        for d in data.discussions:
            discussion = d.discussion
            if discussion.started_at is None:
                continue
            if d.people or d.snapshot is None:
                ReportSnapshot.objects.update_or_create(
                    discussion=discussion,
                    defaults={
                        "schema_version": SCHEMA_VERSION,
                        "data": {"results": d.live_results, "kept_texts": kept_texts(d)},
                    },
                )
            if discussion.ended_at is None:
                discussion.set_clock(timer.end(discussion.clock, now))
                discussion.save(update_fields=["paused_at", "paused_seconds", "ended_at"])
        _, deleted = Participant.objects.filter(discussion__workshop=workshop).delete()
        for discussion in discussions:
            # Dashboards and projectors still open pick the change up on their next poll.
            Discussion.bump_revision(discussion.pk)
    return {
        "participants": deleted.get("discussions.Participant", 0),
        "rankings": deleted.get("discussions.Ranking", 0),
        "whys": whys,
        "missing_areas": deleted.get("discussions.MissingArea", 0),
        "activities": deleted.get("discussions.ActivityProposal", 0),
        "endorsements": deleted.get("discussions.MissingAreaEndorsement", 0)
        + deleted.get("discussions.ActivityEndorsement", 0),
    }


def delete_workshop(workshop: Workshop) -> dict[str, int]:
    """Delete the workshop with everything in it. Refused while a discussion runs."""
    with transaction.atomic():
        discussions = list(
            Discussion.objects.select_for_update().filter(workshop=workshop).order_by("pk")
        )
        _refuse_if_busy(discussions, timezone.now())
        _, deleted = workshop.delete()
    return {label.split(".")[-1].lower(): n for label, n in deleted.items()}

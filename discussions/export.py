"""After the workshop: every result as XLSX, CSV (a ZIP of one file per table) or JSON.

The numbers and texts are discussions/results.py's; this module only lays them out:
`sheets` the tables that XLSX and CSV share, `document` the JSON (its schema is
docs/export-schema.json, described in docs/export-schema.md). A workshop is read in
one transaction, so an export taken while a discussion runs is a consistent picture
of one moment (PostgreSQL is asked for a repeatable-read snapshot; SQLite's read
transaction is one already).

Spreadsheet safety: a spreadsheet runs a cell that starts with = + - or @ as a formula
(and some strip a leading tab or carriage return first), so such text gets an
apostrophe in front, OWASP's advice for CSV injection, and is always stored as text.
Characters XML cannot hold are dropped from XLSX cells instead of failing the export.
"""

import csv
import io
import json
import zipfile
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from discussions import results, stored, timer
from discussions.models import Discussion, Group, Workshop
from discussions.results import rounded
from discussions.stored import DECIMALS, SCHEMA_VERSION
from recommendations.models import Recommendation

FORMATS = {
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("zip", "application/zip"),
    "json": ("json", "application/json"),
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Column widths in characters: wide enough for a title, never a screen wide.
MIN_WIDTH, MAX_WIDTH = 6, 60


@contextmanager
def consistent_read():
    """A transaction whose reads all see one moment, even while phones keep writing."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        # Must be the transaction's first statement, so only when we opened it (a
        # caller's transaction, or a test case's, has already decided its isolation).
        if not outer and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _discussions(workshop: Workshop) -> list[Discussion]:
    return list(workshop.discussions.select_related("recommendation_set").order_by("created_at"))


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


def sheets(workshop: Workshop, include_names: bool = False) -> list[Sheet]:
    """The six sheets of the workbook; the CSV ZIP has one file per table in them.
    Column names are fixed Swedish, whatever the interface's language: the files are
    data that scripts read."""
    who = ["Deltagare", "Namn"] if include_names else ["Deltagare"]
    counts = ["Diskussion", "Grupp", "Deltagare", "Rangordningar", "Enighet (Kendalls W)"]
    entry_end = ["Text", "Antal +1", "Dold", "Sammanslagen med"]
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
            "Schulze-plats",
        ],
    )
    agreement = Table("enighet.csv", [*counts])
    places = Table("grupper.csv", [*counts])  # and a column per recommendation, below
    rankings = Table(
        "rangordningar.csv", ["Diskussion", "Grupp", *who, "Nr", "Rekommendation", "Plats"]
    )
    whys = Table(
        "varfor.csv",
        ["Diskussion", "Grupp", *who, "Förstaplats nr", "Förstaplats", "Varför"],
    )
    areas = Table("saknade-omraden.csv", ["Id", "Diskussion", "Grupp", *who, *entry_end])
    activities = Table(
        "aktiviteter.csv",
        ["Id", "Diskussion", "Grupp", *who, "Nr", "Rekommendation", *entry_end],
    )

    with consistent_read():
        discussed = [(d.title, results.of(d)) for d in _discussions(workshop)]
    most_recs = max((len(res.recs) for _title, res in discussed), default=0)
    places.headers += [f"Rek. {n}" for n in range(1, most_recs + 1)]
    for title, res in discussed:
        for row in res.room.rows:
            summary.rows.append(
                [
                    title,
                    row.place,
                    row.rec.number,
                    row.rec.title,
                    *_scores(row),
                    row.kemeny_place,
                    row.schulze_place,
                ]
            )
        for name, t in [("Alla grupper", res.room), *[(t.name, t) for t in res.tables]]:
            numbers = [title, name, t.participants, t.ballots, rounded(t.agreement, DECIMALS)]
            agreement.rows.append(numbers)
            by_number = {row.rec.number: row.place for row in t.rows} if t.ballots else {}
            places.rows.append(numbers + [by_number.get(n) for n in range(1, most_recs + 1)])

        people = {person.pk: person for person in res.people}
        names = {t.group_id: t.name for t in res.tables}
        for p in res.people:
            start = [title, names.get(p.group_id, ""), *_who(people.get(p.pk), include_names)]
            for place, rec in enumerate(p.ballot, start=1):
                rankings.rows.append([*start, rec.number, rec.title, place])
            if p.why:
                first = p.first
                whys.rows.append(
                    [*start, first and first.number, first.title if first else "", p.why]
                )
        for e in res.all_areas:
            who_wrote = _who(people.get(e.author_id), include_names)
            areas.rows.append([e.pk, title, e.group_name, *who_wrote, *_end(e)])
        for e in res.all_activities:
            who_wrote = _who(people.get(e.author_id), include_names)
            activities.rows.append(
                [e.pk, title, e.group_name, *who_wrote, e.rec.number, e.rec.title, *_end(e)]
            )
    return [
        Sheet("Sammanfattning", [summary, agreement]),
        Sheet("Grupper", [places]),
        Sheet("Rangordningar", [rankings]),
        Sheet("Varför", [whys]),
        Sheet("Saknade områden", [areas]),
        Sheet("Aktiviteter", [activities]),
    ]


def _scores(row: results.Row) -> list:
    return [rounded(value, DECIMALS) for value in (row.borda, row.mean_rank, row.first_places)]


def _who(person: results.Person | None, include_names: bool) -> list[str]:
    # An entry whose author is missing can only come from an inconsistent database;
    # the export still shows the entry rather than failing.
    if person is None:
        return ["", ""] if include_names else [""]
    return [person.public_id, person.name] if include_names else [person.public_id]


def _end(entry: results.Entry) -> list:
    return [entry.text, entry.endorsements, entry.hidden, entry.merged_into_id]


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# --- XLSX and CSV -------------------------------------------------------------------


def _xlsx_value(value):
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def build_xlsx(workshop: Workshop, include_names: bool = False) -> bytes:
    """The workbook, built in write-only mode: rows stream out, no cell objects kept."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = _xlsx_value(workshop.title)
    workbook.properties.creator = "Gränsforum"
    bold = Font(bold=True)
    top = Alignment(vertical="top")
    for sheet in sheets(workshop, include_names):
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


def _csv_value(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        return neutralise(value)
    return "" if value is None else value


def build_csv_zip(workshop: Workshop, include_names: bool = False) -> bytes:
    """One CSV per table, comma-separated, UTF-8 with a BOM (so Excel reads å, ä, ö)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets(workshop, include_names):
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


def _discussion_document(discussion, groups, include_names: bool, now) -> dict:
    res = results.of(discussion)
    people = {person.pk: person for person in res.people}

    def entry(e: results.Entry) -> dict:
        author = people.get(e.author_id)
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
        if e.rec is not None:
            item["recommendation"] = e.rec.number
        return item

    participants = []
    for person in res.people:
        item = {"id": person.public_id, "group": person.group_id}
        if include_names:
            item["name"] = person.name
        item.update(
            ranking=[rec.number for rec in person.ballot],
            why=person.why,
            ranked_at=_iso(person.ranked_at),
            joined_at=_iso(person.joined_at),
        )
        participants.append(item)

    data = stored.data(res, results.of(discussion, results.GROUP))
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
        "groups": [{"id": g.pk, "name": g.name, "position": g.position} for g in groups],
        "participants": participants,
        "missing_areas": [entry(e) for e in res.all_areas],
        "activities": [entry(e) for e in res.all_activities],
        "results_source": "snapshot" if res.frozen_at else "live",
        "snapshot_created_at": _iso(res.frozen_at),
        "results": data["results"],
        "kept_texts": data["kept_texts"] if res.frozen_at else None,
    }


def build_json(workshop: Workshop, include_names: bool = False) -> dict:
    """The whole workshop as one JSON-ready dict (docs/export-schema.md)."""
    now = timezone.now()
    with consistent_read():
        discussions = _discussions(workshop)
        groups = defaultdict(list)
        for group in Group.objects.filter(discussion__workshop=workshop).order_by("position", "pk"):
            groups[group.discussion_id].append(group)
        recs = defaultdict(list)
        for rec in Recommendation.objects.filter(
            recommendation_set__in={d.recommendation_set_id for d in discussions}
        ).order_by("number"):
            recs[rec.recommendation_set_id].append(rec)
        documents = [_discussion_document(d, groups[d.pk], include_names, now) for d in discussions]
    sets = {}
    for d in discussions:
        rec_set = d.recommendation_set
        if rec_set.slug not in sets:
            sets[rec_set.slug] = {
                "slug": rec_set.slug,
                "name": rec_set.name,
                "source": rec_set.source,
                "recommendations": [
                    {"number": rec.number, "title": rec.title, "bullets": rec.bullet_list}
                    for rec in recs[rec_set.pk]
                ],
            }
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": "Gränsforum",
        "exported_at": _iso(now),
        "includes_names": include_names,
        "workshop": {
            "id": workshop.pk,
            "title": workshop.title,
            "date": workshop.date.isoformat() if workshop.date else None,
            "place": workshop.place,
            "language": workshop.language,
        },
        "recommendation_sets": list(sets.values()),
        "discussions": documents,
    }


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

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

Past 400 lines, with a reason: every file format (XLSX, CSV, the CSV for Nordic
Excel, JSON, and the comparison of several workshops) is laid out from the same
Table definitions here, so that a column is named and rounded once for all of them.
"""

import csv
import io
import json
import zipfile
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from discussions import divides_export, results, stored, timer
from discussions.coverage import Coverage
from discussions.models import Discussion, FirstRound, Group, ModerationEvent, Workshop
from discussions.results import rounded
from discussions.stored import DECIMALS, SCHEMA_VERSION
from recommendations.models import Recommendation

FORMATS = {
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("zip", "application/zip"),
    # The same files for Swedish and Norwegian Excel: semicolons, decimal commas.
    "csv-nordic": ("zip", "application/zip"),
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


def _moderation(workshop: Workshop) -> dict[int, list[ModerationEvent]]:
    """Each discussion's moderation log, oldest first: one query."""
    events = defaultdict(list)
    for event in ModerationEvent.objects.filter(discussion__workshop=workshop).order_by(
        "created_at", "pk"
    ):
        events[event.discussion_id].append(event)
    return events


# The log's actions as the files name them: fixed Swedish, like the column names.
ACTIONS = {
    "hide": "Dolde",
    "unhide": "Återställde",
    "merge": "Slog ihop",
    "unmerge": "Ångrade sammanslagning",
    "rename": "Bytte namn",
    "add_groups": "Lade till grupper",
    "delete_group": "Tog bort grupp",
}
KINDS = {"area": "Saknat område", "activity": "Aktivitet", "group": "Grupp"}


# --- Tables for XLSX and CSV --------------------------------------------------------


@dataclass
class Table:
    """One table: a sheet of the workbook, a file of the CSV ZIP."""

    sheet: str  # the sheet's name
    filename: str  # inside the CSV ZIP
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # str, int, float, bool or None
    # Excel number formats by column: numbers are kept exact and shown rounded.
    formats: dict[int, str] = field(default_factory=dict)

    def widths(self) -> list[float]:
        widest: dict[int, int] = defaultdict(int)
        for row in [self.headers, *self.rows]:
            for i, value in enumerate(row):
                if value is not None:
                    shown = f"{value:.2f}" if isinstance(value, float) else str(value)
                    if isinstance(value, datetime):
                        shown = "2026-12-31 23:59:59"
                    widest[i] = max(widest[i], len(shown))
        return [min(MAX_WIDTH, max(MIN_WIDTH, widest[i] + 2)) for i in range(len(widest))]


ONE_DECIMAL, TWO_DECIMALS = "0.0", "0.00"
AREA, ACTIVITY = "Saknat område", "Aktivitet"


def sheets(workshop: Workshop, include_names: bool = False) -> list[Table]:
    """The tables of the workbook, one a sheet; the CSV ZIP has one file for each.
    Column names are fixed Swedish, whatever the interface's language: the files are
    data that scripts read. The entries the room saw are on their sheets; hidden ones
    and those merged into another are on sheets of their own, never mixed in."""
    who = ["Deltagare", "Namn"] if include_names else ["Deltagare"]
    counts = ["Diskussion", "Grupp", "Deltagare", "Rangordningar", "Enighet (Kendalls W)"]
    summary = Table(
        "Sammanfattning",
        "sammanfattning.csv",
        [
            "Diskussion",
            "Plats",
            "Delad plats",
            "Nr",
            "Rekommendation",
            "Borda",
            "Medelplats",
            "Förstaplatser",
            "Kemeny-plats",
            "Schulze-plats",
        ],
        formats={5: ONE_DECIMAL, 6: ONE_DECIMAL, 7: ONE_DECIMAL},
    )
    agreement = Table("Enighet", "enighet.csv", [*counts], formats={4: TWO_DECIMALS})
    places = Table("Grupper", "grupper.csv", [*counts], formats={4: TWO_DECIMALS})
    rankings = Table(
        "Rangordningar",
        "rangordningar.csv",
        ["Diskussion", "Grupp", *who, "Nr", "Rekommendation", "Plats"],
    )
    whys = Table(
        "Varför",
        "varfor.csv",
        ["Diskussion", "Grupp", *who, "Förstaplats nr", "Förstaplats", "Varför"],
    )
    entry_end = ["Text", "Antal +1", "Antal sammanslagna"]
    areas = Table(
        "Saknade områden", "saknade-omraden.csv", ["Id", "Diskussion", "Grupp", *who, *entry_end]
    )
    activities = Table(
        "Aktiviteter",
        "aktiviteter.csv",
        ["Id", "Diskussion", "Grupp", *who, "Nr", "Rekommendation", *entry_end],
    )
    entry_start = ["Id", "Typ", "Diskussion", "Grupp", *who, "Nr", "Rekommendation", "Text"]
    hidden = Table("Dolda inlägg", "dolda.csv", [*entry_start, "Antal +1"])
    merged = Table(
        "Sammanslagna inlägg",
        "sammanslagna.csv",
        [*entry_start, "Sammanslagen med (id)", "Sammanslagen med (text)"],
    )
    log = Table(
        "Moderering",
        "moderering.csv",
        [
            "Diskussion",
            "Tid",
            "Vem",
            "Händelse",
            "Typ",
            "Id",
            "Text",
            "Till id",
            "Till text",
            "Anledning",
            "Ångrad",
        ],
        formats={1: "yyyy-mm-dd hh:mm:ss"},
    )

    covered = Table(
        "Täckning",
        "tackning.csv",
        ["Diskussion", "Plats", "Nr", "Rekommendation", "Grupp", "Aktiviteter", "Utan aktivitet"],
    )

    with consistent_read():
        discussions = _discussions(workshop)
        discussed = [(d.title, results.of(d)) for d in discussions]
        events = _moderation(workshop)
    for d in discussions:
        for event in events[d.pk]:
            log.rows.append(
                [
                    d.title,
                    timezone.localtime(event.created_at).replace(tzinfo=None, microsecond=0),
                    event.username,
                    ACTIONS.get(event.action, event.action),
                    KINDS.get(event.kind, event.kind),
                    event.object_id,
                    event.text,
                    event.target_id,
                    event.target_text,
                    event.reason,
                    "Ja" if event.undone_by_id else None,
                ]
            )
    most_recs = max((len(res.recs) for _title, res in discussed), default=0)
    places.headers += [f"Plats för rek. {n}" for n in range(1, most_recs + 1)]
    for title, res in discussed:
        tied = res.room.tied_places
        for row in res.room.rows:
            summary.rows.append(
                [
                    title,
                    row.place,
                    "Ja" if row.place in tied else None,
                    row.rec.number,
                    row.rec.title,
                    row.borda,
                    row.mean_rank,
                    row.first_places,
                    row.kemeny_place,
                    row.schulze_place,
                ]
            )
        for name, t in [("Alla grupper", res.room), *[(t.name, t) for t in res.tables]]:
            numbers = [title, name, t.participants, t.ballots, t.agreement]
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
        # Areas and activities are two tables: their ids can be the same.
        texts = {(e.kind, e.pk): e.text for e in [*res.all_areas, *res.all_activities]}
        for e in [*res.all_areas, *res.all_activities]:
            who_wrote = _who(people.get(e.author_id), include_names)
            rec = [e.rec.number, e.rec.title] if e.rec else [None, ""]
            start = [e.pk, AREA if e.rec is None else ACTIVITY, title, e.group_name, *who_wrote]
            if e.merged_into_id is not None:
                target = texts.get((e.kind, e.merged_into_id), "")
                merged.rows.append([*start, *rec, e.text, e.merged_into_id, target])
            elif e.hidden:
                hidden.rows.append([*start, *rec, e.text, e.endorsements])
            else:
                end = [e.text, e.endorsements, e.merged_count]
                if e.rec is None:
                    areas.rows.append([e.pk, title, e.group_name, *who_wrote, *end])
                else:
                    activities.rows.append([e.pk, title, e.group_name, *who_wrote, *rec, *end])
        covered.rows += coverage_rows(title, res.coverage)
    from discussions import export_rounds  # which builds on this module's Table

    tables = [summary, agreement, places, rankings, whys, areas, activities, hidden, merged, log]
    agreed = _agreed_sheet(discussed, include_names)
    more = divides_export.sheets(discussed)  # tables against the room, how sure
    return [*tables, agreed, covered, *more, *export_rounds.sheets(discussed)]


def _agreed_sheet(discussed, include_names: bool) -> Table:
    """Every version of every table's agreed answer, beside its members' own first
    place (results.Agreed): the newest version marked."""
    sheet = Table(
        "Gemensamma svar",
        "gemensamma-svar.csv",
        [
            "Diskussion",
            "Grupp",
            "Version",
            "Senaste",
            "Tid",
            *(["Deltagare", "Namn"] if include_names else ["Deltagare"]),
            "Nr",
            "Rekommendation",
            "Varför",
            "Medlemmarnas förstaplats (nr)",
            "Stämmer med medlemmarnas",
        ],
        formats={4: "yyyy-mm-dd hh:mm:ss"},
    )
    for title, res in discussed:
        people = {person.pk: person for person in res.people}
        for a in res.agreed:
            first = ", ".join(str(rec.number) for rec in a.members_first) or None
            agrees = {True: "Ja", False: "Nej"}.get(a.agrees)
            for v in reversed(a.versions):
                person = people.get(v.author_id)
                who = [person.public_id if person else ""]
                if include_names:
                    who.append(v.author_name)
                at = v.created_at and timezone.localtime(v.created_at).replace(
                    tzinfo=None, microsecond=0
                )
                newest = v is a.newest
                sheet.rows.append(
                    [
                        title,
                        a.name,
                        v.number,
                        "Ja" if newest else None,
                        at,
                        *who,
                        v.rec.number if v.rec else None,
                        v.rec.title if v.rec else "",
                        v.why,
                        first if newest else None,
                        agrees if newest else None,
                    ]
                )
    return sheet


def coverage_rows(title: str, coverage: Coverage) -> list[list]:
    """Per recommendation: all tables (each activity once), then each table. A table's
    total is the sum of its rows; "Alla grupper" need not be (discussions/coverage.py)."""
    rows = []
    for row in coverage.rows:
        start = [title, row.place, row.rec.number, row.rec.title]
        rows.append([*start, "Alla grupper", row.total, "Ja" if row.gap else None])
        rows += [
            [*start, t.name, n, None] for t, n in zip(coverage.tables, row.counts, strict=True)
        ]
    return rows


def _who(person: results.Person | None, include_names: bool) -> list[str]:
    # An entry whose author is missing can only come from an inconsistent database;
    # the export still shows the entry rather than failing.
    if person is None:
        return ["", ""] if include_names else [""]
    return [person.public_id, person.name] if include_names else [person.public_id]


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# --- XLSX and CSV -------------------------------------------------------------------


def _xlsx_value(value):
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def build_xlsx(workshop: Workshop, include_names: bool = False) -> bytes:
    """The workbook of a workshop (sheets above)."""
    return _workbook(workshop.title, sheets(workshop, include_names))


def _workbook(title: str, tables: list[Table]) -> bytes:
    """A workbook built in write-only mode: rows stream out, no cell objects kept
    (but for the few numbers a format rounds on screen). Every sheet one table with
    its header row frozen and a filter on it."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = _xlsx_value(title)
    workbook.properties.creator = "Gränsforum"
    bold = Font(bold=True)
    top = Alignment(vertical="top")
    for table in tables:
        ws = workbook.create_sheet(table.sheet)
        ws.freeze_panes = "A2"
        last = get_column_letter(len(table.headers))
        ws.auto_filter.ref = f"A1:{last}{1 + len(table.rows)}"
        for i, width in enumerate(table.widths(), start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        header = []
        for heading in table.headers:
            cell = WriteOnlyCell(ws, value=_xlsx_value(heading))
            cell.font = bold
            cell.alignment = top
            header.append(cell)
        ws.append(header)
        for row in table.rows:
            # Neutralised text never starts with "=", so openpyxl stores it as a
            # string, never as a formula.
            values = [_xlsx_value(value) for value in row]
            for i, number_format in table.formats.items():
                if isinstance(values[i], float | datetime):
                    values[i] = WriteOnlyCell(ws, value=values[i])
                    values[i].number_format = number_format
            ws.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_value(value, decimal_comma: bool = False):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float):
        value = rounded(value, DECIMALS)
        if decimal_comma:
            return str(value).replace(".", ",")
    return "" if value is None else value


def build_csv_zip(workshop: Workshop, include_names: bool = False, nordic: bool = False) -> bytes:
    """One CSV per table, UTF-8 with a BOM (so Excel reads å, ä, ö). Standard:
    comma-separated with decimal points, for R and pandas. Nordic: semicolons and
    decimal commas, which Swedish and Norwegian Excel open straight into columns."""
    out = io.BytesIO()
    delimiter = ";" if nordic else ","
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in sheets(workshop, include_names):
            text = io.StringIO()
            writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
            writer.writerow([_csv_value(h) for h in table.headers])
            writer.writerows([_csv_value(v, nordic) for v in row] for row in table.rows)
            archive.writestr(table.filename, ("\ufeff" + text.getvalue()).encode("utf-8"))
    return out.getvalue()


# --- JSON ---------------------------------------------------------------------------


def _iso(moment) -> str | None:
    return None if moment is None else moment.isoformat()


def _event(event: ModerationEvent) -> dict:
    return {
        "id": event.pk,
        "at": _iso(event.created_at),
        "by": event.username,
        "action": event.action,
        "kind": event.kind,
        "object": event.object_id,
        "text": event.text,
        "target": event.target_id,
        "target_text": event.target_text,
        "reason": event.reason,
        "undone_by": event.undone_by_id,
    }


def _discussion_document(discussion, groups, include_names: bool, now, events=()) -> dict:
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
    # In a second round: each one's round-1 ballot and why (none: joined in round 2).
    first = {p.pk: p for p in res.first_round.people} if res.first_round else None
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
        if first is not None:
            before = first.get(person.pk)
            item["first_round_ranking"] = [rec.number for rec in before.ballot] if before else []
            item["first_round_why"] = before.why if before else ""
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
        "divides": divides_export.document(res),
        "kept_texts": data["kept_texts"] if res.frozen_at else None,
        "moderation_log": [_event(event) for event in events],
        "table_answers": _table_answers(res, people, include_names),
        "round": discussion.round,
        "first_round_clock": _first_round_clock(discussion),
    }


def _first_round_clock(discussion) -> dict | None:
    """Round 1's clock in a second round (discussions/rounds.py), else None."""
    if discussion.round != 2:
        return None
    first = FirstRound.objects.filter(discussion=discussion).first()
    if first is None:
        return None
    return {
        "duration_seconds": first.duration_seconds,
        "started_at": _iso(first.started_at),
        "ended_at": _iso(first.ended_at),
        "round_two_opened_at": _iso(first.closed_at),
    }


def _table_answers(res: results.Results, people: dict, include_names: bool) -> list[dict]:
    """Every version of every table's agreed answer, by table, oldest first; none
    once the participants' data is deleted (the frozen results keep the newest)."""
    answers = []
    for agreed in [] if res.frozen_at else res.agreed:
        for v in reversed(agreed.versions):
            author = people.get(v.author_id)
            item = {
                "group": agreed.group_id,
                "version": v.number,
                "recommendation": v.rec.number if v.rec else None,
                "why": v.why,
                "author": author.public_id if author else None,
                "created_at": _iso(v.created_at),
            }
            if include_names:
                item["author_name"] = v.author_name
            answers.append(item)
    return answers


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
        events = _moderation(workshop)
        documents = [
            _discussion_document(d, groups[d.pk], include_names, now, events[d.pk])
            for d in discussions
        ]
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
    if kind in ("csv", "csv-nordic"):
        return build_csv_zip(workshop, include_names, nordic=kind == "csv-nordic")
    if kind == "json":
        doc = build_json(workshop, include_names)
        return json.dumps(doc, ensure_ascii=False, indent=2).encode()
    raise ValueError(f"unknown format {kind!r}")


def filename(workshop: Workshop, extension: str, kind: str = "") -> str:
    name = slugify(workshop.title)[:50].strip("-") or "workshop"
    day = (workshop.date or timezone.localdate()).isoformat()
    variant = "-semikolon" if kind == "csv-nordic" else ""
    return f"gransforum-{name}-{day}{variant}.{extension}"


# --- Several workshops compared (results.compare) -----------------------------------


def comparison_tables(comparison: results.Comparison) -> list[Table]:
    columns = comparison.columns
    ranking_table = Table(
        "Jämförelse",
        "jamforelse.csv",
        ["Nr", "Rekommendation", "Plats sammanlagt", "Poäng sammanlagt"]
        + [f"Plats: {c.title}" for c in columns]
        + [f"Poäng: {c.title}" for c in columns],
        formats={
            3: ONE_DECIMAL,
            **{4 + len(columns) + i: ONE_DECIMAL for i in range(len(columns))},
        },
    )
    for row in comparison.rows:
        combined = comparison.combined.row(row.rec.number)
        ranking_table.rows.append(
            [row.rec.number, row.rec.title, row.place, combined.borda]
            + [cell.place if cell else None for cell in row.cells]
            + [cell.borda if cell else None for cell in row.cells]
        )
    workshops = Table(
        "Workshoppar",
        "workshoppar.csv",
        ["Workshop", "Datum", "Plats", "Deltagare", "Rangordningar", "Enighet (Kendalls W)"],
        formats={5: TWO_DECIMALS},
    )
    areas = Table("Saknade områden", "saknade-omraden.csv", ["Workshop", "Text", "Antal +1"])
    for c in columns:
        workshops.rows.append(
            [
                c.title,
                c.date.isoformat() if c.date else None,
                c.place,
                c.table.participants,
                c.table.ballots,
                c.table.agreement,
            ]
        )
        areas.rows += [[c.title, e.text, e.endorsements] for e in c.top_areas]
    return [ranking_table, workshops, areas]


def build_comparison_xlsx(comparison: results.Comparison) -> bytes:
    return _workbook("Jämförelse", comparison_tables(comparison))


def build_comparison_json(comparison: results.Comparison) -> dict:
    """The comparison as one JSON document ($defs/comparison_document in the schema)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": "Gränsforum",
        "exported_at": _iso(timezone.now()),
        "weighting": "each workshop weighs the same",
        "recommendations": [{"number": r.number, "title": r.title} for r in comparison.recs],
        "combined": stored.table_data(comparison.combined),
        "workshops": [
            {
                "id": c.workshop_id,
                "title": c.title,
                "date": c.date.isoformat() if c.date else None,
                "place": c.place,
                "participants": c.table.participants,
                "left_out_discussions": c.frozen,
                "ranking": stored.table_data(c.table),
                "top_missing_areas": [
                    {"text": e.text, "group": e.group_name, "endorsements": e.endorsements}
                    for e in c.top_areas
                ],
            }
            for c in comparison.columns
        ],
    }

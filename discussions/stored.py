"""Results as data: the JSON export's "results" and "kept_texts", and a frozen report.

When an organiser deletes the participants' data, each started discussion keeps its
report as a ReportSnapshot holding `data(...)` of its results at that moment; from
then on `results.of` builds its Results from it with `results(...)` here, so the
report, the summary sheets and the screens show what was frozen. The form is the one
docs/export-schema.md describes, numbers rounded by `results.rounded`.
"""

from dataclasses import replace

from discussions import ranking
from discussions.models import ReportSnapshot
from discussions.results import (
    GROUP,
    Agreed,
    AnswerVersion,
    Coverage,
    Entry,
    Participation,
    Reasons,
    Rec,
    Results,
    Table,
    finish,
    moved,
    rounded,
    table,
)

SCHEMA_VERSION = 3
# Scores are exact fractions in ranking.py; files get them rounded to this many
# decimals, plenty to tell two apart and short enough to read.
DECIMALS = 4


def data(by_participant: Results, by_group: Results) -> dict:
    """The results with both weightings, and the texts as the report prints them
    (no hidden or merged-away entry, no author)."""
    room = by_participant.room
    return {
        "results": {
            "participants": room.participants,
            "ballots": room.ballots,
            "overall": _table(room),
            "overall_by_group": _table(by_group.room),
            "groups": [
                {"group": t.group_id, "name": t.name, "participants": t.participants, **_table(t)}
                for t in by_participant.tables
            ],
            "agreed_answers": [_agreed(a) for a in by_participant.agreed],
            **_second_round(by_participant, by_group),
            "coverage": coverage_data(by_participant.coverage),
        },
        "kept_texts": {
            "whys": [
                {
                    "recommendation": reasons.rec.number if reasons.rec else None,
                    "group": group,
                    "text": text,
                }
                for reasons in by_participant.reasons
                for text, group in reasons.answers
            ],
            "missing_areas": [_entry(e) for e in by_participant.areas],
            "activities": [
                {"recommendation": e.rec.number, "title": e.rec.title, **_entry(e)}
                for activities in by_participant.activities
                for e in activities.entries
            ],
        },
    }


def _second_round(by_participant: Results, by_group: Results) -> dict:
    """In a second round: round 1's results (the same form as round 2's) and the
    movement ($defs/movement in the schema); nothing in round 1."""
    first, first_by_group = by_participant.first_round, by_group.first_round
    if first is None or first_by_group is None:
        return {}
    return {
        "round": 2,
        "first_round": {
            "participants": first.room.participants,
            "ballots": first.room.ballots,
            "overall": _table(first.room),
            "overall_by_group": _table(first_by_group.room),
            "groups": [
                {"group": t.group_id, "name": t.name, "participants": t.participants, **_table(t)}
                for t in first.tables
            ],
        },
        "movement": {
            "overall": _shift(by_participant.movement.room.shift),
            "overall_by_group": _shift(by_group.movement.room.shift),
            "groups": [
                {"group": t.group_id, "name": t.name, **_shift(t.shift)}
                for t in by_participant.movement.tables
            ],
        },
    }


def _shift(shift) -> dict:
    return {
        "ballots_before": shift.ballots_before,
        "ballots_after": shift.ballots_after,
        "kendalls_w_before": rounded(shift.agreement_before, DECIMALS),
        "kendalls_w_after": rounded(shift.agreement_after, DECIMALS),
        "rows": [
            {
                "recommendation": m.item.number,
                "title": m.item.title,
                "place_before": m.before,
                "place_after": m.after,
                "gained": m.gained,
                "consensus_before": rounded(m.consensus_before, DECIMALS),
                "consensus_after": rounded(m.consensus_after, DECIMALS),
            }
            for m in shift.moves
        ],
    }


def coverage_data(c: Coverage) -> dict:
    """The activities per recommendation and table ($defs/coverage; the rule it counts
    by is results.py's, at `coverage`)."""
    return {
        "activities": c.total,
        "without_activity": [rec.number for rec in c.gaps],
        "rows": [
            {
                "recommendation": row.rec.number,
                "title": row.rec.title,
                "place": row.place,
                "activities": row.total,
                "groups": [
                    {"group": t.group_id, "name": t.name, "activities": n}
                    for t, n in zip(c.tables, row.counts, strict=True)
                ],
            }
            for row in c.rows
        ],
        "groups": [
            {"group": t.group_id, "name": t.name, "activities": n}
            for t, n in zip(c.tables, c.table_totals, strict=True)
        ],
    }


def table_data(t: Table) -> dict:
    """A ranking table as the JSON export writes it ($defs/ranking_table)."""
    return _table(t)


def _table(t: Table) -> dict:
    return {
        "ballots": t.ballots,
        "weight": rounded(t.weight, DECIMALS),
        "kendalls_w": rounded(t.agreement, DECIMALS),
        "rows": [
            {
                "recommendation": row.rec.number,
                "title": row.rec.title,
                "place": row.place,
                "schulze_position": row.schulze_place,
                "kemeny_position": row.kemeny_place,
                "borda": rounded(row.borda, DECIMALS),
                "mean_rank": rounded(row.mean_rank, DECIMALS),
                "first_places": rounded(row.first_places, DECIMALS),
                "position_counts": row.position_counts,
            }
            for row in t.rows
        ],
    }


def _agreed(a: Agreed) -> dict:
    """A table's agreed answer as the report keeps it: the newest version, no author."""
    newest = a.newest
    return {
        "group": a.group_id,
        "name": a.name,
        "recommendation": newest.rec.number if newest.rec else None,
        "title": newest.rec.title if newest.rec else None,
        "why": newest.why,
        "versions": a.version_count,
        "members_first": [rec.number for rec in a.members_first],
        "agrees": a.agrees,
    }


def _entry(e: Entry) -> dict:
    return {
        "group": e.group_name,
        "text": e.text,
        "endorsements": e.endorsements,
        "merged": e.merged_count,
        # What was merged into it, so a frozen report still names it.
        "absorbed": [{"group": m.group_name, "text": m.text} for m in e.absorbed],
    }


# --- Reading a frozen report back -----------------------------------------------------


def results(discussion_id: int, revision: int, weighting: str, snapshot: ReportSnapshot):
    """The Results a snapshot's data holds: its tables and texts, no people."""
    stored = snapshot.data["results"]
    room_data = stored["overall_by_group" if weighting == GROUP else "overall"]
    recs = [Rec(row["recommendation"], row["title"]) for row in stored["overall"]["rows"]]
    recs.sort(key=lambda rec: rec.number)
    by_number = {rec.number: rec for rec in recs}
    room = _read_table(recs, room_data, None, "", stored["participants"])
    tables = [
        _read_table(recs, g, g["group"], g["name"], g["participants"]) for g in stored["groups"]
    ]
    texts = snapshot.data["kept_texts"]
    reasons = {}
    for why in texts["whys"]:
        rec = by_number.get(why["recommendation"]) if why["recommendation"] else None
        reasons.setdefault(rec, []).append((why["text"], why["group"]))
    order = [row.rec for row in room.rows]
    frozen = finish(
        discussion_id,
        revision,
        weighting,
        recs,
        room,
        tables,
        [Participation(t.group_id, t.name, t.participants, t.ballots, None) for t in tables],
        [Reasons(rec, reasons[rec]) for rec in [*order, None] if rec in reasons],
        areas=[_read_entry("area", e, None) for e in texts["missing_areas"]],
        activities=[
            _read_entry("activity", e, Rec(e["recommendation"], e["title"]))
            for e in texts["activities"]
        ],
        frozen_at=snapshot.created_at,
        # Frozen before the agreed answers were kept: none to show.
        agreed=[_read_agreed(a, by_number) for a in stored.get("agreed_answers", [])],
    )
    if "first_round" not in stored:
        return frozen
    # A second round's report keeps round 1's tables; the movement is derived again.
    first_data = stored["first_round"]
    first_room = _read_table(
        recs,
        first_data["overall_by_group" if weighting == GROUP else "overall"],
        None,
        "",
        first_data["participants"],
    )
    first_tables = [
        _read_table(recs, g, g["group"], g["name"], g["participants"]) for g in first_data["groups"]
    ]
    first = finish(
        discussion_id,
        revision,
        weighting,
        recs,
        first_room,
        first_tables,
        [Participation(t.group_id, t.name, t.participants, t.ballots, None) for t in first_tables],
        [],
        frozen_at=snapshot.created_at,
    )
    return replace(frozen, round=2, first_round=first, movement=moved(first, frozen))


def _read_agreed(stored: dict, by_number: dict) -> Agreed:
    rec = Rec(stored["recommendation"], stored["title"]) if stored["recommendation"] else None
    newest = AnswerVersion(stored["versions"], rec, stored["why"], None, "", None)
    first = [by_number.get(n) or Rec(n, "") for n in stored["members_first"]]
    return Agreed(stored["group"], stored["name"], [newest], stored["versions"], first, 0)


def _read_table(recs, stored: dict, group_id, name, participants) -> Table:
    rows = stored["rows"]
    kemeny = sorted((r for r in rows if r["kemeny_position"]), key=lambda r: r["kemeny_position"])
    summary = ranking.Summary(
        ballots=stored["ballots"],
        weight=stored["weight"],
        order=[r["recommendation"] for r in rows],
        kemeny=[r["recommendation"] for r in kemeny],
        w=stored["kendalls_w"],
        rows=[
            ranking.ItemResult(
                item=r["recommendation"],
                borda=r["borda"],
                mean_rank=r["mean_rank"],
                first_places=r["first_places"],
                schulze_position=r["schulze_position"],
                kemeny_position=r["kemeny_position"],
                position_counts=r["position_counts"],
            )
            for r in rows
        ],
    )
    return table(recs, summary, group_id, name, participants)


def _read_entry(kind: str, stored: dict, rec: Rec | None) -> Entry:
    # Snapshots frozen before "absorbed" was kept have only the count.
    absorbed = [_kept_entry(kind, m["text"], m["group"], rec) for m in stored.get("absorbed", [])]
    entry = _kept_entry(kind, stored["text"], stored["group"], rec)
    entry.endorsements = stored["endorsements"]
    entry.merged = absorbed
    entry.merged_count = stored["merged"]
    return entry


def _kept_entry(kind: str, text: str, group: str, rec: Rec | None) -> Entry:
    return Entry(
        kind=kind,
        pk=None,
        text=text,
        group_id=None,
        group_name=group,
        author_id=None,
        endorsements=0,
        hidden=False,
        merged_into_id=None,
        created_at=None,
        rec=rec,
    )

"""Issue 25's measures in the files: the JSON export's "divides" of each discussion
(docs/export-schema.json, $defs/divides) and three sheets of the workbook (and files
of the CSV ZIP). Only formatting: every number comes from results.py (divides.py),
rounded by `results.rounded` as the screens round it.

Column names and the sentence are fixed Swedish, as in every sheet (export.sheets):
the files are data that scripts read.
"""

from discussions import certainty, divides
from discussions.results import Results, rounded
from discussions.stored import DECIMALS

# The sentence of `Certainty.state`, in the files' Swedish.
SENTENCES = {
    "none": "Ingen har rangordnat.",
    "few": "För få har rangordnat för att säga hur säkert resultatet är.",
    "absent": "Rangordningarna är raderade: hur säkert resultatet var kan inte räknas om.",
    "clear": "Topp tre är tydlig.",
}


def sentence(sure: divides.Certainty) -> str:
    if sure.state != "close":
        return SENTENCES[sure.state]
    first, last = sure.span
    if sure.whole:
        return "Ingen plats är säker: rangordningen är för jämn för att avgöra."
    if first == last:
        return f"Plats {first} är för jämn för att avgöra."
    return f"Platserna {first}–{last} är för jämna för att avgöra."


def document(res: Results) -> dict:
    """A discussion's "divides" in the JSON export."""
    sure = res.certainty
    return {
        "tables": [
            {
                "group": d.group_id,
                "name": d.name,
                "ballots": d.ballots,
                "kendall_distance": rounded(d.distance, DECIMALS),
                "kendalls_w": rounded(d.agreement, DECIMALS),
                "most_alike": d.alike_ids,
                "most_alike_distance": rounded(d.alike_distance, DECIMALS),
                "flagged": d.flagged,
                "largest_move": {
                    "recommendation": d.rec.number,
                    "place": d.place,
                    "room_place": d.room_place,
                },
            }
            for d in res.tables_vs_room
        ],
        "recommendations": [
            {
                "recommendation": s.rec.number,
                "place": s.row.place,
                "placed": s.placed,
                "consensus": rounded(s.consensus, DECIMALS),
                "contested": s.contested,
                "top_third": s.top,
                "bottom_third": s.bottom,
                "third": s.third,
            }
            for s in res.splits
        ],
        "certainty": {
            "state": sure.state,
            "sentence": sentence(sure),
            "unsettled_places": list(sure.span) if sure.span else None,
            "counted": sure.kept,
            "winner_agree": sure.winner_agree,
            "top_three_agree": sure.top_agree,
            "kemeny_compared": sure.kemeny_compared,
            "condorcet_winner": sure.condorcet.number if sure.condorcet else None,
            "rounds": sure.rounds,
            "seed": certainty.SEED,
            "chances": [
                {
                    "recommendation": c.rec.number,
                    "place": c.place,
                    "top_three": rounded(c.chance, DECIMALS),
                }
                for c in sure.chances
            ],
        },
    }


def sheets(discussed: list[tuple[str, Results]]) -> list:
    """The workbook's three sheets of these measures, for (title, Results) pairs."""
    from discussions.export import TWO_DECIMALS, Table  # export.py calls this

    tables = Table(
        "Grupper mot rummet",
        "grupper-mot-rummet.csv",
        [
            "Diskussion",
            "Grupp",
            "Rangordningar",
            "Tvärtom mot rummet (andel par)",
            "Enighet (Kendalls W)",
            "Mest lika grupper",
            "Skiljer sig",
            "Störst skillnad nr",
            "Störst skillnad",
            "Plats i gruppen",
            "Plats i rummet",
        ],
        formats={3: TWO_DECIMALS, 4: TWO_DECIMALS},
    )
    splits = Table(
        "Omstridda",
        "omstridda.csv",
        [
            "Diskussion",
            "Nr",
            "Rekommendation",
            "Plats",
            "Placerad av",
            "Samstämmighet (Tastle–Wierman)",
            "Delad",
            "Bland första tredjedelen",
            "Bland sista tredjedelen",
            "Platser i en tredjedel",
            "Chans för topp tre",
        ],
        formats={5: TWO_DECIMALS, 10: TWO_DECIMALS},
    )
    sure = Table(
        "Hur säkert",
        "hur-sakert.csv",
        [
            "Diskussion",
            "Rangordningar",
            "Slutsats",
            "Osäkra platser från",
            "Osäkra platser till",
            "Samma vinnare",
            "Samma topp tre",
            "Condorcetvinnare nr",
            "Dragningar",
        ],
    )
    for title, res in discussed:
        for d in res.tables_vs_room:
            tables.rows.append(
                [
                    title,
                    d.name,
                    d.ballots,
                    float(d.distance),
                    d.agreement,
                    ", ".join(d.alike),
                    "Ja" if d.flagged else None,
                    d.rec.number,
                    d.rec.title,
                    d.place,
                    d.room_place,
                ]
            )
        chances = {c.rec: c.chance for c in res.certainty.chances}
        for s in res.splits:
            chance = chances.get(s.rec)
            splits.rows.append(
                [
                    title,
                    s.rec.number,
                    s.rec.title,
                    s.row.place,
                    s.placed,
                    s.consensus,
                    "Ja" if s.contested else None,
                    s.top,
                    s.bottom,
                    s.third,
                    None if chance is None else float(chance),
                ]
            )
        c = res.certainty
        sure.rows.append(
            [
                title,
                c.ballots,
                sentence(c),
                c.span[0] if c.span else None,
                c.span[1] if c.span else None,
                "Ja" if c.winner_agree else "Nej",
                "Ja" if c.top_agree else "Nej",
                c.condorcet.number if c.condorcet else None,
                c.rounds or None,
            ]
        )
    return [tables, splits, sure]

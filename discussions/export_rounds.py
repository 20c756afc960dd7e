"""A second round's sheets of the workbook and files of the CSV ZIP (discussions/export.py
adds them when a discussion of the workshop had one): round 1's places as they were,
and what moved. Column names in fixed Swedish, as export.py's; numbers from results.py.
"""

from discussions.export import TWO_DECIMALS, Table


def sheets(discussed) -> list[Table]:
    """`discussed`: (title, Results) per discussion. No sheets without a second round."""
    second = [(title, res) for title, res in discussed if res.first_round is not None]
    if not second:
        return []
    most_recs = max(len(res.recs) for _title, res in second)
    counts = ["Diskussion", "Grupp", "Deltagare", "Rangordningar", "Enighet (Kendalls W)"]
    first = Table(
        "Runda 1",
        "runda-1.csv",
        [*counts, *(f"Plats för rek. {n}" for n in range(1, most_recs + 1))],
        formats={4: TWO_DECIMALS},
    )
    moved = Table(
        "Förflyttning",
        "forflyttning.csv",
        [
            "Diskussion",
            "Grupp",
            "Nr",
            "Rekommendation",
            "Plats runda 1",
            "Plats runda 2",
            "Flyttade (+ upp, − ned)",
            "Samstämmighet runda 1",
            "Samstämmighet runda 2",
            "Enighet runda 1 (Kendalls W)",
            "Enighet runda 2 (Kendalls W)",
        ],
        formats={7: TWO_DECIMALS, 8: TWO_DECIMALS, 9: TWO_DECIMALS, 10: TWO_DECIMALS},
    )
    for title, res in second:
        before = res.first_round
        for name, t in [("Alla grupper", before.room), *[(t.name, t) for t in before.tables]]:
            by_number = {row.rec.number: row.place for row in t.rows} if t.ballots else {}
            first.rows.append(
                [title, name, t.participants, t.ballots, t.agreement]
                + [by_number.get(n) for n in range(1, most_recs + 1)]
            )
        shifts = [("Alla grupper", res.movement.room), *[(t.name, t) for t in res.movement.tables]]
        for name, table in shifts:
            shift = table.shift
            for m in shift.moves:
                moved.rows.append(
                    [
                        title,
                        name,
                        m.item.number,
                        m.item.title,
                        m.before,
                        m.after,
                        m.gained,
                        m.consensus_before,
                        m.consensus_after,
                        shift.agreement_before,
                        shift.agreement_after,
                    ]
                )
    return [first, moved]

"""XLSX, CSV and JSON exports, each read back and checked against the database.

Every expected ranking number comes from ranking.summarise on ballots this file
wrote itself, so a wrong query or a wrong column in export.py shows up here.
"""

import csv
import io
import json
import zipfile
from fractions import Fraction
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions import export, facilitator_writes, ranking, results
from discussions.management.commands.crowd import make_crowd
from discussions.models import (
    ActivityEndorsement,
    ActivityProposal,
    Discussion,
    Group,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
    Ranking,
    Workshop,
)
from recommendations.models import Recommendation, RecommendationSet
from tests.base import BaseTestCase, add_participant

SCHEMA = json.loads(
    (Path(__file__).resolve().parent.parent / "docs" / "export-schema.json").read_text("utf-8")
)
SHEETS = [
    "Sammanfattning",
    "Enighet",
    "Grupper",
    "Rangordningar",
    "Varför",
    "Saknade områden",
    "Aktiviteter",
    "Dolda inlägg",
    "Sammanslagna inlägg",
    "Moderering",
    "Gemensamma svar",
    "Täckning",
    "Grupper mot rummet",
    "Omstridda",
    "Hur säkert",
]
CSV_FILES = {
    "dolda.csv",
    "sammanslagna.csv",
    "moderering.csv",
    "gemensamma-svar.csv",
    "grupper-mot-rummet.csv",
    "omstridda.csv",
    "hur-sakert.csv",
    "sammanfattning.csv",
    "enighet.csv",
    "grupper.csv",
    "rangordningar.csv",
    "varfor.csv",
    "saknade-omraden.csv",
    "aktiviteter.csv",
    "tackning.csv",
}
# Table 1 leans to 3, table 2 to 5; ballots are partial on purpose.
TABLE1 = [(3, 1, 2), (3, 2), (1, 3, 5, 2)]
TABLE2 = [(5, 4), (5, 3, 1), ()]
NORDIC = "Pendlingen är viktigast – åäö ÅÄÖ, på norsk: æøå ÆØÅ"
FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)"]
HIDDEN_AREA = "Ett dolt inlägg om något helt annat"
HIDDEN_ACTIVITY = "Dold aktivitet som inte ska synas"
NAMES = ["Åsa Ödegård", "Bjørn Ærø", "", "Kari", "", "Ola Nordmann"]


def add_entry(model, author, text, endorsers=(), **extra):
    entry = model.objects.create(
        discussion=author.discussion, group=author.group, author=author, text=text, **extra
    )
    endorsement = MissingAreaEndorsement if model is MissingArea else ActivityEndorsement
    endorsement.objects.bulk_create(endorsement(entry=entry, participant=p) for p in endorsers)
    Group.bump_revision(author.group_id)
    return entry


class ExportCase(BaseTestCase):
    """alice's workshop with six people at two tables, texts, +1s, hidden and merged entries."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        whys = [NORDIC, FORMULAS[0], FORMULAS[1], FORMULAS[2], FORMULAS[3], ""]
        ballots = [*TABLE1, *TABLE2]
        cls.people = [
            add_participant(
                cls.discussion,
                cls.table1 if i < 3 else cls.table2,
                numbers=ballots[i],
                why=whys[i],
                name=NAMES[i],
            )
            for i in range(6)
        ]
        p = cls.people
        cls.rec = {r.number: r for r in cls.recs}
        cls.area = add_entry(MissingArea, p[0], "Kultur och idrott", endorsers=[p[1], p[2], p[3]])
        cls.formula_area = add_entry(MissingArea, p[3], "=1+1", endorsers=[p[4]])
        cls.hidden_area = add_entry(MissingArea, p[1], HIDDEN_AREA, hidden=True)
        cls.merged_area = add_entry(MissingArea, p[4], "Kultur", merged_into=cls.area)
        cls.activity = add_entry(
            ActivityProposal,
            p[2],
            "Gemensam arbetsmarknadsdag i Charlottenberg",
            endorsers=[p[0], p[3]],
            recommendation=cls.rec[3],
        )
        cls.hidden_activity = add_entry(
            ActivityProposal, p[4], HIDDEN_ACTIVITY, hidden=True, recommendation=cls.rec[5]
        )
        cls.phone_activity = add_entry(
            ActivityProposal, p[5], "+46 telefonlinje för pendlare", recommendation=cls.rec[3]
        )
        # Something in bob's workshop that must never show up in alice's export.
        add_participant(cls.other_discussion, cls.other_table, (8, 7), why="Dalarna", name="Bob")

    def expected(self, ballots, weights=None):
        items = [r.pk for r in self.recs]
        as_ids = [[self.rec[n].pk for n in ballot] for ballot in ballots]
        return ranking.summarise(items, as_ids, weights)

    def db_counts(self):
        w = self.workshop
        return {
            "rankings": Ranking.objects.filter(participant__discussion__workshop=w).count(),
            "whys": Participant.objects.filter(discussion__workshop=w).exclude(why="").count(),
            "areas": MissingArea.objects.filter(discussion__workshop=w).count(),
            "activities": ActivityProposal.objects.filter(discussion__workshop=w).count(),
        }


def number_of(rec_pk, recs):
    return next(r.number for r in recs if r.pk == rec_pk)


# --- XLSX ---------------------------------------------------------------------------


def read_xlsx(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def listed(summary):
    """The summary's rows as the files list them, with each one's place: by the points,
    equal points in the Schulze order and sharing a place (discussions/results.py)."""
    rows = sorted(summary.rows, key=lambda r: (-r.borda, r.schulze_position))
    return [(r, 1 + sum(1 for o in rows if o.borda > r.borda)) for r in rows]


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


class XlsxTests(ExportCase):
    def setUp(self):
        self.book = read_xlsx(export.build_xlsx(self.workshop))

    def test_sheets_headers_frozen_panes_filters_widths(self):
        self.assertEqual(self.book.sheetnames, SHEETS)
        for sheet in self.book.worksheets:
            self.assertEqual(sheet.freeze_panes, "A2", sheet.title)
            # One table a sheet: the filter covers the header and every row below it,
            # and no row in between is blank.
            last_column = openpyxl.utils.get_column_letter(sheet.max_column)
            self.assertEqual(sheet.auto_filter.ref, f"A1:{last_column}{sheet.max_row}")
            for row in sheet.iter_rows(min_row=2, values_only=True):
                self.assertTrue(any(value not in (None, "") for value in row), sheet.title)
            header = next(sheet.iter_rows(min_row=1, max_row=1))
            self.assertTrue(all(cell.font.bold for cell in header), sheet.title)
            self.assertTrue(all(cell.value for cell in header), sheet.title)
            for cell in header:
                width = sheet.column_dimensions[cell.column_letter].width
                self.assertGreaterEqual(width, export.MIN_WIDTH, (sheet.title, cell.value))
        self.assertEqual(
            rows_of(self.book["Rangordningar"])[0],
            ["Diskussion", "Grupp", "Deltagare", "Nr", "Rekommendation", "Plats"],
        )

    def test_row_counts_match_the_database(self):
        counts = self.db_counts()
        self.assertEqual(len(rows_of(self.book["Rangordningar"])) - 1, counts["rankings"])
        self.assertEqual(len(rows_of(self.book["Varför"])) - 1, counts["whys"])
        # Shown, hidden and merged entries on their own sheets, every one once:
        # areas 2 shown + 1 hidden + 1 merged, activities 2 shown + 1 hidden.
        self.assertEqual(len(rows_of(self.book["Saknade områden"])) - 1, 2)
        self.assertEqual(len(rows_of(self.book["Aktiviteter"])) - 1, 2)
        self.assertEqual(len(rows_of(self.book["Dolda inlägg"])) - 1, 2)
        self.assertEqual(len(rows_of(self.book["Sammanslagna inlägg"])) - 1, 1)
        self.assertEqual(counts["areas"] + counts["activities"], 2 + 2 + 2 + 1)
        # Grupper: "Alla grupper" and one row per group.
        self.assertEqual(len(rows_of(self.book["Grupper"])) - 1, 1 + 2)

    def test_rankings_sheet_holds_every_ballot_as_numbers(self):
        rows = rows_of(self.book["Rangordningar"])[1:]
        by_participant = {}
        for discussion, group, public_id, number, title, position in rows:
            self.assertEqual(discussion, self.discussion.title)
            self.assertIsInstance(number, int)
            self.assertIsInstance(position, int)
            self.assertEqual(title, self.rec[number].title)
            by_participant.setdefault(public_id, []).append((position, number, group))
        for person, ballot in zip(self.people, [*TABLE1, *TABLE2], strict=True):
            got = sorted(by_participant.get(person.public_id, []))
            self.assertEqual([n for _, n, _ in got], list(ballot))
            self.assertTrue(all(g == person.group.name for _, _, g in got))

    def test_summary_matches_ranking_summarise(self):
        summary = self.expected([*TABLE1, *TABLE2])
        rows = rows_of(self.book["Sammanfattning"])
        header, body = rows[0], rows[1:]
        self.assertEqual(len(body), len(self.recs))
        self.assertEqual(header[:5], ["Diskussion", "Plats", "Delad plats", "Nr", "Rekommendation"])
        self.assertEqual(header[8:], ["Kemeny-plats", "Schulze-plats"])
        for got, (want, want_place) in zip(body, listed(summary), strict=True):
            _, place, tied, number, title, borda, mean, firsts, kemeny, schulze = got
            self.assertEqual(place, want_place)
            shared = sum(1 for _r, p in listed(summary) if p == want_place) > 1
            self.assertEqual(tied, "Ja" if shared else None)
            self.assertEqual(schulze, want.schulze_position)
            self.assertEqual(number, number_of(want.item, self.recs))
            self.assertEqual(title, self.rec[number].title)
            self.assertIsInstance(borda, int | float)
            # Exact values (a number format rounds them on screen).
            self.assertAlmostEqual(borda, float(want.borda), places=9)
            self.assertAlmostEqual(mean, float(want.mean_rank), places=9)
            self.assertAlmostEqual(firsts, float(want.first_places), places=9)
            self.assertEqual(kemeny, want.kemeny_position)

    def test_agreement_sheet(self):
        summary = self.expected([*TABLE1, *TABLE2])
        rows = rows_of(self.book["Enighet"])
        self.assertEqual(rows[0][:2], ["Diskussion", "Grupp"])
        by_name = {row[1]: row for row in rows[1:]}
        self.assertEqual(set(by_name), {"Alla grupper", "Bord 1", "Bord 2"})
        self.assertAlmostEqual(by_name["Alla grupper"][4], summary.w, places=9)
        w1 = self.expected(TABLE1).w
        self.assertAlmostEqual(by_name["Bord 1"][4], w1, places=9)
        self.assertEqual(by_name["Bord 2"][3], 2)  # the empty ballot is no ballot

    def test_shown_numbers_are_rounded_by_a_number_format(self):
        sheet = self.book["Sammanfattning"]
        for row in sheet.iter_rows(min_row=2):
            for cell in row[5:8]:  # Borda, Medelplats, Förstaplatser
                if isinstance(cell.value, float):
                    self.assertEqual(cell.number_format, "0.0", cell.coordinate)
        mean_places = [row[6] for row in sheet.iter_rows(min_row=2) if row[6].value]
        self.assertTrue(any(not float(c.value).is_integer() for c in mean_places))
        for name in ("Enighet", "Grupper"):
            cells = [row[4] for row in self.book[name].iter_rows(min_row=2)]
            floats = [cell for cell in cells if isinstance(cell.value, float)]
            self.assertTrue(floats, name)
            self.assertTrue(all(cell.number_format == "0.00" for cell in floats), name)

    def test_groups_sheet_places_each_recommendation_per_group(self):
        rows = rows_of(self.book["Grupper"])
        header = rows[0]
        self.assertEqual(header[5:], [f"Plats för rek. {n}" for n in range(1, 9)])
        table2 = next(row for row in rows if row[1] == "Bord 2")
        want = self.expected(TABLE2)
        for item, place in listed(want):
            number = number_of(item.item, self.recs)
            self.assertEqual(table2[4 + number], place)

    def test_hidden_and_merged_entries_on_sheets_of_their_own(self):
        rows = rows_of(self.book["Saknade områden"])
        self.assertEqual(
            rows[0],
            ["Id", "Diskussion", "Grupp", "Deltagare", "Text", "Antal +1", "Antal sammanslagna"],
        )
        areas = {row[0]: row for row in rows[1:]}
        self.assertEqual(set(areas), {self.area.pk, self.formula_area.pk})
        self.assertEqual(areas[self.area.pk][4:], ["Kultur och idrott", 3, 1])
        activities = {row[0]: row for row in rows_of(self.book["Aktiviteter"])[1:]}
        self.assertEqual(set(activities), {self.activity.pk, self.phone_activity.pk})
        self.assertEqual(activities[self.activity.pk][7:], [2, 0])

        hidden = rows_of(self.book["Dolda inlägg"])
        self.assertEqual(
            hidden[0],
            [
                "Id",
                "Typ",
                "Diskussion",
                "Grupp",
                "Deltagare",
                "Nr",
                "Rekommendation",
                "Text",
                "Antal +1",
            ],
        )
        by_id = {row[0]: row for row in hidden[1:]}
        self.assertEqual(
            by_id[self.hidden_area.pk][1:],
            [
                "Saknat område",
                "Gruppdiskussion",
                "Bord 1",
                self.people[1].public_id,
                None,
                None,
                HIDDEN_AREA,
                0,
            ],
        )
        self.assertEqual(
            by_id[self.hidden_activity.pk][1:],
            [
                "Aktivitet",
                "Gruppdiskussion",
                "Bord 2",
                self.people[4].public_id,
                5,
                self.rec[5].title,
                HIDDEN_ACTIVITY,
                0,
            ],
        )
        merged = rows_of(self.book["Sammanslagna inlägg"])
        self.assertEqual(merged[0][-2:], ["Sammanslagen med (id)", "Sammanslagen med (text)"])
        self.assertEqual(merged[1][0], self.merged_area.pk)
        self.assertEqual(merged[1][7:], ["Kultur", self.area.pk, "Kultur och idrott"])

    def test_formulas_are_neutralised_and_stored_as_text(self):
        whys = {row[2]: row[5] for row in rows_of(self.book["Varför"])[1:]}
        for person, formula in zip(self.people[1:5], FORMULAS, strict=True):
            self.assertEqual(whys[person.public_id], "'" + formula)
        areas = {row[0]: row[4] for row in rows_of(self.book["Saknade områden"])[1:]}
        self.assertEqual(areas[self.formula_area.pk], "'=1+1")
        activities = {row[0]: row[6] for row in rows_of(self.book["Aktiviteter"])[1:]}
        self.assertEqual(activities[self.phone_activity.pk], "'+46 telefonlinje för pendlare")
        for sheet in self.book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    self.assertNotEqual(cell.data_type, "f", (sheet.title, cell.coordinate))
                    if isinstance(cell.value, str):
                        self.assertFalse(cell.value.startswith(export.FORMULA_STARTS), cell.value)

    def test_no_formula_element_in_the_file(self):
        content = export.build_xlsx(self.workshop, include_names=True)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/"):
                    self.assertNotIn(b"<f>", archive.read(name), name)
                    self.assertNotIn(b"<f ", archive.read(name), name)

    def test_names_only_when_asked(self):
        def all_text(book):
            return {
                cell
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
                for cell in row
                if isinstance(cell, str)
            }

        anonymous = all_text(self.book)
        self.assertNotIn("Namn", rows_of(self.book["Rangordningar"])[0])
        for name in filter(None, NAMES):
            self.assertNotIn(name, anonymous)
        named_book = read_xlsx(export.build_xlsx(self.workshop, include_names=True))
        named = all_text(named_book)
        for name in filter(None, NAMES):
            self.assertIn(name, named)
        header = rows_of(named_book["Rangordningar"])[0]
        self.assertEqual(header[2:4], ["Deltagare", "Namn"])
        row = next(r for r in rows_of(named_book["Rangordningar"])[1:] if r[3] == "Åsa Ödegård")
        self.assertEqual(row[2], self.people[0].public_id)

    def test_other_workshops_stay_out(self):
        rows = rows_of(self.book["Varför"])
        self.assertNotIn("Dalarna", [row[-1] for row in rows])

    def test_control_characters_do_not_break_the_workbook(self):
        Participant.objects.filter(pk=self.people[0].pk).update(why="a\x01b\x1fc")
        Group.bump_revision(self.table1.pk)  # as every write does
        book = read_xlsx(export.build_xlsx(self.workshop))
        whys = {row[2]: row[5] for row in rows_of(book["Varför"])[1:]}
        self.assertEqual(whys[self.people[0].public_id], "abc")


# --- CSV ----------------------------------------------------------------------------


def read_csv_zip(content: bytes, delimiter: str = ",") -> dict[str, list[list[str]]]:
    tables = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            raw = archive.read(name)
            assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no BOM"
            text = io.StringIO(raw.decode("utf-8-sig"), newline="")
            tables[name] = list(csv.reader(text, delimiter=delimiter))
    return tables


class CsvTests(ExportCase):
    def setUp(self):
        self.tables = read_csv_zip(export.build_csv_zip(self.workshop))

    def test_one_file_per_table_with_bom_and_counts(self):
        self.assertEqual(set(self.tables), CSV_FILES)
        counts = self.db_counts()
        self.assertEqual(len(self.tables["rangordningar.csv"]) - 1, counts["rankings"])
        self.assertEqual(len(self.tables["varfor.csv"]) - 1, counts["whys"])
        every_entry = sum(
            len(self.tables[name]) - 1
            for name in ("saknade-omraden.csv", "aktiviteter.csv", "dolda.csv", "sammanslagna.csv")
        )
        self.assertEqual(every_entry, counts["areas"] + counts["activities"])
        self.assertEqual(len(self.tables["sammanfattning.csv"]) - 1, len(self.recs))
        self.assertEqual(self.tables["varfor.csv"][0][-1], "Varför")

    def test_non_ascii_text_is_exact(self):
        whys = {row[2]: row[-1] for row in self.tables["varfor.csv"][1:]}
        self.assertEqual(whys[self.people[0].public_id], NORDIC)
        titles = {row[4] for row in self.tables["rangordningar.csv"][1:]}
        self.assertIn(self.rec[3].title, titles)  # "Stärk den fria rörligheten – ..."
        self.assertEqual(self.tables["saknade-omraden.csv"][0][0], "Id")
        self.assertIn("Saknade", "Saknade områden")

    def test_summary_matches_ranking_summarise(self):
        summary = self.expected([*TABLE1, *TABLE2])
        for got, (want, place) in zip(
            self.tables["sammanfattning.csv"][1:], listed(summary), strict=True
        ):
            self.assertEqual(int(got[1]), place)
            self.assertEqual(int(got[9]), want.schulze_position)
            self.assertEqual(int(got[3]), number_of(want.item, self.recs))
            self.assertAlmostEqual(float(got[5]), float(want.borda), places=3)
            self.assertAlmostEqual(float(got[6]), float(want.mean_rank), places=3)

    def test_formulas_neutralised(self):
        for name, rows in self.tables.items():
            for row in rows:
                for value in row:
                    self.assertFalse(value.startswith(export.FORMULA_STARTS), (name, value))
        whys = {row[-1] for row in self.tables["varfor.csv"][1:]}
        for formula in FORMULAS:
            self.assertIn("'" + formula, whys)

    def test_hidden_and_merged_apart_and_names_only_when_asked(self):
        areas = {int(row[0]) for row in self.tables["saknade-omraden.csv"][1:]}
        self.assertEqual(areas, {self.area.pk, self.formula_area.pk})
        hidden = {int(row[0]) for row in self.tables["dolda.csv"][1:]}
        self.assertEqual(hidden, {self.hidden_area.pk, self.hidden_activity.pk})
        (merged,) = self.tables["sammanslagna.csv"][1:]
        self.assertEqual(merged[0], str(self.merged_area.pk))
        self.assertEqual(merged[-2:], [str(self.area.pk), "Kultur och idrott"])
        flat = {v for rows in self.tables.values() for row in rows for v in row}
        self.assertNotIn("Åsa Ödegård", flat)
        named = read_csv_zip(export.build_csv_zip(self.workshop, include_names=True))
        self.assertEqual(named["varfor.csv"][0][2:4], ["Deltagare", "Namn"])
        names = {row[3] for row in named["varfor.csv"][1:]}
        self.assertIn("Åsa Ödegård", names)
        self.assertIn("Bjørn Ærø", names)


class NordicCsvTests(ExportCase):
    """The variant Swedish and Norwegian Excel opens into columns: ; and decimal commas."""

    def setUp(self):
        self.raw = export.build(self.workshop, "csv-nordic")
        self.tables = read_csv_zip(self.raw, delimiter=";")

    def test_same_files_with_semicolons_bom_and_crlf(self):
        self.assertEqual(set(self.tables), CSV_FILES)
        with zipfile.ZipFile(io.BytesIO(self.raw)) as archive:
            head = archive.read("sammanfattning.csv").decode("utf-8-sig").split("\r\n")[0]
        self.assertEqual(head.split(";")[:3], ["Diskussion", "Plats", "Delad plats"])
        standard = read_csv_zip(export.build_csv_zip(self.workshop))
        for name, rows in self.tables.items():
            self.assertEqual(len(rows), len(standard[name]), name)
            self.assertEqual(rows[0], standard[name][0], name)

    def test_decimal_commas_and_exact_text(self):
        summary = self.expected([*TABLE1, *TABLE2])
        rows = self.tables["sammanfattning.csv"][1:]
        for got, (want, place) in zip(rows, listed(summary), strict=True):
            self.assertEqual(int(got[1]), place)
            for column, value in ((5, want.borda), (6, want.mean_rank), (7, want.first_places)):
                self.assertNotIn(".", got[column])
                self.assertAlmostEqual(float(got[column].replace(",", ".")), float(value), 3)
        self.assertTrue(any("," in row[6] for row in rows))  # a mean place with decimals
        agreement = {row[1]: row for row in self.tables["enighet.csv"][1:]}
        self.assertAlmostEqual(
            float(agreement["Alla grupper"][4].replace(",", ".")), summary.w, places=3
        )
        whys = {row[2]: row[-1] for row in self.tables["varfor.csv"][1:]}
        self.assertEqual(whys[self.people[0].public_id], NORDIC)  # its comma is text
        for formula in FORMULAS:
            self.assertIn("'" + formula, whys.values())

    def test_a_semicolon_in_a_text_stays_in_its_cell(self):
        Participant.objects.filter(pk=self.people[5].pk).update(why="Buss; tåg; färja")
        Group.bump_revision(self.table2.pk)
        tables = read_csv_zip(export.build(self.workshop, "csv-nordic"), delimiter=";")
        whys = {row[2]: row for row in tables["varfor.csv"][1:]}
        row = whys[self.people[5].public_id]
        self.assertEqual(len(row), len(tables["varfor.csv"][0]))
        self.assertEqual(row[-1], "Buss; tåg; färja")


# --- JSON ---------------------------------------------------------------------------


class JsonTests(ExportCase):
    def setUp(self):
        # Through bytes, as a download or the command writes it.
        self.doc = json.loads(export.build(self.workshop, "json"))

    def test_validates_against_the_documented_schema(self):
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
        jsonschema.validate(self.doc, SCHEMA, cls=jsonschema.Draft202012Validator)
        named = export.build_json(self.workshop, include_names=True)
        jsonschema.validate(named, SCHEMA, cls=jsonschema.Draft202012Validator)
        self.assertEqual(self.doc["schema_version"], 3)

    def test_the_schema_catches_drift(self):
        # The test above means something only if the schema rejects what it should.
        broken = json.loads(json.dumps(self.doc))
        broken["discussions"][0]["participants"][0]["surprise"] = 1
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA, cls=jsonschema.Draft202012Validator)
        broken = json.loads(json.dumps(self.doc))
        del broken["discussions"][0]["results"]["overall"]["rows"][0]["borda"]
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA, cls=jsonschema.Draft202012Validator)

    def test_matches_the_database(self):
        doc = self.doc
        self.assertEqual(doc["workshop"]["title"], self.workshop.title)
        self.assertEqual(doc["workshop"]["place"], "Karlstad")
        (rec_set,) = doc["recommendation_sets"]
        self.assertEqual(rec_set["slug"], self.rec_set.slug)
        for got, rec in zip(rec_set["recommendations"], self.recs, strict=True):
            self.assertEqual(
                got, {"number": rec.number, "title": rec.title, "bullets": rec.bullet_list}
            )
            self.assertTrue(got["bullets"])
        (d,) = doc["discussions"]
        self.assertEqual(d["questions"]["rank"], self.discussion.question_rank)
        self.assertEqual(d["questions"]["missing"], self.discussion.question_missing)
        self.assertEqual(d["questions"]["activities"], self.discussion.question_activities)
        self.assertEqual(
            [(g["id"], g["name"]) for g in d["groups"]],
            [(self.table1.pk, "Bord 1"), (self.table2.pk, "Bord 2")],
        )
        people = {p["id"]: p for p in d["participants"]}
        self.assertEqual(set(people), {p.public_id for p in self.people})
        for person, ballot in zip(self.people, [*TABLE1, *TABLE2], strict=True):
            got = people[person.public_id]
            self.assertEqual(got["ranking"], list(ballot))
            self.assertEqual(got["why"], person.why)
            self.assertEqual(got["group"], person.group_id)
            self.assertNotIn("name", got)
        areas = {a["id"]: a for a in d["missing_areas"]}
        self.assertEqual(len(areas), MissingArea.objects.filter(discussion=self.discussion).count())
        self.assertEqual(areas[self.area.pk]["endorsements"], 3)
        self.assertEqual(areas[self.area.pk]["author"], self.people[0].public_id)
        self.assertTrue(areas[self.hidden_area.pk]["hidden"])
        self.assertEqual(areas[self.merged_area.pk]["merged_into"], self.area.pk)
        self.assertEqual(areas[self.formula_area.pk]["text"], "=1+1")  # JSON is not a spreadsheet
        activities = {a["id"]: a for a in d["activities"]}
        self.assertEqual(activities[self.activity.pk]["recommendation"], 3)
        self.assertEqual(activities[self.activity.pk]["endorsements"], 2)
        self.assertTrue(activities[self.hidden_activity.pk]["hidden"])
        self.assertEqual(d["results_source"], "live")
        self.assertIsNone(d["kept_texts"])

    def test_results_match_ranking_summarise(self):
        results = self.doc["discussions"][0]["results"]
        self.assertEqual(results["participants"], 6)
        self.assertEqual(results["ballots"], 5)

        def check(table, summary):
            self.assertEqual(table["ballots"], summary.ballots)
            if summary.w is None:
                self.assertIsNone(table["kendalls_w"])
            else:
                self.assertAlmostEqual(table["kendalls_w"], summary.w, places=3)
            for got, (want, place) in zip(table["rows"], listed(summary), strict=True):
                self.assertEqual(got["recommendation"], number_of(want.item, self.recs))
                self.assertEqual(got["place"], place)
                self.assertEqual(got["schulze_position"], want.schulze_position)
                self.assertEqual(got["kemeny_position"], want.kemeny_position)
                self.assertAlmostEqual(got["borda"], float(want.borda), places=3)
                self.assertAlmostEqual(got["first_places"], float(want.first_places), places=3)
                self.assertEqual(got["position_counts"], want.position_counts)

        everyone = [*TABLE1, *TABLE2]
        check(results["overall"], self.expected(everyone))
        ones = [b for b in everyone if b]
        weights = [Fraction(1, 3)] * 3 + [Fraction(1, 2)] * 2
        check(results["overall_by_group"], self.expected(ones, weights))
        check(results["groups"][0], self.expected(TABLE1))
        check(results["groups"][1], self.expected(TABLE2))

    def test_whole_numbers_are_json_integers(self):
        # Counted per participant, the weight and the first places are whole: a
        # report reads 2, not 2.0.
        table = self.doc["discussions"][0]["results"]["overall"]
        self.assertIs(type(table["weight"]), int)
        for row in table["rows"]:
            self.assertIs(type(row["first_places"]), int)
            self.assertIs(type(row["position_counts"][0]), int)

    def test_names_only_when_asked(self):
        named = export.build_json(self.workshop, include_names=True)
        self.assertTrue(named["includes_names"])
        people = {p["id"]: p for p in named["discussions"][0]["participants"]}
        self.assertEqual(people[self.people[1].public_id]["name"], "Bjørn Ærø")
        self.assertNotIn("Bjørn", json.dumps(self.doc, ensure_ascii=False))


# --- While running, and bounded queries ---------------------------------------------


class SnapshotWhileRunningTests(ExportCase):
    def test_export_while_the_discussion_runs(self):
        facilitator_writes.run_timer(self.discussion.pk, "start")
        doc = export.build_json(self.workshop)
        self.assertEqual(doc["discussions"][0]["state"], "running")
        self.assertEqual(len(doc["discussions"][0]["participants"]), 6)
        book = read_xlsx(export.build_xlsx(self.workshop))
        self.assertEqual(book.sheetnames, SHEETS)


class BoundedQueriesTests(BaseTestCase):
    def crowd_workshop(self, n):
        workshop = Workshop.objects.create(title=f"Crowd {n}", recommendation_set=self.rec_set)
        for i in range(2):
            discussion = Discussion.objects.create(
                workshop=workshop,
                title=f"Runda {i}",
                recommendation_set=self.rec_set,
                join_code=f"CRW{n}{i}",
            )
            Group.objects.create(discussion=discussion, name="Bord 1", position=1)
            Group.objects.create(discussion=discussion, name="Bord 2", position=2)
            make_crowd(discussion, n, seed=n + i)
        return Workshop.objects.get(pk=workshop.pk)

    def queries(self, build, workshop):
        """The SELECTs of a build that counts anew: the transaction's own statements
        (savepoints here) are no reads."""
        results.clear()
        with CaptureQueriesContext(connection) as captured:
            build(workshop)
        return sum(q["sql"].lstrip().upper().startswith("SELECT") for q in captured)

    def test_same_number_of_queries_for_10_and_200_participants(self):
        small, large = self.crowd_workshop(10), self.crowd_workshop(200)
        self.assertGreater(
            Ranking.objects.filter(participant__discussion__workshop=large).count(), 300
        )
        builders = [export.build_xlsx, export.build_csv_zip, export.build_json]
        for build in builders:
            self.assertEqual(self.queries(build, small), self.queries(build, large))
        # Each of the two discussions' results in nine (results.of), the list of
        # discussions and the moderation log: whatever the crowd.
        self.assertEqual(self.queries(export.build_xlsx, large), 2 + 2 * 9)


class EdgeCaseTests(BaseTestCase):
    def validate(self, doc):
        jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)

    def test_a_workshop_without_discussions(self):
        empty = Workshop.objects.create(title="Tom", recommendation_set=self.rec_set)
        book = read_xlsx(export.build_xlsx(empty))
        self.assertEqual(book.sheetnames, SHEETS)
        self.assertEqual(len(rows_of(book["Rangordningar"])), 1)
        self.assertEqual(set(read_csv_zip(export.build_csv_zip(empty))), CSV_FILES)
        doc = export.build_json(empty)
        self.validate(doc)
        self.assertEqual(doc["discussions"], [])

    def test_a_discussion_without_groups_or_answers(self):
        doc = export.build_json(self.other_workshop)
        self.validate(doc)
        table = doc["discussions"][0]["results"]["overall"]
        self.assertEqual(table["ballots"], 0)
        self.assertIsNone(table["kendalls_w"])
        self.assertIsNone(table["rows"][0]["mean_rank"])
        read_xlsx(export.build_xlsx(self.other_workshop))

    def test_a_list_too_long_for_kemeny(self):
        long_set = RecommendationSet.objects.create(slug="lang", name="Lång lista")
        Recommendation.objects.bulk_create(
            Recommendation(recommendation_set=long_set, number=n, title=f"Punkt {n}")
            for n in range(1, 18)
        )
        workshop = Workshop.objects.create(title="Lång", recommendation_set=long_set)
        discussion = Discussion.objects.create(
            workshop=workshop, title="Runda", recommendation_set=long_set, join_code="LANG17"
        )
        group = Group.objects.create(discussion=discussion, name="Bord 1")
        for ballot in [(17, 1, 2), (17, 2), (3,)]:
            add_participant(discussion, group, ballot)
        doc = export.build_json(workshop)
        self.validate(doc)
        rows = doc["discussions"][0]["results"]["overall"]["rows"]
        self.assertEqual(len(rows), 17)
        self.assertEqual(rows[0]["recommendation"], 17)
        self.assertTrue(all(row["kemeny_position"] is None for row in rows))
        book = read_xlsx(export.build_xlsx(workshop))
        self.assertEqual(rows_of(book["Grupper"])[0][-1], "Plats för rek. 17")

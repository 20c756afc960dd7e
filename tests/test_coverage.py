"""The coverage: which recommendations got a concrete activity, at which table.

Every expected number below is counted by hand from the answers written in
`CoverageCase.setUpTestData` (the table under it), never by results.py.
"""

import csv
import io
import json
import zipfile

import openpyxl
from django.core.cache import caches
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from discussions import deletion, export, facilitator_writes, plenary, results
from discussions.models import ActivityProposal, Discussion, Group
from discussions.results import Activities, Entry, Rec
from tests.base import BaseTestCase, add_activity, add_participant

# What setUpTestData writes, counted by hand. Bord 1, Bord 2, Bord 3 (which wrote none).
#
#   Rek. 1  "Gemensam vision" (Bord 1)  <- "Visionsdag" (Bord 2) merged into it
#   Rek. 2  "Nattåg" (Bord 2)           <- "Nattåg Oslo", "Nattåg igen" (both Bord 1) merged
#   Rek. 3  "Pendlarkort", "Jobbmässa" (Bord 1) <- "Statistikdag" (Bord 2, written under
#           Rek. 8) merged into "Pendlarkort": the facilitator said it is the same one
#   Rek. 4  "Hemligt" (Bord 2), hidden
#   Rek. 5  "Projektbank" (Bord 2)
#   Rek. 7  "Gränsdag" (Bord 1) <- "Gränsdagen" (Bord 2) merged into it, then hidden
#
#            Bord 1  Bord 2  Bord 3  all tables
#   Rek. 1     1       1       0       1
#   Rek. 2     1       1       0       1      (Bord 1's two duplicates count once)
#   Rek. 3     2       1       0       2
#   Rek. 4     0       0       0       0      gap: its only one is hidden
#   Rek. 5     0       1       0       1
#   Rek. 6     0       0       0       0      gap
#   Rek. 7     0       0       0       0      gap: hidden with its duplicate
#   Rek. 8     0       0       0       0      gap: its only one was merged under Rek. 3
#   total      4       4       0       5
EXPECTED = {
    1: ([1, 1, 0], 1),
    2: ([1, 1, 0], 1),
    3: ([2, 1, 0], 2),
    4: ([0, 0, 0], 0),
    5: ([0, 1, 0], 1),
    6: ([0, 0, 0], 0),
    7: ([0, 0, 0], 0),
    8: ([0, 0, 0], 0),
}
SENTENCE = "4 av 8 rekommendationer har ingen konkret aktivitet än: Rek. 4, 6, 7, 8."


class CoverageCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        d = cls.discussion
        cls.table3 = Group.objects.create(discussion=d, name="Bord 3", position=3)
        rec = {r.number: r for r in cls.recs}
        # The room puts Rek. 2 first, then 1, then 3 (hand count: 2 gets 7+7+7 points,
        # 1 gets 6+0+6 plus shares of the rest, 3 gets 6 from Bord 2 plus shares).
        p1 = add_participant(d, cls.table1, (2, 1, 3))
        p2 = add_participant(d, cls.table2, (2, 3, 1))
        add_participant(d, cls.table3, (2, 1, 3))
        vision = add_activity(p1, "Gemensam vision", rec[1])
        visionsdag = add_activity(p2, "Visionsdag", rec[1])
        nattag = add_activity(p2, "Nattåg", rec[2])
        oslo = add_activity(p1, "Nattåg Oslo", rec[2])
        igen = add_activity(p1, "Nattåg igen", rec[2])
        pendlarkort = add_activity(p1, "Pendlarkort", rec[3])
        add_activity(p1, "Jobbmässa", rec[3])
        statistikdag = add_activity(p2, "Statistikdag", rec[8])
        hemligt = add_activity(p2, "Hemligt", rec[4])
        add_activity(p2, "Projektbank", rec[5])
        gransdag = add_activity(p1, "Gränsdag", rec[7])
        gransdagen = add_activity(p2, "Gränsdagen", rec[7])
        merge = facilitator_writes.merge
        merge(ActivityProposal, d.pk, visionsdag.pk, vision.pk)
        merge(ActivityProposal, d.pk, oslo.pk, nattag.pk)
        merge(ActivityProposal, d.pk, igen.pk, nattag.pk)
        merge(ActivityProposal, d.pk, statistikdag.pk, pendlarkort.pk)
        merge(ActivityProposal, d.pk, gransdagen.pk, gransdag.pk)
        facilitator_writes.set_hidden(ActivityProposal, d.pk, hemligt.pk, True)
        facilitator_writes.set_hidden(ActivityProposal, d.pk, gransdag.pk, True)

    def setUp(self):
        results.clear()
        for kept in caches.all():
            kept.clear()
        self.client.force_login(self.alice)
        self.d = self.discussion.pk

    def counted(self):
        return results.of(Discussion.objects.get(pk=self.d)).coverage

    def assert_hand_counts(self, coverage):
        self.assertEqual([t.name for t in coverage.tables], ["Bord 1", "Bord 2", "Bord 3"])
        got = {row.rec.number: (row.counts, row.total) for row in coverage.rows}
        self.assertEqual(got, EXPECTED)
        self.assertEqual(coverage.table_totals, [4, 4, 0])
        self.assertEqual(coverage.total, 5)
        self.assertEqual([rec.number for rec in coverage.gaps], [4, 6, 7, 8])
        self.assertEqual(coverage.tables_without, ["Bord 3"])


class CountingTests(CoverageCase):
    def test_hand_counted_cells_totals_and_gaps(self):
        self.assert_hand_counts(self.counted())

    def test_rows_in_the_rooms_order(self):
        coverage = self.counted()
        self.assertEqual([row.rec.number for row in coverage.rows][:3], [2, 1, 3])
        self.assertEqual([row.place for row in coverage.rows][:3], [1, 2, 3])
        self.assertEqual(coverage.listed, 8)
        self.assertTrue(coverage.rows[3].gap or coverage.rows[3].rec.number == 5)

    def test_a_frozen_report_counts_the_same(self):
        # Its entries know their tables by name only; hidden ones are not kept at all.
        facilitator_writes.run_timer(self.d, "start")
        facilitator_writes.run_timer(self.d, "end")
        deletion.delete_participant_data(self.workshop)
        results.clear()
        coverage = self.counted()
        self.assertIsNotNone(results.of(Discussion.objects.get(pk=self.d)).frozen_at)
        self.assert_hand_counts(coverage)

    def test_unmerged_a_duplicate_counts_on_its_own_again(self):
        event = Discussion.objects.get(pk=self.d).moderation_events.get(
            action="merge", text="Statistikdag"
        )
        facilitator_writes.unmerge(self.d, event.pk)
        coverage = self.counted()
        by_number = {row.rec.number: row for row in coverage.rows}
        self.assertEqual((by_number[3].counts, by_number[3].total), ([2, 0, 0], 2))
        self.assertEqual((by_number[8].counts, by_number[8].total), ([0, 1, 0], 1))
        self.assertEqual([rec.number for rec in coverage.gaps], [4, 6, 7])


class ScreensTests(CoverageCase):
    def test_the_dashboard_marks_the_gaps_in_words(self):
        response = self.client.get(reverse("facilitator:dashboard", args=[self.d]))
        self.assertContains(response, 'id="dash-coverage"')
        self.assertContains(response, SENTENCE)
        self.assertContains(response, "Bord 3 har inte föreslagit någon aktivitet än.")
        # One row marked for each gap, not by colour alone.
        self.assertContains(response, "f-coverage-flag", count=4)
        self.assertContains(response, "räknas en gång, under varje bord som föreslog dem")

    def test_the_dashboard_takes_no_more_queries(self):
        def draw(sentence):
            results.clear()
            for kept in caches.all():
                kept.clear()
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(reverse("facilitator:dashboard", args=[self.d]))
            self.assertIn(sentence, response.content.decode())
            return len(queries)

        few = draw(SENTENCE)
        for i in range(30):
            p = add_participant(self.discussion, self.table3, (6,))
            add_activity(p, f"Förslag {i}", self.recs[5])  # Rek. 6
        self.assertEqual(
            draw("3 av 8 rekommendationer har ingen konkret aktivitet än: Rek. 4, 7, 8."), few
        )
        # As tests/test_facilitator_live.py counts them: the session and the user, the
        # discussion, results.of's nine and the moderation log.
        self.assertEqual(few, 13)

    def test_the_projector_view_before_and_after_the_reveal(self):
        response = self.client.get(reverse("facilitator:projector_coverage", args=[self.d]))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn(SENTENCE, html)
        self.assertEqual(html.count('class="pl-cov-flag"'), 4)
        # Until the ranking is revealed the list's order, no places.
        order = [html.index(f'Rek. {n}</span> <span class="pl-cov-title"') for n in (1, 2, 3)]
        self.assertEqual(order, sorted(order))
        self.assertNotIn('class="pl-cov-place"', html)
        Discussion.objects.filter(pk=self.d).update(results_revealed=True)
        html = self.client.get(
            reverse("facilitator:projector_coverage", args=[self.d])
        ).content.decode()
        order = [html.index(f'Rek. {n}</span> <span class="pl-cov-title"') for n in (2, 1, 3)]
        self.assertEqual(order, sorted(order))
        self.assertIn('class="pl-cov-place"', html)

    def test_the_projector_view_in_every_language(self):
        sentences = {
            "sv": "4 av 8 rekommendationer har ingen konkret aktivitet än: Rek. 4, 6, 7, 8.",
            "nb": "4 av 8 anbefalinger har ingen konkret aktivitet ennå: Anb. 4, 6, 7, 8.",
            "en": "4 of 8 recommendations have no concrete activity yet: Rec. 4, 6, 7, 8.",
        }
        for code, sentence in sentences.items():
            with self.subTest(language=code):
                self.client.post("/i18n/setlang/", {"language": code, "next": "/"})
                response = self.client.get(reverse("facilitator:projector_coverage", args=[self.d]))
                self.assertContains(response, f'<html lang="{code}">')
                self.assertContains(response, sentence)

    def test_shown_by_the_facilitator_and_by_its_key(self):
        response = self.client.post(
            reverse("facilitator:projector_show", args=[self.d]),
            {"view": "coverage", "next": "projector"},
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(
            response["Location"], reverse("facilitator:projector_coverage", args=[self.d])
        )
        self.assertEqual(Discussion.objects.get(pk=self.d).projector_view, "coverage")
        page = self.client.get(response["Location"])
        self.assertContains(page, 'data-shortcut="k"')
        self.assertContains(page, "K</kbd>")
        self.assertRegex(page.content.decode(), r'aria-current="true">Täckning <kbd>K</kbd>')

    def test_forty_tables_page_by_ten(self):
        for n in range(4, 41):
            Group.objects.create(discussion=self.discussion, name=f"Bord {n}", position=n)
        results.clear()
        Discussion.bump_revision(self.d)
        self.client.post(
            reverse("facilitator:projector_show", args=[self.d]), {"view": "coverage", "page": 4}
        )
        response = self.client.get(reverse("facilitator:projector_coverage", args=[self.d]))
        self.assertContains(response, "Sida 4 av 4")
        self.assertContains(response, "bord 31–40 av 40")
        self.assertContains(response, ">Bord 31</th>")
        self.assertNotContains(response, ">Bord 30</th>")


class ExportTests(CoverageCase):
    def test_json_carries_it(self):
        doc = export.build_json(self.workshop)
        data = doc["discussions"][0]["results"]["coverage"]
        self.assertEqual(data["activities"], 5)
        self.assertEqual(data["without_activity"], [4, 6, 7, 8])
        rows = {row["recommendation"]: row for row in data["rows"]}
        for number, (counts, total) in EXPECTED.items():
            self.assertEqual([g["activities"] for g in rows[number]["groups"]], counts)
            self.assertEqual(rows[number]["activities"], total)
        self.assertEqual([g["activities"] for g in data["groups"]], [4, 4, 0])
        self.assertEqual([g["name"] for g in data["groups"]], ["Bord 1", "Bord 2", "Bord 3"])
        self.assertEqual(data["rows"][0]["place"], 1)
        json.dumps(doc)

    def test_xlsx_sheet(self):
        book = openpyxl.load_workbook(io.BytesIO(export.build_xlsx(self.workshop)))
        rows = list(book["Täckning"].iter_rows(values_only=True))
        self.assertEqual(
            rows[0],
            (
                "Diskussion",
                "Plats",
                "Nr",
                "Rekommendation",
                "Grupp",
                "Aktiviteter",
                "Utan aktivitet",
            ),
        )
        cells = {(r[2], r[4]): (r[5], r[6]) for r in rows[1:]}
        self.assertEqual(len(rows) - 1, 8 * 4)
        for number, (counts, total) in EXPECTED.items():
            self.assertEqual(cells[(number, "Alla grupper")], (total, "Ja" if not total else None))
            for name, n in zip(["Bord 1", "Bord 2", "Bord 3"], counts, strict=True):
                self.assertEqual(cells[(number, name)], (n, None))

    def test_csv_file(self):
        archive = zipfile.ZipFile(io.BytesIO(export.build_csv_zip(self.workshop)))
        text = archive.read("tackning.csv").decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        # Rek. 4 to 8: nobody ranked them, so they share the room's fourth place.
        gaps = [r for r in rows[1:] if r[4] == "Alla grupper" and r[6] == "Ja"]
        self.assertEqual(sorted(int(r[2]) for r in gaps), [4, 6, 7, 8])
        self.assertEqual({r[1] for r in gaps}, {"4"})

    def test_the_report(self):
        response = self.client.get(reverse("export:report", args=[self.workshop.pk]))
        self.assertContains(response, "Aktiviteter per rekommendation och bord")
        self.assertContains(response, SENTENCE)
        self.assertContains(response, "(Ingen aktivitet)", count=4)


class EmptyTableTests(CoverageCase):
    def test_a_table_nobody_sat_at_is_no_part_of_the_report_nor_named(self):
        Group.objects.create(discussion=self.discussion, name="Bord 9", position=9)
        Discussion.bump_revision(self.d)
        coverage = self.counted()
        self.assertEqual([t.name for t in coverage.tables][-1], "Bord 9")
        self.assertEqual(coverage.tables_without, ["Bord 3"])
        self.assertEqual([t.name for t in coverage.seated.tables], ["Bord 1", "Bord 2", "Bord 3"])
        self.assertEqual(coverage.seated.rows[0].counts, coverage.rows[0].counts[:3])
        report = self.client.get(reverse("export:report", args=[self.workshop.pk]))
        self.assertNotContains(report, "Bord 9")
        self.assertContains(report, "Bord 3 har inte föreslagit någon aktivitet än.")


class PagesTests(SimpleTestCase):
    def coverage(self, tables):
        room = results.Table(None, "", 0, 0, 0, None, [], [])
        return results.Coverage(
            tables=[results.Table(i, f"Bord {i}", 0, 0, 0, None, [], []) for i in range(tables)],
            rows=[],
            table_totals=[0] * tables,
            total=0,
            gaps=[],
            listed=len(room.rows),
        )

    def test_tables_split_as_evenly_as_they_divide(self):
        for tables, sizes in [
            (0, [0]),
            (3, [3]),
            (12, [12]),
            (13, [7, 6]),
            (25, [9, 9, 7]),
            (40, [10, 10, 10, 10]),
        ]:
            with self.subTest(tables=tables):
                pages = plenary.coverage_pages(self.coverage(tables), ranked=True)
                self.assertEqual([len(p.tables) for p in pages], sizes)
                self.assertEqual([p.number for p in pages], list(range(1, len(sizes) + 1)))
                if tables:
                    self.assertEqual(pages[-1].last, tables)


def entry(pk, group, rec, *, hidden=False, merged=()):
    e = Entry("activity", pk, f"t{pk}", group, f"Bord {group}", None, 0, hidden, None, None, rec)
    e.merged = list(merged)
    return e


RECS = [Rec(n, f"R{n}") for n in range(1, 5)]


@st.composite
def answers(draw):
    """Tables, and shown activities (some with duplicates merged into them, some of
    those hidden) under the four recommendations."""
    tables = draw(st.integers(1, 5))
    shown = []
    pk = 0
    for rec in RECS:
        for _ in range(draw(st.integers(0, 3))):
            pk += 1
            merged = []
            for _ in range(draw(st.integers(0, 3))):
                pk += 1
                merged.append(
                    entry(pk, draw(st.integers(0, tables - 1)), rec, hidden=draw(st.booleans()))
                )
            shown.append(entry(pk + 1000, draw(st.integers(0, tables - 1)), rec, merged=merged))
    return tables, shown


class PropertyTests(SimpleTestCase):
    @settings(max_examples=200, deadline=None)
    @given(answers())
    def test_totals_hold_whatever_the_answers(self, drawn):
        tables, shown = drawn
        table_rows = [results.Table(i, f"Bord {i}", 0, 0, 0, None, [], []) for i in range(tables)]
        room_rows = [
            results.Row(rec, place, place, None, 0.0, 0, None, 0.0, [0], 0)
            for place, rec in enumerate(RECS, start=1)
        ]
        room = results.Table(None, "", 0, 0, 0, None, room_rows, [])
        by_rec = [Activities(rec, [e for e in shown if e.rec == rec]) for rec in RECS]
        coverage = results.coverage(room, table_rows, [a for a in by_rec if a.entries])
        self.assertEqual(coverage.total, len(shown))
        self.assertEqual([row.rec for row in coverage.rows], RECS)
        for row in coverage.rows:
            # Each activity counts once in its row, and at most once at each table.
            self.assertLessEqual(max(row.counts), row.total)
            self.assertGreaterEqual(sum(row.counts), row.total)
            self.assertEqual(row.gap, row.total == 0)
            self.assertEqual(row.gap, not any(row.counts))
        for i in range(tables):
            self.assertEqual(coverage.table_totals[i], sum(row.counts[i] for row in coverage.rows))
        # A table counts where it wrote the kept one or a duplicate the room may see.
        for row in coverage.rows:
            for i in range(tables):
                raised = sum(
                    1
                    for e in shown
                    if e.rec == row.rec
                    and (e.group_id == i or any(m.group_id == i and not m.hidden for m in e.merged))
                )
                self.assertEqual(row.counts[i], raised)
        self.assertEqual(
            coverage.gaps, [rec for rec in RECS if not any(e.rec == rec for e in shown)]
        )

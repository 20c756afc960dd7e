"""Every screen and every file shows the same numbers for the same discussion.

One discussion with five ballots at two tables, counted by hand below; then the
dashboard, the projector's results, a phone's results, the printed report and the
XLSX, CSV and JSON files are read back, and each number they show is compared with
the hand count and with the others (the files' numbers as a screen shows them).

The hand count. Eight recommendations: place p of a ballot earns 8 − p Borda points,
and the k recommendations a top-k ballot leaves out share what is left, (8 − k − 1)/2
each; a left-out one's place, for the mean, is the middle of the places left.

    ballot       3    5    1    2    4   6, 7, 8
    (3, 1, 2)    7    2    6    5    2   2
    (3, 2)       7    2.5  2.5  6    2.5 2.5
    (1, 3, 5, 2) 6    5    7    4    1.5 1.5
    (5, 4)       2.5  7    2.5  2.5  6   2.5
    (5, 3, 1)    6    7    5    2    2   2
    Borda        28.5 23.5 23   19.5 14  10.5
    mean place   2.3  3.3
    first places 2    2    1    0    0   0

Table 2 alone, (5, 4) and (5, 3, 1): 5 has 14 points, 3 has 8.5, 4 has 8, 1 has 7.5.
"""

import csv
import io
import re
import zipfile

import openpyxl
from django.http import HttpResponse
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation

from discussions import export, facilitator_writes
from discussions.participant_cookie import cookie_name, set_participant_cookie
from tests.base import BaseTestCase, add_participant

BALLOTS_1 = [(3, 1, 2), (3, 2), (1, 3, 5, 2)]
BALLOTS_2 = [(5, 4), (5, 3, 1)]
# Recommendation number: (Borda, mean place, first places), as a Swedish screen shows them.
BY_HAND = {3: ("28,5", "2,3", "2"), 5: ("23,5", "3,3", "2"), 1: ("23", None, "1")}
TABLE_2_BY_HAND = {5: "14", 3: "8,5", 4: "8", 1: "7,5"}


def shown(value, places):
    """A file's number as a Swedish screen shows it (floatformat, decimal comma)."""
    with translation.override("sv"):
        return floatformat(value, places)


class SameNumbersTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for ballot in BALLOTS_1:
            add_participant(cls.discussion, cls.table1, ballot, why="Därför")
        cls.phone_owner = None
        for ballot in BALLOTS_2:
            cls.phone_owner = add_participant(cls.discussion, cls.table2, ballot)
        facilitator_writes.run_timer(cls.discussion.pk, "start")
        facilitator_writes.run_timer(cls.discussion.pk, "end")
        facilitator_writes.reveal_results(cls.discussion.pk, True)

    def setUp(self):
        self.client.force_login(self.alice)

    def page(self, name, *args):
        response = self.client.get(reverse(name, args=args))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    # --- What each shows, by recommendation number ----------------------------------

    def dashboard(self):
        html = self.page("facilitator:dashboard", self.discussion.pk)
        room = html[html.index('id="ranking-overall"') : html.index('id="dash-matrix"')]
        rows = re.findall(
            r'<td class="f-num f-pos">(\d+)</td>\s*<th scope="row" class="f-rec-cell">'
            r'<span class="rec-label">Rek\. (\d+)</span>.*?<span class="f-bar-value">([^<]*)</span>'
            r'.*?<td class="f-num">([^<]*)</td>\s*<td class="f-num">([^<]*)</td>',
            room,
            re.S,
        )
        foot = html[html.index("Enighet inom gruppen") :]
        agreement = re.findall(r'<td class="f-num">([^<]*)</td>', foot.split("</tr>")[0])
        return {int(n): (place, borda, mean, firsts) for place, n, borda, mean, firsts in rows}, {
            "w": agreement
        }

    def projector(self):
        html = self.page("facilitator:projector_results", self.discussion.pk)
        rows = re.findall(
            r'<span class="pr-pos"><span class="visually-hidden">[^<]*</span>(\d+)</span>\s*'
            r'<span class="pr-title"><span class="rec-label">Rek\. (\d+)</span>.*?'
            r'<span class="pr-points">([^ <]*)',
            html,
            re.S,
        )
        return {int(n): (place, borda) for place, n, borda in rows}

    def phone(self):
        signed = HttpResponse()
        set_participant_cookie(signed, self.phone_owner)
        name = cookie_name(self.discussion.pk)
        self.client.cookies[name] = signed.cookies[name].value
        url = reverse("phone_results", args=[self.discussion.pk])
        html = self.client.get(url).content.decode()
        lists = html[html.index('class="phone-results"') :].split('class="result-list"')[1:]
        table, room = (
            {
                int(n): points
                for n, points in re.findall(
                    r'<span class="rec-label">Rek\. (\d+)</span>.*?'
                    r'<span class="result-points">([^ <]*) poäng',
                    part.split("</ol>")[0],
                    re.S,
                )
            }
            for part in lists
        )
        return table, room

    def report(self):
        html = self.page("export:report", self.workshop.pk)
        tables = html.split('<table class="r-table">')[1:]
        row = (
            r'<td class="r-num r-pos">(\d+)(?:<abbr[^>]*>=</abbr>)?</td>'
            r'\s*<th scope="row" class="r-rec">'
            r'<span class="rec-label">Rek\. (\d+)</span>.*?<span class="r-bar-value">([^<]*)</span>'
        )
        room = {
            int(n): (place, borda, mean, firsts)
            for place, n, borda, mean, firsts in re.findall(
                row + r'.*?<td class="r-num">([^<]*)</td>\s*<td class="r-num">([^<]*)</td>',
                tables[0].split("</table>")[0],
                re.S,
            )
        }
        table_2 = {
            int(n): borda
            for _place, n, borda in re.findall(row, tables[2].split("</table>")[0], re.S)
        }
        agreement = re.findall(r"enighet ([0-9,]+)", html)
        return room, table_2, agreement

    def xlsx(self):
        book = openpyxl.load_workbook(io.BytesIO(export.build_xlsx(self.workshop)))
        summary = list(book["Sammanfattning"].iter_rows(values_only=True))[1:]
        agreement = [
            r for r in book["Enighet"].iter_rows(values_only=True) if r[1] in ("Bord 1", "Bord 2")
        ]
        return summary, agreement

    def csv(self):
        with zipfile.ZipFile(io.BytesIO(export.build_csv_zip(self.workshop))) as archive:
            text = archive.read("sammanfattning.csv").decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))[1:]

    # --- The comparison -------------------------------------------------------------

    def test_every_screen_and_file_agrees_with_the_hand_count_and_each_other(self):
        dashboard, foot = self.dashboard()
        projector = self.projector()
        phone_table, phone_room = self.phone()
        report, report_table_2, report_agreement = self.report()
        xlsx, xlsx_agreement = self.xlsx()
        csv_rows = self.csv()
        doc = export.build_json(self.workshop)["discussions"][0]["results"]

        # The hand count, on the dashboard.
        for number, (borda, mean, firsts) in BY_HAND.items():
            self.assertEqual(dashboard[number][1], borda, number)
            self.assertEqual(dashboard[number][3], firsts, number)
            if mean:
                self.assertEqual(dashboard[number][2], mean, number)
        self.assertEqual(len(dashboard), 8)

        # Every screen: the same place and points for each recommendation.
        for number, (place, borda, mean, firsts) in dashboard.items():
            self.assertEqual(projector[number], (place, borda), number)
            self.assertEqual(phone_room[number], borda, number)
            self.assertEqual(report[number], (place, borda, mean, firsts), number)

        # Every file: the same numbers, as a screen shows them.
        json_rows = {row["recommendation"]: row for row in doc["overall"]["rows"]}
        for _title, place, _shared, number, _rec, borda, mean, firsts, kemeny, schulze in xlsx:
            on_screen = dashboard[number]
            self.assertEqual(
                (str(place), shown(borda, -1), shown(mean, 1), shown(firsts, -1)),
                on_screen,
                number,
            )
            row = json_rows[number]
            self.assertEqual(
                (row["place"], row["borda"], row["mean_rank"], row["first_places"]),
                (place, borda, mean, firsts),
            )
            self.assertEqual(row["kemeny_position"], kemeny)
            self.assertEqual(row["schulze_position"], schulze)
        self.assertEqual(
            [row[1:10] for row in csv_rows],
            [["" if value is None else str(value) for value in row[1:10]] for row in xlsx],
        )

        # A table: its points on the phone at it, in the report, in the JSON.
        for number, borda in TABLE_2_BY_HAND.items():
            self.assertEqual(phone_table[number], borda, number)
            self.assertEqual(report_table_2[number], borda, number)
        table_2 = next(g for g in doc["groups"] if g["name"] == "Bord 2")
        self.assertEqual(
            {row["recommendation"]: shown(row["borda"], -1) for row in table_2["rows"]},
            phone_table,
        )

        # Each table's agreement: dashboard, report, XLSX and JSON.
        by_file = [shown(row[4], 2) for row in xlsx_agreement]
        self.assertEqual(foot["w"], by_file)
        self.assertEqual(report_agreement, by_file)
        self.assertEqual([shown(g["kendalls_w"], 2) for g in doc["groups"]], by_file)

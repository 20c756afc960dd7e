"""The export page, downloads, the printable report and the export_results command."""

import io
import json
import tempfile
import zipfile
from pathlib import Path

import openpyxl
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discussions import facilitator_writes
from discussions.models import Discussion, Group, Workshop
from tests.base import PASSWORD
from tests.test_export_formats import (
    HIDDEN_ACTIVITY,
    HIDDEN_AREA,
    NORDIC,
    SHEETS,
    ExportCase,
    add_participant,
)


class AccessTests(ExportCase):
    def urls(self, workshop):
        pk = workshop.pk
        return [
            reverse("export:page", args=[pk]),
            reverse("export:download", args=[pk]) + "?format=xlsx",
            reverse("export:report", args=[pk]),
            reverse("export:delete_participants", args=[pk]),
            reverse("export:delete_workshop", args=[pk]),
        ]

    def test_anonymous_is_sent_to_log_in(self):
        for url in self.urls(self.workshop):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith("/konto/logga-in/?next="), url)

    def test_someone_else_gets_404(self):
        for user in (self.bob, self.charlie):  # charlie is staff, but not a member
            self.client.force_login(user)
            for url in self.urls(self.workshop):
                self.assertEqual(self.client.get(url).status_code, 404, (user, url))
            for url in self.urls(self.workshop)[3:]:
                response = self.client.post(url, {"title": self.workshop.title})
                self.assertEqual(response.status_code, 404, (user, url))
        self.assertEqual(self.workshop.discussions.get().participants.count(), 6)

    def test_a_member_gets_every_page(self):
        self.assertTrue(self.client.login(username="alice", password=PASSWORD))
        for url in self.urls(self.workshop):
            self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_unknown_workshop_is_404(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("export:page", args=[999999])).status_code, 404)


class PageAndDownloadTests(ExportCase):
    def setUp(self):
        self.client.force_login(self.alice)
        self.download = reverse("export:download", args=[self.workshop.pk])

    def test_export_page_offers_every_format_and_the_names_box(self):
        response = self.client.get(reverse("export:page", args=[self.workshop.pk]))
        content = response.content.decode()
        for value in ("xlsx", "csv", "csv-nordic", "json"):
            self.assertIn(f'name="format" value="{value}"', content)
        self.assertIn('type="checkbox" name="namn" value="1"', content)
        self.assertNotIn(" checked", content)  # anonymous by default
        self.assertIn(reverse("export:report", args=[self.workshop.pk]), content)

    def test_xlsx_download(self):
        response = self.client.get(self.download, {"format": "xlsx"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn("granssamarbete-i-varmland", response["Content-Disposition"])
        self.assertIn(".xlsx", response["Content-Disposition"])
        self.assertIn("no-store", response["Cache-Control"])
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.sheetnames, SHEETS)
        self.assertNotIn("Namn", [c.value for c in book["Varför"][1]])

    def test_names_box_ticked(self):
        response = self.client.get(self.download, {"format": "xlsx", "namn": "1"})
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertIn("Namn", [c.value for c in book["Varför"][1]])
        doc = json.loads(self.client.get(self.download, {"format": "json", "namn": "1"}).content)
        self.assertIn("Åsa Ödegård", {p.get("name") for p in doc["discussions"][0]["participants"]})
        doc = json.loads(self.client.get(self.download, {"format": "json"}).content)
        self.assertNotIn("name", doc["discussions"][0]["participants"][0])

    def test_nordic_csv_download(self):
        response = self.client.get(self.download, {"format": "csv-nordic"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertIn("-semikolon.zip", response["Content-Disposition"])
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            raw = archive.read("enighet.csv")
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
        self.assertEqual(raw.decode("utf-8-sig").splitlines()[0].count(";"), 4)

    def test_csv_and_json_downloads(self):
        response = self.client.get(self.download, {"format": "csv"})
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertIn(".zip", response["Content-Disposition"])
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            self.assertIn("rangordningar.csv", archive.namelist())
        response = self.client.get(self.download, {"format": "json"})
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(json.loads(response.content)["schema_version"], 3)

    def test_bad_format_is_400_with_a_message(self):
        for params in ({}, {"format": "pdf"}, {"format": "x" * 5000}):
            response = self.client.get(self.download, params)
            self.assertEqual(response.status_code, 400, params)
            self.assertContains(response, "Välj XLSX, CSV eller JSON.", status_code=400)

    def test_post_is_not_allowed(self):
        self.assertEqual(self.client.post(self.download, {"format": "xlsx"}).status_code, 405)

    def test_download_while_the_discussion_runs(self):
        facilitator_writes.run_timer(self.discussion.pk, "start")
        page = self.client.get(reverse("export:page", args=[self.workshop.pk]))
        self.assertContains(page, "pågår")
        doc = json.loads(self.client.get(self.download, {"format": "json"}).content)
        self.assertEqual(doc["discussions"][0]["state"], "running")


class ReportTests(ExportCase):
    def setUp(self):
        self.client.force_login(self.alice)
        self.url = reverse("export:report", args=[self.workshop.pk])

    def test_report_shows_what_it_should(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.workshop.title)
        self.assertContains(response, "Karlstad")
        self.assertContains(response, "css/report.css")
        for question in (
            self.discussion.question_rank,
            self.discussion.question_missing,
            self.discussion.question_activities,
        ):
            self.assertContains(response, question)
        self.assertContains(response, NORDIC)
        self.assertContains(response, "Kultur och idrott")
        self.assertContains(response, "Gemensam arbetsmarknadsdag i Charlottenberg")
        self.assertContains(response, "Bord 1")
        self.assertContains(response, 'class="r-bar-fill"')
        # Formula-looking text is just text here, escaped like everything else.
        self.assertContains(response, "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)")

    def test_hidden_and_merged_entries_are_left_out(self):
        content = self.client.get(self.url).content.decode()
        self.assertNotIn(HIDDEN_AREA, content)
        self.assertNotIn(HIDDEN_ACTIVITY, content)
        # The merged duplicate is named under the entry it went into, not listed alone.
        self.assertEqual(content.count("”Kultur”"), 1)
        self.assertNotIn('<span class="r-text">Kultur <', content)
        absorbed = content.index("Sammanslaget med:")
        self.assertLess(content.index("Kultur och idrott"), absorbed)
        self.assertLess(absorbed, content.index("”Kultur”"))

    def test_most_endorsed_first(self):
        content = self.client.get(self.url).content.decode()
        self.assertLess(content.index("Kultur och idrott"), content.index("=1+1"))

    def test_names_never_in_the_report(self):
        content = self.client.get(self.url).content.decode()
        for name in ("Åsa Ödegård", "Bjørn Ærø", "Ola Nordmann"):
            self.assertNotIn(name, content)

    def test_no_inline_styles_or_scripts(self):
        content = self.client.get(self.url).content.decode()
        self.assertNotIn("style=", content)
        self.assertNotIn("<style", content)
        self.assertNotIn("<script>", content)

    def test_participation_is_counted_honestly(self):
        # Six people at two of four tables; five ranked (one ballot empty); five wrote
        # why; two areas and two activities shown (hidden and merged ones are not).
        Group.objects.create(discussion=self.discussion, name="Bord 3", position=3)
        Group.objects.create(discussion=self.discussion, name="Bord 4", position=4)
        text = " ".join(self.client.get(self.url).content.decode().split())
        self.assertIn(
            "6 deltagare vid 2 av 4 bord · 5 rangordnade · 5 motiveringar · "
            "2 saknade områden · 2 aktivitetsförslag",
            text,
        )
        self.assertNotIn("i 4 grupper", text)

    def test_title_date_and_place(self):
        Workshop.objects.filter(pk=self.workshop.pk).update(date="2026-05-12")
        facilitator_writes.run_timer(self.discussion.pk, "start")
        response = self.client.get(self.url)
        self.assertContains(response, "12 maj 2026")
        self.assertContains(response, "Karlstad")
        self.assertContains(response, '<h2 class="r-discussion-title">Gruppdiskussion</h2>')
        self.assertContains(response, "Startade ")

    def test_the_tables_compared(self):
        # Bord 1 puts 3 first (7 + 7 + 6 points), Bord 2 puts 5 first (7 + 7).
        content = self.client.get(self.url).content.decode()
        matrix = content[content.index("Grupperna jämförda") :].split("</table>")[0]
        head = matrix.split("</thead>")[0]
        self.assertLess(head.index(">Bord 1<"), head.index(">Bord 2<"))
        rows = matrix.split("<tr>")[2:]
        self.assertEqual(len(rows), 8)
        by_number = {}
        for row in rows:
            number = int(row.split("Rek. ")[1].split("<")[0])
            by_number[number] = [cell.split("<")[0] for cell in row.split('<td class="r-num">')[1:]]
        self.assertEqual(by_number[3][0], "1")
        self.assertEqual(by_number[5][1], "1")

    def test_no_zero_badges(self):
        # "+46 telefonlinje" has no +1: its badge is left out, not "+0".
        content = self.client.get(self.url).content.decode()
        self.assertIn("+46 telefonlinje", content)
        self.assertNotIn("</span>+0</span>", content)
        self.assertIn("</span>+3</span>", content)  # Kultur och idrott

    def test_shared_places_are_marked(self):
        # Two full ballots with 1 and 2 swapped: 7 + 6 = 13 points each, tied first;
        # 3 gets 5 + 5 = 10, 4 gets 8, ... no other tie. The room's table and Bord 3's
        # each mark two rows.
        workshop = Workshop.objects.create(title="Lika", recommendation_set=self.rec_set)
        workshop.members.add(self.alice)
        discussion = Discussion.objects.create(
            workshop=workshop, title="Runda", recommendation_set=self.rec_set, join_code="LIKA01"
        )
        table = Group.objects.create(discussion=discussion, name="Bord 3", position=1)
        add_participant(discussion, table, (1, 2, 3, 4, 5, 6, 7, 8))
        add_participant(discussion, table, (2, 1, 3, 4, 5, 6, 7, 8))
        content = self.client.get(reverse("export:report", args=[workshop.pk])).content.decode()
        self.assertEqual(content.count('class="r-tie"'), 4)
        self.assertEqual(content.count("= delad plats: lika många poäng."), 2)
        self.assertEqual(content.count('<td class="r-num r-pos">1<abbr'), 4)
        self.assertIn('<td class="r-num r-pos">3</td>', content)
        self.assertNotIn("Grupperna jämförda", content)  # one table: nothing to compare

    def test_a_frozen_report_still_names_what_was_merged(self):
        facilitator_writes.run_timer(self.discussion.pk, "start")
        facilitator_writes.run_timer(self.discussion.pk, "end")
        from discussions import deletion, results

        deletion.delete_participant_data(self.workshop)
        results.clear()
        content = self.client.get(self.url).content.decode()
        self.assertIn("Deltagarnas svar raderades", content)
        self.assertIn("Sammanslaget med:", content)
        self.assertIn("”Kultur”", content)
        self.assertIn("vid 2 av 2 bord", " ".join(content.split()))

    def test_group_weighting(self):
        response = self.client.get(self.url, {"vikt": "grupp"})
        self.assertContains(response, "Varje grupp väger lika.")

    def test_bounded_queries(self):
        def count():
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(self.url).status_code, 200)
            return len(captured)

        before = count()
        for _ in range(30):
            add_participant(self.discussion, self.table2, (2, 4), why="Fler röster")
        self.assertEqual(count(), before)


class ExportCommandTests(ExportCase):
    def run_command(self, *args):
        err = io.StringIO()
        call_command("export_results", *args, stderr=err, stdout=io.StringIO())
        return err.getvalue()

    def test_each_format_to_a_file(self):
        with tempfile.TemporaryDirectory() as folder:
            xlsx = Path(folder) / "out.xlsx"
            message = self.run_command(str(self.workshop.pk), "--format", "xlsx", "--output", xlsx)
            self.assertIn("Wrote", message)
            self.assertEqual(openpyxl.load_workbook(xlsx).sheetnames, SHEETS)
            csv_zip = Path(folder) / "out.zip"  # the format from the suffix
            self.run_command(str(self.workshop.pk), "--output", csv_zip)
            with zipfile.ZipFile(csv_zip) as archive:
                self.assertIn("varfor.csv", archive.namelist())
                self.assertIn(b",", archive.read("sammanfattning.csv").splitlines()[0])
            nordic = Path(folder) / "nordic.zip"
            self.run_command(str(self.workshop.pk), "--format", "csv-nordic", "--output", nordic)
            with zipfile.ZipFile(nordic) as archive:
                head = archive.read("sammanfattning.csv").decode("utf-8-sig").splitlines()[0]
            self.assertEqual(head.split(";")[:2], ["Diskussion", "Plats"])
            plain = Path(folder) / "plain.json"
            named = Path(folder) / "named.json"
            self.run_command(str(self.workshop.pk), "--format", "json", "--output", plain)
            self.run_command(
                str(self.workshop.pk), "--format", "json", "--output", named, "--names"
            )
            self.assertNotIn("Åsa Ödegård", plain.read_text("utf-8"))
            self.assertIn("Åsa Ödegård", named.read_text("utf-8"))
            self.assertEqual(json.loads(plain.read_text("utf-8"))["schema_version"], 3)
            # Nothing half-written left beside the files.
            self.assertEqual(
                sorted(p.name for p in Path(folder).iterdir()),
                ["named.json", "nordic.zip", "out.xlsx", "out.zip", "plain.json"],
            )

    def test_bad_input_is_a_command_error(self):
        with tempfile.TemporaryDirectory() as folder:
            with self.assertRaisesMessage(CommandError, "No workshop with id 999999"):
                self.run_command("999999", "--format", "json", "--output", f"{folder}/x.json")
            with self.assertRaisesMessage(CommandError, "--format"):
                self.run_command(str(self.workshop.pk), "--output", f"{folder}/x.txt")
            with self.assertRaisesMessage(CommandError, "No such folder"):
                self.run_command(str(self.workshop.pk), "--output", f"{folder}/nope/x.json")


class EmptyReportTests(ExportCase):
    def test_report_and_page_without_answers_or_discussions(self):
        self.client.force_login(self.bob)
        quiet = Workshop.objects.create(title="Tyst", recommendation_set=self.rec_set)
        quiet.members.add(self.bob)
        discussion = Discussion.objects.create(
            workshop=quiet, title="Runda", recommendation_set=self.rec_set, join_code="TYST01"
        )
        Group.objects.create(discussion=discussion, name="Bord 1")
        response = self.client.get(reverse("export:report", args=[quiet.pk]))
        self.assertContains(response, "Ingen har rangordnat något.")
        self.assertContains(response, "Inga motiveringar.")
        empty = Workshop.objects.create(title="Tom", recommendation_set=self.rec_set)
        empty.members.add(self.bob)
        self.assertEqual(
            self.client.get(reverse("export:report", args=[empty.pk])).status_code, 200
        )
        self.assertEqual(self.client.get(reverse("export:page", args=[empty.pk])).status_code, 200)

    def test_a_group_without_ballots_in_a_report_with_some(self):
        self.client.force_login(self.alice)
        table3 = Group.objects.create(discussion=self.discussion, name="Bord 3", position=3)
        Group.objects.create(discussion=self.discussion, name="Bord 4", position=4)
        add_participant(self.discussion, table3, ())
        response = self.client.get(reverse("export:report", args=[self.workshop.pk]))
        self.assertContains(response, "Ingen i gruppen rangordnade.")
        # A table nobody sat at is no part of the record.
        self.assertContains(response, "Bord 3")
        self.assertNotContains(response, "Bord 4")

"""Deleting participant data (the report stays), a whole workshop, and old workshops."""

import io
from datetime import date, timedelta

import openpyxl
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discussions import deletion, export, facilitator_writes
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
from recommendations.models import Recommendation, RecommendationSet
from tests.base import PASSWORD
from tests.test_export_formats import (
    HIDDEN_AREA,
    NORDIC,
    ExportCase,
    add_participant,
    rows_of,
)


def end_in_the_past(discussion, minutes_ago=5):
    """Ran 20 minutes, and the time ran out on its own (no one pressed "end")."""
    now = timezone.now()
    Discussion.objects.filter(pk=discussion.pk).update(
        started_at=now - timedelta(minutes=20 + minutes_ago), ended_at=None
    )


def everything(workshop):
    return {
        "discussions": Discussion.objects.filter(workshop=workshop).count(),
        "groups": Group.objects.filter(discussion__workshop=workshop).count(),
        "participants": Participant.objects.filter(discussion__workshop=workshop).count(),
        "rankings": Ranking.objects.filter(participant__discussion__workshop=workshop).count(),
        "areas": MissingArea.objects.filter(discussion__workshop=workshop).count(),
        "activities": ActivityProposal.objects.filter(discussion__workshop=workshop).count(),
        "area_endorsements": MissingAreaEndorsement.objects.filter(
            entry__discussion__workshop=workshop
        ).count(),
        "activity_endorsements": ActivityEndorsement.objects.filter(
            entry__discussion__workshop=workshop
        ).count(),
        "snapshots": ReportSnapshot.objects.filter(discussion__workshop=workshop).count(),
    }


def to_4(rows):
    return [[round(v, 4) if isinstance(v, float) else v for v in row] for row in rows]


class DeleteParticipantDataTests(ExportCase):
    def setUp(self):
        self.client.force_login(self.alice)
        self.url = reverse("export:delete_participants", args=[self.workshop.pk])
        end_in_the_past(self.discussion)

    def test_confirmation_page_shows_what_goes(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "6 deltagare")
        self.assertContains(response, "14 rangordnade rekommendationer")
        self.assertContains(response, "5 motiveringar")
        self.assertContains(response, "4 saknade områden")
        self.assertContains(response, "3 aktivitetsförslag")
        self.assertContains(response, "6 +1")
        self.assertContains(response, 'name="csrfmiddlewaretoken"')
        self.assertEqual(Participant.objects.filter(discussion=self.discussion).count(), 6)

    def test_wrong_or_missing_title_deletes_nothing(self):
        before = everything(self.workshop)
        for data in ({}, {"title": ""}, {"title": "Gränssamarbete"}, {"title": "x" * 10_000}):
            response = self.client.post(self.url, data)
            self.assertEqual(response.status_code, 400, data)
        self.assertContains(
            self.client.post(self.url, {"title": "fel"}), "Titeln stämmer inte.", status_code=400
        )
        self.assertEqual(everything(self.workshop), before)

    def test_csrf_is_required(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        response = client.post(self.url, {"title": self.workshop.title})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Participant.objects.filter(discussion=self.discussion).count(), 6)

    def test_deletes_exactly_the_participant_data(self):
        before = everything(self.workshop)
        other_before = everything(self.other_workshop)
        self.assertEqual(
            before,
            {
                "discussions": 1,
                "groups": 2,
                "participants": 6,
                "rankings": 14,
                "areas": 4,
                "activities": 3,
                "area_endorsements": 4,
                "activity_endorsements": 2,
                "snapshots": 0,
            },
        )
        revision = Discussion.objects.get(pk=self.discussion.pk).revision
        # Spaces and capitals do not matter when typing the title.
        response = self.client.post(self.url, {"title": "  gränssamarbete  i VÄRMLAND "})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response["Location"], reverse("export:page", args=[self.workshop.pk]))
        after = everything(self.workshop)
        self.assertEqual(
            after,
            {
                "discussions": 1,
                "groups": 2,
                "participants": 0,
                "rankings": 0,
                "areas": 0,
                "activities": 0,
                "area_endorsements": 0,
                "activity_endorsements": 0,
                "snapshots": 1,
            },
        )
        self.assertTrue(Workshop.objects.filter(pk=self.workshop.pk).exists())
        self.assertEqual(everything(self.other_workshop), other_before)
        discussion = Discussion.objects.get(pk=self.discussion.pk)
        self.assertIsNotNone(discussion.ended_at)  # ended for good: no late answers
        self.assertGreater(discussion.revision, revision)
        page = self.client.get(response["Location"])
        self.assertContains(page, "6 deltagare och allt de skrev är raderade.")

    def test_the_report_and_summary_survive_from_the_snapshot(self):
        report_url = reverse("export:report", args=[self.workshop.pk])
        report_before = self.client.get(report_url).content.decode()
        book = openpyxl.load_workbook(io.BytesIO(export.build_xlsx(self.workshop)))
        summary_before = rows_of(book["Sammanfattning"])
        groups_before = rows_of(book["Grupper"])
        json_before = export.build_json(self.workshop)["discussions"][0]

        self.client.post(self.url, {"title": self.workshop.title})

        report = self.client.get(report_url)
        self.assertEqual(report.status_code, 200)
        content = report.content.decode()
        for text in (NORDIC, "Kultur och idrott", "Gemensam arbetsmarknadsdag i Charlottenberg"):
            self.assertIn(text, content)
        self.assertNotIn(HIDDEN_AREA, content)
        self.assertIn("Deltagarnas svar raderades", content)
        # The same rankings, in the same order, as before the deletion.
        marker = 'class="r-table"'
        self.assertEqual(
            content[content.index(marker) :].split("</table>")[0],
            report_before[report_before.index(marker) :].split("</table>")[0],
        )
        book = openpyxl.load_workbook(io.BytesIO(export.build_xlsx(self.workshop)))
        # The workbook holds exact values; the snapshot keeps them to 4 decimals.
        self.assertEqual(to_4(rows_of(book["Sammanfattning"])), to_4(summary_before))
        self.assertEqual(to_4(rows_of(book["Grupper"])), to_4(groups_before))
        self.assertEqual(len(rows_of(book["Rangordningar"])), 1)  # the header only
        doc = export.build_json(self.workshop)["discussions"][0]
        self.assertEqual(doc["results_source"], "snapshot")
        self.assertEqual(doc["results"], json_before["results"])
        self.assertEqual(doc["participants"], [])
        self.assertIn(NORDIC, [why["text"] for why in doc["kept_texts"]["whys"]])
        # No person in the snapshot: no id, no name.
        snapshot = str(ReportSnapshot.objects.get(discussion=self.discussion).data)
        for person in self.people:
            self.assertNotIn(person.public_id, snapshot)
        self.assertNotIn("Åsa Ödegård", snapshot)

    def test_deleting_twice_keeps_the_report(self):
        self.client.post(self.url, {"title": self.workshop.title})
        data = ReportSnapshot.objects.get(discussion=self.discussion).data
        response = self.client.post(self.url, {"title": self.workshop.title})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(ReportSnapshot.objects.get(discussion=self.discussion).data, data)
        self.assertEqual(data["results"]["participants"], 6)

    def test_refused_while_a_discussion_runs(self):
        Discussion.objects.filter(pk=self.discussion.pk).update(started_at=None)
        facilitator_writes.run_timer(self.discussion.pk, "start")
        page = self.client.get(self.url)
        self.assertContains(page, "pågår")
        self.assertContains(page, "disabled")
        before = everything(self.workshop)
        response = self.client.post(self.url, {"title": self.workshop.title})
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Avsluta den först", status_code=409)
        self.assertEqual(everything(self.workshop), before)

    def test_a_discussion_that_never_started_keeps_no_report(self):
        Discussion.objects.filter(pk=self.discussion.pk).update(started_at=None)
        deleted = deletion.delete_participant_data(self.workshop)
        self.assertEqual(deleted["participants"], 6)
        self.assertEqual(deleted["rankings"], 14)
        self.assertEqual(deleted["whys"], 5)
        self.assertEqual(deleted["endorsements"], 6)
        self.assertFalse(ReportSnapshot.objects.exists())
        self.assertIsNone(Discussion.objects.get(pk=self.discussion.pk).started_at)


class DeleteWorkshopTests(ExportCase):
    def setUp(self):
        self.assertTrue(self.client.login(username="alice", password=PASSWORD))
        self.url = reverse("export:delete_workshop", args=[self.workshop.pk])

    def test_confirmation_page_counts(self):
        response = self.client.get(self.url)
        self.assertContains(response, "1 diskussion")
        self.assertContains(response, "2 grupper")
        self.assertContains(response, "6 deltagare")

    def test_wrong_title_deletes_nothing(self):
        response = self.client.post(self.url, {"title": "Gränssamarbete i Dalarna"})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(Workshop.objects.filter(pk=self.workshop.pk).exists())

    def test_deletes_the_workshop_and_everything_in_it(self):
        end_in_the_past(self.discussion)
        deletion.delete_participant_data(self.workshop)  # so a snapshot goes too
        add_participant(self.discussion, self.table1, (1,))
        other_before = everything(self.other_workshop)
        response = self.client.post(self.url, {"title": self.workshop.title})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response["Location"], reverse("facilitator:workshops"))
        self.assertFalse(Workshop.objects.filter(pk=self.workshop.pk).exists())
        self.assertEqual(
            set(everything(self.workshop).values()), {0}
        )  # the filters find nothing left
        self.assertFalse(Discussion.objects.filter(pk=self.discussion.pk).exists())
        self.assertFalse(Group.objects.filter(pk__in=[self.table1.pk, self.table2.pk]).exists())
        self.assertFalse(ReportSnapshot.objects.exists())
        self.assertEqual(everything(self.other_workshop), other_before)
        # The recommendation list is shared, so it stays.
        self.assertTrue(RecommendationSet.objects.filter(pk=self.rec_set.pk).exists())
        self.assertEqual(Recommendation.objects.filter(recommendation_set=self.rec_set).count(), 8)

    def test_refused_while_a_discussion_runs(self):
        facilitator_writes.run_timer(self.discussion.pk, "start")
        response = self.client.post(self.url, {"title": self.workshop.title})
        self.assertEqual(response.status_code, 409)
        self.assertTrue(Workshop.objects.filter(pk=self.workshop.pk).exists())


class DeleteOldWorkshopsTests(ExportCase):
    def make(self, title, *, day=None, created_days_ago=0):
        workshop = Workshop.objects.create(title=title, date=day, recommendation_set=self.rec_set)
        if created_days_ago:
            Workshop.objects.filter(pk=workshop.pk).update(
                created_at=timezone.now() - timedelta(days=created_days_ago)
            )
        discussion = Discussion.objects.create(
            workshop=workshop,
            title="Runda",
            recommendation_set=self.rec_set,
            join_code=f"OLD{workshop.pk:03d}"[-6:],
        )
        group = Group.objects.create(discussion=discussion, name="Bord 1")
        add_participant(discussion, group, (1, 2), why="Gammalt svar")
        return workshop

    def run_command(self, *args):
        out = io.StringIO()
        call_command("delete_old_workshops", *args, stdout=out)
        return out.getvalue()

    def test_deletes_only_the_old_ones(self):
        today = timezone.localdate()
        old = self.make("Gammal workshop", day=today - timedelta(days=400))
        old_undated = self.make("Gammal utan datum", created_days_ago=400)
        recent = self.make("Ny workshop", day=today - timedelta(days=10))
        # Created long ago for a date still to come: its date counts.
        planned = self.make("Planerad", day=today + timedelta(days=30), created_days_ago=400)
        edge = self.make("Precis 365 dagar", day=today - timedelta(days=365))

        dry = self.run_command("--days", "365", "--dry-run")
        self.assertIn(f"Would delete workshop {old.pk} 'Gammal workshop'", dry)
        self.assertIn(f"Would delete workshop {old_undated.pk}", dry)
        self.assertIn("2 workshop(s) older than 365 days would be deleted.", dry)
        self.assertEqual(Workshop.objects.filter(pk__in=[old.pk, old_undated.pk]).count(), 2)

        out = self.run_command("--days", "365")
        self.assertIn(f"Deleted workshop {old.pk}", out)
        self.assertIn("1 participants", out)
        self.assertFalse(Workshop.objects.filter(pk__in=[old.pk, old_undated.pk]).exists())
        self.assertFalse(
            Participant.objects.filter(
                why="Gammalt svar", discussion__workshop__in=[old.pk, old_undated.pk]
            ).exists()
        )
        for kept in (recent, planned, edge, self.workshop, self.other_workshop):
            self.assertTrue(Workshop.objects.filter(pk=kept.pk).exists(), kept.title)
        self.assertEqual(Participant.objects.filter(why="Gammalt svar").count(), 3)

    def test_a_running_workshop_is_skipped(self):
        old = self.make("Gammal men pågår", day=date(2000, 1, 1))
        facilitator_writes.run_timer(old.discussions.get().pk, "start")
        out = self.run_command("--days", "30")
        self.assertIn("Skipped", out)
        self.assertTrue(Workshop.objects.filter(pk=old.pk).exists())

    def test_days_must_be_positive(self):
        with self.assertRaisesMessage(CommandError, "--days must be at least 1"):
            self.run_command("--days", "0")

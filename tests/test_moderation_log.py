"""The moderation log: every hide, restore, merge, undone merge and group change, with
who, when, what and why; on the dashboard, in every export; a merge undone exactly."""

import io
import json

import jsonschema
import openpyxl
from django.urls import reverse

from discussions import deletion, export, facilitator_writes
from discussions.models import (
    ActivityEndorsement,
    ActivityProposal,
    MissingArea,
    MissingAreaEndorsement,
    ModerationEvent,
)
from tests.base import BaseTestCase, add_activity, add_area, add_participant
from tests.test_export_formats import SCHEMA, read_csv_zip


class LogCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        d, t1, t2 = cls.discussion, cls.table1, cls.table2
        cls.p = [add_participant(d, t1 if i < 3 else t2, (1, 2)) for i in range(6)]
        p = cls.p
        # "Kultur" has +1s from p1, p2, p3; "Kultur och idrott" from p3, p4: p3 gave both.
        cls.source = add_area(p[0], "Kultur", endorsers=[p[1], p[2], p[3]])
        cls.target = add_area(p[4], "Kultur och idrott", endorsers=[p[3], p[4]])
        # An earlier duplicate already merged into the source, with its own +1 moved.
        cls.follower = add_area(p[5], "Kulturliv", endorsers=[p[5]])
        cls.other = add_area(p[1], "Vägar")

    def setUp(self):
        self.client.force_login(self.alice)

    def events(self):
        return list(ModerationEvent.objects.filter(discussion=self.discussion).order_by("pk"))

    def post(self, name, *args, data=None):
        url = reverse(f"facilitator:{name}", args=[self.discussion.pk, *args])
        return self.client.post(url, data or {})


class RecordedTests(LogCase):
    def test_hide_and_restore_are_logged_with_who_when_and_why(self):
        self.post(
            "entry_hide", "area", self.other.pk, data={"hidden": "1", "reason": " Off  topic "}
        )
        self.post("entry_hide", "area", self.other.pk, data={"hidden": "1"})  # a retry
        self.post("entry_hide", "area", self.other.pk, data={"hidden": "0"})
        hide, unhide = self.events()
        self.assertEqual(
            (hide.action, hide.kind, hide.object_id, hide.text, hide.reason),
            ("hide", "area", self.other.pk, "Vägar", "Off topic"),
        )
        self.assertEqual((hide.user, hide.username), (self.alice, "alice"))
        self.assertIsNotNone(hide.created_at)
        self.assertEqual((unhide.action, unhide.reason), ("unhide", ""))

    def test_merge_is_logged_with_both_texts(self):
        response = self.post("entry_merge", "area", self.source.pk, data={"into": self.target.pk})
        self.assertEqual(response.status_code, 303)
        (event,) = self.events()
        self.assertEqual(
            (event.action, event.object_id, event.text, event.target_id, event.target_text),
            ("merge", self.source.pk, "Kultur", self.target.pk, "Kultur och idrott"),
        )

    def test_group_changes_are_logged(self):
        facilitator_writes.create_tables(self.discussion, 2, by=self.alice)
        facilitator_writes.rename_group(self.table1, "Fönsterbordet", by=self.alice)
        facilitator_writes.rename_group(self.table1, "Fönsterbordet", by=self.alice)  # no change
        empty = self.discussion.groups.get(name="Bord 4")
        empty_pk = empty.pk
        facilitator_writes.delete_group(empty, by=self.alice)
        added, renamed, deleted = self.events()
        self.assertEqual((added.action, added.text), ("add_groups", "Bord 3, Bord 4"))
        self.assertEqual(
            (renamed.action, renamed.text, renamed.target_text),
            ("rename", "Bord 1", "Fönsterbordet"),
        )
        self.assertEqual(
            (deleted.action, deleted.text, deleted.object_id), ("delete_group", "Bord 4", empty_pk)
        )
        self.assertTrue(all(e.kind == "group" and e.username == "alice" for e in self.events()))

    def test_the_group_pages_log_through_the_views(self):
        url = reverse("facilitator:group_rename", args=[self.discussion.pk, self.table2.pk])
        self.assertEqual(self.client.post(url, {"name": "Bord vid dörren"}).status_code, 303)
        (event,) = self.events()
        self.assertEqual((event.action, event.username), ("rename", "alice"))


class UndoMergeTests(LogCase):
    def state(self):
        """Both entries and the follower, and every +1 of theirs, as the database has them."""
        entries = {
            e.pk: (e.text, e.hidden, e.merged_into_id, e.updated_at)
            for e in MissingArea.objects.filter(discussion=self.discussion)
        }
        endorsements = sorted(
            MissingAreaEndorsement.objects.filter(entry__discussion=self.discussion).values_list(
                "entry_id", "participant_id", "created_at"
            )
        )
        return entries, endorsements

    def test_undo_restores_both_entries_and_their_plus_ones_exactly(self):
        facilitator_writes.merge(MissingArea, self.discussion.pk, self.follower.pk, self.source.pk)
        before = self.state()
        self.assertEqual(MissingAreaEndorsement.objects.filter(entry=self.source).count(), 4)

        self.post("entry_merge", "area", self.source.pk, data={"into": self.target.pk})
        # Merged: p1, p2, p5 moved over, p3's second +1 dropped: 2 + 3 = 5 on the target.
        self.assertEqual(MissingAreaEndorsement.objects.filter(entry=self.target).count(), 5)
        self.assertNotEqual(self.state(), before)
        merge = ModerationEvent.objects.get(action="merge", object_id=self.source.pk)

        response = self.post("merge_undo", merge.pk, data={"reason": "Fel inlägg"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.state(), before)
        self.assertEqual(MissingAreaEndorsement.objects.filter(entry=self.source).count(), 4)
        self.assertEqual(MissingAreaEndorsement.objects.filter(entry=self.target).count(), 2)
        merge.refresh_from_db()
        undo = merge.undone_by
        self.assertEqual(
            (undo.action, undo.reason, undo.username), ("unmerge", "Fel inlägg", "alice")
        )

    def test_a_plus_one_given_to_the_target_since_stays_there(self):
        event = facilitator_writes.merge(
            MissingArea, self.discussion.pk, self.source.pk, self.target.pk
        )
        newcomer = add_participant(self.discussion, self.table1, ())
        MissingAreaEndorsement.objects.create(entry=self.target, participant=newcomer)
        facilitator_writes.unmerge(self.discussion.pk, event.pk)
        on_target = set(
            MissingAreaEndorsement.objects.filter(entry=self.target).values_list(
                "participant_id", flat=True
            )
        )
        self.assertEqual(on_target, {self.p[3].pk, self.p[4].pk, newcomer.pk})

    def test_undo_twice_or_after_a_later_merge_is_refused(self):
        event = facilitator_writes.merge(
            MissingArea, self.discussion.pk, self.source.pk, self.target.pk
        )
        later = facilitator_writes.merge(
            MissingArea, self.discussion.pk, self.target.pk, self.other.pk
        )
        response = self.post("merge_undo", event.pk)
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "ångra den senare först", status_code=409)
        self.assertEqual(self.post("merge_undo", later.pk).status_code, 303)
        self.assertEqual(self.post("merge_undo", event.pk).status_code, 303)
        self.assertEqual(self.post("merge_undo", event.pk).status_code, 409)
        self.assertIsNone(MissingArea.objects.get(pk=self.source.pk).merged_into_id)

    def test_activities_too(self):
        rec = self.recs[2]
        a = add_activity(self.p[0], "Pendlarbuss", rec, endorsers=[self.p[1]])
        b = add_activity(self.p[3], "Buss för pendlare", rec, endorsers=[self.p[1], self.p[4]])
        event = facilitator_writes.merge(ActivityProposal, self.discussion.pk, a.pk, b.pk)
        self.assertEqual(ActivityEndorsement.objects.filter(entry=a).count(), 0)
        facilitator_writes.unmerge(self.discussion.pk, event.pk)
        self.assertEqual(ActivityEndorsement.objects.filter(entry=a).count(), 1)
        self.assertEqual(ActivityEndorsement.objects.filter(entry=b).count(), 2)

    def test_someone_else_or_a_wrong_id_gets_404(self):
        event = facilitator_writes.merge(
            MissingArea, self.discussion.pk, self.source.pk, self.target.pk
        )
        self.client.force_login(self.bob)
        self.assertEqual(self.post("merge_undo", event.pk).status_code, 404)
        self.client.force_login(self.alice)
        self.assertEqual(self.post("merge_undo", 999999).status_code, 404)
        hide = facilitator_writes.set_hidden(MissingArea, self.discussion.pk, self.other.pk, True)
        self.assertIsNone(hide)
        hidden = ModerationEvent.objects.get(action="hide")
        self.assertEqual(self.post("merge_undo", hidden.pk).status_code, 404)
        self.assertIsNotNone(MissingArea.objects.get(pk=self.source.pk).merged_into_id)
        self.assertEqual(
            self.client.get(
                reverse("facilitator:merge_undo", args=[self.discussion.pk, event.pk])
            ).status_code,
            405,
        )


class ShownAndExportedTests(LogCase):
    def act(self):
        facilitator_writes.set_hidden(
            MissingArea, self.discussion.pk, self.other.pk, True, by=self.alice, reason="Spam"
        )
        facilitator_writes.merge(
            MissingArea, self.discussion.pk, self.source.pk, self.target.pk, by=self.alice
        )

    def test_dashboard_shows_the_log_newest_first_with_an_undo_button(self):
        empty = self.client.get(reverse("facilitator:dashboard", args=[self.discussion.pk]))
        self.assertContains(empty, "Inget har dolts, slagits ihop eller ändrats än.")
        self.act()
        response = self.client.get(reverse("facilitator:dashboard", args=[self.discussion.pk]))
        content = response.content.decode()
        log = content[content.index('id="dash-log"') :]
        self.assertLess(log.index("slog ihop"), log.index("dolde"))
        self.assertIn("Spam", log)
        merge = ModerationEvent.objects.get(action="merge")
        undo = reverse("facilitator:merge_undo", args=[self.discussion.pk, merge.pk])
        self.assertIn(f'formaction="{undo}"', log)
        facilitator_writes.unmerge(self.discussion.pk, merge.pk, by=self.alice)
        content = self.client.get(
            reverse("facilitator:dashboard", args=[self.discussion.pk])
        ).content.decode()
        self.assertNotIn(f'formaction="{undo}"', content)
        self.assertIn("ångrad", content)

    def test_every_export_carries_the_log(self):
        self.act()
        book = openpyxl.load_workbook(io.BytesIO(export.build_xlsx(self.workshop)))
        rows = [list(r) for r in book["Moderering"].iter_rows(values_only=True)]
        self.assertEqual(rows[0][:4], ["Diskussion", "Tid", "Vem", "Händelse"])
        self.assertEqual([r[3] for r in rows[1:]], ["Dolde", "Slog ihop"])
        self.assertEqual(rows[1][6], "Vägar")
        self.assertEqual(rows[1][9], "Spam")
        self.assertEqual(rows[2][6:9], ["Kultur", self.target.pk, "Kultur och idrott"])
        self.assertEqual(book["Moderering"]["B2"].number_format, "yyyy-mm-dd hh:mm:ss")

        tables = read_csv_zip(export.build_csv_zip(self.workshop))
        self.assertEqual([r[3] for r in tables["moderering.csv"][1:]], ["Dolde", "Slog ihop"])

        doc = json.loads(export.build(self.workshop, "json"))
        jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
        hide, merge = doc["discussions"][0]["moderation_log"]
        self.assertEqual((hide["action"], hide["by"], hide["reason"]), ("hide", "alice", "Spam"))
        self.assertEqual((merge["object"], merge["target"]), (self.source.pk, self.target.pk))
        self.assertIsNone(merge["undone_by"])

    def test_deleting_participant_data_blanks_their_words_in_the_log(self):
        self.act()
        facilitator_writes.create_tables(self.discussion, 1, by=self.alice)
        facilitator_writes.run_timer(self.discussion.pk, "start")
        facilitator_writes.run_timer(self.discussion.pk, "end")
        deletion.delete_participant_data(self.workshop)
        events = {e.action: e for e in self.events()}
        self.assertEqual((events["hide"].text, events["hide"].username), ("", "alice"))
        self.assertEqual((events["merge"].text, events["merge"].target_text), ("", ""))
        self.assertEqual(events["merge"].undo, {})
        self.assertEqual(events["add_groups"].text, "Bord 3")
        self.assertEqual(self.post("merge_undo", events["merge"].pk).status_code, 404)

"""Hiding, restoring and merging what participants wrote."""

from django.core.cache import cache
from django.test import TransactionTestCase
from django.urls import reverse

from discussions import facilitator_writes, participant_writes, results
from discussions.models import (
    ActivityEndorsement,
    ActivityProposal,
    Discussion,
    MissingArea,
    MissingAreaEndorsement,
)
from discussions.refused import Refused
from tests.base import BaseTestCase, add_activity, add_area, add_participant


class ModerationTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        p = [add_participant(cls.discussion, cls.table1, (1,), name=f"p{i}") for i in range(5)]
        cls.people = p
        # "Kultur" and "kultur och idrott" are the same idea, written twice.
        cls.culture = add_area(p[0], "Kultur", endorsers=[p[1], p[2]])
        cls.culture2 = add_area(p[3], "kultur och idrott", endorsers=[p[2], p[4]])
        cls.youth = add_area(p[1], "Unga", endorsers=[p[0]])

    def setUp(self):
        cache.clear()
        self.client.force_login(self.alice)
        self.d = self.discussion.pk

    def revision(self):
        return Discussion.objects.get(pk=self.d).revision

    def hide(self, entry, hidden="1", kind="area", htmx=False):
        return self.client.post(
            reverse("facilitator:entry_hide", args=[self.d, kind, entry.pk]),
            {"hidden": hidden},
            headers={"HX-Request": "true"} if htmx else {},
        )

    def merge(self, source, target, kind="area"):
        return self.client.post(
            reverse("facilitator:entry_merge", args=[self.d, kind, source.pk]),
            {"into": str(target.pk)},
        )

    def endorsers(self, entry):
        return set(
            MissingAreaEndorsement.objects.filter(entry=entry).values_list(
                "participant_id", flat=True
            )
        )

    def board_areas(self):
        counted = results.of(Discussion.objects.get(pk=self.d))
        return {entry.text: entry.endorsements for entry in counted.areas}


class HideTests(ModerationTestCase):
    def test_hide_and_restore(self):
        before = self.revision()
        self.assertEqual(self.hide(self.youth).status_code, 303)
        self.assertTrue(MissingArea.objects.get(pk=self.youth.pk).hidden)
        self.assertEqual(self.revision(), before + 1)
        self.assertNotIn("Unga", self.board_areas())
        # Hiding twice is a no-op, not an error, and bumps nothing.
        self.assertEqual(self.hide(self.youth).status_code, 303)
        self.assertEqual(self.revision(), before + 1)
        self.assertEqual(self.hide(self.youth, hidden="0").status_code, 303)
        self.assertFalse(MissingArea.objects.get(pk=self.youth.pk).hidden)
        self.assertEqual(self.revision(), before + 2)
        self.assertEqual(self.board_areas()["Unga"], 1)
        # Nothing was deleted along the way.
        self.assertEqual(self.endorsers(self.youth), {self.people[0].pk})

    def test_hidden_entries_vanish_from_the_dashboard_but_can_be_restored_there(self):
        self.hide(self.youth)
        response = self.client.get(reverse("facilitator:dashboard", args=[self.d]))
        self.assertContains(response, "1 dolt inlägg")
        self.assertContains(response, "Återställ")
        live = response.content.decode().split("Saknade områden", 1)[1].split("Aktiviteter", 1)[0]
        self.assertNotIn("Unga", live)

    def test_hidden_entries_vanish_from_the_phone(self):
        phone = self.client_class()
        phone.post(reverse("join_code", args=["VARM26"]), {"group": self.table1.pk, "name": "Pia"})
        url = reverse("entry_add", args=[self.d, "area"])
        self.assertContains(phone.get(url), "Unga")
        self.hide(self.youth)
        self.assertNotContains(phone.get(url), "Unga")

    def test_hide_activities_too(self):
        activity = add_activity(self.people[0], "Studieresa", self.recs[1])
        self.hide(activity, kind="activity")
        self.assertTrue(ActivityProposal.objects.get(pk=activity.pk).hidden)

    def test_bad_requests(self):
        for data in [{}, {"hidden": "ja"}, {"hidden": "11"}]:
            with self.subTest(data=data):
                response = self.client.post(
                    reverse("facilitator:entry_hide", args=[self.d, "area", self.youth.pk]), data
                )
                self.assertEqual(response.status_code, 400)
        self.assertEqual(self.hide(self.youth, kind="poem").status_code, 404)
        # An area's id used as an activity's: not found, not a 500.
        self.assertEqual(self.hide(self.youth, kind="activity").status_code, 404)
        response = self.client.post(
            reverse("facilitator:entry_hide", args=[self.d, "area", 987654]),
            {"hidden": "1"},
            headers={"HX-Request": "true"},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.content.decode(), "Inlägget finns inte längre.")
        self.assertFalse(MissingArea.objects.filter(hidden=True).exists())


class MergeTests(ModerationTestCase):
    def test_merge_adds_up_endorsements_and_counts_nobody_twice(self):
        p = self.people
        before = self.revision()
        response = self.merge(self.culture2, self.culture)
        self.assertRedirects(
            response, reverse("facilitator:dashboard", args=[self.d]), status_code=303
        )
        # p1, p2 on "Kultur"; p2, p4 on the duplicate: p2 is counted once.
        self.assertEqual(self.endorsers(self.culture), {p[1].pk, p[2].pk, p[4].pk})
        self.assertEqual(self.endorsers(self.culture2), set())
        self.assertEqual(
            MissingArea.objects.get(pk=self.culture2.pk).merged_into_id, self.culture.pk
        )
        self.assertEqual(self.revision(), before + 1)
        self.assertEqual(self.board_areas(), {"Kultur": 3, "Unga": 1})

    def test_an_entry_merged_into_the_source_follows_it(self):
        self.merge(self.youth, self.culture2)
        self.merge(self.culture2, self.culture)
        self.assertEqual(MissingArea.objects.get(pk=self.youth.pk).merged_into_id, self.culture.pk)
        self.assertEqual(self.board_areas(), {"Kultur": 4})

    def test_an_endorsement_of_a_merged_entry_lands_on_its_target(self):
        facilitator_writes.merge(MissingArea, self.d, self.culture2.pk, self.culture.pk)
        newcomer = add_participant(self.discussion, self.table2, (2,))
        Discussion.objects.filter(pk=self.d).update(started_at=self.culture.created_at)
        result = participant_writes.endorse(
            newcomer, MissingArea.objects.get(pk=self.culture2.pk), True
        )
        self.assertEqual(result.entry_id, self.culture.pk)
        self.assertIn(newcomer.pk, self.endorsers(self.culture))

    def test_refused_merges(self):
        facilitator_writes.merge(MissingArea, self.d, self.youth.pk, self.culture2.pk)
        hidden = add_area(self.people[0], "Dold", hidden=True)
        missing = MissingArea(pk=MissingArea.objects.order_by("-pk").first().pk + 1000, text="-")
        cases = [
            (self.culture, self.culture, 400, "med sig självt"),
            (self.youth, self.culture, 409, "redan sammanslaget"),
            (self.culture, self.youth, 409, "inte ett dolt eller sammanslaget"),
            (self.culture, hidden, 409, "inte ett dolt eller sammanslaget"),
            (self.culture, missing, 404, "finns inte"),
        ]
        for source, target, status, message in cases:
            with self.subTest(source=source.text, target=target.text):
                before = self.revision()
                response = self.merge(source, target)
                self.assertContains(response, message, status_code=status)
                self.assertEqual(self.revision(), before)
        self.assertIsNone(MissingArea.objects.get(pk=self.culture.pk).merged_into_id)
        for data in [{}, {"into": "abc"}, {"into": "-3"}, {"into": "9" * 30}]:
            with self.subTest(data=data):
                response = self.client.post(
                    reverse("facilitator:entry_merge", args=[self.d, "area", self.culture.pk]),
                    data,
                )
                self.assertEqual(response.status_code, 400)

    def test_merge_activities(self):
        p = self.people
        first = add_activity(p[0], "Studieresa till Oslo", self.recs[1], endorsers=[p[1], p[2]])
        second = add_activity(p[1], "Studieresa Oslo", self.recs[1], endorsers=[p[1], p[3]])
        self.merge(second, first, kind="activity")
        self.assertEqual(
            set(
                ActivityEndorsement.objects.filter(entry=first).values_list(
                    "participant", flat=True
                )
            ),
            {p[1].pk, p[2].pk, p[3].pk},
        )
        self.assertEqual(ActivityProposal.objects.get(pk=second.pk).merged_into_id, first.pk)

    def test_merge_page_lists_likely_duplicates_first(self):
        add_area(self.people[0], "Helt annat ämne")
        response = self.client.get(
            reverse("facilitator:entry_merge", args=[self.d, "area", self.culture2.pk])
        )
        content = response.content.decode()
        self.assertLess(content.index(">Kultur<"), content.index(">Unga<"))
        self.assertLess(content.index(">Kultur<"), content.index(">Helt annat ämne<"))
        self.assertNotIn(">kultur och idrott</span>", content)  # not itself

    def test_merged_entries_vanish_from_the_phone(self):
        phone = self.client_class()
        phone.post(reverse("join_code", args=["VARM26"]), {"group": self.table1.pk, "name": "Pia"})
        url = reverse("entry_add", args=[self.d, "area"])
        self.assertContains(phone.get(url), "kultur och idrott")
        facilitator_writes.merge(MissingArea, self.d, self.culture2.pk, self.culture.pk)
        self.assertNotContains(phone.get(url), "kultur och idrott")


class MergeRaceTests(TransactionTestCase):
    """Real transactions: the merge's locks must compose with participant_writes.endorse."""

    def test_merge_then_endorse_both_never_double_counts(self):
        from django.core.management import call_command

        from discussions.models import Group, Workshop
        from recommendations.models import RecommendationSet

        call_command("loaddata", "recommendations", verbosity=0)
        rec_set = RecommendationSet.objects.get(slug="varmland-gransamarbete")
        workshop = Workshop.objects.create(title="W", recommendation_set=rec_set)
        discussion = Discussion.objects.create(
            workshop=workshop, title="D", recommendation_set=rec_set, join_code="RACE22"
        )
        group = Group.objects.create(discussion=discussion, name="Bord 1")
        a, b = add_participant(discussion, group), add_participant(discussion, group)
        first, second = add_area(a, "Kultur", endorsers=[b]), add_area(b, "kultur", endorsers=[])
        from django.utils import timezone

        Discussion.objects.filter(pk=discussion.pk).update(started_at=timezone.now())
        facilitator_writes.merge(MissingArea, discussion.pk, second.pk, first.pk)
        # b endorses the merged duplicate: it lands on the target, where b already is.
        participant_writes.endorse(b, MissingArea.objects.get(pk=second.pk), True)
        self.assertEqual(MissingAreaEndorsement.objects.filter(entry=first).count(), 1)
        with self.assertRaises(Refused):
            facilitator_writes.merge(MissingArea, discussion.pk, second.pk, first.pk)

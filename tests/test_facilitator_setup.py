"""Setting up without the admin: workshops, discussions, groups, invitations."""

import re
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from discussions.models import (
    DEFAULT_QUESTION_ACTIVITIES,
    DEFAULT_QUESTION_MISSING,
    DEFAULT_QUESTION_RANK,
    Discussion,
    Group,
    Workshop,
)
from recommendations.models import RecommendationSet
from tests.base import BaseTestCase, add_area, add_participant


def discussion_data(rec_set, **extra):
    return {
        "title": "Eftermiddagens diskussion",
        "duration_minutes": "20",
        "question_rank": DEFAULT_QUESTION_RANK,
        "question_missing": DEFAULT_QUESTION_MISSING,
        "question_activities": DEFAULT_QUESTION_ACTIVITIES,
        "recommendation_set": rec_set.pk,
        **extra,
    }


class WorkshopTests(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.alice)

    def test_create_a_workshop_makes_me_a_facilitator(self):
        response = self.client.post(
            reverse("facilitator:workshop_create"),
            {
                "title": "Gränsdialog i Arvika",
                "date": "2026-11-27",
                "place": "Arvika",
                "language": "nb",
                "recommendation_set": self.rec_set.pk,
            },
        )
        workshop = Workshop.objects.get(title="Gränsdialog i Arvika")
        self.assertRedirects(
            response, reverse("facilitator:workshop", args=[workshop.pk]), status_code=303
        )
        self.assertEqual(workshop.date, date(2026, 11, 27))
        self.assertEqual(workshop.language, "nb")
        self.assertEqual(list(workshop.members.all()), [self.alice])

    def test_create_with_bad_input_shows_errors_with_400(self):
        cases = [
            {"title": "", "language": "sv", "recommendation_set": self.rec_set.pk},
            {"title": "x" * 201, "language": "sv", "recommendation_set": self.rec_set.pk},
            {"title": "Ok", "language": "klingon", "recommendation_set": self.rec_set.pk},
            {"title": "Ok", "language": "sv", "recommendation_set": "999999"},
            {"title": "Ok", "language": "sv", "recommendation_set": "abc"},
            {
                "title": "Ok",
                "language": "sv",
                "recommendation_set": self.rec_set.pk,
                "date": "31/31",
            },
            {"title": "Ok\x00", "language": "sv", "recommendation_set": self.rec_set.pk},
        ]
        for data in cases:
            with self.subTest(data=data):
                response = self.client.post(reverse("facilitator:workshop_create"), data)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "Rätta det som är markerat", status_code=400)
        self.assertEqual(Workshop.objects.count(), 2)

    def test_edit_a_workshop(self):
        url = reverse("facilitator:workshop_edit", args=[self.workshop.pk])
        self.assertContains(self.client.get(url), "Gränssamarbete i Värmland")
        response = self.client.post(
            url,
            {
                "title": "Nytt namn",
                "place": "Karlstad",
                "language": "sv",
                "recommendation_set": self.rec_set.pk,
            },
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(Workshop.objects.get(pk=self.workshop.pk).title, "Nytt namn")

    def test_workshop_page_lists_discussions_and_facilitators(self):
        response = self.client.get(reverse("facilitator:workshop", args=[self.workshop.pk]))
        self.assertContains(response, "Gruppdiskussion")
        self.assertContains(response, "VARM26")
        self.assertContains(response, "alice")
        self.assertContains(response, reverse("facilitator:projector", args=[self.discussion.pk]))

    def test_invite_another_facilitator_by_username(self):
        response = self.client.post(
            reverse("facilitator:workshop_invite", args=[self.workshop.pk]), {"username": "bob"}
        )
        self.assertEqual(response.status_code, 303)
        # Bob becomes a facilitator once he accepts (tests/test_lockout.py).
        self.assertNotIn(self.bob, self.workshop.members.all())
        invitation = self.bob.invitations.get()
        self.client.force_login(self.bob)
        self.client.post(reverse("facilitator:invitation_accept", args=[invitation.pk]))
        # Now bob can run it.
        self.assertEqual(
            self.client.get(
                reverse("facilitator:dashboard", args=[self.discussion.pk])
            ).status_code,
            200,
        )

    def test_the_invite_field_names_its_help_and_takes_a_name_as_typed(self):
        response = self.client.get(reverse("facilitator:workshop", args=[self.workshop.pk]))
        html = response.content.decode()
        field = re.search(r'<input[^>]*name="username"[^>]*>', html)[0]
        # A phone's keyboard must not make "bob" into "Bob" (names are case sensitive),
        # and the browser must not offer the facilitator's own name.
        self.assertIn('autocapitalize="none"', field)
        self.assertIn('autocomplete="off"', field)
        # The help is read out with the field.
        self.assertIn('aria-describedby="id_username_helptext"', field)
        self.assertRegex(html, r'id="id_username_helptext">Den du bjuder in behöver ett konto')

    def test_inviting_someone_twice_changes_nothing(self):
        url = reverse("facilitator:workshop_invite", args=[self.workshop.pk])
        self.client.post(url, {"username": "bob"})
        self.assertEqual(self.client.post(url, {"username": "bob"}).status_code, 303)
        self.assertEqual(self.bob.invitations.count(), 1)
        self.assertEqual(self.workshop.members.count(), 1)

    def test_inviting_an_unknown_user_answers_as_for_a_known_one(self):
        url = reverse("facilitator:workshop_invite", args=[self.workshop.pk])
        for username in ["", "x" * 300]:
            with self.subTest(username=username):
                response = self.client.post(url, {"username": username})
                self.assertEqual(response.status_code, 400)
        response = self.client.post(url, {"username": "<b>nobody</b>"})
        self.assertEqual(response.status_code, 303)
        self.assertNotContains(self.client.get(response["Location"]), "nobody")
        self.assertEqual(self.workshop.members.count(), 1)


class DiscussionFormTests(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.alice)

    def test_new_discussion_form_is_prefilled_from_the_slide(self):
        response = self.client.get(
            reverse("facilitator:discussion_create", args=[self.workshop.pk])
        )
        self.assertContains(response, DEFAULT_QUESTION_RANK)
        self.assertContains(response, DEFAULT_QUESTION_MISSING)
        self.assertContains(response, DEFAULT_QUESTION_ACTIVITIES)
        self.assertContains(response, 'name="duration_minutes" value="20"')
        self.assertContains(response, f'<option value="{self.rec_set.pk}" selected>')

    def test_create_a_discussion_then_set_up_groups(self):
        response = self.client.post(
            reverse("facilitator:discussion_create", args=[self.workshop.pk]),
            discussion_data(self.rec_set, duration_minutes="30", shuffle_recommendations="on"),
        )
        discussion = Discussion.objects.get(title="Eftermiddagens diskussion")
        self.assertRedirects(
            response, reverse("facilitator:groups", args=[discussion.pk]), status_code=303
        )
        self.assertEqual(discussion.workshop, self.workshop)
        self.assertEqual(discussion.duration_seconds, 30 * 60)
        self.assertTrue(discussion.shuffle_recommendations)
        self.assertEqual(discussion.question_rank, DEFAULT_QUESTION_RANK)
        self.assertEqual(len(discussion.join_code), 6)

    def test_bad_discussion_input_is_400(self):
        url = reverse("facilitator:discussion_create", args=[self.workshop.pk])
        for bad in [
            {"duration_minutes": "0"},
            {"duration_minutes": "-5"},
            {"duration_minutes": "241"},
            {"duration_minutes": "tjugo"},
            {"duration_minutes": "99999999999999999999999"},
            {"title": ""},
            {"question_rank": "x" * 1001},
            {"recommendation_set": "0"},
        ]:
            with self.subTest(bad=bad):
                response = self.client.post(url, discussion_data(self.rec_set, **bad))
                self.assertEqual(response.status_code, 400)
        self.assertEqual(Discussion.objects.filter(workshop=self.workshop).count(), 1)

    def test_edit_bumps_the_revision_so_phones_see_new_questions(self):
        before = self.discussion.revision
        response = self.client.post(
            reverse("facilitator:discussion_edit", args=[self.discussion.pk]),
            discussion_data(self.rec_set, question_missing="Vad saknas?"),
        )
        self.assertEqual(response.status_code, 303)
        discussion = Discussion.objects.get(pk=self.discussion.pk)
        self.assertEqual(discussion.question_missing, "Vad saknas?")
        self.assertEqual(discussion.revision, before + 1)

    def test_duration_is_locked_once_the_clock_runs(self):
        Discussion.objects.filter(pk=self.discussion.pk).update(started_at=timezone.now())
        url = reverse("facilitator:discussion_edit", args=[self.discussion.pk])
        self.assertContains(self.client.get(url), "förläng den med +1 min")
        self.client.post(url, discussion_data(self.rec_set, duration_minutes="5"))
        self.assertEqual(Discussion.objects.get(pk=self.discussion.pk).duration_seconds, 1200)

    def test_unchanged_minutes_keep_odd_seconds(self):
        Discussion.objects.filter(pk=self.discussion.pk).update(duration_seconds=20 * 60 + 30)
        self.client.post(
            reverse("facilitator:discussion_edit", args=[self.discussion.pk]),
            discussion_data(self.rec_set, duration_minutes="20"),
        )
        self.assertEqual(Discussion.objects.get(pk=self.discussion.pk).duration_seconds, 1230)

    def test_recommendation_set_is_locked_once_someone_ranked(self):
        other_set = RecommendationSet.objects.create(slug="annan", name="Annan lista")
        url = reverse("facilitator:discussion_edit", args=[self.discussion.pk])
        add_participant(self.discussion, self.table1, (1,))
        self.client.post(url, discussion_data(other_set))
        self.assertEqual(
            Discussion.objects.get(pk=self.discussion.pk).recommendation_set, self.rec_set
        )


class GroupTests(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.alice)
        self.d = self.discussion.pk

    def names(self):
        return list(Group.objects.filter(discussion=self.discussion).values_list("name", flat=True))

    def test_create_tables_continues_the_numbering(self):
        before = Discussion.objects.get(pk=self.d).revision
        response = self.client.post(
            reverse("facilitator:groups_create", args=[self.d]), {"count": "3"}
        )
        self.assertRedirects(
            response, reverse("facilitator:groups", args=[self.d]), status_code=303
        )
        self.assertEqual(self.names(), ["Bord 1", "Bord 2", "Bord 3", "Bord 4", "Bord 5"])
        self.assertEqual(Discussion.objects.get(pk=self.d).revision, before + 1)

    def test_create_tables_skips_names_taken_and_starts_at_one(self):
        discussion = Discussion.objects.create(
            workshop=self.workshop, title="Ny", recommendation_set=self.rec_set
        )
        self.client.post(reverse("facilitator:groups_create", args=[discussion.pk]), {"count": "8"})
        self.assertEqual(
            list(discussion.groups.values_list("name", "position")),
            [(f"Bord {i}", i) for i in range(1, 9)],
        )
        Group.objects.filter(discussion=discussion, name="Bord 8").update(name="Scenen")
        Group.objects.create(discussion=discussion, name="Bord 9", position=20)
        self.client.post(reverse("facilitator:groups_create", args=[discussion.pk]), {"count": "1"})
        self.assertIn("Bord 10", list(discussion.groups.values_list("name", flat=True)))

    def test_create_tables_refuses_bad_counts(self):
        url = reverse("facilitator:groups_create", args=[self.d])
        for count in ["0", "-1", "61", "åtta", "", "1e9"]:
            with self.subTest(count=count):
                self.assertEqual(self.client.post(url, {"count": count}).status_code, 400)
        self.client.post(url, {"count": "58"})
        response = self.client.post(url, {"count": "1"})
        self.assertContains(response, "högst 60 grupper", status_code=400)
        self.assertEqual(len(self.names()), 60)

    # --- "Antal bord": what completes the room, or nothing

    def count_field(self, discussion):
        """The pre-filled value of "Antal bord" (None when empty), and its label."""
        html = self.client.get(reverse("facilitator:groups", args=[discussion.pk])).content
        html = html.decode()
        tag = re.search(r'<input[^>]*name="count"[^>]*>', html)[0]
        value = re.search(r'value="([^"]*)"', tag)
        label = re.search(r'<label for="id_count">([^<]*)</label>', html)[1]
        return (value[1] if value else None), label

    def round_two(self, tables):
        """A second discussion in the Värmland workshop, with this many tables."""
        discussion = Discussion.objects.create(
            workshop=self.workshop, title="Runda 2", recommendation_set=self.rec_set
        )
        for i in range(1, tables + 1):
            Group.objects.create(discussion=discussion, name=f"Bord {i}", position=i)
        return discussion

    def test_tables_are_not_pre_filled_when_the_room_is_unknown(self):
        # Two tables here, no other discussion in the workshop (DALA27 with its one
        # table is another workshop's room): the number is left to the facilitator,
        # and it says how many *more*.
        self.assertEqual(self.count_field(self.discussion), (None, "Antal nya bord:"))
        # A new workshop's first discussion, no tables anywhere: nothing either.
        workshop = Workshop.objects.create(title="Ny", recommendation_set=self.rec_set)
        workshop.members.add(self.alice)
        first = Discussion.objects.create(
            workshop=workshop, title="Ny", recommendation_set=self.rec_set
        )
        self.assertEqual(self.count_field(first), (None, "Antal bord:"))

    def test_tables_pre_filled_to_complete_the_room_of_an_earlier_round(self):
        # Bord 1-8 in round 2; this discussion has Bord 1-2: 8 - 2 = 6 fill the room.
        self.round_two(8)
        self.assertEqual(self.count_field(self.discussion), ("6", "Antal nya bord:"))
        response = self.client.get(reverse("facilitator:groups", args=[self.d]))
        self.assertContains(response, "Ifyllt så att rummet får 8 bord, som i ”Runda 2”.")
        # One click on what is filled in gives exactly the room: Bord 1-8.
        self.client.post(reverse("facilitator:groups_create", args=[self.d]), {"count": "6"})
        self.assertEqual(self.names(), [f"Bord {i}" for i in range(1, 9)])
        # Now the room is complete: nothing is filled in, and no explanation.
        self.assertEqual(self.count_field(self.discussion), (None, "Antal nya bord:"))
        response = self.client.get(reverse("facilitator:groups", args=[self.d]))
        self.assertNotContains(response, "Ifyllt")

    def test_a_new_round_without_tables_gets_the_whole_room(self):
        fresh = self.round_two(0)
        self.assertEqual(self.count_field(fresh), ("2", "Antal bord:"))

    def test_four_tables_and_a_room_of_four_fill_in_nothing(self):
        # The demo's case: Bord 1-4 exist. 8 filled in made Bord 5-12 at one click.
        Group.objects.create(discussion=self.discussion, name="Bord 3", position=3)
        Group.objects.create(discussion=self.discussion, name="Bord 4", position=4)
        self.round_two(4)
        self.assertEqual(self.count_field(self.discussion), (None, "Antal nya bord:"))
        # A larger room than the earlier round's: still nothing.
        self.round_two(3)
        self.assertEqual(self.count_field(self.discussion), (None, "Antal nya bord:"))

    def test_a_refused_count_keeps_what_was_typed(self):
        self.round_two(8)
        url = reverse("facilitator:groups_create", args=[self.d])
        response = self.client.post(url, {"count": "0"})
        self.assertEqual(response.status_code, 400)
        self.assertRegex(response.content.decode(), r'<input[^>]*name="count"[^>]*value="0"')

    def test_rename(self):
        url = reverse("facilitator:group_rename", args=[self.d, self.table1.pk])
        self.assertEqual(self.client.post(url, {"name": "Fönsterbordet"}).status_code, 303)
        self.assertEqual(Group.objects.get(pk=self.table1.pk).name, "Fönsterbordet")

    def test_rename_to_a_taken_or_empty_name_says_why(self):
        url = reverse("facilitator:group_rename", args=[self.d, self.table1.pk])
        response = self.client.post(url, {"name": "Bord 2"})
        self.assertContains(response, "Det finns redan en grupp med det namnet", status_code=409)
        self.assertContains(response, 'value="Bord 2"', status_code=409)
        for name in ["", "   ", "x" * 41]:
            with self.subTest(name=name):
                self.assertEqual(self.client.post(url, {"name": name}).status_code, 400)
        self.assertEqual(Group.objects.get(pk=self.table1.pk).name, "Bord 1")

    def test_delete_an_empty_group(self):
        url = reverse("facilitator:group_delete", args=[self.d, self.table2.pk])
        self.assertEqual(self.client.post(url).status_code, 303)
        self.assertEqual(self.names(), ["Bord 1"])

    def test_delete_a_group_with_people_is_refused_with_a_message(self):
        add_participant(self.discussion, self.table1)
        url = reverse("facilitator:group_delete", args=[self.d, self.table1.pk])
        response = self.client.post(url)
        self.assertContains(response, "har deltagare och kan inte tas bort", status_code=409)
        self.assertIn("Bord 1", self.names())

    def test_delete_a_group_that_only_entries_point_at_is_refused(self):
        # The author moved to another table; their entry still names this one.
        author = add_participant(self.discussion, self.table1)
        add_area(author, "Kultur")
        author.group = self.table2
        author.save()
        url = reverse("facilitator:group_delete", args=[self.d, self.table1.pk])
        response = self.client.post(url)
        self.assertContains(response, "används och kan inte tas bort", status_code=409)
        self.assertIn("Bord 1", self.names())

    def test_groups_page_escapes_names(self):
        Group.objects.filter(pk=self.table1.pk).update(name="<script>x</script>")
        response = self.client.get(reverse("facilitator:groups", args=[self.d]))
        self.assertNotContains(response, "<script>x</script>")
        self.assertContains(response, "&lt;script&gt;x&lt;/script&gt;")


class LoginLandingTests(BaseTestCase):
    def test_workshop_list_links_to_create(self):
        self.client.force_login(self.charlie)
        response = self.client.get(reverse("facilitator:workshops"))
        self.assertContains(response, reverse("facilitator:workshop_create"))
        self.assertContains(response, "Du är inte med i någon workshop än")

    def test_dates_render(self):
        Workshop.objects.filter(pk=self.workshop.pk).update(
            date=timezone.now().date() + timedelta(days=3)
        )
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("facilitator:workshops")).status_code, 200)


class ExportLinkTests(BaseTestCase):
    def test_the_workshop_page_links_to_its_exports(self):
        self.client.force_login(self.alice)
        response = self.client.get(f"/f/w/{self.workshop.pk}/")
        self.assertContains(response, f'href="/f/w/{self.workshop.pk}/export/"')

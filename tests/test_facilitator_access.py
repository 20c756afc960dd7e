"""Who may open what on the facilitator's side.

alice is a member of cls.workshop, bob of cls.other_workshop, charlie is staff
but a member of nothing. Every page, fragment and control of alice's workshop:
anonymous → login, alice → allowed, bob and charlie → 404 (not 403: nobody
learns which workshops exist), and a participant's cookie opens nothing.
"""

from django.urls import reverse

from discussions.models import Discussion, Group, MissingArea, Workshop
from tests.base import BaseTestCase, add_area, add_participant

LOGIN = reverse("login")


class AccessTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.participant = add_participant(cls.discussion, cls.table1, (1, 2))
        cls.area = add_area(cls.participant, "Kultur")
        cls.other_area = add_area(cls.participant, "Idrott")
        cls.empty_table = Group.objects.create(discussion=cls.discussion, name="Tomt", position=9)

    def get_urls(self):
        w, d = self.workshop.pk, self.discussion.pk
        return [
            reverse("facilitator:workshop", args=[w]),
            reverse("facilitator:workshop_edit", args=[w]),
            reverse("facilitator:discussion_create", args=[w]),
            reverse("facilitator:dashboard", args=[d]),
            reverse("facilitator:dashboard_live", args=[d]),
            reverse("facilitator:discussion_edit", args=[d]),
            reverse("facilitator:groups", args=[d]),
            reverse("facilitator:projector", args=[d]),
            reverse("facilitator:projector_live", args=[d]),
            reverse("facilitator:projector_results", args=[d]),
            reverse("facilitator:projector_results_live", args=[d]),
            reverse("facilitator:projector_areas", args=[d]),
            reverse("facilitator:projector_areas_live", args=[d]),
            reverse("facilitator:projector_activities", args=[d]),
            reverse("facilitator:projector_activities_live", args=[d]),
            reverse("facilitator:projector_reasons", args=[d]),
            reverse("facilitator:projector_reasons_live", args=[d]),
            reverse("facilitator:projector_coverage", args=[d]),
            reverse("facilitator:projector_coverage_live", args=[d]),
            reverse("facilitator:entry_merge", args=[d, "area", self.area.pk]),
        ]

    def post_urls(self):
        """Each control with data that would succeed for alice."""
        w, d = self.workshop.pk, self.discussion.pk
        workshop = {"title": "Kapad", "language": "sv", "recommendation_set": self.rec_set.pk}
        discussion = {
            "title": "Kapad",
            "duration_minutes": "20",
            "question_rank": "Fråga 1",
            "question_missing": "Fråga 2",
            "question_activities": "Fråga 3",
            "recommendation_set": self.rec_set.pk,
        }
        return [
            (reverse("facilitator:workshop_edit", args=[w]), workshop),
            (reverse("facilitator:workshop_invite", args=[w]), {"username": "bob"}),
            (reverse("facilitator:discussion_create", args=[w]), discussion),
            (reverse("facilitator:discussion_edit", args=[d]), discussion),
            (reverse("facilitator:groups_create", args=[d]), {"count": "2"}),
            (reverse("facilitator:group_rename", args=[d, self.table1.pk]), {"name": "Kapat"}),
            (reverse("facilitator:group_delete", args=[d, self.empty_table.pk]), {}),
            (reverse("facilitator:timer", args=[d, "start"]), {}),
            (reverse("facilitator:timer", args=[d, "end"]), {}),
            (reverse("facilitator:reveal", args=[d]), {"reveal": "1"}),
            (reverse("facilitator:projector_show", args=[d]), {"view": "reasons", "page": "2"}),
            (reverse("facilitator:projector_names", args=[d]), {"names": "1"}),
            (reverse("facilitator:entry_hide", args=[d, "area", self.area.pk]), {"hidden": "1"}),
            (
                reverse("facilitator:entry_merge", args=[d, "area", self.area.pk]),
                {"into": str(self.other_area.pk)},
            ),
        ]

    def assert_untouched(self):
        discussion = Discussion.objects.get(pk=self.discussion.pk)
        self.assertIsNone(discussion.started_at)
        self.assertFalse(discussion.results_revealed)
        self.assertEqual(discussion.projector_view, "timer")
        self.assertFalse(discussion.projector_names)
        self.assertEqual(discussion.title, "Gruppdiskussion")
        self.assertEqual(Workshop.objects.get(pk=self.workshop.pk).title, self.workshop.title)
        self.assertEqual(self.workshop.members.count(), 1)
        self.assertEqual(self.discussion.groups.count(), 3)
        self.assertFalse(MissingArea.objects.filter(hidden=True).exists())
        self.assertIsNone(MissingArea.objects.get(pk=self.area.pk).merged_into_id)
        self.assertEqual(Discussion.objects.filter(workshop=self.workshop).count(), 1)

    def test_anonymous_is_sent_to_log_in(self):
        for url in [reverse("facilitator:workshops"), reverse("facilitator:workshop_create")]:
            url_response = self.client.get(url)
            self.assertRedirects(url_response, f"{LOGIN}?next={url}", fetch_redirect_response=False)
        for url in self.get_urls():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(LOGIN))
        for url, data in self.post_urls():
            with self.subTest(url=url):
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(LOGIN))
        self.assert_untouched()

    def test_a_participants_cookie_opens_nothing(self):
        # Join the discussion the way a phone does, keeping its signed cookie.
        response = self.client.post(
            reverse("join_code", args=["VARM26"]), {"group": self.table1.pk, "name": "Pia"}
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.cookies)
        for url in self.get_urls():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(LOGIN))
        for url, data in self.post_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assert_untouched()

    def test_a_member_can_open_every_page(self):
        self.client.force_login(self.alice)
        for url in [reverse("facilitator:workshops"), reverse("facilitator:workshop_create")]:
            self.assertEqual(self.client.get(url).status_code, 200)
        for url in self.get_urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_member_can_use_every_control(self):
        self.client.force_login(self.alice)
        for url, data in self.post_urls():
            with self.subTest(url=url):
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 303, response.content[:300])

    def test_other_facilitators_and_staff_get_404_everywhere(self):
        for user in (self.bob, self.charlie):
            self.client.force_login(user)
            for url in self.get_urls():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
            for url, data in self.post_urls():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.post(url, data).status_code, 404)
            for url, data in self.post_urls():
                with self.subTest(user=user.username, url=url, htmx=True):
                    response = self.client.post(url, data, headers={"HX-Request": "true"})
                    self.assertEqual(response.status_code, 404)
        self.assert_untouched()

    def test_another_discussions_ids_in_my_urls_are_404(self):
        # alice's discussion id with bob's group, and bob's entry: both 404.
        self.client.force_login(self.alice)
        other = add_participant(self.other_discussion, self.other_table, (1,))
        their_area = add_area(other, "Deras")
        d = self.discussion.pk
        response = self.client.post(
            reverse("facilitator:group_rename", args=[d, self.other_table.pk]), {"name": "X"}
        )
        self.assertEqual(response.status_code, 404)
        response = self.client.post(
            reverse("facilitator:group_delete", args=[d, self.other_table.pk])
        )
        self.assertEqual(response.status_code, 404)
        response = self.client.post(
            reverse("facilitator:entry_hide", args=[d, "area", their_area.pk]), {"hidden": "1"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(
            self.client.get(
                reverse("facilitator:entry_merge", args=[d, "area", their_area.pk])
            ).status_code,
            404,
        )
        response = self.client.post(
            reverse("facilitator:entry_merge", args=[d, "area", self.area.pk]),
            {"into": str(their_area.pk)},
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(MissingArea.objects.get(pk=their_area.pk).hidden)
        self.assertEqual(self.other_table.name, Group.objects.get(pk=self.other_table.pk).name)

    def test_workshop_list_shows_only_my_workshops(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("facilitator:workshops"))
        self.assertContains(response, "Gränssamarbete i Värmland")
        self.assertNotContains(response, "Gränssamarbete i Dalarna")
        self.client.force_login(self.charlie)
        response = self.client.get(reverse("facilitator:workshops"))
        self.assertNotContains(response, "Gränssamarbete i")

    def test_controls_refuse_get(self):
        self.client.force_login(self.alice)
        d = self.discussion.pk
        for url in [
            reverse("facilitator:timer", args=[d, "start"]),
            reverse("facilitator:reveal", args=[d]),
            reverse("facilitator:projector_show", args=[d]),
            reverse("facilitator:projector_names", args=[d]),
            reverse("facilitator:entry_hide", args=[d, "area", self.area.pk]),
            reverse("facilitator:groups_create", args=[d]),
            reverse("facilitator:group_delete", args=[d, self.empty_table.pk]),
            reverse("facilitator:workshop_invite", args=[self.workshop.pk]),
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 405)
        self.assert_untouched()

    def test_controls_need_csrf(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        for url, data in self.post_urls():
            with self.subTest(url=url):
                self.assertEqual(client.post(url, data).status_code, 403)
        self.assert_untouched()

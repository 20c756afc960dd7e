"""The table's agreed answer: versions kept, a stale save refused with both texts,
the differs sentence, the exports, and who may write it."""

import json

from django.test import Client
from django.urls import reverse

from discussions import results
from discussions.models import Group, TableAnswer
from tests.base import add_participant
from tests.test_phone import HX, PhoneTestCase


class TableAnswerPhoneTests(PhoneTestCase):
    def setUp(self):
        super().setUp()
        results.clear()
        self.start()
        self.anna_client, self.bo_client = Client(), Client()
        self.anna = self.join(self.anna_client, name="Anna")
        self.bo = self.join(self.bo_client, name="")
        self.url = reverse("phone_table", args=[self.discussion.pk])

    def save(self, client, base, number=None, why="", **extra):
        data = {"base": base, "why": why}
        if number is not None:
            data["recommendation"] = number
        return client.post(self.url, data, **extra)

    def versions(self, group=None):
        return list(
            TableAnswer.objects.filter(group=group or self.table1)
            .order_by("number")
            .values_list("number", "recommendation__number", "why", "author_name")
        )

    def test_the_page_asks_the_table_and_links_from_the_summary(self):
        done = self.anna_client.get(reverse("phone_done", args=[self.discussion.pk]))
        self.assertContains(done, f'href="{self.url}"')
        page = self.anna_client.get(self.url)
        self.assertContains(page, "Bordets gemensamma svar")
        self.assertContains(page, "Inget gemensamt svar sparat än.")
        self.assertContains(page, 'name="base" value="0"')

    def test_every_save_is_a_version_and_the_page_says_who_changed_it(self):
        revision = Group.objects.get(pk=self.table1.pk).revision
        response = self.save(self.anna_client, 0, 3, "Tåget binder ihop regionen")
        self.assertEqual(response.status_code, 303)
        response = self.save(self.bo_client, 1, 1, "Vi ändrade oss")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(
            self.versions(),
            [(1, 3, "Tåget binder ihop regionen", "Anna"), (2, 1, "Vi ändrade oss", "")],
        )
        self.assertEqual(Group.objects.get(pk=self.table1.pk).revision, revision + 2)
        page = self.anna_client.get(self.url).content.decode()
        self.assertIn("Senast ändrat av en medlem utan namn", page)
        self.assertIn('name="base" value="2"', page)
        # The history, newest first: both versions, both authors.
        history = page[page.index('id="table-history"') :]
        self.assertLess(history.index("Vi ändrade oss"), history.index("Tåget binder"))
        self.assertIn("Version 1: Anna", history)

    def test_a_save_on_a_stale_base_is_refused_with_both_texts_and_nothing_overwritten(self):
        self.save(self.anna_client, 0, 3, "Annas motivering")
        response = self.save(self.bo_client, 0, 5, "Bos motivering", **HX)
        self.assertEqual(response.status_code, 409)
        body = response.content.decode()
        self.assertIn("Annas motivering", body)  # theirs, shown
        self.assertIn("Anna sparade det här", body)
        self.assertIn(">Bos motivering</textarea>", body)  # mine, kept in the form
        self.assertIn('value="5" checked', body)
        self.assertIn('name="base" value="1"', body)  # saving now is a knowing choice
        self.assertIn("Spara mitt svar ändå", body)
        self.assertIn("Behåll deras svar", body)
        self.assertEqual(self.versions(), [(1, 3, "Annas motivering", "Anna")])
        # Saving over it knowingly: base = the newest.
        response = self.save(self.bo_client, 1, 5, "Bos motivering", **HX)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(self.versions()), 2)

    def test_the_same_save_twice_is_one_version(self):
        self.save(self.anna_client, 0, 3, "Samma")
        response = self.save(self.anna_client, 0, 3, "Samma")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(len(self.versions()), 1)

    def test_bad_input_is_refused_with_the_text_kept(self):
        cases = [
            ({"base": "0", "why": "x" * 501}, "för lång"),
            ({"base": "0", "why": "a\x00b"}, "kontrolltecken"),
            ({"base": "0", "why": "", "recommendation": ""}, "Välj en rekommendation"),
            ({"base": "0", "why": "ok", "recommendation": "99"}, "Välj en av"),
            ({"base": "x", "why": "ok"}, "kunde inte läsas"),
            ({"why": "ok"}, "kunde inte läsas"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                response = self.anna_client.post(self.url, data)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, message, status_code=400)
        response = self.anna_client.post(self.url, {"base": "0", "why": "y" * 501})
        self.assertContains(response, "y" * 501, status_code=400)
        self.assertEqual(self.versions(), [])

    def test_closed_when_the_time_is_up(self):
        self.end()
        response = self.save(self.anna_client, 0, 3, "För sent")
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "För sent", status_code=409)
        self.assertEqual(self.versions(), [])
        self.assertNotContains(self.anna_client.get(self.url), 'id="table-form"')

    def test_another_tables_member_writes_only_their_own_table(self):
        other = Client()
        self.join(other, group=self.table2, name="Cilla")
        self.save(self.anna_client, 0, 3, "Bord 1:s svar")
        page = other.get(self.url)
        self.assertNotContains(page, "Bord 1:s svar")
        self.save(other, 0, 2, "Bord 2:s svar")
        self.assertEqual(len(self.versions(self.table1)), 1)
        self.assertEqual(len(self.versions(self.table2)), 1)

    def test_without_the_cookie_or_in_another_discussion_404(self):
        self.assertEqual(Client().get(self.url).status_code, 404)
        self.assertEqual(Client().post(self.url, {"base": 0, "why": "x"}).status_code, 404)
        elsewhere = reverse("phone_table", args=[self.other_discussion.pk])
        self.assertEqual(self.anna_client.post(elsewhere, {"base": 0, "why": "x"}).status_code, 404)
        self.assertEqual(TableAnswer.objects.count(), 0)

    def test_the_poll_brings_another_members_version_but_never_the_form(self):
        page = self.bo_client.get(self.url).content.decode()
        poll_url = json.loads(json.dumps(page.split('id="poll" hx-get="')[1].split('"')[0]))
        poll_url = poll_url.replace("&amp;", "&")
        self.save(self.anna_client, 0, 3, "Nytt från Anna")
        response = self.bo_client.get(poll_url)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn('id="table-current" hx-swap-oob="true"', body)
        self.assertIn("Nytt från Anna", body)
        self.assertNotIn("<textarea", body)

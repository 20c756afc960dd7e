"""The table's agreed answer: versions kept, a stale save refused with both texts,
the differs sentence, the exports, and who may write it."""

import json

import jsonschema
from django.test import Client
from django.urls import reverse

from discussions import deletion, export, results
from discussions.models import Discussion, Group, TableAnswer
from tests.base import add_participant
from tests.test_export_formats import SCHEMA, read_xlsx, rows_of
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
        self.save(self.anna_client, 0, 3, "I tid")
        self.end()
        response = self.save(self.anna_client, 1, 3, "För sent")
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "För sent", status_code=409)
        self.assertContains(response, "Din text sparades inte.", status_code=409)
        self.assertEqual(len(self.versions()), 1)
        page = self.anna_client.get(self.url)
        self.assertNotContains(page, 'id="table-form"')
        self.assertContains(page, "I tid")  # the saved answer, shown as saved
        self.assertNotContains(page, "Din text sparades inte.")

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


def add_answer(participant, number, why="", version=None):
    """A version of the participant's table's agreed answer, as table_answers.save adds it."""
    group = participant.group
    version = version or TableAnswer.objects.filter(group=group).count() + 1
    rec = group.discussion.recommendation_set.recommendations.get(number=number) if number else None
    answer = TableAnswer.objects.create(
        group=group,
        number=version,
        recommendation=rec,
        why=why,
        author=participant,
        author_name=participant.display_name,
    )
    Group.bump_revision(group.pk)
    return answer


class AgreedBesideBallotsTests(PhoneTestCase):
    """Hand-counted: with 8 recommendations a first place earns 7 points, a second 6.
    Bord 1: [1, 2, 3] and [1, 3, 2] put Rek. 1 first (14 points); it agreed on 3.
    Bord 2: [2, 1] and [2, 3] put Rek. 2 first; it agreed on 2.
    Bord 3: [4, 5] and [5, 4] tie Rek. 4 and 5 first (7 + 6 = 13 each); it agreed on 5."""

    def setUp(self):
        super().setUp()
        results.clear()
        self.table3 = Group.objects.create(discussion=self.discussion, name="Bord 3", position=3)
        anna = add_participant(self.discussion, self.table1, (1, 2, 3), name="Anna")
        add_participant(self.discussion, self.table1, (1, 3, 2))
        bo = add_participant(self.discussion, self.table2, (2, 1))
        add_participant(self.discussion, self.table2, (2, 3))
        cilla = add_participant(self.discussion, self.table3, (4, 5), name="Cilla")
        add_participant(self.discussion, self.table3, (5, 4))
        add_participant(self.discussion, self.table3, ())
        add_answer(anna, 1, "Först ett")
        add_answer(anna, 3, "Tåget först")
        add_answer(bo, 2, "Vi är överens")
        add_answer(cilla, 5, "")
        self.client.force_login(self.alice)

    def test_each_table_beside_its_own_ballots(self):
        res = results.of(self.discussion)
        by_name = {a.name: a for a in res.agreed}
        self.assertEqual(list(by_name), ["Bord 1", "Bord 2", "Bord 3"])
        one, two, three = by_name["Bord 1"], by_name["Bord 2"], by_name["Bord 3"]
        self.assertEqual((one.newest.rec.number, one.version_count), (3, 2))
        self.assertEqual([rec.number for rec in one.members_first], [1])
        self.assertIs(one.agrees, False)
        self.assertEqual([v.why for v in one.versions], ["Tåget först", "Först ett"])
        self.assertIs(two.agrees, True)
        self.assertEqual([rec.number for rec in three.members_first], [4, 5])
        self.assertIs(three.agrees, True)

    def test_nothing_to_compare_without_ballots_or_a_recommendation(self):
        quiet = Group.objects.create(discussion=self.discussion, name="Bord 4", position=4)
        dag = add_participant(self.discussion, quiet, (), name="Dag")
        add_answer(dag, 6, "Utan egna rangordningar")
        eva = add_participant(self.discussion, self.table2, (2,), name="Eva")
        add_answer(eva, None, "Bara en motivering")
        res = results.of(self.discussion)
        by_name = {a.name: a for a in res.agreed}
        self.assertIsNone(by_name["Bord 4"].agrees)
        self.assertIsNone(by_name["Bord 2"].agrees)

    def test_the_dashboard_says_where_they_differ(self):
        response = self.client.get(reverse("facilitator:dashboard", args=[self.discussion.pk]))
        self.assertContains(
            response,
            "Bord 1 enades om Rek. 3; medlemmarnas egna rangordningar satte Rek. 1 först.",
        )
        self.assertContains(
            response, "Bord 2 enades om Rek. 2; det stämmer med medlemmarnas egna rangordningar."
        )
        self.assertContains(response, "Tåget först")
        self.assertContains(response, "Senast ändrat av Anna")
        self.assertContains(response, "Senast ändrat av Cilla")

    def test_the_dashboard_names_tables_without_an_agreed_answer(self):
        quiet = Group.objects.create(discussion=self.discussion, name="Bord 9", position=9)
        add_participant(self.discussion, quiet, (1,))
        response = self.client.get(reverse("facilitator:dashboard", args=[self.discussion.pk]))
        self.assertContains(response, "Inget gemensamt svar än: Bord 9")

    def test_the_projector_shows_it_under_each_table(self):
        response = self.client.get(
            reverse("facilitator:projector_results", args=[self.discussion.pk])
        )
        Discussion.objects.filter(pk=self.discussion.pk).update(results_revealed=True)
        results.clear()
        response = self.client.get(
            reverse("facilitator:projector_results", args=[self.discussion.pk])
        )
        body = response.content.decode()
        self.assertIn("Enades om", body)
        self.assertIn("(egna rangordningar: Rek. 1 först)", body)

    def test_the_report_the_json_and_the_workbook(self):
        response = self.client.get(reverse("export:report", args=[self.workshop.pk]))
        self.assertContains(
            response,
            "Bord 1 enades om Rek. 3; medlemmarnas egna rangordningar satte Rek. 1 först.",
        )
        doc = export.build_json(self.workshop, include_names=True)
        jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
        discussion = doc["discussions"][0]
        versions = [
            (a["version"], a["recommendation"], a["why"], a["author_name"])
            for a in discussion["table_answers"]
            if a["group"] == self.table1.pk
        ]
        self.assertEqual(versions, [(1, 1, "Först ett", "Anna"), (2, 3, "Tåget först", "Anna")])
        agreed = {a["name"]: a for a in discussion["results"]["agreed_answers"]}
        self.assertEqual(
            agreed["Bord 1"],
            {
                "group": self.table1.pk,
                "name": "Bord 1",
                "recommendation": 3,
                "title": self.recs[2].title,
                "why": "Tåget först",
                "versions": 2,
                "members_first": [1],
                "agrees": False,
            },
        )
        self.assertNotIn(
            "author_name", export.build_json(self.workshop)["discussions"][0]["table_answers"][0]
        )
        book = read_xlsx(export.build_xlsx(self.workshop))
        rows = rows_of(book["Gemensamma svar"])
        self.assertEqual(rows[0][:3], ["Diskussion", "Grupp", "Version"])
        table1 = [row for row in rows[1:] if row[1] == "Bord 1"]
        self.assertEqual([row[2] for row in table1], [1, 2])
        self.assertEqual(table1[1][3], "Ja")
        self.assertEqual(table1[1][-2:], ["1", "Nej"])

    def test_deleting_the_data_removes_the_versions_and_the_report_keeps_the_newest(self):
        self.start()
        self.end()
        deletion.delete_participant_data(self.workshop)
        self.assertEqual(TableAnswer.objects.count(), 0)
        results.clear()
        res = results.of(Discussion.objects.get(pk=self.discussion.pk))
        one = next(a for a in res.agreed if a.name == "Bord 1")
        self.assertEqual(
            (one.newest.rec.number, one.newest.why, one.version_count), (3, "Tåget först", 2)
        )
        self.assertEqual(one.newest.author_name, "")
        self.assertIs(one.agrees, False)
        response = self.client.get(reverse("export:report", args=[self.workshop.pk]))
        self.assertContains(
            response,
            "Bord 1 enades om Rek. 3; medlemmarnas egna rangordningar satte Rek. 1 först.",
        )
        doc = export.build_json(self.workshop)
        jsonschema.validate(doc, SCHEMA, cls=jsonschema.Draft202012Validator)
        self.assertEqual(doc["discussions"][0]["table_answers"], [])

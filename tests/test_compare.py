"""Several workshops on the same list side by side: members only, every workshop
weighing the same in the combined ranking, on screen and as XLSX and JSON."""

import io
import json

import jsonschema
import openpyxl
from django.urls import reverse

from discussions import results
from discussions.models import Discussion, Group, Workshop
from recommendations.models import RecommendationSet
from tests.base import BaseTestCase, add_area, add_participant
from tests.test_export_formats import SCHEMA

COMPARISON_SCHEMA = {
    "$schema": SCHEMA["$schema"],
    "$defs": SCHEMA["$defs"],
    "$ref": "#/$defs/comparison_document",
}


class CompareCase(BaseTestCase):
    """alice's Värmland workshop (four ballots for 1 first) and bob's Dalarna one (one
    ballot for 2 first); bob shares Dalarna with alice in some tests."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Värmland: four people rank 1 > 2 > 3 (8 recommendations, partial ballots).
        for _ in range(4):
            person = add_participant(cls.discussion, cls.table1, (1, 2, 3))
        cls.area = add_area(person, "Kultur", endorsers=[person])
        # Dalarna: one person ranks 2 > 3 > 1.
        add_participant(cls.other_discussion, cls.other_table, (2, 3, 1))

    def url(self, *ids, **extra):
        query = "&".join(f"w={pk}" for pk in ids)
        extra_query = "".join(f"&{key}={value}" for key, value in extra.items())
        return reverse("facilitator:compare") + "?" + query + extra_query


class AccessTests(CompareCase):
    def test_only_workshops_one_is_a_member_of(self):
        self.client.force_login(self.alice)
        # Bob's workshop, not shared: a 404, as if it did not exist.
        response = self.client.get(self.url(self.workshop.pk, self.other_workshop.pk))
        self.assertEqual(response.status_code, 404)
        page = self.client.get(reverse("facilitator:compare"))
        self.assertNotContains(page, "Dalarna")
        # Bob invites alice: now she may compare the two.
        self.other_workshop.members.add(self.alice)
        response = self.client.get(self.url(self.workshop.pk, self.other_workshop.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Gränssamarbete i Dalarna")
        # And bob, who is not a member of Värmland, still may not.
        self.client.force_login(self.bob)
        response = self.client.get(self.url(self.workshop.pk, self.other_workshop.pk))
        self.assertEqual(response.status_code, 404)

    def test_anonymous_is_sent_to_log_in(self):
        response = self.client.get(self.url(self.workshop.pk))
        self.assertEqual(response.status_code, 302)

    def test_bad_input_is_a_clear_4xx(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url()).status_code, 200)  # just the choice
        # Ticked by a link from the export page: no complaint yet.
        ticked = self.client.get(self.url(self.workshop.pk))
        self.assertContains(ticked, f'value="{self.workshop.pk}" id="w{self.workshop.pk}" checked')
        one = self.client.get(self.url(self.workshop.pk, jamfor=1))
        self.assertContains(one, "Välj minst två workshoppar att jämföra.", status_code=400)
        for bad in ("x", "-1", "99999999999999999999999"):
            response = self.client.get(reverse("facilitator:compare") + f"?w={bad}")
            self.assertEqual(response.status_code, 404, bad)
        other_set = RecommendationSet.objects.create(slug="annan", name="Annan lista")
        mine = Workshop.objects.create(title="Annan", recommendation_set=other_set)
        mine.members.add(self.alice)
        response = self.client.get(self.url(self.workshop.pk, mine.pk))
        self.assertContains(response, "samma rekommendationslista", status_code=400)


class NumbersTests(CompareCase):
    def setUp(self):
        self.other_workshop.members.add(self.alice)
        self.client.force_login(self.alice)

    def test_each_workshop_weighs_the_same(self):
        comparison = results.compare([self.workshop, self.other_workshop], self.rec_set)
        värmland, dalarna = comparison.columns
        self.assertEqual((värmland.table.ballots, dalarna.table.ballots), (4, 1))
        # By hand, 8 recommendations: a ballot's 1st earns 7, 2nd 6, 3rd 5, and the
        # five unranked share 4+3+2+1+0 = 10, 2 each. Each workshop weighs 1:
        # Värmland (each ballot 1/4): 1 → 7, 2 → 6, 3 → 5. Dalarna: 2 → 7, 3 → 6, 1 → 5.
        # Combined: 1 → 12, 2 → 13, 3 → 11, the rest 4 each.
        points = {row.rec.number: row.borda for row in comparison.combined.rows}
        self.assertEqual((points[1], points[2], points[3], points[8]), (12, 13, 11, 4))
        self.assertEqual([row.rec.number for row in comparison.rows[:3]], [2, 1, 3])
        # Counted by participant instead, Värmland's four would outvote Dalarna's one.
        self.assertEqual(värmland.table.rows[0].rec.number, 1)
        self.assertEqual(dalarna.table.rows[0].rec.number, 2)
        self.assertEqual([area.text for area in värmland.top_areas], ["Kultur"])

    def test_page_xlsx_and_json(self):
        response = self.client.get(self.url(self.workshop.pk, self.other_workshop.pk))
        self.assertContains(response, "varje workshop lika")
        self.assertContains(response, "Kultur")
        book = openpyxl.load_workbook(
            io.BytesIO(
                self.client.get(
                    self.url(self.workshop.pk, self.other_workshop.pk, format="xlsx")
                ).content
            )
        )
        self.assertEqual(book.sheetnames, ["Jämförelse", "Workshoppar", "Saknade områden"])
        rows = [list(r) for r in book["Jämförelse"].iter_rows(values_only=True)]
        self.assertEqual(
            rows[0][:6],
            [
                "Nr",
                "Rekommendation",
                "Plats sammanlagt",
                "Poäng sammanlagt",
                "Plats: Gränssamarbete i Värmland",
                "Plats: Gränssamarbete i Dalarna",
            ],
        )
        self.assertEqual(rows[1][:6], [2, self.recs[1].title, 1, 13, 2, 1])
        for sheet in book.worksheets:
            self.assertEqual(sheet.freeze_panes, "A2")
            self.assertTrue(sheet.auto_filter.ref.startswith("A1:"))
        doc = json.loads(
            self.client.get(
                self.url(self.workshop.pk, self.other_workshop.pk, format="json")
            ).content
        )
        jsonschema.validate(doc, COMPARISON_SCHEMA, cls=jsonschema.Draft202012Validator)
        self.assertEqual([w["ranking"]["ballots"] for w in doc["workshops"]], [4, 1])
        self.assertEqual(doc["combined"]["rows"][0]["recommendation"], 2)
        broken = {**doc, "surprise": 1}
        with self.assertRaises(jsonschema.ValidationError):
            jsonschema.validate(broken, COMPARISON_SCHEMA, cls=jsonschema.Draft202012Validator)

    def test_a_workshop_without_ballots(self):
        quiet = Workshop.objects.create(title="Tyst", recommendation_set=self.rec_set)
        quiet.members.add(self.alice)
        discussion = Discussion.objects.create(
            workshop=quiet, title="Runda", recommendation_set=self.rec_set, join_code="TYST02"
        )
        Group.objects.create(discussion=discussion, name="Bord 1")
        response = self.client.get(self.url(self.workshop.pk, quiet.pk))
        self.assertEqual(response.status_code, 200)
        comparison = results.compare([self.workshop, quiet], self.rec_set)
        self.assertEqual(comparison.combined.rows[0].rec.number, 1)
        self.assertTrue(all(cell is None for cell in (r.cells[1] for r in comparison.rows)))

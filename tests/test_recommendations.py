from django.core.management import call_command
from django.test import TestCase

from discussions.models import (
    DEFAULT_QUESTION_ACTIVITIES,
    DEFAULT_QUESTION_MISSING,
    DEFAULT_QUESTION_RANK,
)
from recommendations.models import Recommendation, RecommendationSet
from tests import seed


class FixtureTests(TestCase):
    def test_fixture_holds_the_eight_recommendations_of_the_slides_word_for_word(self):
        call_command("loaddata", "recommendations", verbosity=0)
        slides = seed.recommendations()
        self.assertEqual(len(slides), 8)
        recs = list(Recommendation.objects.order_by("number"))
        self.assertEqual([r.number for r in recs], list(range(1, 9)))
        for slide, rec in zip(slides, recs, strict=True):
            self.assertEqual(rec.number, slide.number)
            self.assertEqual(rec.title, slide.title)
            self.assertEqual(rec.bullet_list, slide.bullets)
        self.assertEqual(RecommendationSet.objects.count(), 1)

    def test_loading_twice_creates_no_duplicates(self):
        call_command("loaddata", "recommendations", verbosity=0)
        call_command("loaddata", "recommendations", verbosity=0)
        self.assertEqual(RecommendationSet.objects.count(), 1)
        self.assertEqual(Recommendation.objects.count(), 8)

    def test_default_questions_are_the_slides_wording(self):
        slide = seed.discussion_slide()
        self.assertEqual(slide.title, "Gruppdiskussion – 20 minuter")
        self.assertEqual(
            [DEFAULT_QUESTION_RANK, DEFAULT_QUESTION_MISSING, DEFAULT_QUESTION_ACTIVITIES],
            slide.bullets,
        )


class PublicPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "recommendations", verbosity=0)

    def test_page_lists_all_eight_with_their_bullets(self):
        with self.assertNumQueries(2):
            response = self.client.get("/rekommendationer/varmland-gransamarbete/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<html lang="sv">')
        for slide in seed.recommendations():
            self.assertContains(response, slide.title)
            for bullet in slide.bullets:
                self.assertContains(response, bullet)
        # In the slides' order.
        body = response.content.decode()
        positions = [body.index(s.title) for s in seed.recommendations()]
        self.assertEqual(positions, sorted(positions))

    def test_list_links_to_the_set(self):
        response = self.client.get("/rekommendationer/")
        self.assertContains(response, 'href="/rekommendationer/varmland-gransamarbete/"')

    def test_unknown_set_is_404(self):
        self.assertEqual(self.client.get("/rekommendationer/finns-inte/").status_code, 404)

    def test_text_is_escaped(self):
        rec_set = RecommendationSet.objects.create(slug="x", name="<b>Set</b>")
        Recommendation.objects.create(
            recommendation_set=rec_set, number=1, title="<script>alert(1)</script>", bullets="a<i>"
        )
        response = self.client.get("/rekommendationer/x/")
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertContains(response, "a&lt;i&gt;")

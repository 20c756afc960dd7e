"""A facilitator's own recommendation lists, made in the app by pasting text (/f/sets/).

What may change when (recommendations/set_writes.py): the name and source always;
the recommendations while no discussion has answers on them; the shared list from
fixtures/ never, in the app. Every refused form keeps the text and saves nothing.
"""

import json
from pathlib import Path

from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import django as hypothesis_django

from discussions.models import Discussion, Workshop
from recommendations.models import Recommendation, RecommendationSet
from tests.base import BaseTestCase, add_activity, add_area, add_participant
from tests.seed import SLIDES

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "recommendations.json"
SLIDES_TEXT = SLIDES.read_text(encoding="utf-8")


def fixture_rows():
    rows = [o["fields"] for o in json.loads(FIXTURE.read_text(encoding="utf-8"))]
    return [(r["number"], r["title"], r["bullets"]) for r in rows if "number" in r]


def rows_of(rec_set):
    return list(
        rec_set.recommendations.order_by("number").values_list("number", "title", "bullets")
    )


class SetTestCase(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.alice)

    def post_new(self, text, step="preview", name="Min lista", source=""):
        return self.client.post(
            "/f/sets/new/", {"name": name, "source": source, "text": text, "step": step}
        )

    def make_set(self, user=None, text="1. Alfa\n• a\n2. Beta\n3. Gamma", name="Egen"):
        from recommendations import set_writes
        from recommendations.paste import parse

        return set_writes.create_set(user or self.alice, name, "", parse(text).items)

    def counts(self):
        return RecommendationSet.objects.count(), Recommendation.objects.count()


class CreateTests(SetTestCase):
    def test_the_slides_text_previewed_then_saved_gives_the_eight_word_for_word(self):
        self.assertEqual(self.client.get("/f/sets/new/").status_code, 200)
        before = self.counts()
        preview = self.post_new(SLIDES_TEXT, name="Värmland igen", source="Bilderna")
        self.assertEqual(preview.status_code, 200)
        self.assertTemplateUsed(preview, "recommendations/set_preview.html")
        for _, title, _ in fixture_rows():
            self.assertContains(preview, title)
        self.assertContains(preview, "Texten blev 8 rekommendationer")
        self.assertContains(preview, "6 rader före den första numrerade kommer inte med")
        # The confirm button carries the same text; nothing is saved yet.
        self.assertContains(preview, 'name="step" value="save"', count=2)
        self.assertContains(preview, "Visionen om Norden som \n\nvärldens")
        self.assertEqual(self.counts(), before)

        saved = self.post_new(SLIDES_TEXT, step="save", name="Värmland igen", source="Bilderna")
        self.assertEqual(saved.status_code, 303)
        rec_set = RecommendationSet.objects.get(name="Värmland igen")
        self.assertEqual(saved["Location"], f"/f/sets/{rec_set.pk}/")
        self.assertEqual(rec_set.created_by, self.alice)
        self.assertEqual(rec_set.source, "Bilderna")
        self.assertEqual(rows_of(rec_set), fixture_rows())
        self.assertNotEqual(rec_set.slug, self.rec_set.slug)
        page = self.client.get(saved["Location"])
        self.assertContains(page, "Formulera gemensamma mål och visioner för framtiden")

    def test_back_from_the_preview_to_the_text_as_it_was(self):
        response = self.post_new("1. Alfa\n• a", step="edit")
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "recommendations/set_form.html")
        self.assertContains(response, "1. Alfa\n• a</textarea>")

    def test_a_list_without_bullets_and_without_numbers(self):
        response = self.post_new("Gemensamma mål\nSnabbtåg\nStatistik", step="save")
        self.assertEqual(response.status_code, 303)
        rec_set = RecommendationSet.objects.get(name="Min lista")
        self.assertEqual(
            rows_of(rec_set),
            [(1, "Gemensamma mål", ""), (2, "Snabbtåg", ""), (3, "Statistik", "")],
        )

    def test_bad_input_gets_its_own_reason_keeps_the_text_and_saves_nothing(self):
        cases = {
            "empty": ("", "Rutan är tom: klistra in rekommendationerna."),
            "blank": ("  \n\n ", "Rutan är tom: klistra in rekommendationerna."),
            "200 items": (
                "\n".join(f"{n}. Punkt {n}" for n in range(1, 201)),
                "Texten blev 200 rekommendationer, men högst 30 går att rangordna",
            ),
            "10,000-character title": (
                "1. Kort\n2. " + "x" * 10_000,
                "Rad 2: rubriken till rekommendation 2 är 10\xa0000 tecken, högst 200.",
            ),
            "duplicate number": (
                "1. Alfa\n2. Beta\n2. Gamma",
                "Rad 3: numret 2 finns redan ovanför.",
            ),
            "duplicate title": (
                "1. Alfa\n2. Beta\n3. alfa",
                "Rad 3: rekommendation 3 har samma rubrik som 1.",
            ),
            "control character": (
                "1. Alfa\n2. Be\x00ta\n3. Gam\x1bma",
                "2 rader innehåller osynliga styrtecken, den första är rad 2.",
            ),
            "going down": ("1. Alfa\n3. Beta\n2. Gamma", "Rad 3: numret 2 kommer efter 3."),
        }
        before = self.counts()
        for label, (text, message) in cases.items():
            for step in ("preview", "save"):
                with self.subTest(label, step=step):
                    response = self.post_new(text, step=step)
                    self.assertEqual(response.status_code, 400)
                    self.assertTemplateUsed(response, "recommendations/set_form.html")
                    self.assertContains(response, message, status_code=400)
                    self.assertContains(response, "Inget är sparat än.", status_code=400)
                    if text.strip() and "\x00" not in text:
                        self.assertContains(response, text[:40], status_code=400)
        self.assertEqual(self.counts(), before)

    def test_a_name_is_needed_and_has_a_limit(self):
        before = self.counts()
        for name in ["", "x" * 201, "Lista\x07"]:
            with self.subTest(name=name[:10]):
                response = self.post_new("1. Alfa", step="save", name=name)
                self.assertEqual(response.status_code, 400)
        self.assertEqual(self.counts(), before)

    def test_only_for_the_logged_in(self):
        self.client.logout()
        for url in ["/f/sets/", "/f/sets/new/", f"/f/sets/{self.rec_set.pk}/"]:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith("/konto/logga-in/"))
        self.assertEqual(self.post_new("1. Alfa", step="save").status_code, 302)
        self.assertFalse(RecommendationSet.objects.filter(name="Min lista").exists())

    def test_two_lists_of_the_same_name_get_their_own_addresses(self):
        first, second = self.make_set(name="Lista"), self.make_set(name="Lista")
        self.assertEqual((first.slug, second.slug), ("lista", "lista-2"))


class WhoSeesWhatTests(SetTestCase):
    def test_a_list_is_its_makers_and_the_shared_one_is_everyones(self):
        alices = self.make_set(name="Alices lista")
        self.assertEqual(self.client.get(f"/f/sets/{alices.pk}/").status_code, 200)
        self.client.force_login(self.bob)
        for url in [f"/f/sets/{alices.pk}/", f"/f/sets/{alices.pk}/edit/"]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.post(f"/f/sets/{alices.pk}/copy/").status_code, 404)
        self.assertEqual(self.client.post(f"/f/sets/{alices.pk}/delete/").status_code, 404)
        listing = self.client.get("/f/sets/")
        self.assertNotContains(listing, "Alices lista")
        self.assertContains(listing, self.rec_set.name)
        # Not on the public pages either.
        self.assertNotContains(self.client.get("/rekommendationer/"), "Alices lista")
        self.assertEqual(self.client.get(f"/rekommendationer/{alices.slug}/").status_code, 404)

    def test_nobody_changes_the_shared_list_in_the_app(self):
        before = rows_of(self.rec_set)
        url = f"/f/sets/{self.rec_set.pk}/edit/"
        self.assertEqual(self.client.get(url).status_code, 404)
        post = {"name": "Kapad", "source": "", "text": "1. Kapad", "step": "save"}
        self.assertEqual(self.client.post(url, post).status_code, 404)
        self.assertEqual(self.client.post(f"/f/sets/{self.rec_set.pk}/delete/").status_code, 404)
        self.assertEqual(rows_of(self.rec_set), before)
        page = self.client.get(f"/f/sets/{self.rec_set.pk}/")
        self.assertContains(page, "En delad lista")
        self.assertNotContains(page, url)

    def test_copying_the_shared_list_gives_an_own_list_to_change(self):
        response = self.client.post(f"/f/sets/{self.rec_set.pk}/copy/")
        self.assertEqual(response.status_code, 303)
        copy = RecommendationSet.objects.get(created_by=self.alice)
        self.assertEqual(response["Location"], f"/f/sets/{copy.pk}/")
        self.assertEqual(copy.name, f"{self.rec_set.name} (kopia)")
        self.assertEqual(rows_of(copy), fixture_rows())
        self.assertEqual(self.client.get(f"/f/sets/{copy.pk}/edit/").status_code, 200)

    def test_a_workshop_member_sees_and_copies_the_list_of_their_workshop(self):
        bobs = self.make_set(self.bob, name="Bobs lista")
        Workshop.objects.filter(pk=self.workshop.pk).update(recommendation_set=bobs)
        self.assertEqual(self.client.get(f"/f/sets/{bobs.pk}/").status_code, 200)
        self.assertEqual(self.client.get(f"/f/sets/{bobs.pk}/edit/").status_code, 404)
        self.assertEqual(self.client.post(f"/f/sets/{bobs.pk}/copy/").status_code, 303)

    def test_the_workshop_form_offers_the_shared_lists_and_ones_own(self):
        self.make_set(name="Alices lista")
        self.make_set(self.bob, name="Bobs lista")
        form = self.client.get("/f/new/")
        self.assertContains(form, "Alices lista")
        self.assertContains(form, self.rec_set.name)
        self.assertNotContains(form, "Bobs lista")
        bobs = RecommendationSet.objects.get(name="Bobs lista")
        response = self.client.post(
            "/f/new/", {"title": "Ny", "language": "sv", "recommendation_set": bobs.pk}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Workshop.objects.filter(title="Ny").exists())


class EditTests(SetTestCase):
    def setUp(self):
        super().setUp()
        self.own = self.make_set(text="1. Alfa\n• a\n2. Beta\n3. Gamma")
        self.url = f"/f/sets/{self.own.pk}/edit/"
        self.discussion2 = Discussion.objects.create(
            workshop=self.workshop, title="Egen runda", recommendation_set=self.own
        )
        self.group = self.discussion2.groups.create(name="Bord 1")

    def save(self, text, name="Egen", step="save"):
        data = {"name": name, "source": "", "step": step}
        if text is not None:
            data["text"] = text
        return self.client.post(self.url, data)

    def test_the_form_shows_the_list_as_text_to_change(self):
        response = self.client.get(self.url)
        self.assertContains(response, "1. Alfa\n• a\n\n2. Beta\n\n3. Gamma</textarea>")

    def test_without_answers_everything_changes_and_the_screens_hear_of_it(self):
        kept = self.own.recommendations.get(number=1).pk
        revision = Discussion.objects.get(pk=self.discussion2.pk).revision
        preview = self.save("1. Alfa ny\n• a\n\n2. Beta\n\n4. Delta", step="preview")
        self.assertEqual(preview.status_code, 200)
        self.assertEqual(rows_of(self.own), [(1, "Alfa", "a"), (2, "Beta", ""), (3, "Gamma", "")])
        response = self.save("1. Alfa ny\n• a\n\n2. Beta\n\n4. Delta", name="Nytt namn")
        self.assertEqual(response.status_code, 303)
        self.own.refresh_from_db()
        self.assertEqual(self.own.name, "Nytt namn")
        self.assertEqual(
            rows_of(self.own), [(1, "Alfa ny", "a"), (2, "Beta", ""), (4, "Delta", "")]
        )
        self.assertEqual(self.own.recommendations.get(number=1).pk, kept)
        self.assertGreater(Discussion.objects.get(pk=self.discussion2.pk).revision, revision)

    def test_joining_alone_is_no_answer(self):
        add_participant(self.discussion2, self.group)
        self.assertEqual(self.save("1. Alfa\n2. Beta").status_code, 303)
        self.assertEqual(rows_of(self.own), [(1, "Alfa", ""), (2, "Beta", "")])

    def answers(self):
        """Each kind of answer, on a fresh participant."""
        recs = {r.number: r for r in self.own.recommendations.all()}
        return {
            "a ranking": lambda: add_participant(self.discussion2, self.group, (2, 1)),
            "an activity": lambda: add_activity(
                add_participant(self.discussion2, self.group), "Tåg", recs[3]
            ),
            "a missing area": lambda: add_area(
                add_participant(self.discussion2, self.group), "Fisk"
            ),
            "a reason": lambda: add_participant(self.discussion2, self.group, why="För att"),
        }

    def test_after_an_answer_the_recommendations_stay_as_they_were_answered(self):
        for label, answer in self.answers().items():
            with self.subTest(label):
                sid = self.own.pk
                answer()
                before = rows_of(self.own)
                response = self.save("1. Alfa\n• ändrad\n2. Beta\n3. Gamma")
                self.assertEqual(response.status_code, 409)
                self.assertContains(response, "Gör en kopia", status_code=409)
                # The text typed is still there to copy out.
                self.assertContains(response, "• ändrad", status_code=409)
                self.assertEqual(rows_of(self.own), before)
                page = self.client.get(self.url)
                self.assertNotContains(page, "<textarea")
                self.assertContains(page, f'action="/f/sets/{sid}/copy/"')
                # The name and the source may change: they are not what people answered.
                renamed = self.save(None, name=f"Nytt namn {label}")
                self.assertEqual(renamed.status_code, 303)
                self.own.refresh_from_db()
                self.assertEqual(self.own.name, f"Nytt namn {label}")
                self.assertEqual(rows_of(self.own), before)
                # Posting the same text as saved is no change, so it is no refusal.
                same = self.save("1. Alfa\n• a\n2. Beta\n3. Gamma", name="Egen")
                self.assertEqual(same.status_code, 303)
                self.discussion2.participants.all().delete()

    def test_delete_only_while_nothing_uses_it(self):
        response = self.client.post(f"/f/sets/{self.own.pk}/delete/")
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "kan inte tas bort", status_code=409)
        self.assertTrue(RecommendationSet.objects.filter(pk=self.own.pk).exists())
        self.discussion2.delete()
        page = self.client.get(f"/f/sets/{self.own.pk}/delete/")
        self.assertContains(page, "och dess 3 rekommendationer tas bort för alltid")
        response = self.client.post(f"/f/sets/{self.own.pk}/delete/")
        self.assertEqual(response.status_code, 303)
        self.assertFalse(RecommendationSet.objects.filter(pk=self.own.pk).exists())
        self.assertFalse(Recommendation.objects.filter(recommendation_set_id=self.own.pk).exists())


class FirstRunTests(BaseTestCase):
    def test_without_an_account_home_shows_the_command_instead_of_a_login_link(self):
        from django.contrib.auth import get_user_model

        get_user_model().objects.all().delete()
        response = self.client.get("/")
        self.assertContains(response, ".venv/bin/python manage.py facilitator")
        self.assertNotContains(response, 'href="/konto/logga-in/"')
        self.assertContains(self.client.get("/konto/logga-in/"), "manage.py facilitator")

    def test_with_an_account_home_links_to_the_login(self):
        response = self.client.get("/")
        self.assertContains(response, 'href="/konto/logga-in/"')
        self.assertNotContains(response, "manage.py facilitator")
        self.assertNotContains(self.client.get("/konto/logga-in/"), "manage.py facilitator")


class PasswordChangeTests(BaseTestCase):
    def setUp(self):
        cache.clear()
        self.client.force_login(self.alice)

    def change(self, old, new="en helt ny lösenfras 42"):
        return self.client.post(
            "/konto/losenord/",
            {"old_password": old, "new_password1": new, "new_password2": new},
        )

    def test_change_ones_password_and_stay_logged_in(self):
        from tests.base import PASSWORD

        self.assertContains(self.client.get("/konto/losenord/"), 'autocomplete="current-password"')
        response = self.change(PASSWORD)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response["Location"], "/konto/losenord/klart/")
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password("en helt ny lösenfras 42"))
        self.assertEqual(self.client.get("/f/").status_code, 200)

    def test_a_weak_new_password_or_a_wrong_old_one_is_refused(self):
        from tests.base import PASSWORD

        self.assertEqual(self.change(PASSWORD, new="12345678").status_code, 400)
        self.assertEqual(self.change("fel").status_code, 400)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(PASSWORD))

    def test_guesses_of_the_old_password_are_limited(self):
        from tests.base import PASSWORD

        with self.settings(LOGIN_FAILURE_LIMIT=2):
            self.assertEqual(self.change("fel 1").status_code, 400)
            self.assertEqual(self.change("fel 2").status_code, 400)
            self.assertEqual(self.change(PASSWORD).status_code, 429)
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(PASSWORD))

    def test_needs_a_login(self):
        self.client.logout()
        self.assertEqual(self.client.get("/konto/losenord/").status_code, 302)


class FuzzTests(hypothesis_django.TestCase, BaseTestCase):
    """Anything posted to the new-list form: a page or a redirect, never a 500, and a
    list saved whole or not at all."""

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        name=st.text(max_size=220),
        text=st.one_of(
            st.text(max_size=400),
            st.lists(
                st.tuples(
                    st.integers(-2, 40),
                    st.text(max_size=30),
                    st.lists(st.text(max_size=30), max_size=3),
                ),
                max_size=35,
            ).map(
                lambda items: "\n".join(
                    f"{n}. {t}\n" + "\n".join(f"• {b}" for b in bs) for n, t, bs in items
                )
            ),
        ),
        step=st.sampled_from(["preview", "save", "edit", "", "x"]),
    )
    def test_the_form_never_fails_and_never_saves_half(self, name, text, step):
        self.client.force_login(self.alice)
        before = (RecommendationSet.objects.count(), Recommendation.objects.count())
        response = self.client.post(
            "/f/sets/new/", {"name": name, "source": "", "text": text, "step": step}
        )
        self.assertIn(response.status_code, (200, 303, 400))
        after = (RecommendationSet.objects.count(), Recommendation.objects.count())
        if response.status_code == 303:
            rec_set = RecommendationSet.objects.latest("pk")
            self.assertEqual(after[0], before[0] + 1)
            self.assertEqual(after[1], before[1] + rec_set.recommendations.count())
            self.assertGreater(rec_set.recommendations.count(), 0)
        else:
            self.assertEqual(after, before)

    def test_ids_past_the_integer_range_are_404(self):
        self.client.force_login(self.alice)
        for edge in (2**63, 2**64):
            for path in ["", "edit/", "delete/"]:
                self.assertEqual(self.client.get(f"/f/sets/{edge}/{path}").status_code, 404)
            self.assertEqual(self.client.post(f"/f/sets/{edge}/copy/").status_code, 404)

"""The page's language: the person's pick, else the phone's, else the workshop's, else
Swedish (gransforum/languages.py). Norwegian in any form reads bokmål."""

from django.conf import settings
from django.test import SimpleTestCase
from django.urls import reverse

from discussions.models import Workshop
from gransforum import languages
from tests.base import BaseTestCase


class ChooseTests(SimpleTestCase):
    def test_the_phones_language(self):
        for header, expected in [
            ("nb-NO", "nb"),
            ("nb", "nb"),
            ("nn-NO", "nb"),
            ("nn", "nb"),
            ("no", "nb"),
            ("NO-no", "nb"),
            ("en-GB", "en"),
            ("en-US,en;q=0.9", "en"),
            ("sv", "sv"),
            ("sv-FI", "sv"),
            ("de", "sv"),
            ("de-DE,fr;q=0.8", "sv"),
            ("", "sv"),
            ("*", "sv"),
        ]:
            with self.subTest(header=header):
                self.assertEqual(languages.choose(None, header), expected)

    def test_the_first_language_of_ours_in_the_phones_order(self):
        # German first, then Nynorsk (0.8) before English (0.5).
        self.assertEqual(languages.choose(None, "de-DE, en;q=0.5, nn;q=0.8"), "nb")
        # Equal weights keep the header's order.
        self.assertEqual(languages.choose(None, "en;q=0.7, nb;q=0.7"), "en")
        # q=0 means "not this one".
        self.assertEqual(languages.choose(None, "en;q=0, sv;q=0.1"), "sv")

    def test_a_malformed_header_is_read_as_far_as_it_goes(self):
        self.assertEqual(languages.choose(None, "nb;q=abc, en"), "en")
        self.assertEqual(languages.choose(None, "nb;q=nan, en;q=2, ,;;, sv;q=0.3"), "sv")
        self.assertEqual(languages.choose(None, ("x-" + "a" * 40 + ",") * 100 + "nb"), "sv")

    def test_an_explicit_pick_wins(self):
        self.assertEqual(languages.choose("sv", "nb-NO,nb;q=0.9"), "sv")
        self.assertEqual(languages.choose("en", "nn-NO", workshop="nb"), "en")
        self.assertEqual(languages.choose("nb", "en-GB", workshop="sv"), "nb")

    def test_a_pick_that_is_none_of_ours_is_passed_over(self):
        self.assertEqual(languages.choose("de", "nb-NO"), "nb")
        self.assertEqual(languages.choose("", "en-GB"), "en")

    def test_the_workshops_language_when_the_phone_asks_for_none_of_ours(self):
        self.assertEqual(languages.choose(None, "de-DE", workshop="nb"), "nb")
        self.assertEqual(languages.choose(None, "", workshop="en"), "en")
        # The phone's own language comes first.
        self.assertEqual(languages.choose(None, "nb-NO", workshop="en"), "nb")
        self.assertEqual(languages.choose(None, "sv-SE", workshop="nb"), "sv")

    def test_the_rule_knows_the_sites_languages(self):
        self.assertEqual(languages.OURS, {code for code, _name in settings.LANGUAGES})
        self.assertEqual(languages.DEFAULT, settings.LANGUAGE_CODE)


class PhoneLanguageTests(BaseTestCase):
    """From the QR code's link onward, a phone reads its own language."""

    def get(self, url, accept_language):
        return self.client.get(url, HTTP_ACCEPT_LANGUAGE=accept_language)

    def test_the_join_page_marks_the_workshops_own_texts_with_their_language(self):
        """WCAG 3.1.2: on a bokmål page the Swedish workshop and discussion titles say so."""
        page = self.get("/j/VARM26/", "nb-NO").content.decode()
        self.assertIn('<html lang="nb">', page)
        self.assertIn(f'<h1 lang="sv">{self.discussion.title}</h1>', page)
        self.assertIn(f'lang="sv">{self.workshop.title}</p>', page)

    def test_the_home_page_in_the_phones_language(self):
        for header, lang in [("nb-NO", "nb"), ("nn-NO", "nb"), ("no", "nb"), ("en-GB", "en")]:
            with self.subTest(header=header):
                self.assertContains(self.get("/", header), f'<html lang="{lang}">')
        self.assertContains(self.get("/", "de-DE"), '<html lang="sv">')

    def test_a_norwegian_phone_joins_and_answers_in_bokmal(self):
        response = self.get("/j/VARM26/", "nb-NO,nb;q=0.9,en;q=0.8")
        self.assertContains(response, '<html lang="nb">')
        self.assertContains(response, "Hvilken gruppe (hvilket bord) sitter du ved?")
        # A cache between the phone and the server keeps one copy per language.
        self.assertIn("Accept-Language", response["Vary"])
        self.assertEqual(response["Content-Language"], "nb")
        self.client.post(
            "/j/VARM26/", {"group": self.table1.pk}, HTTP_ACCEPT_LANGUAGE="nb-NO,nb;q=0.9"
        )
        phone = self.get(f"/d/{self.discussion.pk}/", "nb-NO,nb;q=0.9")
        self.assertContains(phone, '<html lang="nb">')
        self.assertContains(phone, "Rangeringen din")
        self.assertContains(phone, "Neste")

    def test_nynorsk_and_plain_norwegian_join_in_bokmal(self):
        for header in ("nn-NO", "no"):
            with self.subTest(header=header):
                self.assertContains(self.get("/j/VARM26/", header), '<html lang="nb">')

    def test_an_english_phone_joins_in_english(self):
        response = self.get("/j/VARM26/", "en-GB,en;q=0.9")
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Which group (table) are you sitting at?")

    def test_a_phone_in_none_of_our_languages_reads_the_workshops(self):
        self.assertContains(self.get("/j/VARM26/", "de-DE,de;q=0.9"), '<html lang="sv">')
        Workshop.objects.filter(pk=self.workshop.pk).update(language="nb")
        self.assertContains(self.get("/j/VARM26/", "de-DE,de;q=0.9"), '<html lang="nb">')
        # The phone's own language before the workshop's.
        self.assertContains(self.get("/j/VARM26/", "sv-SE"), '<html lang="sv">')

    def test_the_switch_at_the_top_of_the_join_page_wins_for_good(self):
        response = self.get("/j/VARM26/", "nb-NO")
        html = response.content.decode()
        main = html[html.index("<main") :]
        # The switch comes first in the page's content, before the question.
        self.assertLess(main.index('class="language-switch"'), main.index("<h1"))
        self.assertIn('name="language" value="sv" lang="sv"', main)
        self.assertIn('value="nb" lang="nb" class="secondary small" aria-pressed="true"', main)
        self.assertIn('value="sv" lang="sv" class="secondary small" aria-pressed="false"', main)

        picked = self.client.post(
            reverse("set_language"),
            {"language": "sv", "next": "/j/VARM26/"},
            HTTP_ACCEPT_LANGUAGE="nb-NO",
        )
        self.assertRedirects(picked, "/j/VARM26/", fetch_redirect_response=False)
        cookie = picked.cookies[settings.LANGUAGE_COOKIE_NAME]
        self.assertEqual(cookie.value, "sv")
        self.assertEqual(cookie["max-age"], 365 * 24 * 60 * 60)
        self.assertContains(self.get("/j/VARM26/", "nb-NO"), '<html lang="sv">')
        self.client.post("/j/VARM26/", {"group": self.table1.pk}, HTTP_ACCEPT_LANGUAGE="nb-NO")
        self.assertContains(self.get(f"/d/{self.discussion.pk}/", "nb-NO"), '<html lang="sv">')

    def test_the_facilitators_pages_follow_the_same_rule(self):
        self.client.force_login(self.alice)
        self.assertContains(self.get(reverse("facilitator:workshops"), "nn-NO"), '<html lang="nb">')


class WidgetTextTests(BaseTestCase):
    """Django's own texts of a form's widgets, in the page's language."""

    def test_the_empty_choice_of_a_select_speaks_the_pages_language(self):
        self.client.force_login(self.alice)
        url = reverse("facilitator:workshop_create")
        for language, text in [
            ("sv", "- Välj ett alternativ -"),
            ("nb", "- Velg et alternativ -"),
            ("en", "- Select an option -"),
        ]:
            with self.subTest(language=language):
                self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
                response = self.client.get(url)
                self.assertContains(response, f'<option value="" selected>{text}</option>')
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
        self.assertNotContains(self.client.get(url), "Select an option")

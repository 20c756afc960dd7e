"""The accessibility statement: docs/accessibility.md, linked from the foot of every page."""

from django.test import TestCase
from django.urls import reverse


class StatementTests(TestCase):
    def test_every_pages_foot_links_it(self):
        for path in ("/", "/rekommendationer/", "/konto/logga-in/"):
            with self.subTest(path=path):
                self.assertContains(self.client.get(path), 'href="/tillganglighet/"')

    def test_it_says_what_conforms_how_it_was_tested_and_how_to_report(self):
        response = self.client.get(reverse("accessibility"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        text = response.content.decode()
        for heading in ("## What conforms", "## How it was tested", "## Report a barrier"):
            self.assertIn(heading, text)
        self.assertIn("WCAG 2.2", text)
        self.assertEqual(self.client.post(reverse("accessibility")).status_code, 405)

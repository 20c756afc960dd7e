from discussions.models import Workshop
from tests.base import BaseTestCase


class LanguageTests(BaseTestCase):
    def join(self):
        response = self.client.post("/j/VARM26/", {"group": self.table1.pk})
        self.assertEqual(response.status_code, 303)

    def test_swedish_is_the_default(self):
        response = self.client.get("/")
        self.assertContains(response, '<html lang="sv">')

    def test_every_page_has_a_language_chooser(self):
        self.join()
        for url in ["/", "/j/VARM26/", f"/d/{self.discussion.pk}/", "/rekommendationer/"]:
            response = self.client.get(url, follow=True)
            self.assertContains(response, 'action="/i18n/setlang/"')
            for code in ("sv", "nb", "en"):
                self.assertContains(response, f'<option value="{code}"')

    def test_the_choice_is_remembered(self):
        response = self.client.post("/i18n/setlang/", {"language": "nb", "next": "/"})
        self.assertEqual(response.status_code, 302)
        self.assertContains(self.client.get("/"), '<html lang="nb">')
        self.assertContains(self.client.get("/rekommendationer/"), '<html lang="nb">')

    def test_the_workshops_language_is_its_participants_default(self):
        Workshop.objects.filter(pk=self.workshop.pk).update(language="en")
        self.assertContains(self.client.get("/j/VARM26/"), '<html lang="en">')
        self.join()
        self.assertContains(self.client.get(f"/d/{self.discussion.pk}/"), '<html lang="en">')

    def test_a_chosen_language_beats_the_workshops(self):
        Workshop.objects.filter(pk=self.workshop.pk).update(language="en")
        self.client.post("/i18n/setlang/", {"language": "nb", "next": "/"})
        self.join()
        self.assertContains(self.client.get(f"/d/{self.discussion.pk}/"), '<html lang="nb">')

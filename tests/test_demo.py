from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from discussions.models import Discussion, Group, Workshop
from recommendations.models import Recommendation


@override_settings(DEBUG=True)  # the test runner turns DEBUG off; the demo wants it on
class DemoCommandTests(TestCase):
    def run_demo(self):
        out = StringIO()
        call_command("demo", stdout=out)
        return out.getvalue()

    def counts(self):
        return [
            m.objects.count()
            for m in (get_user_model(), Workshop, Discussion, Group, Recommendation)
        ]

    def test_demo_creates_a_workshop_and_prints_how_to_use_it(self):
        out = self.run_demo()
        discussion = Discussion.objects.get()
        self.assertEqual(discussion.duration_seconds, 20 * 60)
        self.assertEqual(
            list(discussion.groups.values_list("name", flat=True)),
            ["Bord 1", "Bord 2", "Bord 3", "Bord 4"],
        )
        self.assertEqual(discussion.recommendation_set.recommendations.count(), 8)
        user = get_user_model().objects.get(username="demo")
        self.assertTrue(user.check_password("gransforum-demo"))
        self.assertIn(user, discussion.workshop.members.all())
        self.assertIn("username: demo", out)
        self.assertIn(f"http://127.0.0.1:8000/j/{discussion.join_code}/", out)

    def test_demo_is_idempotent(self):
        self.run_demo()
        first = self.counts()
        code = Discussion.objects.get().join_code
        self.run_demo()
        self.assertEqual(self.counts(), first)
        self.assertEqual(Discussion.objects.get().join_code, code)

    @override_settings(DEBUG=False)
    def test_demo_refuses_production_without_force(self):
        with self.assertRaisesMessage(CommandError, "DEBUG is off"):
            call_command("demo", stdout=StringIO())
        self.assertFalse(Workshop.objects.exists())

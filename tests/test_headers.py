import json

from django.test import SimpleTestCase, TestCase, override_settings

from tests.base import BaseTestCase
from tests.test_settings import PRODUCTION, run_manage

# Run in a process of its own with the production variables of test_settings.py
# (DEBUG=false): settings that follow DEBUG are fixed when settings load, so
# override_settings(DEBUG=False) cannot show them.
PRODUCTION_REQUESTS = """
import json
from django.test import Client
client = Client(HTTP_HOST="gransforum.example.org")
health = client.get("/healthz", secure=True)
chosen = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
cookie = chosen.cookies["django_language"]
print(json.dumps({
    "hsts": health.get("Strict-Transport-Security"),
    "referrer": health.get("Referrer-Policy"),
    "language": [chosen.status_code, cookie.value, bool(cookie["secure"]), cookie["samesite"]],
}))
"""


class SecurityHeaderTests(TestCase):
    def test_content_security_policy_is_enforced_and_strict(self):
        response = self.client.get("/")
        self.assertNotIn("Content-Security-Policy-Report-Only", response)
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        self.assertEqual(directives["default-src"], "'self'")
        self.assertEqual(directives["style-src"], "'self'")
        self.assertRegex(directives["script-src"], r"^'self' 'nonce-[\w-]+'$")
        self.assertEqual(directives["frame-ancestors"], "'none'")
        self.assertNotIn("unsafe-inline", policy)
        self.assertNotIn("unsafe-eval", policy)

    def test_permissions_policy_denies_camera_microphone_and_position(self):
        policy = self.client.get("/")["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()"):
            self.assertIn(feature, policy)

    def test_pages_carry_no_inline_scripts_or_styles(self):
        body = self.client.get("/").content.decode()
        self.assertNotIn("<style", body)
        self.assertNotIn(" style=", body)
        self.assertNotIn(" hx-on", body)
        for tag in body.split("<script")[1:]:
            self.assertIn(" src=", tag.split(">")[0])

    def test_referrer_policy_is_same_origin(self):
        self.assertEqual(self.client.get("/")["Referrer-Policy"], "same-origin")

    def test_language_cookie_is_samesite_lax_and_not_secure_with_debug_on(self):
        response = self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        cookie = response.cookies["django_language"]
        self.assertEqual((cookie.value, cookie["samesite"]), ("en", "Lax"))
        self.assertFalse(cookie["secure"])  # development serves plain HTTP


class ProductionHeaderTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        result = run_manage("shell", "-v", "0", "-c", PRODUCTION_REQUESTS, **PRODUCTION)
        assert result.returncode == 0, result.stdout + result.stderr
        cls.answers = json.loads(result.stdout.strip().splitlines()[-1])

    def test_hsts_is_one_year_with_subdomains_and_preload(self):
        self.assertEqual(self.answers["hsts"], "max-age=31536000; includeSubDomains; preload")

    def test_referrer_policy_is_same_origin(self):
        self.assertEqual(self.answers["referrer"], "same-origin")

    def test_language_cookie_is_secure_and_samesite_lax(self):
        self.assertEqual(self.answers["language"], [302, "en", True, "Lax"])


class ParticipantCookieTests(BaseTestCase):
    """The participant cookie is Secure wherever the session's is: in production, not
    on a laptop serving the room over plain http (LOCAL_NETWORK)."""

    @override_settings(DEBUG=False, SESSION_COOKIE_SECURE=True)
    def test_participant_cookie_is_secure_httponly_and_samesite_lax_in_production(self):
        response = self.client.post("/j/VARM26/", {"group": self.table1.pk}, secure=True)
        self.assertEqual(response.status_code, 303)
        cookie = response.cookies[f"gf_p{self.discussion.pk}"]
        self.assertTrue(cookie["secure"])
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Lax")

    @override_settings(DEBUG=False, SESSION_COOKIE_SECURE=False, LOCAL_NETWORK=True)
    def test_on_a_local_networks_plain_http_it_is_not_secure_but_still_httponly(self):
        response = self.client.post("/j/VARM26/", {"group": self.table1.pk})
        cookie = response.cookies[f"gf_p{self.discussion.pk}"]
        self.assertFalse(cookie["secure"])
        self.assertTrue(cookie["httponly"])


class HealthTests(TestCase):
    def test_health_check_answers_without_the_database(self):
        with self.assertNumQueries(0):
            response = self.client.get("/healthz")
        self.assertEqual((response.status_code, response.content), (200, b"ok"))

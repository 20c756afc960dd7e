from django.test import TestCase


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


class HealthTests(TestCase):
    def test_health_check_answers_without_the_database(self):
        with self.assertNumQueries(0):
            response = self.client.get("/healthz")
        self.assertEqual((response.status_code, response.content), (200, b"ok"))

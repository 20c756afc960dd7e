from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings

from tests.base import PASSWORD, BaseTestCase


class LoginTests(BaseTestCase):
    def setUp(self):
        cache.clear()

    def login(self, username="alice", password=PASSWORD, client=None):
        return (client or self.client).post(
            "/konto/logga-in/", {"username": username, "password": password}
        )

    def test_passwords_are_hashed_with_argon2(self):
        user = get_user_model().objects.get(username="alice")
        self.assertTrue(user.password.startswith("argon2$"))

    def test_good_login_redirects(self):
        response = self.login()
        self.assertEqual(response.status_code, 302)

    @override_settings(LOGIN_FAILURE_LIMIT=3)
    def test_failed_logins_are_limited_per_address(self):
        for _ in range(3):
            self.assertEqual(self.login(password="wrong").status_code, 200)
        response = self.login(password="wrong")
        self.assertContains(response, "För många misslyckade inloggningar", status_code=429)
        # Even the right password waits: otherwise the limit would not stop a guesser.
        self.assertEqual(self.login().status_code, 429)
        self.assertIn("Retry-After", response)

    @override_settings(LOGIN_FAILURE_LIMIT=3)
    def test_failed_logins_are_limited_per_username_across_addresses(self):
        for i in range(3):
            client = self.client_class(REMOTE_ADDR=f"10.0.0.{i + 1}")
            self.assertEqual(self.login(password="wrong", client=client).status_code, 200)
        other = self.client_class(REMOTE_ADDR="10.0.0.99")
        self.assertEqual(self.login(password="wrong", client=other).status_code, 429)
        # Another account from that address is unaffected.
        self.assertEqual(self.login(username="bob", client=other).status_code, 302)

    @override_settings(LOGIN_FAILURE_LIMIT=3)
    def test_successful_logins_do_not_count(self):
        for _ in range(6):
            self.assertEqual(self.login().status_code, 302)
            self.client.post("/konto/logga-ut/")


class RequestSizeTests(BaseTestCase):
    def test_oversized_body_is_refused_with_a_4xx(self):
        response = self.client.post("/j/VARM26/", {"name": "x" * 100_000, "group": "1"})
        self.assertEqual(response.status_code, 400)

    def test_too_many_fields_are_refused_with_a_4xx(self):
        data = {f"f{i}": "1" for i in range(500)}
        response = self.client.post("/j/VARM26/", data)
        self.assertEqual(response.status_code, 400)

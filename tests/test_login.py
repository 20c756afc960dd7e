import io

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings
from django.test.client import ClientHandler
from django.urls import resolve

from discussions.models import Participant
from gransforum import views
from tests.base import PASSWORD, BaseTestCase

ADMIN_LOGIN = f"/{settings.ADMIN_URL}login/"


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
        # 19 MiB, 2 passes, 1 lane (gransforum/hashers.py), not Django's 100 MiB.
        self.assertIn("$m=19456,t=2,p=1$", user.password)

    def test_a_hash_with_djangos_default_cost_is_upgraded_at_login(self):
        from django.contrib.auth.hashers import Argon2PasswordHasher

        user = get_user_model().objects.get(username="alice")
        user.password = Argon2PasswordHasher().encode(PASSWORD, "saltsaltsalt")
        user.save()
        self.assertIn("$m=102400,", user.password)
        self.assertEqual(self.login().status_code, 302)
        user.refresh_from_db()
        self.assertIn("$m=19456,t=2,p=1$", user.password)

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
    def test_failures_at_other_addresses_never_lock_the_owner_out(self):
        # Why: counted per username, anyone who knew it kept its owner out everywhere.
        for i in range(3):
            client = self.client_class(REMOTE_ADDR=f"10.0.0.{i + 1}")
            for _ in range(3):
                self.login(password="wrong", client=client)
        other = self.client_class(REMOTE_ADDR="10.0.0.99")
        self.assertEqual(self.login(client=other).status_code, 302)

    @override_settings(LOGIN_FAILURE_LIMIT=3)
    def test_successful_logins_do_not_count(self):
        for _ in range(6):
            self.assertEqual(self.login().status_code, 302)
            self.client.post("/konto/logga-ut/")

    @override_settings(LOGIN_FAILURE_LIMIT=3)
    def test_failures_count_per_ipv6_64_not_per_address(self):
        # One IPv6 client holds a whole /64: a new address in it is no new limit.
        for i in range(3):
            client = self.client_class(REMOTE_ADDR=f"2001:db8:1:2::{i + 1:x}")
            self.assertEqual(self.login(f"nobody{i}", "wrong", client).status_code, 200)
        same_64 = self.client_class(REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:fffe")
        self.assertEqual(self.login(client=same_64).status_code, 429)
        next_64 = self.client_class(REMOTE_ADDR="2001:db8:1:3::1")
        self.assertEqual(self.login(client=next_64).status_code, 302)


class AdminLoginTests(BaseTestCase):
    """Django admin's login page, under the login page's failure limit."""

    def setUp(self):
        cache.clear()

    def admin_login(self, username="charlie", password=PASSWORD, next_url=None):
        data = {"username": username, "password": password}
        if next_url:
            data["next"] = next_url
        return self.client.post(ADMIN_LOGIN, data)

    def test_the_admins_login_url_is_the_rate_limited_view(self):
        self.assertIs(resolve(ADMIN_LOGIN).func, views.admin_login)

    @override_settings(LOGIN_FAILURE_LIMIT=3)
    def test_failed_admin_logins_are_limited(self):
        for _ in range(3):
            response = self.admin_login(password="wrong")
            self.assertEqual(response.status_code, 200)
            self.assertTemplateUsed(response, "admin/login.html")
        response = self.admin_login(password="wrong")
        self.assertContains(response, "För många misslyckade inloggningar", status_code=429)
        self.assertIn("Retry-After", response)
        # The right password waits too.
        self.assertEqual(self.admin_login().status_code, 429)

    @override_settings(LOGIN_FAILURE_LIMIT=3)
    def test_admin_and_login_page_failures_share_one_count(self):
        self.admin_login(username="alice", password="wrong")
        self.admin_login(username="alice", password="wrong")
        self.client.post("/konto/logga-in/", {"username": "alice", "password": "wrong"})
        response = self.client.post("/konto/logga-in/", {"username": "alice", "password": PASSWORD})
        self.assertEqual(response.status_code, 429)

    def test_admin_login_follows_next(self):
        response = self.client.get(f"/{settings.ADMIN_URL}")
        self.assertRedirects(
            response, f"{ADMIN_LOGIN}?next=/{settings.ADMIN_URL}", fetch_redirect_response=False
        )
        page = self.client.get(response["Location"])
        self.assertContains(page, f'name="next" value="/{settings.ADMIN_URL}"')
        wanted = f"/{settings.ADMIN_URL}auth/user/"
        response = self.admin_login(next_url=wanted)
        self.assertRedirects(response, wanted, fetch_redirect_response=False)
        # Without next in the address, the form sends the admin's index, as before.
        self.client.logout()
        self.assertContains(
            self.client.get(ADMIN_LOGIN), f'name="next" value="/{settings.ADMIN_URL}"'
        )

    def test_staff_only_as_before(self):
        response = self.admin_login(username="alice")  # a facilitator, not staff
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)


def chunked_post(path, body: bytes, content_type="application/x-www-form-urlencoded"):
    """POST a body as a server hands on a chunked one: no Content-Length, Transfer-Encoding."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=content_type,
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body)},
    )
    environ.pop("CONTENT_LENGTH", None)
    return ClientHandler(enforce_csrf_checks=False)(environ)


class RequestSizeTests(BaseTestCase):
    def join_data(self, **extra):
        return {"name": "Anna", "group": str(self.table1.pk), **extra}

    def test_oversized_multipart_file_part_is_refused_with_413(self):
        upload = SimpleUploadedFile("big.bin", b"x" * 200_000)
        response = self.client.post("/j/VARM26/", self.join_data(file=upload))
        self.assertEqual(response.status_code, 413)
        self.assertIn(b"at most 65536 bytes", response.content)
        self.assertFalse(Participant.objects.exists())

    def test_normal_form_posts_still_work(self):
        response = self.client.post("/j/VARM26/", self.join_data())  # multipart, as the client does
        self.assertEqual(response.status_code, 303)
        urlencoded = self.client_class().post(
            "/j/VARM26/",
            "name=Berit&group=" + str(self.table2.pk),
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(urlencoded.status_code, 303)
        small_file = SimpleUploadedFile("small.txt", b"hello")
        response = self.client_class().post("/j/VARM26/", self.join_data(file=small_file))
        self.assertEqual(response.status_code, 303)
        self.assertEqual(Participant.objects.count(), 3)

    def test_gets_are_untouched(self):
        self.assertEqual(self.client.get("/j/VARM26/").status_code, 200)

    def test_oversized_chunked_body_is_refused_with_413(self):
        body = b"name=" + b"x" * 100_000 + f"&group={self.table1.pk}".encode()
        self.assertEqual(chunked_post("/j/VARM26/", body).status_code, 413)
        self.assertFalse(Participant.objects.exists())

    def test_small_chunked_body_is_read(self):
        body = f"name=Anna&group={self.table1.pk}".encode()
        self.assertEqual(chunked_post("/j/VARM26/", body).status_code, 303)
        self.assertEqual(Participant.objects.get().display_name, "Anna")

    def test_no_file_is_ever_written_to_disk(self):
        self.assertEqual(
            settings.FILE_UPLOAD_HANDLERS,
            ["django.core.files.uploadhandler.MemoryFileUploadHandler"],
        )

    def test_oversized_form_body_is_refused_with_413(self):
        response = self.client.post("/j/VARM26/", {"name": "x" * 100_000, "group": "1"})
        self.assertEqual(response.status_code, 413)

    def test_too_many_fields_are_refused_with_a_4xx(self):
        data = {f"f{i}": "1" for i in range(500)}
        response = self.client.post("/j/VARM26/", data)
        self.assertEqual(response.status_code, 400)

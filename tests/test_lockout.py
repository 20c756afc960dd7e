"""Nobody is locked out by someone else's mistakes, and no request gets a 500 (issue 24).

A hall behind one address joins whatever a few typos or a guesser there do; a
facilitator logs in from their own address whatever is guessed elsewhere; odd join
codes, form charsets and entry ids are a 4xx; an invitation waits for consent.
"""

import io
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from discussions import ratelimit, timer
from discussions.models import (
    Discussion,
    Group,
    Invitation,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
    Workshop,
)
from tests.base import PASSWORD, BaseTestCase

VENUE = "198.51.100.7"  # the venue's Wi-Fi: every phone in the hall comes from it


class JoinLockoutTests(BaseTestCase):
    def setUp(self):
        cache.clear()

    def phone(self, address=VENUE):
        return Client(REMOTE_ADDR=address)

    def test_a_hall_of_500_behind_one_address_all_get_in_despite_typos_and_a_guesser(self):
        # The defaults: 10 wrong codes per browser, 200 per address, per 10 minutes.
        guesser = self.phone()
        guesses = []
        for i in range(500):
            phone = self.phone()
            if i % 20 == 0:  # 25 phones mistype the code twice before getting it right
                self.assertEqual(phone.get("/j/VARN26/").status_code, 404)
                self.assertEqual(phone.get("/j/VRAM26/").status_code, 404)
            if i % 10 == 0:  # meanwhile someone at the venue guesses, 50 times in all
                guesses.append(guesser.get(f"/j/ZZZZ{i // 10:02d}/").status_code)
            group = self.table1 if i % 2 else self.table2
            response = phone.post("/j/VARM26/", {"group": group.pk})
            self.assertEqual(response.status_code, 303, f"phone {i}")
        self.assertEqual(Participant.objects.count(), 500)
        # The guesser alone was stopped, after its tenth wrong code; even the right
        # code waits for it now, so the limit stops a guesser.
        self.assertEqual(guesses, [404] * 10 + [429] * 40)
        response = guesser.get("/j/VARM26/")
        self.assertContains(response, "Den här telefonen har skickat för många", status_code=429)
        self.assertEqual(response["Retry-After"], "600")

    @override_settings(JOIN_FAILURE_LIMIT=5, JOIN_ADDRESS_FAILURE_LIMIT=20)
    def test_a_guesser_dropping_its_cookie_is_stopped_per_address_and_joined_phones_stay_in(self):
        joined = self.phone()
        self.assertEqual(joined.post("/j/VARM26/", {"group": self.table1.pk}).status_code, 303)
        for i in range(20):  # a new browser for every guess
            self.assertEqual(self.phone().get(f"/j/ZZZZ{i:02d}/").status_code, 404)
        newcomer = self.phone().get("/j/VARM26/")
        self.assertContains(newcomer, "från det här nätverket", status_code=429)
        # A phone that had joined comes back to its page, as the code or the QR says.
        response = joined.get("/j/VARM26/")
        self.assertRedirects(response, f"/d/{self.discussion.pk}/", fetch_redirect_response=False)
        # Another address is not affected.
        self.assertEqual(self.phone("203.0.113.9").get("/j/VARM26/").status_code, 200)

    @override_settings(JOIN_FAILURE_LIMIT=3)
    def test_a_browsers_limit_is_its_own(self):
        typist = self.phone()
        for code in ("AAAAAA", "BBBBBB", "CCCCCC"):
            self.assertEqual(typist.get(f"/j/{code}/").status_code, 404)
        self.assertEqual(typist.get("/j/VARM26/").status_code, 429)
        # Its neighbour on the same Wi-Fi joins.
        self.assertEqual(self.phone().get("/j/VARM26/").status_code, 200)

    def test_a_made_up_browser_cookie_is_only_a_new_count(self):
        client = self.phone()
        client.cookies[ratelimit.BROWSER_COOKIE] = "../not an id"
        response = client.get("/j/ZZZZZZ/")
        self.assertEqual(response.status_code, 404)
        self.assertRegex(response.cookies[ratelimit.BROWSER_COOKIE].value, r"^[0-9a-f]{32}$")
        self.assertTrue(response.cookies[ratelimit.BROWSER_COOKIE]["httponly"])

    def test_a_code_without_letters_or_digits_is_a_404_not_a_500(self):
        for path in ["/j/-/", "/j/%20/", "/j/!!/", "/j/.../", "/j/%E2%80%8B/", "/j/%CC%81/"]:
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertContains(response, "finns inte", status_code=404)
        self.assertEqual(self.client.get("/", {"code": "-"}).status_code, 200)


class LoginLockoutTests(BaseTestCase):
    ATTACKER = "203.0.113.66"

    def setUp(self):
        cache.clear()

    def login(self, password, address=ATTACKER, username="alice"):
        client = Client(REMOTE_ADDR=address)
        return client.post("/konto/logga-in/", {"username": username, "password": password})

    def test_the_right_password_from_another_address_gets_in_whatever_is_guessed(self):
        statuses = [self.login(f"guess {i}").status_code for i in range(12)]
        self.assertIn(429, statuses)  # the guesser is slowed ...
        # ... and the owner, at home, is not.
        self.assertEqual(self.login(PASSWORD, address="192.0.2.10").status_code, 302)
        # Nor is another account at the guesser's own address.
        self.assertEqual(self.login(PASSWORD, username="bob").status_code, 302)

    def test_the_wait_grows_with_each_failure_for_one_address_and_username(self):
        for i in range(3):  # three typos go free
            self.assertEqual(self.login(f"typo {i}").status_code, 200)
        refused = self.login("at once")
        self.assertContains(refused, "För många misslyckade inloggningar", status_code=429)
        waits = [int(refused["Retry-After"])]
        for i in range(4):
            self.wait_over()
            # The next try goes through, fails, and the one right after it is told
            # how long to wait.
            self.assertEqual(self.login(f"guess {i}").status_code, 200)
            refused = self.login("again")
            self.assertEqual(refused.status_code, 429)
            waits.append(int(refused["Retry-After"]))
        # After failures 3, 4, 5, 6, 7: 2, 4, 8, 16, 32 seconds (give or take a second).
        for wait, expected in zip(waits, [2, 4, 8, 16, 32], strict=True):
            self.assertIn(wait, (expected - 1, expected))

    def wait_over(self):
        """As if the wait had passed: its cache entry runs out."""
        cache.delete(ratelimit._pair_keys(_request(self.ATTACKER), "alice")[1])

    def test_a_right_password_forgets_the_pairs_failures(self):
        for i in range(4):
            self.login(f"typo {i}")
        self.wait_over()
        self.assertEqual(self.login(PASSWORD).status_code, 302)
        for i in range(3):
            self.assertEqual(self.login(f"typo {i}").status_code, 200)

    def test_delays_by_hand(self):
        # 3 free failures, then 2, 4, 8 … seconds, never more than 15 minutes.
        delays = [ratelimit.login_delay(n) for n in range(14)]
        self.assertEqual(delays, [0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900])
        self.assertEqual(ratelimit.login_delay(10**6), 900)

    def test_of_tries_sent_at_once_past_the_free_ones_one_goes_through(self):
        for i in range(3):
            self.login(f"typo {i}")
        self.wait_over()
        request = _request(self.ATTACKER)
        self.assertEqual(ratelimit.login_wait(request, "alice", now=1000.0), 0)
        self.assertEqual(ratelimit.login_wait(request, "alice", now=1000.0), 2)

    def test_the_admin_login_shares_the_delays(self):
        for i in range(4):
            Client(REMOTE_ADDR=self.ATTACKER).post(
                f"/{settings.ADMIN_URL}login/", {"username": "charlie", "password": f"typo {i}"}
            )
        self.assertEqual(self.login("again", username="charlie").status_code, 429)
        self.assertEqual(
            self.login(PASSWORD, address="192.0.2.10", username="charlie").status_code, 302
        )


def _request(address):
    return RequestFactory().post("/", REMOTE_ADDR=address)


class FormCharsetTests(BaseTestCase):
    def test_a_form_in_another_charset_is_a_400_everywhere(self):
        client = Client(enforce_csrf_checks=True)
        client.cookies["csrftoken"] = "x" * 32  # made up by the client
        for path in ["/healthz", "/konto/logga-in/", "/j/VARM26/", "/"]:
            for charset in ["latin-1", "utf-16", "UTF-32", "cp1252", "utf8", "no-such-codec"]:
                with self.subTest(path=path, charset=charset):
                    # generic(): post() would encode the body in that charset itself.
                    response = client.generic(
                        "POST",
                        path,
                        "username=alice&password=x".encode(
                            "utf-16" if "16" in charset else "ascii"
                        ),
                        f"application/x-www-form-urlencoded; charset={charset}",
                    )
                    self.assertEqual(response.status_code, 400)
                    self.assertIn(b"UTF-8", response.content)
            response = client.generic(
                "POST", path, b"--x--", "multipart/form-data; boundary=x; charset=latin-1"
            )
            self.assertEqual(response.status_code, 400)

    def test_utf8_forms_are_read_as_before(self):
        for content_type in [
            "application/x-www-form-urlencoded; charset=UTF-8",
            "application/x-www-form-urlencoded",
        ]:
            with self.subTest(content_type=content_type):
                response = Client().post(
                    "/j/VARM26/",
                    f"name=Åsa&group={self.table1.pk}".encode(),
                    content_type=content_type,
                )
                self.assertEqual(response.status_code, 303)
        self.assertEqual(
            sorted(Participant.objects.values_list("display_name", flat=True)), ["Åsa"] * 2
        )


class EndorseWhatThePhoneShowsTests(BaseTestCase):
    def setUp(self):
        self.discussion.set_clock(timer.start(self.discussion.clock, timezone.now()))
        self.discussion.save()
        self.client.post("/j/VARM26/", {"group": self.table1.pk})
        self.me = Participant.objects.get()
        other = Participant.objects.create(discussion=self.discussion, group=self.table2)
        self.theirs = MissingArea.objects.create(
            discussion=self.discussion, group=self.table2, author=other, text="Fiske"
        )
        neighbour = Participant.objects.create(discussion=self.discussion, group=self.table1)
        self.ours = MissingArea.objects.create(
            discussion=self.discussion, group=self.table1, author=neighbour, text="Skog"
        )

    def endorse(self, entry):
        url = f"/d/{self.discussion.pk}/area/{entry.pk}/endorse/"
        return self.client.post(url, {"want": "1"})

    def test_another_tables_entry_is_not_found(self):
        self.assertEqual(self.endorse(self.theirs).status_code, 404)
        self.assertFalse(MissingAreaEndorsement.objects.filter(entry=self.theirs).exists())

    def test_my_tables_entry_and_my_own_from_a_table_i_left_take_a_plus_one(self):
        self.assertEqual(self.endorse(self.ours).status_code, 303)
        mine = MissingArea.objects.create(
            discussion=self.discussion, group=self.table1, author=self.me, text="Kultur"
        )
        Participant.objects.filter(pk=self.me.pk).update(group=self.table2)
        self.assertEqual(self.endorse(mine).status_code, 303)
        self.assertEqual(MissingAreaEndorsement.objects.filter(participant=self.me).count(), 2)


class FacilitatorTextTests(BaseTestCase):
    BAD = ["a\x07b", "a\x1bb", "a\x7fb", "a\x85b", "a\x9bb", "a\r\nb", "a\nb", "a\tb"]

    def setUp(self):
        self.client.force_login(self.alice)

    def test_names_refuse_control_characters_and_line_breaks(self):
        w = self.workshop.pk
        for bad in self.BAD:
            with self.subTest(text=bad):
                response = self.client.post(
                    reverse("facilitator:workshop_edit", args=[w]),
                    {"title": bad, "language": "sv", "recommendation_set": self.rec_set.pk},
                )
                self.assertContains(response, "otillåtna kontrolltecken", status_code=400)
                response = self.client.post(
                    reverse("facilitator:workshop_edit", args=[w]),
                    {
                        "title": "Ok",
                        "place": bad,
                        "language": "sv",
                        "recommendation_set": self.rec_set.pk,
                    },
                )
                self.assertEqual(response.status_code, 400)
                response = self.client.post(
                    reverse("facilitator:group_rename", args=[self.discussion.pk, self.table1.pk]),
                    {"name": bad},
                )
                self.assertEqual(response.status_code, 400)
        self.assertEqual(Workshop.objects.get(pk=w).title, "Gränssamarbete i Värmland")
        self.assertEqual(Group.objects.get(pk=self.table1.pk).name, "Bord 1")

    def discussion_form(self, **fields):
        data = {
            "title": "Runda 2",
            "duration_minutes": "20",
            "question_rank": "Rangordna",
            "question_missing": "Saknas något?",
            "question_activities": "Vad gör vi?",
            "recommendation_set": self.rec_set.pk,
            **fields,
        }
        return self.client.post(
            reverse("facilitator:discussion_create", args=[self.workshop.pk]), data
        )

    def test_discussion_texts_refuse_controls_but_questions_keep_their_lines(self):
        self.assertEqual(self.discussion_form(title="Runda\x1b2").status_code, 400)
        self.assertEqual(self.discussion_form(question_missing="Saknas\x07").status_code, 400)
        self.assertEqual(self.discussion_form(question_rank="Ett\r\nTvå\tTre").status_code, 303)
        self.assertTrue(Discussion.objects.filter(question_rank__contains="Två").exists())


class InvitationTests(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.alice)
        self.invite_url = reverse("facilitator:workshop_invite", args=[self.workshop.pk])

    def invite(self, username):
        return self.client.post(self.invite_url, {"username": username})

    def test_an_invitation_waits_for_the_invitee(self):
        response = self.invite("bob")
        self.assertEqual(response.status_code, 303)
        self.assertNotIn(self.bob, self.workshop.members.all())
        invitation = Invitation.objects.get()
        self.assertEqual(
            (invitation.workshop, invitation.invitee, invitation.invited_by),
            (self.workshop, self.bob, self.alice),
        )
        # Bob sees it on his list, and nothing of the workshop yet.
        self.client.force_login(self.bob)
        dashboard = reverse("facilitator:dashboard", args=[self.discussion.pk])
        self.assertEqual(self.client.get(dashboard).status_code, 404)
        page = self.client.get(reverse("facilitator:workshops"))
        self.assertContains(page, "Inbjudningar")
        self.assertContains(page, "Gränssamarbete i Värmland")
        self.assertContains(page, "Inbjuden av alice")
        accept = reverse("facilitator:invitation_accept", args=[invitation.pk])
        self.assertContains(page, f'action="{accept}"')
        response = self.client.post(accept)
        self.assertRedirects(
            response,
            reverse("facilitator:workshop", args=[self.workshop.pk]),
            status_code=303,
            fetch_redirect_response=False,
        )
        self.assertIn(self.bob, self.workshop.members.all())
        self.assertFalse(Invitation.objects.exists())
        self.assertEqual(self.client.get(dashboard).status_code, 200)

    def test_declining_leaves_the_workshop_alone(self):
        self.invite("bob")
        invitation = Invitation.objects.get()
        self.client.force_login(self.bob)
        response = self.client.post(reverse("facilitator:invitation_decline", args=[invitation.pk]))
        self.assertEqual(response.status_code, 303)
        self.assertFalse(Invitation.objects.exists())
        self.assertNotIn(self.bob, self.workshop.members.all())

    def test_only_the_invitee_answers_an_invitation(self):
        self.invite("bob")
        invitation = Invitation.objects.get()
        for user in (self.alice, self.charlie):
            self.client.force_login(user)
            for name in ("invitation_accept", "invitation_decline"):
                with self.subTest(user=user.username, name=name):
                    url = reverse(f"facilitator:{name}", args=[invitation.pk])
                    self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(Invitation.objects.exists())
        self.assertEqual(list(self.workshop.members.all()), [self.alice])

    def test_the_same_answer_whether_or_not_the_name_exists(self):
        get_user_model().objects.create_user("dora", password=PASSWORD, is_active=False)
        answers = set()
        for username in ["bob", "nobody", "dora", "alice", "bob"]:
            response = self.invite(username)
            page = self.client.get(response["Location"])
            # Every page has its own CSRF token and script nonce: leave those out.
            content = re.sub(rb'(value|nonce|"X-CSRFToken"): ?"[^"]*"', b"", page.content)
            content = re.sub(rb'(value|nonce)="[^"]*"', b"", content)
            answers.add((response.status_code, response["Location"], content))
        self.assertEqual(len(answers), 1, "the answers differ")
        self.assertContains(page, "Om det finns ett konto med det användarnamnet")
        self.assertNotContains(page, "Det finns ingen användare")
        # Only bob, active and not yet a member, was invited, once.
        self.assertEqual(
            list(Invitation.objects.values_list("invitee__username", flat=True)), ["bob"]
        )

    def test_an_empty_or_over_long_name_is_still_a_400(self):
        for username in ["", "x" * 300]:
            with self.subTest(username=username):
                self.assertEqual(self.invite(username).status_code, 400)

    def test_one_invitation_per_workshop_and_person_in_the_database(self):
        Invitation.objects.create(workshop=self.workshop, invitee=self.bob)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Invitation.objects.create(workshop=self.workshop, invitee=self.bob)

    def test_leaving_a_workshop(self):
        self.workshop.members.add(self.bob)
        self.client.force_login(self.bob)
        leave = reverse("facilitator:workshop_leave", args=[self.workshop.pk])
        self.assertContains(self.client.get(leave), "Lämna workshoppen?")
        response = self.client.post(leave)
        self.assertRedirects(
            response,
            reverse("facilitator:workshops"),
            status_code=303,
            fetch_redirect_response=False,
        )
        self.assertEqual(list(self.workshop.members.all()), [self.alice])
        self.assertEqual(self.client.get(leave).status_code, 404)

    def test_the_last_facilitator_cannot_leave(self):
        leave = reverse("facilitator:workshop_leave", args=[self.workshop.pk])
        response = self.client.post(leave)
        self.assertContains(response, "Du är den enda facilitatorn", status_code=409)
        self.assertEqual(list(self.workshop.members.all()), [self.alice])

    def test_an_outsider_cannot_leave_or_invite(self):
        self.client.force_login(self.bob)
        leave = reverse("facilitator:workshop_leave", args=[self.workshop.pk])
        self.assertEqual(self.client.post(leave).status_code, 404)
        self.assertEqual(self.invite("charlie").status_code, 404)
        self.assertFalse(Invitation.objects.exists())


class UnreadableContentTypeTests(BaseTestCase):
    """A Content-Type Django cannot read raised while it built the request: a 500."""

    def call(self, content_type):
        from django.core.handlers.wsgi import WSGIHandler
        from django.core.signals import request_started
        from django.db import close_old_connections

        from gransforum.middleware import TolerantRequest

        handler = WSGIHandler()
        handler.request_class = TolerantRequest  # as gransforum/wsgi.py sets it
        environ = RequestFactory()._base_environ(
            PATH_INFO="/j/VARM26/",
            REQUEST_METHOD="POST",
            CONTENT_TYPE=content_type,
            CONTENT_LENGTH="5",
            **{"wsgi.input": io.BytesIO(b"a=b&c")},
        )
        statuses = []
        # As the test client does: no closing of the test's database connection.
        request_started.disconnect(close_old_connections)
        try:
            handler(environ, lambda status, headers: statuses.append(status))
        finally:
            request_started.connect(close_old_connections)
        return statuses[0]

    def test_a_charset_naming_no_codec_or_an_endless_header_is_a_400(self):
        for content_type in [
            "application/x-www-form-urlencoded; charset*=bogus''x",
            "application/x-www-form-urlencoded; a=" + "x" * 10_001,
        ]:
            with self.subTest(content_type=content_type[:60]):
                self.assertEqual(self.call(content_type), "400 Bad Request")
        # A readable one goes on to the CSRF check as before.
        self.assertEqual(self.call("application/x-www-form-urlencoded"), "403 Forbidden")

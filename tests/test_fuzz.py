"""Hostile input on every form and POST endpoint: always a 4xx or a success, never a 5xx.

hypothesis throws random and nasty strings, ids, missing fields, wrong methods and
wrong content types at each endpoint; after every request the database must still
be consistent (constraints are the database's job; here: the revision only rises and
every ballot's positions run 1..k).
"""

import json
from urllib.parse import quote

from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from discussions import timer
from discussions.models import Discussion, MissingArea, Participant, Ranking
from tests.base import BaseTestCase

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u200b\u200b",
    "\u202eevil\u202c",
    "\u200f\u200e",
    "😀" * 3,
    "👩‍👩‍👧‍👦",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "'; DROP TABLE discussions_participant; --",
    "' OR 1=1 --",
    '=HYPERLINK("http://evil","x")',
    "+1",
    "-2",
    "@SUM(A1)",
    "x" * 10_000,
    "å" * 501,
    "1,1",
    "1,2,3,4,5,6,7,8,9",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e9",
    "NaN",
    "None",
    "[]",
    "{}",
]
texts = st.one_of(st.sampled_from(NASTY), st.text(max_size=600))
ids = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), st.sampled_from(NASTY))
maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731 - a missing field


def form(**fields):
    return {k: v for k, v in fields.items() if v is not None}


class FuzzTests(TestCase, BaseTestCase):
    """BaseTestCase's personas; hypothesis' TestCase rolls back after every example."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        now = timezone.now()
        cls.discussion.set_clock(timer.start(cls.discussion.clock, now))
        cls.discussion.save()
        cls.me = Participant.objects.create(discussion=cls.discussion, group=cls.table1)
        cls.mine = MissingArea.objects.create(
            discussion=cls.discussion, group=cls.table1, author=cls.me, text="Turism"
        )

    def setup_example(self):
        # Runs before every example, after hypothesis' TestCase has opened the
        # example's transaction and made a fresh test client.
        super().setup_example()
        cache.clear()
        self.client.cookies.clear()
        response = self.client.post("/j/VARM26/", {"group": self.table1.pk})
        assert response.status_code == 303
        self.revision = Discussion.objects.get(pk=self.discussion.pk).revision
        self.group_revisions = {}

    def check(self, response):
        self.assertLess(response.status_code, 500, response.content[:300])
        discussion = Discussion.objects.get(pk=self.discussion.pk)
        self.assertGreaterEqual(discussion.revision, self.revision)
        self.revision = discussion.revision
        # Each table's revision only rises too (a phone compares it).
        groups = dict(discussion.groups.values_list("pk", "revision"))
        for pk, revision in groups.items():
            self.assertGreaterEqual(revision, self.group_revisions.get(pk, 0))
        self.group_revisions = groups
        for participant in Participant.objects.filter(discussion=discussion):
            positions = sorted(
                Ranking.objects.filter(participant=participant).values_list("position", flat=True)
            )
            self.assertEqual(positions, list(range(1, len(positions) + 1)))

    def url(self, suffix):
        return f"/d/{self.discussion.pk}/{suffix}"

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        group=maybe(ids),
        name=maybe(texts),
        code=st.sampled_from(["VARM26", "varm26", "ZZZZZZ", "x" * 40]),
    )
    def test_join(self, group, name, code):
        self.client.cookies.clear()
        self.check(self.client.post(f"/j/{code}/", form(group=group, name=name)))

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        order=maybe(
            st.one_of(
                texts,
                st.lists(st.integers(-3, 12), max_size=12).map(lambda ns: ",".join(map(str, ns))),
            )
        ),
        htmx=st.booleans(),
    )
    def test_rank(self, order, htmx):
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        self.check(self.client.post(self.url("rank/"), form(order=order), **extra))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(why=maybe(texts), group=maybe(ids), name=maybe(texts))
    def test_why_and_group(self, why, group, name):
        self.check(self.client.post(self.url("why/"), form(why=why)))
        self.check(self.client.post(self.url("group/"), form(group=group, name=name)))

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        kind=st.one_of(
            st.sampled_from(["area", "activity"]),
            st.text(min_size=1, max_size=8).filter(
                lambda s: (
                    "/" not in s
                    and "?" not in s
                    and "#" not in s
                    and s.strip() == s
                    and s not in (".", "..")
                )
            ),
        ),
        text=maybe(texts),
        recommendation=maybe(ids),
        htmx=st.booleans(),
    )
    def test_add_entry(self, kind, text, recommendation, htmx):
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = self.client.post(
            self.url(f"{kind}/"), form(text=text, recommendation=recommendation), **extra
        )
        self.check(response)

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        kind=st.sampled_from(["area", "activity", "nonsense"]),
        pk=st.one_of(st.integers(0, 2**62), st.just(-1)),
        action=st.sampled_from(["edit", "withdraw", "endorse"]),
        text=maybe(texts),
        want=maybe(texts),
        recommendation=maybe(ids),
    )
    def test_entry_actions(self, kind, pk, action, text, want, recommendation):
        if pk == -1:
            pk = self.mine.pk
        data = form(text=text, want=want, recommendation=recommendation)
        self.check(self.client.post(self.url(f"{kind}/{pk}/{action}/"), data))
        if action == "edit":
            self.check(self.client.get(self.url(f"{kind}/{pk}/{action}/")))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        base=maybe(st.one_of(texts, st.integers(-3, 2**63).map(str))),
        why=maybe(texts),
        recommendation=maybe(st.one_of(texts, ids)),
        htmx=st.booleans(),
    )
    def test_table_answer(self, base, why, recommendation, htmx):
        extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        data = form(base=base, why=why, recommendation=recommendation)
        self.check(self.client.post(self.url("table/"), data, **extra))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        rev=maybe(texts),
        mode=maybe(texts),
        g=maybe(ids),
        at=maybe(st.one_of(texts, st.integers().map(str))),
        w=maybe(st.one_of(texts, st.integers().map(str))),
    )
    def test_poll(self, rev, mode, g, at, w):
        query = form(rev=rev, mode=mode, g=g, at=at, w=w)
        self.check(self.client.get(self.url("poll/"), query, HTTP_HX_REQUEST="true"))

    def test_ids_past_the_integer_range_are_404(self):
        """Past 2**63 - 1 SQLite raised OverflowError (a 500) in a foreign-key lookup."""
        mine = self.mine.pk
        for huge in (2**63, 2**64, 10**30):
            for path in (
                f"/d/{huge}/",
                f"/d/{huge}/poll/?mode=open&g=1",
                f"/d/{huge}/rank/",
                f"/d/{self.discussion.pk}/area/{huge}/edit/",
                f"/d/{huge}/area/{mine}/endorse/",
            ):
                with self.subTest(path=path):
                    method = self.client.get if "rank" not in path else self.client.post
                    self.assertEqual(method(path).status_code, 404)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        path=st.sampled_from(["rank/", "why/", "area/", "group/", "poll/", ""]),
        method=st.sampled_from(["put", "patch", "delete", "options", "get", "post"]),
        body=st.one_of(st.binary(max_size=200), texts.map(lambda t: t.encode("utf-8", "replace"))),
        content_type=st.sampled_from(
            [
                "application/json",
                "text/plain",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
                "application/xml",
            ]
        ),
    )
    def test_wrong_methods_and_content_types(self, path, method, body, content_type):
        response = self.client.generic(method.upper(), self.url(path), body, content_type)
        self.check(response)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        path=st.sampled_from(["/j/VARM26/", "/healthz", "/konto/logga-in/", "rank/", "area/"]),
        content_type=st.sampled_from(
            ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]
        ),
        charset=st.one_of(
            st.sampled_from(["utf-8", "UTF-8", "latin-1", "utf-16", "utf-32", "cp1252", "ascii"]),
            # What a header can carry: bytes read as latin-1 (WSGI), but no NUL (no
            # HTTP client sends one, and the test client refuses to build it).
            st.text(st.characters(max_codepoint=0xFF, exclude_characters="\x00"), max_size=20),
        ),
        body=st.one_of(st.binary(max_size=200), texts.map(lambda t: t.encode("utf-16", "replace"))),
        csrf=st.booleans(),
    )
    def test_any_charset(self, path, content_type, charset, body, csrf):
        """A form in latin-1 or utf-16 with a made-up CSRF cookie was a 500 (issue 24)."""
        client = Client(enforce_csrf_checks=csrf)
        client.cookies.update(self.client.cookies)
        client.cookies["csrftoken"] = "x" * 32
        url = path if path.startswith("/") else self.url(path)
        header = f"{content_type}; charset={charset}".replace("\n", " ").replace("\r", " ")
        self.check(client.generic("POST", url, body, header))

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(code=st.text(st.characters(exclude_categories=("Cs",)), max_size=14))
    def test_join_codes_of_any_unicode_category(self, code):
        """A code without letters or digits ("-", a lone accent) was a 500 (issue 24)."""
        self.client.cookies.clear()
        self.check(self.client.get(f"/j/{quote(code, safe='')}/"))
        self.check(self.client.get("/", {"code": code}))
        self.check(self.client.post(f"/j/{quote(code, safe='')}/", {"group": self.table1.pk}))

    def test_json_instead_of_a_form_is_a_4xx(self):
        self.client.post("/j/VARM26/", {"group": self.table1.pk})
        response = self.client.post(
            self.url("rank/"), json.dumps({"order": "1,2"}), content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Ranking.objects.exists())

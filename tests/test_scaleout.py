"""Two app servers, one PostgreSQL, one Redis: the app servers keep no state of their own.

Starts two production gunicorn instances on different ports against the test
database and a shared Redis cache, writes through one and reads through the other,
and shows that the join-code rate limit counts failures from both.

Needs PostgreSQL (SQLite's in-memory test database is invisible to other processes)
and REDIS_URL (CI exports redis://127.0.0.1:6379/15).
"""

import html
import http.client
import os
import re
import time
from urllib.parse import quote, urlencode

import pytest
from django.db import connection
from django.utils import timezone

from bench.db import create_room
from bench.server import Gunicorn, collect_static, production_env
from discussions import timer
from discussions.models import Discussion, MissingArea, Participant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
GROUP_RE = re.compile(r'name="group" value="(\d+)"')
# The page's own poll URL: its mode, table, revision, when it was drawn, its wait.
POLL_RE = re.compile(r'id="poll" hx-get="(/d/\d+/poll/\?[^"]+)"')


class Browser:
    """One person's browser against several servers: its cookies go wherever it goes."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, server, method, path, data=None, htmx=False):
        headers = {"Host": f"127.0.0.1:{server.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if data is not None:
            body = urlencode({"csrfmiddlewaretoken": self.csrf, **data})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
        finally:
            conn.close()
        # The production cookies are Secure; this is plain http, so keep them by hand.
        for raw in response.headers.get_all("Set-Cookie") or []:
            name, _, value = raw.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if match := CSRF_RE.search(text):
            self.csrf = match.group(1)
        return response.status, response.headers, text


def database_url() -> str:
    """The test database, as the gunicorn processes must reach it."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL=redis://127.0.0.1:6379/15 (a Redis the servers share)")
    import redis

    # The tests' own Redis database: start without counters from an earlier run.
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def room(transactional_db):
    room = create_room(groups=2, title="Scale-out")
    discussion = Discussion.objects.get(pk=room.discussion_id)
    discussion.set_clock(timer.start(discussion.clock, timezone.now()))
    discussion.save()
    return room


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Production pages need collected static files: this module's own copy."""
    root = tmp_path_factory.mktemp("static")
    collect_static(production_env("sqlite:///unused.sqlite3", static_root=root))
    return root


@pytest.fixture
def servers(room, redis_url, static_root, tmp_path):
    env = production_env(database_url(), redis_url, static_root, JOIN_FAILURE_LIMIT="3")
    a = Gunicorn(env=env, workers=1, log_path=tmp_path / "a.log")
    b = Gunicorn(env=env, workers=1, log_path=tmp_path / "b.log")
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_writes_on_one_server_are_read_on_the_other(room, servers):
    a, b = servers
    phone = Browser()
    status, _headers, text = phone.request(a, "GET", f"/j/{room.join_code}/")
    assert status == 200
    group = GROUP_RE.findall(text)[0]
    status, headers, _text = phone.request(
        a, "POST", f"/j/{room.join_code}/", {"group": group, "name": "Kari"}
    )
    assert status == 303, "the join on server A"
    assert headers["Location"] == f"/d/{room.discussion_id}/"

    # The participant's cookie, signed by A, is good on B: same SECRET_KEY, no session.
    status, _headers, text = phone.request(b, "GET", f"/d/{room.discussion_id}/")
    assert status == 200
    assert "Kari" in text

    d = room.discussion_id
    status, _h, _t = phone.request(a, "POST", f"/d/{d}/rank/", {"order": "3,1,5"}, htmx=True)
    assert status == 200
    status, _h, text = phone.request(
        a, "POST", f"/d/{d}/area/", {"text": "Fjällturism över gränsen"}, htmx=True
    )
    assert status == 200

    # B shows what was written on A: the ballot on the ranking's page, the area on
    # the missing areas' page ...
    status, _h, text = phone.request(b, "GET", f"/d/{d}/")
    assert re.search(r'class="ballot-title"><span class="rec-label">Rek\. 3</span>', text)
    status, _h, text = phone.request(b, "GET", f"/d/{d}/area/")
    assert "Fjällturism över gränsen" in text
    # ... at the revision A left, so both answer a poll with it "nothing new" (204).
    poll = html.unescape(POLL_RE.search(text).group(1))
    for server in (a, b):
        status, headers, _t = phone.request(server, "GET", poll, htmx=True)
        assert status == 204
        assert "HX-Refresh" not in headers

    # The facilitator logs in on B, and the session (in the database) works on A too.
    facilitator = Browser()
    facilitator.request(b, "GET", "/konto/logga-in/")
    status, _h, _t = facilitator.request(
        b, "POST", "/konto/logga-in/", {"username": room.username, "password": room.password}
    )
    assert status == 302
    for server in (b, a):
        status, _h, text = facilitator.request(server, "GET", f"/f/d/{d}/")
        assert status == 200
        assert "Fjällturism över gränsen" in text

    # A timer control on A reaches the phone polling B.
    status, _h, _t = facilitator.request(a, "POST", f"/f/d/{d}/timer/end/", {}, htmx=True)
    assert status == 204
    # B may answer from its copy of the poll's row for up to a second
    # (PHONE_POLL_CACHE_SECONDS); within that the phone is told.
    ended_at = time.monotonic()
    while True:
        status, headers, _t = phone.request(b, "GET", poll, htmx=True)
        if "HX-Refresh" in headers or time.monotonic() - ended_at > 3:
            break
        time.sleep(0.2)
    assert (status, headers.get("HX-Refresh")) == (204, "true")
    assert time.monotonic() - ended_at < 2

    participant = Participant.objects.get(discussion_id=d)
    assert participant.display_name == "Kari"
    assert list(
        participant.rankings.order_by("position").values_list("recommendation__number", flat=True)
    ) == [3, 1, 5]
    assert MissingArea.objects.filter(author=participant).count() == 1


def test_join_code_rate_limit_holds_across_servers(room, servers):
    a, b = servers
    guesser = Browser()
    # JOIN_FAILURE_LIMIT=3: two wrong codes on A and one on B use it up ...
    assert guesser.request(a, "GET", "/j/AAAAAA/")[0] == 404
    assert guesser.request(a, "GET", "/j/BBBBBB/")[0] == 404
    assert guesser.request(b, "GET", "/j/CCCCCC/")[0] == 404
    # ... so both servers now refuse this address, even the right code.
    status, headers, _text = guesser.request(b, "GET", f"/j/{room.join_code}/")
    assert status == 429
    assert headers["Retry-After"]
    assert guesser.request(a, "GET", "/j/DDDDDD/")[0] == 429
    assert guesser.request(a, "GET", f"/j/{room.join_code}/")[0] == 429

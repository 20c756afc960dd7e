"""The dashboard counted in a background thread (results.newest_dashboard), over
the live poll, with committed data that the thread's own connection can read."""

import html
import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from discussions import results
from discussions.models import Discussion, Group
from tests.base import add_participant, make_user
from tests.concurrency.threads import room  # noqa: F401 - the fixture

LIVE_RE = re.compile(r'id="live" class="dash" hx-get="([^"]+)"')
# Bord 0's participation: ten of the room joined, and Astrid, who ranked.
ASTRID_COUNTED = '<th scope="row">Bord 0</th><td class="f-num">11</td><td class="f-num">1</td>'
LONG = 20  # seconds: only reached if the code under test hangs


@pytest.fixture
def facilitator(room, settings):  # noqa: F811 - the fixture above
    settings.DASHBOARD_IN_BACKGROUND = True
    discussion, _, recs = room
    alice = make_user("alice")
    discussion.workshop.members.add(alice)
    client = Client()
    client.force_login(alice)
    yield client, discussion, recs
    # Its connection closed before the test database is emptied or dropped.
    results.stop_background()


def live_url(response) -> str:
    match = LIVE_RE.search(response.content.decode())
    assert match, "no live region"
    return html.unescape(match.group(1))


def shown_revision(url: str) -> int:
    return int(re.search(r"[?&]rev=(\d+)", url).group(1))


def a_ballot(discussion, recs, name):
    """A new participant's ballot, ranking recommendation 8 first, as the phone's
    save does: the group's revision rises with it."""
    group = Group.objects.get(discussion=discussion, name="Bord 0")
    add_participant(discussion, group, [recs[-1].number, recs[0].number], name=name)
    Group.bump_revision(group.pk)


def poll_until_drawn(client, url):
    """Poll like the page does until an answer draws the dashboard; the answers
    before it are 204s that say the board is still being counted."""
    deadline = time.monotonic() + LONG
    pending = 0
    while time.monotonic() < deadline:
        response = client.get(url, headers={"HX-Request": "true"})
        if response.status_code == 200:
            return response, pending
        assert response.status_code == 204
        assert response["Server-Timing"] == 'board;desc="pending"'
        pending += 1
        time.sleep(0.05)
    raise AssertionError("the dashboard was never drawn")


def test_a_new_ballot_is_drawn_by_a_later_poll(facilitator):
    client, discussion, recs = facilitator
    page = client.get(reverse("facilitator:dashboard", args=[discussion.pk]))
    url = live_url(page)
    before = shown_revision(url)
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 204

    a_ballot(discussion, recs, "Astrid")
    response, _ = poll_until_drawn(client, url)
    assert shown_revision(live_url(response)) == discussion.get_live_revision() > before
    assert ASTRID_COUNTED in response.content.decode()
    assert re.fullmatch(r"board;dur=\d+", response["Server-Timing"])


class RankingsLocked:
    """Another transaction holding the ballots' table, so that whoever reads the
    ballots waits until release(): a slow count, on a real database."""

    def __init__(self):
        self.locked, self.go = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold)
        self.thread.start()
        assert self.locked.wait(LONG)

    def _hold(self):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("LOCK TABLE discussions_ranking IN ACCESS EXCLUSIVE MODE")
                self.locked.set()
                self.go.wait(LONG)
        finally:
            connection.close()

    def release(self):
        self.go.set()
        self.thread.join(LONG)


@pytest.mark.postgres
def test_a_slow_count_answers_pending_and_the_next_poll_draws_it(facilitator):
    client, discussion, recs = facilitator
    url = live_url(client.get(reverse("facilitator:dashboard", args=[discussion.pk])))
    a_ballot(discussion, recs, "Astrid")

    lock = RankingsLocked()
    try:
        begun = time.monotonic()
        for _ in range(2):  # the second poll finds the same count still running
            response = client.get(url, headers={"HX-Request": "true"})
            assert response.status_code == 204
            assert response["Server-Timing"] == 'board;desc="pending"'
        assert time.monotonic() - begun < LONG / 4  # it did not wait for the lock
    finally:
        lock.release()

    response, _ = poll_until_drawn(client, url)
    assert shown_revision(live_url(response)) == discussion.get_live_revision()
    assert ASTRID_COUNTED in response.content.decode()


@pytest.mark.postgres
def test_the_facilitators_own_change_waits_for_its_redraw(facilitator):
    client, discussion, recs = facilitator
    url = live_url(client.get(reverse("facilitator:dashboard", args=[discussion.pk])))
    a_ballot(discussion, recs, "Astrid")
    Discussion.bump_revision(discussion.pk)  # as a hide or a rename does

    answers = []

    def draw():
        try:
            answers.append(client.get(url, headers={"HX-Request": "true"}))
        finally:
            connection.close()  # this thread's, as at the end of a real request

    lock = RankingsLocked()
    try:
        poll = threading.Thread(target=draw)
        poll.start()
        poll.join(1)
        assert poll.is_alive(), "answered without the facilitator's change"
    finally:
        lock.release()
    poll.join(LONG)
    assert answers[0].status_code == 200
    drawn = live_url(answers[0])
    assert shown_revision(drawn) == discussion.get_live_revision()
    assert f"drev={Discussion.objects.get(pk=discussion.pk).revision}" in drawn


@pytest.mark.postgres
def test_a_screen_behind_gets_the_last_count_with_its_own_revision(facilitator):
    client, discussion, recs = facilitator
    url = live_url(client.get(reverse("facilitator:dashboard", args=[discussion.pk])))
    a_ballot(discussion, recs, "Astrid")
    poll_until_drawn(client, url)
    counted = discussion.get_live_revision()

    a_ballot(discussion, recs, "Bjørn")
    lock = RankingsLocked()
    try:
        # A screen still showing the first page: the count with Astrid is newer
        # than that, so it is drawn, and its poll asks again from that revision.
        response = client.get(url, headers={"HX-Request": "true"})
    finally:
        lock.release()
    assert response.status_code == 200
    assert ASTRID_COUNTED in response.content.decode()
    assert shown_revision(live_url(response)) == counted < discussion.get_live_revision()


@pytest.mark.postgres
def test_in_a_big_hall_the_poll_before_the_redraw_starts_the_count(facilitator):
    client, discussion, recs = facilitator
    url = live_url(client.get(reverse("facilitator:dashboard", args=[discussion.pk])))
    a_ballot(discussion, recs, "Astrid")

    def drawn_ago(seconds):
        # A big hall's page: participants' changes wait w=10 s after `at`.
        now = int(time.time())
        return re.sub(r"&w=\d+", "&w=10", re.sub(r"&at=\d+", f"&at={now - seconds}", url))

    # Nine seconds after the drawing, the next poll redraws: this one starts the count.
    assert client.get(drawn_ago(9), headers={"HX-Request": "true"}).status_code == 204
    deadline = time.monotonic() + LONG
    while results.counting() and time.monotonic() < deadline:
        time.sleep(0.02)

    a_ballot(discussion, recs, "Bjørn")
    lock = RankingsLocked()
    try:
        # The redraw takes the count already made, two seconds old is new enough:
        # it starts no other (which would wait for the lock).
        response = client.get(drawn_ago(11), headers={"HX-Request": "true"})
        assert not results.counting()
    finally:
        lock.release()
    assert response.status_code == 200
    assert ASTRID_COUNTED in response.content.decode()

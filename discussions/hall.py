"""How big the hall is, and so how long others' changes may wait before a screen
redraws them.

Every phone and screen polls with the revision it shows; a change by anyone makes
it redraw. In a workshop of forty that is every poll, and cheap. In a hall of
thousands some table writes every second, so without a wait every phone would
redraw its table's lists on every poll and the dashboard would recount the hall on
every poll. So a big hall's screens let *others'* changes wait a few seconds,
growing with the hall; a screen's own changes, the clock and the facilitator's
actions always show at once.
"""

import random

from django.core.cache import cache

from discussions.models import Participant

PHONE_POLL_SECONDS = 5
SCREEN_POLL_SECONDS = 2
# A phone redraws its table's lists after participants / LIST_REDRAWS_PER_SECOND
# seconds (at most LIST_REDRAW_MAX_SECONDS): in a hall of 2,000, every minute. So the
# whole hall redraws about that many lists per second, whatever its size.
LIST_REDRAWS_PER_SECOND = 20
LIST_REDRAW_MAX_SECONDS = 60
# The dashboard and the projector redraw after participants / LIVE_PARTICIPANTS_PER_
# SECOND seconds (at most LIVE_REDRAW_MAX_SECONDS): a workshop of 40 every poll, a hall
# of 2,000 every 10 s, where a recount is a tenth of a second of a core.
LIVE_PARTICIPANTS_PER_SECOND = 200
LIVE_REDRAW_MAX_SECONDS = 10
PARTICIPANTS_COUNT_SECONDS = 10


def size(discussion_id: int) -> int:
    """How many take part, counted at most every PARTICIPANTS_COUNT_SECONDS: the waits
    need not follow every join, but must keep up with a hall filling up (a minute-old
    count in a hall filling at 17 a second let the first hundreds redraw every poll)."""
    key = f"gf:participants:{discussion_id}"
    count = cache.get(key)
    if count is None:  # the query only when it is needed: a phone asks on every redraw
        count = Participant.objects.filter(discussion_id=discussion_id).count()
        cache.set(key, count, PARTICIPANTS_COUNT_SECONDS)
    return count


def list_wait(discussion_id: int) -> int:
    """Seconds a phone waits before redrawing lists that others changed: between half
    and all of the hall's wait, different for each drawing. With the same wait for
    all, the phones that a slow moment (the joins) made redraw together did so again
    a minute later, and so on: a measured wave of redraws every 60–65 s."""
    wait = min(LIST_REDRAW_MAX_SECONDS, size(discussion_id) // LIST_REDRAWS_PER_SECOND)
    if wait <= PHONE_POLL_SECONDS:
        return wait
    return random.randint(wait // 2, wait)


def screen_wait(discussion_id: int) -> int:
    """Seconds the dashboard and the projector wait before redrawing participants'
    answers."""
    return min(LIVE_REDRAW_MAX_SECONDS, size(discussion_id) // LIVE_PARTICIPANTS_PER_SECOND)


def waited_enough(drawn_at: int, wait: int, poll_seconds: int, now: float) -> bool:
    """Whether a page drawn at `drawn_at` (a Unix time from its URL) that may wait
    `wait` seconds (also from its URL, capped) has waited long enough to redraw."""
    return wait <= poll_seconds or now - drawn_at >= wait

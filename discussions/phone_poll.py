"""The phone's poll: every 5 s, "is my page still what the server would draw?"

The page polls with what it shows (`poll_query`): its mode, its table, their
revision, when it was drawn and how long its lists may wait for others' changes
(discussions/hall.py). The answer is

- 204 when nothing it shows changed: most polls in a hall, answered from this
  process's copy of the poll's row (at most PHONE_POLL_CACHE_SECONDS old) without a
  query, by the middleware `answer_unchanged` before the rest of Django's stack;
- 204 that reloads the page when the page itself must change (the clock's state,
  the results revealed, the table gone): HX-Refresh, or after a big hall's end a
  reload spread over the wait (phone.js), so that all phones do not come at once;
- 200 with the table's lists, the clock and the next poll, out of band, when its
  lists changed.

Every answer carries the clock in X-Timer ("running 754"), so every poll re-syncs
the countdown. A phone may learn of a change one poll later than it happened, never
miss one: its own writes answer with their part at once.
"""

import enum
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from discussions import hall, phone_lists, table_answers, timer
from discussions.converters import id_or_none
from discussions.locks import CLOCK_FIELDS
from discussions.models import ActivityProposal, Discussion, Group, MissingArea, Participant
from discussions.participant_cookie import participant_id, use_language

OPEN_STATES = (timer.State.RUNNING, timer.State.PAUSED)
# This process's own copies of poll rows (settings.CACHES): no round trip to a
# shared cache on the hottest path.
local_cache = caches["local"]


class Mode(enum.StrEnum):
    """What kind of page a phone shows: the clock's state, and whether the results
    are revealed. The page polls with its mode; a change of mode reloads the page."""

    BEFORE = "before"
    OPEN = "open"  # running or paused: the questions can be answered
    CLOSED = "closed"
    BEFORE_RESULTS = "before-results"
    OPEN_RESULTS = "open-results"
    CLOSED_RESULTS = "closed-results"

    @property
    def closed(self) -> bool:
        return self in (Mode.CLOSED, Mode.CLOSED_RESULTS)


def mode(discussion, now) -> Mode:
    state = timer.state(discussion.clock, now)
    if state is timer.State.NOT_STARTED:
        kind = "before"
    else:
        kind = "open" if state in OPEN_STATES else "closed"
    return Mode(kind + ("-results" if discussion.results_revealed else ""))


def timer_context(discussion, now) -> dict:
    state = timer.state(discussion.clock, now)
    left = timer.seconds_left(discussion.clock, now)
    return {
        "state": state.value,
        "seconds_left": left,
        "mmss": timer.format_mmss(left),
        "open": state in OPEN_STATES,
    }


def lists_context(
    discussion, participant_id: int, group_id: int, revisions, now, step: str
) -> dict:
    """The table's lists, the clock and the poll that keeps them fresh.

    `discussion`: the Discussion, or the poll's row of it. `revisions` are the
    discussion's and the group's, read before the lists are: a write in between
    shows up one poll later, never the other way round. The lists are read only if
    a template shows them: a step's page shows at most one (phone_views.STEPS), and
    its poll says which (`s`), so the poll redraws only that one.
    """
    query = {
        "mode": mode(discussion, now),
        "g": group_id,
        "rev": sum(revisions),
        "at": int(now.timestamp()),
        "s": step,
    }

    timer_now = timer_context(discussion, now)

    def drawn(model):
        return SimpleLazyObject(
            lambda: phone_lists.rows(
                discussion.pk, group_id, participant_id, model, open=timer_now["open"]
            )
        )

    return {
        "discussion": discussion,
        "step": step,
        "areas": drawn(MissingArea),
        "activities": drawn(ActivityProposal),
        # The table's agreed answer (its own page), read only if the page shows it.
        "table_state": SimpleLazyObject(lambda: table_answers.state(group_id)),
        "me": participant_id,
        # The workshop's language, for its texts' lang: the poll's row holds it itself.
        "table_lang": SimpleLazyObject(
            lambda: getattr(discussion, "language", "") or discussion.workshop.language
        ),
        "timer": timer_now,
        "poll_seconds": hall.PHONE_POLL_SECONDS,
        "poll_query": SimpleLazyObject(
            lambda: urlencode({**query, "w": hall.list_wait(discussion.pk)})
        ),
    }


@require_GET
def poll(request, discussion_id):
    group_id = id_or_none(request.GET.get("g")) or 0
    row = _poll_row(discussion_id, group_id)
    # The cookie is checked by its signature alone here: no query on the fast path.
    pk = participant_id(request, discussion_id)
    if row is None or pk is None:
        raise Http404("no participant")
    now = timezone.now()
    page_mode = mode(row, now)
    if request.GET.get("mode") != page_mode or row.group_revision is None:
        # The page itself must change (the clock's state, the results, or the group
        # is not there): the phone reloads it.
        return _clocked(_reload(_reload_spread(request, page_mode)), row, now)
    if _unchanged(request, row, now):
        return _clocked(HttpResponse(status=204), row, now)
    group_now = (
        Participant.objects.filter(pk=pk, discussion_id=discussion_id)
        .values_list("group_id", flat=True)
        .first()
    )
    if group_now is None:
        raise Http404("no participant")
    if group_now != group_id:
        return _reload()  # moved to another table from another tab
    use_language(request, row.language)
    step = request.GET.get("s", "")
    context = lists_context(row, pk, group_id, (row.revision, row.group_revision), now, step)
    return _clocked(render(request, "discussions/phone_poll.html", context), row, now)


def _unchanged(request, row, now) -> bool:
    """Whether the page may stay as it is: it shows the latest revision of its
    table's lists, or they may wait (hall.py)."""
    revision = str(row.revision + row.group_revision)
    return request.GET.get("rev") == revision or not _lists_due(request, now)


def answer_unchanged(get_response):
    """Middleware: a poll whose page is up to date, answered 204 ahead of the rest of
    Django's stack. Most requests of a full hall are this answer, and here it costs
    the app server no more than /healthz, Django's cheapest view (bench/RESULTS.md).
    It stands after SecurityMiddleware (settings.MIDDLEWARE), so
    its 204 carries HSTS and nosniff, and answers only what the view answers with a
    plain 204; anything else goes on to the view, which answers every case."""

    def middleware(request):
        if request.method == "GET" and request.path_info.endswith("/poll/"):
            answer = _unchanged_answer(request)
            if answer is not None:
                return answer
        return get_response(request)

    return middleware


def _unchanged_answer(request):
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.func is not poll:
        return None
    request.get_host()  # refuses a host outside ALLOWED_HOSTS, as the rest of Django does
    discussion_id = match.kwargs["discussion_id"]
    row = _poll_row(discussion_id, id_or_none(request.GET.get("g")) or 0)
    if row is None or row.group_revision is None:
        return None
    if participant_id(request, discussion_id) is None:
        return None
    now = timezone.now()
    if request.GET.get("mode") != mode(row, now) or not _unchanged(request, row, now):
        return None
    return _clocked(HttpResponse(status=204), row, now)


@dataclass(frozen=True, slots=True)
class PollRow:
    """What the poll reads of a discussion and one of its tables: enough to answer,
    and to draw the lists."""

    pk: int
    revision: int
    results_revealed: bool
    clock: timer.Clock
    language: str  # the workshop's
    group_revision: int | None  # None: no such table in this discussion


def _poll_row(discussion_id: int, group_id: int) -> PollRow | None:
    """The poll's row, read by this process at most PHONE_POLL_CACHE_SECONDS ago.

    Every phone asks every 5 s, so this is the hottest path of the app: in a hall of
    2,000 a table's fifty phones ask ten times a second. A row a second old only
    means a phone may learn of a change one poll later (nothing it writes goes
    through here), and it takes the database off most polls. All of a discussion's
    tables are read at once: two queries a second per process, not one per table.
    """
    seconds = settings.PHONE_POLL_CACHE_SECONDS
    key = f"gf:poll:{discussion_id}"
    kept = local_cache.get(key) if seconds else None
    if kept is None:
        kept = (_read_discussion(discussion_id),)  # a 1-tuple: "none such" is kept too
        if seconds:
            local_cache.set(key, kept, seconds)
    found = kept[0]
    if found is None:
        return None
    discussion, tables = found
    return PollRow(**discussion, group_revision=tables.get(group_id))


def _read_discussion(discussion_id: int) -> tuple[dict, dict[int, int]] | None:
    discussion = (
        Discussion.objects.filter(pk=discussion_id)
        .select_related("workshop")
        .only("revision", "results_revealed", "workshop__language", *CLOCK_FIELDS)
        .first()
    )
    if discussion is None:
        return None
    tables = dict(Group.objects.filter(discussion=discussion).values_list("pk", "revision"))
    row = {
        "pk": discussion.pk,
        "revision": discussion.revision,
        "results_revealed": discussion.results_revealed,
        "clock": discussion.clock,
        "language": discussion.workshop.language,
    }
    return row, tables


def _lists_due(request, now) -> bool:
    """Whether the page's lists have waited long enough to show others' changes."""
    drawn_at = id_or_none(request.GET.get("at")) or 0
    wait = min(hall.LIST_REDRAW_MAX_SECONDS, id_or_none(request.GET.get("w")) or 0)
    return hall.waited_enough(drawn_at, wait, hall.PHONE_POLL_SECONDS, now.timestamp())


def _reload(spread: float = 0):
    """204 that makes the page reload: at once, or at a random moment within `spread`
    seconds (phone.js), so a full hall does not reload all in the same second."""
    response = HttpResponse(status=204)
    if spread:
        response["HX-Trigger"] = json.dumps({"gf-reload": {"within": spread}})
    else:
        response["HX-Refresh"] = "true"
    return response


def _reload_spread(request, page_mode: Mode) -> float:
    """When the time is up every phone learns it within one poll and reloads its page:
    the stampede that has brought down other voting apps. The answer's X-Timer already
    shows "Tiden är ute" and a late save is refused with the text kept, so the reload
    (to the read-only page) can wait: in a big hall it is spread over the same wait
    as the lists' redraws (a minute at most). The start is not spread: people wait
    for it."""
    if not page_mode.closed:
        return 0
    wait = min(hall.LIST_REDRAW_MAX_SECONDS, id_or_none(request.GET.get("w")) or 0)
    return wait if wait > hall.PHONE_POLL_SECONDS else 0


def clock(discussion, now) -> str:
    """The clock for phone.js: its state and the seconds left, e.g. "running 754"."""
    return f"{timer.state(discussion.clock, now).value} {timer.seconds_left(discussion.clock, now)}"


def _clocked(response, discussion, now):
    response["X-Timer"] = clock(discussion, now)
    return response

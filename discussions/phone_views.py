"""The participant's phone: join by code, then answer the three questions on one page.

Every action is a plain form POST that redirects back to the page, so the phone
works without JavaScript. With htmx the same URLs answer with just the part of
the page that changed (`phone.html#<part>`), and a refused request answers with
that part too, with the typed text kept and the reason shown.
"""

import functools
import json
import random
import re
import time
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import F
from django.dispatch import receiver
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.csp import build_policy
from django.utils.dateparse import parse_datetime
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from discussions import phone_lists, ratelimit, results, services, timer
from discussions.models import (
    ActivityProposal,
    Discussion,
    Group,
    MissingArea,
    Participant,
    normalise_join_code,
)
from discussions.services import ENTRY_MODELS, Refused

COOKIE_SALT = "gransforum.participant"
COOKIE_MAX_AGE = 60 * 60 * 24 * 30
PHONE_POLL_SECONDS = 5
# When others change its table's lists, a phone redraws them after waiting
# participants / LIST_REDRAWS_PER_SECOND seconds (at most LIST_REDRAW_MAX_SECONDS):
# up to 100 people on every 5 s poll, in a hall of 2,000 every minute. So the
# whole hall redraws about that many lists per second, whatever its size; a redraw
# costs some 10 ms of CPU, a 204 under one. A phone's own writes show at once, and
# the clock and the end of the time on every poll.
LIST_REDRAWS_PER_SECOND = 20
LIST_REDRAW_MAX_SECONDS = 60
PARTICIPANTS_COUNT_SECONDS = 10


# --- The cookie that ties a phone to its participant --------------------------


def _cookie_name(discussion_id: int) -> str:
    return f"gf_p{discussion_id}"


def _set_participant_cookie(response, participant: Participant) -> None:
    response.set_signed_cookie(
        _cookie_name(participant.discussion_id),
        str(participant.pk),
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        secure=not settings.DEBUG,
        samesite="Lax",
    )


def _participant_id(request, discussion_id: int) -> int | None:
    raw = request.get_signed_cookie(_cookie_name(discussion_id), default=None, salt=COOKIE_SALT)
    return int(raw) if raw and raw.isdigit() else None


def _participant_or_404(request, discussion_id: int) -> Participant:
    """The phone's own participant in this discussion; anything else is 404.

    404 rather than 403: a forged or missing cookie learns nothing about whether
    the discussion exists.
    """
    pk = _participant_id(request, discussion_id)
    participant = (
        Participant.objects.select_related(
            "discussion", "group", "discussion__recommendation_set", "discussion__workshop"
        )
        .filter(pk=pk or 0, discussion_id=discussion_id)
        .first()
    )
    if participant is None:
        raise Http404("no participant")
    _use_workshop_language(request, participant.discussion.workshop)
    return participant


def _use_workshop_language(request, workshop) -> None:
    """The workshop's language, unless the person picked one with the chooser."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(workshop.language)
        request.LANGUAGE_CODE = workshop.language


# --- Joining ------------------------------------------------------------------


def _find_discussion(code: str) -> Discussion | None:
    """The open discussion with this code, else the latest ended one that had it."""
    return (
        Discussion.objects.select_related("workshop")
        .filter(join_code=code)
        .order_by(F("ended_at").desc(nulls_first=True), "-created_at")
        .first()
    )


@require_GET
def home(request):
    code = normalise_join_code(request.GET.get("code", ""))
    if code:
        return redirect("join_code", code=code)
    return render(request, "discussions/home.html", {"error": None})


@require_http_methods(["GET", "POST"])
def join(request, code):
    normalised = normalise_join_code(code)
    if normalised != code:
        return redirect("join_code", code=normalised)
    if ratelimit.is_limited("join", request, settings.JOIN_FAILURE_LIMIT):
        return _too_many_attempts(request)
    discussion = _find_discussion(code) if len(code) <= 12 else None
    if discussion is None:
        ratelimit.count_failure("join", request, settings.JOIN_FAILURE_WINDOW)
        error = _("Koden %(code)s finns inte. Kontrollera koden på skärmen och försök igen.") % {
            "code": code
        }
        return render(request, "discussions/home.html", {"error": error, "code": code}, status=404)

    _use_workshop_language(request, discussion.workshop)
    returning = _participant_id(request, discussion.pk)
    if returning and Participant.objects.filter(pk=returning, discussion=discussion).exists():
        return redirect("phone", discussion_id=discussion.pk)

    now = timezone.now()
    if timer.state(discussion.clock, now) is timer.State.ENDED:
        return render(request, "discussions/ended.html", {"discussion": discussion}, status=410)

    groups = list(discussion.groups.all())
    context = {"discussion": discussion, "groups": groups, "error": None}
    if request.method == "POST":
        try:
            name = services.clean_name(request.POST.get("name"))
            group_id = _int_or_none(request.POST.get("group"))
            participant = services.join(discussion, group_id, name)
        except Refused as refused:
            context.update(error=refused.message, name=request.POST.get("name", ""))
            return render(request, "discussions/join.html", context, status=refused.status)
        response = HttpResponseRedirect(reverse("phone", args=[discussion.pk]), status=303)
        _set_participant_cookie(response, participant)
        return response
    return render(request, "discussions/join.html", context)


def _too_many_attempts(request):
    minutes = max(1, settings.JOIN_FAILURE_WINDOW // 60)
    response = render(request, "discussions/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(settings.JOIN_FAILURE_WINDOW)
    return response


# --- The phone page -----------------------------------------------------------


def _mode(discussion: Discussion, now) -> str:
    """What kind of page the phone shows; a change of mode reloads the page."""
    state = timer.state(discussion.clock, now)
    mode = {
        timer.State.NOT_STARTED: "before",
        timer.State.RUNNING: "open",
        timer.State.PAUSED: "open",
        timer.State.ENDED: "closed",
    }[state]
    return mode + ("-results" if discussion.results_revealed else "")


def _timer_context(discussion: Discussion, now) -> dict:
    state = timer.state(discussion.clock, now)
    left = timer.seconds_left(discussion.clock, now)
    return {
        "state": state.value,
        "seconds_left": left,
        "mmss": timer.format_mmss(left),
        "open": state in (timer.State.RUNNING, timer.State.PAUSED),
    }


def _ranking_context(participant: Participant, recs: list) -> dict:
    """The ballot and, for every button, the whole ballot it would save.

    Each button carries the complete resulting order, so pressing it twice (or
    resending after a lost answer) saves the same ballot again: idempotent.
    """
    by_id = {r.pk: r for r in recs}
    ranked = [by_id[rid] for rid in _ranked_ids(participant) if rid in by_id]
    numbers = [r.number for r in ranked]

    def order(ns):
        return ",".join(str(n) for n in ns)

    ballot = []
    for i, rec in enumerate(ranked):
        up = numbers[:]
        down = numbers[:]
        if i > 0:
            up[i - 1], up[i] = up[i], up[i - 1]
        if i < len(numbers) - 1:
            down[i + 1], down[i] = down[i], down[i + 1]
        ballot.append(
            {
                "rec": rec,
                "position": i + 1,
                "up": order(up) if i > 0 else None,
                "down": order(down) if i < len(numbers) - 1 else None,
                "remove": order(numbers[:i] + numbers[i + 1 :]),
            }
        )
    ranked_set = set(numbers)
    cards = [
        {"rec": rec, "add": order([*numbers, rec.number])}
        for rec in services.card_order(recs, participant)
        if rec.number not in ranked_set
    ]
    return {"ballot": ballot, "cards": cards, "current_order": order(numbers)}


def _ranked_ids(participant: Participant) -> list[int]:
    if not hasattr(participant, "_ranked_ids"):
        participant._ranked_ids = list(
            participant.rankings.order_by("position").values_list("recommendation_id", flat=True)
        )
    return participant._ranked_ids


def _recommendations(discussion: Discussion) -> list:
    return list(discussion.recommendation_set.recommendations.order_by("number"))


def _lists_context(request, participant: Participant, revisions: tuple[int, int], now) -> dict:
    """The table's lists and the poll that keeps them fresh.

    `revisions` are the discussion's and the group's, read before the lists are: a
    write in between shows up one poll later, never the other way round.
    """
    discussion = participant.discussion
    timer_context = _timer_context(discussion, now)

    def drawn(model):
        open_ = timer_context["open"]
        return phone_lists.draw(request, participant, model, open=open_)

    # Lazy: an htmx answer renders one part and should query only for it.
    areas = SimpleLazyObject(lambda: drawn(MissingArea))
    activities = SimpleLazyObject(lambda: drawn(ActivityProposal))
    return {
        "discussion": discussion,
        "participant": participant,
        "areas": areas,
        "activities": activities,
        "timer": timer_context,
        "mode": _mode(discussion, now),
        "poll_seconds": PHONE_POLL_SECONDS,
        "poll_query": SimpleLazyObject(
            lambda: urlencode(
                {
                    "mode": _mode(discussion, now),
                    "g": participant.group_id,
                    "rev": sum(revisions),
                    "at": int(now.timestamp()),
                    "w": _jittered(_list_wait(discussion)),
                }
            )
        ),
    }


def _page_context(request, participant: Participant, recs=None, only=None, **extra) -> dict:
    """Everything the page shows; with `only`, what that one part of it needs (an
    htmx answer to a write), so an area's +1 does not read the ballot."""
    discussion = participant.discussion
    now = timezone.now()
    if recs is None:
        recs = SimpleLazyObject(lambda: _recommendations(discussion))
    context = {
        **_lists_context(
            request, participant, (discussion.revision, participant.group.revision), now
        ),
        "recs": recs,
        "groups": SimpleLazyObject(lambda: list(discussion.groups.all())),
        # Only once the facilitator reveals them, so no group is swayed while it talks.
        "results": (
            SimpleLazyObject(lambda: results.for_phone(discussion, participant.group_id))
            if discussion.results_revealed
            else None
        ),
        "errors": {},
        "drafts": {},
        "announce": "",
    }
    if only in (None, "ranking"):
        context.update(_ranking_context(participant, recs))
    context.update(extra)
    return context


@require_GET
def phone(request, discussion_id):
    participant = _participant_or_404(request, discussion_id)
    return render(request, "discussions/phone.html", _page_context(request, participant))


@require_GET
def poll(request, discussion_id):
    """Answer 204 after one lookup when the lists are up to date; else redraw them.

    The page polls with what it shows: its mode, its group, their revision, when
    it was drawn and how long it may wait to redraw its lists (LIST_REDRAWS_PER_SECOND).
    Every answer carries the clock in a header, so every poll re-syncs the countdown.
    """
    group_id = _int_or_none(request.GET.get("g"))
    row = _poll_row(discussion_id, group_id or 0)
    # The cookie is checked by its signature alone here: no query on the fast path.
    if row is None or _participant_id(request, discussion_id) is None:
        raise Http404("no participant")
    now = timezone.now()
    mode = _mode(row, now)
    if request.GET.get("mode") != mode or row.group_revision is None:
        # The page itself must change (the clock's state, the results, or the
        # group is not there): the phone reloads it.
        response = _refresh(_reload_spread(request, mode))
        _clock_header(response, row, now)
        return response
    if _unchanged(request.GET, row, now):
        response = HttpResponse(status=204)
        _clock_header(response, row, now)
        return response
    participant = _participant_or_404(request, discussion_id)
    if participant.group_id != group_id:
        return _refresh()  # moved to another table from another tab
    context = _lists_context(request, participant, (row.revision, row.group_revision), now)
    response = render(request, "discussions/phone_poll.html", context)
    _clock_header(response, row, now)
    return response


# The poll's path as discussions/urls.py routes it (tests/test_phone.py checks that
# they agree), for the WSGI fast path below.
_POLL_PATH = re.compile(r"/d/([0-9]{1,18})/poll/")


def unchanged_poll(environ) -> list[tuple[str, str]] | None:
    """The headers of a 204 for a phone whose page is up to date, decided before
    Django's request handling; None when the view must answer. gransforum/wsgi.py
    sends the 204.

    Most polls in a full hall are this answer, and through the middleware, the URL
    resolver and the request signals it cost the app server about 1.5 ms of CPU over
    HTTP, of which gunicorn's own part is 0.6 ms (bench/RESULTS.md, sixth series).
    Here it makes the view's own checks (_participant_id, _mode, _unchanged) and
    Django's on the host and HTTPS, but only from this process's fresh copy of the poll row:
    nothing here reads the database or the cache. Anything else (no fresh copy,
    another mode, a bad cookie or host, a body, plain HTTP where HTTPS is required)
    goes to the view, which answers as it always did.
    """
    if environ.get("REQUEST_METHOD") != "GET" or environ.get("CONTENT_LENGTH"):
        return None
    match = _POLL_PATH.fullmatch(environ.get("PATH_INFO", ""))
    if match is None or environ.get("HTTP_TRANSFER_ENCODING"):
        return None
    discussion_id = int(match[1])
    # The query as a dict, not the request's QueryDict (a third of the time here);
    # like QueryDict.get, a repeated name gives its last value.
    query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
    copy = _poll_row_copy((discussion_id, _int_or_none(query.get("g")) or 0))
    if copy is None or copy[0] is None or copy[0].group_revision is None:
        return None
    row = copy[0]
    request = WSGIRequest(environ)
    try:
        request.get_host()  # ALLOWED_HOSTS, which Django would check
    except DisallowedHost:
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None
    if _participant_id(request, discussion_id) is None:
        return None
    now = timezone.now()
    if query.get("mode") != _mode(row, now) or not _unchanged(query, row, now):
        return None
    return [("X-Timer", _clock(row, now)), *_security_headers(request.is_secure())]


@functools.cache
def _security_headers(secure: bool) -> tuple[tuple[str, str], ...]:
    """What the middleware adds to every answer (SecurityMiddleware, XFrameOptions,
    ContentSecurityPolicy, permissions_policy), for the fast 204 above; a test
    compares them with the view's 204. Content-Language and Vary are left out: a
    204 has no content to be in a language. Made once: they follow the settings only."""
    headers = []
    if settings.SECURE_HSTS_SECONDS and secure:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        hsts += "; includeSubDomains" if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS else ""
        hsts += "; preload" if settings.SECURE_HSTS_PRELOAD else ""
        headers.append(("Strict-Transport-Security", hsts))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append(("Referrer-Policy", settings.SECURE_REFERRER_POLICY))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Frame-Options", settings.X_FRAME_OPTIONS))
    if settings.SECURE_CSP:
        headers.append(("Content-Security-Policy", build_policy(settings.SECURE_CSP)))
    headers.append(("Permissions-Policy", settings.PERMISSIONS_POLICY))
    return tuple(headers)


@receiver(setting_changed)
def _forget_security_headers(**kwargs) -> None:
    _security_headers.cache_clear()  # a test changed the settings


@dataclass(frozen=True, slots=True)
class _PollRow:
    """What the poll's one query reads; quacks like a Discussion for _mode and the clock."""

    revision: int
    results_revealed: bool
    clock: timer.Clock
    group_revision: int | None  # None: no such group in this discussion


# (discussion id, group id) -> (time.monotonic() when read, the row): this process's
# copy of recent poll rows; see _poll_row.
_poll_rows: dict[tuple[int, int], tuple[float, "_PollRow | None"]] = {}


def _unchanged(query, row: _PollRow, now) -> bool:
    """Whether the page that polls with `query` may stay as it is: it shows the
    latest revision, or its lists may wait (_lists_due). Its mode is the row's."""
    revision = row.revision + row.group_revision
    return query.get("rev") == str(revision) or not _lists_due(query, now)


def _poll_row(discussion_id: int, group_id: int) -> _PollRow | None:
    """The poll's row, read at most settings.PHONE_POLL_CACHE_SECONDS ago by this process.

    Every phone asks every 5 s, so this is the hottest path of the app: in a hall
    of 2,000 a table's fifty phones ask ten times a second. A one-second-old answer
    only means a phone may learn of a change one poll later (nothing it writes goes
    through here), and it takes the database and the query off most polls.
    """
    key = (discussion_id, group_id)
    copy = _poll_row_copy(key)
    if copy is not None:
        return copy[0]
    row = _read_poll_row(discussion_id, group_id)
    if settings.PHONE_POLL_CACHE_SECONDS:
        if len(_poll_rows) > 10_000:  # old discussions' keys: a bound, not an LRU
            _poll_rows.clear()
        _poll_rows[key] = (time.monotonic(), row)
    return row


def _poll_row_copy(key: tuple[int, int]) -> tuple[_PollRow | None] | None:
    """This process's copy of a poll row, in a 1-tuple, if it is fresh enough; else None."""
    ttl = settings.PHONE_POLL_CACHE_SECONDS
    copy = _poll_rows.get(key) if ttl else None
    if copy is not None and time.monotonic() - copy[0] < ttl:
        return (copy[1],)
    return None


def _read_poll_row(discussion_id: int, group_id: int) -> _PollRow | None:
    """One query through a cursor: the ORM took longer to build it than the answer took."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.revision, d.results_revealed, d.duration_seconds, d.started_at,"
            " d.paused_at, d.paused_seconds, d.ended_at, g.revision"
            f" FROM {Discussion._meta.db_table} d LEFT JOIN {Group._meta.db_table} g"
            " ON g.id = %s AND g.discussion_id = d.id WHERE d.id = %s",
            [group_id, discussion_id],
        )
        found = cursor.fetchone()
    if found is None:
        return None
    revision, revealed, duration, started, paused, paused_seconds, ended, group_revision = found
    clock = timer.Clock(
        duration_seconds=duration,
        started_at=_db_datetime(started),
        paused_at=_db_datetime(paused),
        paused_seconds=paused_seconds,
        ended_at=_db_datetime(ended),
    )
    return _PollRow(revision, bool(revealed), clock, group_revision)


def _db_datetime(value):
    """A datetime column as the ORM would give it: SQLite hands back naive UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _list_wait(discussion) -> int:
    """Seconds a phone waits before redrawing lists others changed (see the top)."""
    return min(LIST_REDRAW_MAX_SECONDS, hall_size(discussion) // LIST_REDRAWS_PER_SECOND)


def hall_size(discussion) -> int:
    """How many take part, for the waits of the phones and the facilitator's screens.

    Counted at most every PARTICIPANTS_COUNT_SECONDS: the waits need not follow every
    join, but must keep up with a hall filling up (a minute-old count in a hall
    filling at 17 people a second let the first hundreds redraw on every poll).
    """
    key = f"gf:participants:{discussion.pk}:{discussion.created_at.timestamp()}"
    return cache.get_or_set(key, discussion.participants.count, PARTICIPANTS_COUNT_SECONDS)


def _jittered(wait: int) -> int:
    """A wait between half and all of `wait`, different for each drawing. With the
    same wait for all, the phones that a slow moment (the joins) made redraw together
    redrew together again a minute later, and so on: a measured wave of poll 200s
    every 60-65 s, the slowest moments of a 2,000-phone run (bench/RESULTS.md)."""
    if wait <= PHONE_POLL_SECONDS:
        return wait
    return random.randint(wait // 2, wait)


def _lists_due(query, now) -> bool:
    """Whether the page's lists have waited long enough to be redrawn."""
    drawn_at = _int_or_none(query.get("at")) or 0
    wait = min(LIST_REDRAW_MAX_SECONDS, _int_or_none(query.get("w")) or 0)
    return wait <= PHONE_POLL_SECONDS or now.timestamp() - drawn_at >= wait


def _refresh(spread: float = 0):
    """204 that makes the page reload: at once, or at a random moment within `spread`
    seconds (phone.js), so a full hall does not reload all in the same second."""
    response = HttpResponse(status=204)
    if spread:
        response["HX-Trigger"] = json.dumps({"gf-reload": {"within": spread}})
    else:
        response["HX-Refresh"] = "true"
    return response


def _reload_spread(request, mode: str) -> float:
    """When the time is up every phone learns it within one poll and reloads its page:
    the stampede that has brought down other voting apps. The answer's X-Timer already
    shows "Tiden är ute" and a late save is refused with the text kept, so the reload
    (to the read-only page) can wait: in a big hall it is spread over the same wait
    as the lists' redraws (a minute at most). The start is not spread: people wait
    for it."""
    if not mode.startswith("closed"):
        return 0
    wait = min(LIST_REDRAW_MAX_SECONDS, _int_or_none(request.GET.get("w")) or 0)
    return wait if wait > PHONE_POLL_SECONDS else 0


def _clock_header(response, discussion: Discussion, now) -> None:
    response["X-Timer"] = _clock(discussion, now)


def _clock(discussion: Discussion, now) -> str:
    """The clock for phone.js: its state and the seconds left, e.g. "running 754"."""
    return f"{timer.state(discussion.clock, now).value} {timer.seconds_left(discussion.clock, now)}"


# --- Actions ------------------------------------------------------------------


def _respond(
    request,
    participant,
    part: str,
    anchor: str,
    *,
    refused: Refused | None = None,
    drafts=None,
    announce="",
    recs=None,
):
    """After an action: the changed part for htmx, else back to the page (or the page
    with the reason and the typed text when refused)."""
    if refused is None and not request.htmx:
        return HttpResponseRedirect(
            reverse("phone", args=[participant.discussion_id]) + anchor, status=303
        )
    errors = {part: refused.message} if refused else {}
    context = _page_context(
        request,
        participant,
        recs,
        only=part if request.htmx else None,
        errors=errors,
        drafts=drafts or {},
        announce=announce,
    )
    status = refused.status if refused else 200
    if request.htmx:
        # The part that changed, plus the message for screen readers in the
        # page's persistent live region (out of band).
        context["part_template"] = f"discussions/phone.html#{part}"
        response = render(request, "discussions/phone_part.html", context, status=status)
    else:
        response = render(request, "discussions/phone.html", context, status=status)
    _clock_header(response, participant.discussion, timezone.now())
    return response


@require_POST
@vary_on_headers("HX-Request")
def rank(request, discussion_id):
    participant = _participant_or_404(request, discussion_id)
    recs = _recommendations(participant.discussion)
    try:
        if "order" not in request.POST:  # an empty order clears the ballot; none is an error
            raise Refused(_("Rangordningen saknas i förfrågan."))
        order = services.parse_order(request.POST["order"], [r.number for r in recs])
        services.save_ranking(participant, order, recs)
    except Refused as refused:
        return _respond(request, participant, "ranking", "#fraga-1", refused=refused, recs=recs)
    participant._ranked_ids = [next(r.pk for r in recs if r.number == n) for n in order]
    announce = (
        _("Din rangordning: %(order)s.") % {"order": ", ".join(str(n) for n in order)}
        if order
        else _("Din rangordning är tom.")
    )
    return _respond(request, participant, "ranking", "#fraga-1", announce=announce, recs=recs)


@require_POST
@vary_on_headers("HX-Request")
def why(request, discussion_id):
    participant = _participant_or_404(request, discussion_id)
    raw = request.POST.get("why", "")
    try:
        if "why" not in request.POST:
            raise Refused(_("Motiveringen saknas i förfrågan."))
        services.save_why(participant, services.clean_text(raw, required=False))
    except Refused as refused:
        return _respond(
            request, participant, "why", "#varfor", refused=refused, drafts={"why": raw}
        )
    return _respond(request, participant, "why", "#varfor", announce=_("Sparat."))


@require_POST
@vary_on_headers("HX-Request")
def change_group(request, discussion_id):
    participant = _participant_or_404(request, discussion_id)
    try:
        services.change_group(
            participant,
            _int_or_none(request.POST.get("group")) or 0,
            services.clean_name(request.POST.get("name")),
        )
    except Refused as refused:
        return _respond(request, participant, "group", "#grupp", refused=refused)
    return redirect_or_refresh(request, participant)


def redirect_or_refresh(request, participant):
    if request.htmx:
        # The whole page depends on the group: reload it.
        return _refresh()
    return HttpResponseRedirect(reverse("phone", args=[participant.discussion_id]), status=303)


def _entry_kind(kind: str):
    model = ENTRY_MODELS.get(kind)
    if model is None:
        raise Http404("unknown kind")
    return model


def _part_for(model) -> tuple[str, str]:
    return ("areas", "#fraga-2") if model is MissingArea else ("activities", "#fraga-3")


def _read_entry_form(request, participant, model):
    text = services.clean_text(request.POST.get("text"))
    recommendation = None
    if model is ActivityProposal:
        number = _int_or_none(request.POST.get("recommendation"))
        recommendation = participant.discussion.recommendation_set.recommendations.filter(
            number=number or 0
        ).first()
        if recommendation is None:
            raise Refused(_("Välj vilken rekommendation aktiviteten hör till."))
    return text, recommendation


@require_POST
@vary_on_headers("HX-Request")
def entry_add(request, discussion_id, kind):
    participant = _participant_or_404(request, discussion_id)
    model = _entry_kind(kind)
    part, anchor = _part_for(model)
    try:
        text, recommendation = _read_entry_form(request, participant, model)
        services.add_entry(participant, model, text, recommendation)
    except Refused as refused:
        drafts = {
            kind: request.POST.get("text", ""),
            "recommendation": request.POST.get("recommendation", ""),
        }
        return _respond(request, participant, part, anchor, refused=refused, drafts=drafts)
    return _respond(request, participant, part, anchor, announce=_("Tillagt."))


def _own_entry_or_404(participant, model, pk):
    entry = model.objects.filter(pk=pk, author=participant).first()
    if entry is None:
        raise Http404("not yours")
    return entry


@require_http_methods(["GET", "POST"])
def entry_edit(request, discussion_id, kind, pk):
    participant = _participant_or_404(request, discussion_id)
    model = _entry_kind(kind)
    entry = _own_entry_or_404(participant, model, pk)
    context = {
        "participant": participant,
        "discussion": participant.discussion,
        "entry": entry,
        "kind": kind,
        "recs": participant.discussion.recommendation_set.recommendations.order_by("number"),
        "text": entry.text,
        "recommendation_number": getattr(getattr(entry, "recommendation", None), "number", None),
        "error": None,
    }
    if request.method == "POST":
        try:
            text, recommendation = _read_entry_form(request, participant, model)
            services.edit_entry(participant, entry, text, recommendation)
        except Refused as refused:
            context.update(
                error=refused.message,
                text=request.POST.get("text", ""),
                recommendation_number=_int_or_none(request.POST.get("recommendation")),
            )
            return render(
                request, "discussions/phone_entry_edit.html", context, status=refused.status
            )
        return HttpResponseRedirect(
            reverse("phone", args=[discussion_id]) + _part_for(model)[1], status=303
        )
    return render(request, "discussions/phone_entry_edit.html", context)


@require_POST
@vary_on_headers("HX-Request")
def entry_withdraw(request, discussion_id, kind, pk):
    participant = _participant_or_404(request, discussion_id)
    model = _entry_kind(kind)
    part, anchor = _part_for(model)
    entry = _own_entry_or_404(participant, model, pk)
    try:
        services.withdraw_entry(participant, entry)
    except Refused as refused:
        return _respond(request, participant, part, anchor, refused=refused)
    return _respond(request, participant, part, anchor, announce=_("Borttaget."))


@require_POST
@vary_on_headers("HX-Request")
def entry_endorse(request, discussion_id, kind, pk):
    participant = _participant_or_404(request, discussion_id)
    model = _entry_kind(kind)
    part, anchor = _part_for(model)
    entry = model.objects.filter(pk=pk, discussion_id=discussion_id, hidden=False).first()
    if entry is None:
        raise Http404("no such entry")
    want = request.POST.get("want")
    if want not in ("0", "1"):
        return _respond(request, participant, part, anchor, refused=Refused(_("Ogiltig begäran.")))
    try:
        services.endorse(participant, entry, want == "1")
    except Refused as refused:
        return _respond(request, participant, part, anchor, refused=refused)
    announce = _("+1 sparat.") if want == "1" else _("+1 borttaget.")
    return _respond(request, participant, part, anchor, announce=announce)


def _int_or_none(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**62 else None

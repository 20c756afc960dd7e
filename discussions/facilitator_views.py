"""The facilitator during the discussion: the controls, the projector, the live
dashboard and moderation. (Set-up is setup_views.py.)

Every view needs a login and works only on workshops the user is a member of;
anything else is a 404. Controls are POST forms that redirect back (303) without
JavaScript; with htmx they answer 204 and tell the page to poll at once
(HX-Trigger), and a refusal answers 4xx with the reason as text.

The live regions poll every two seconds with the revision, the clock and the
projector's choice they show, and answer 204 after one query when none changed
(`_change`); a projector page whose view the facilitator has changed loads the
chosen one (`_follow`). The clock and the
facilitator's own changes are drawn at once; the participants' answers once they
are counted, one poll later, and in a big hall after a wait of a few seconds
(discussions/hall.py). Every number comes from results.of().

Past 400 lines, with a reason: the dashboard, the projector and their controls
share that live-region machinery (`_change`, `_live_context`, `_follow`), which the
plenary's views (plenary_views.py) import too. Splitting the projector's views off
into a module of their own is the next clean-up, once nothing else moves here.
"""

import difflib
import enum
import math
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from discussions import after_answer, facilitator_writes, hall, plenary, results, rounds, timer
from discussions.access import discussion_for_user
from discussions.converters import id_or_none
from discussions.locks import CLOCK_FIELDS
from discussions.models import ENTRY_MODELS, TEXT_MAX, Discussion, ModerationEvent, ProjectorView
from discussions.refused import Refused

# The last minute shows in the warning colour, on the projector as on the phones.
LOW_SECONDS = 60
# A conference writes hundreds of texts; the dashboard shows the first few of each
# list unless asked for all.
LIST_LIMIT = 15
WHY_LIMIT = 4
# At most this many groups named in a live poll's `open` (more are ignored).
MAX_OPEN_GROUPS = 200
STATE_LABELS = {
    timer.State.NOT_STARTED: gettext_lazy("Inte startad"),
    timer.State.RUNNING: gettext_lazy("Pågår"),
    timer.State.PAUSED: gettext_lazy("Pausad"),
    timer.State.ENDED: gettext_lazy("Tiden är ute"),
}
# Where a control sends a browser without JavaScript back to: a name, never a URL
# from the form, so the redirect cannot be pointed elsewhere.
BACK = {
    "dashboard": "facilitator:dashboard",
    "projector": "facilitator:projector",
    "results": "facilitator:projector_results",
    "areas": "facilitator:projector_areas",
    "activities": "facilitator:projector_activities",
    "reasons": "facilitator:projector_reasons",
    "coverage": "facilitator:projector_coverage",
    "groups": "facilitator:groups",
}
# The projector's views, each its own page, and the key that shows it (facilitator.js).
PROJECTOR_PAGES = {
    ProjectorView.TIMER: "facilitator:projector",
    ProjectorView.RESULTS: "facilitator:projector_results",
    ProjectorView.AREAS: "facilitator:projector_areas",
    ProjectorView.ACTIVITIES: "facilitator:projector_activities",
    ProjectorView.REASONS: "facilitator:projector_reasons",
    ProjectorView.COVERAGE: "facilitator:projector_coverage",
}
PROJECTOR_KEYS = {
    ProjectorView.TIMER: "t",
    ProjectorView.RESULTS: "r",
    ProjectorView.AREAS: "s",
    ProjectorView.ACTIVITIES: "a",
    ProjectorView.REASONS: "m",
    ProjectorView.COVERAGE: "k",  # "kartläggning": T, the timer's, is taken
}


def _entry_model(kind):
    model = ENTRY_MODELS.get(kind)
    if model is None:
        raise Http404("unknown kind")
    return model


# --- Answers to controls ------------------------------------------------------------


def _done(request, discussion_id):
    if request.htmx:
        # The live region listens for this and polls at once.
        response = HttpResponse(status=204)
        response["HX-Trigger"] = "gf-changed"
        return response
    name = BACK.get(request.POST.get("next"), BACK["dashboard"])
    return HttpResponseRedirect(reverse(name, args=[discussion_id]), status=303)


def _refused(request, discussion_id, refused: Refused):
    if request.htmx:
        # facilitator.js shows this text; it never becomes HTML.
        return HttpResponse(
            refused.message, status=refused.status, content_type="text/plain; charset=utf-8"
        )
    name = BACK.get(request.POST.get("next"), BACK["dashboard"])
    context = {"message": refused.message, "back": reverse(name, args=[discussion_id])}
    return render(request, "facilitator/refused.html", context, status=refused.status)


# --- Timer, reveal, moderation ------------------------------------------------------


@login_required
@require_POST
@vary_on_headers("HX-Request")
def timer_control(request, discussion_id, action):
    discussion = discussion_for_user(request, discussion_id)
    try:
        facilitator_writes.run_timer(discussion.pk, action)
    except Refused as refused:
        return _refused(request, discussion.pk, refused)
    return _done(request, discussion.pk)


@login_required
@require_GET
def end_confirm(request, discussion_id):
    """Before "End now": this page without JavaScript (with it, a dialog on the
    page itself, facilitator/_end_dialog.html). Its form posts to timer_control."""
    discussion = discussion_for_user(request, discussion_id)
    name = request.GET.get("next")
    if name not in BACK:
        name = "dashboard"
    context = {
        "discussion": discussion,
        "next": name,
        "back": reverse(BACK[name], args=[discussion.pk]),
    }
    return render(request, "facilitator/end_confirm.html", context)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def reveal(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    wanted = request.POST.get("reveal")
    if wanted not in ("0", "1"):
        return _refused(request, discussion.pk, Refused(_("Ogiltig begäran.")))
    facilitator_writes.reveal_results(discussion.pk, wanted == "1")
    return _done(request, discussion.pk)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def second_round(request, discussion_id):
    """Open round 2 (discussions/rounds.py), with its length in minutes from the form."""
    discussion = discussion_for_user(request, discussion_id)
    try:
        seconds = rounds.parse_minutes(request.POST.get("minutes"), discussion.duration_seconds)
        rounds.open_second_round(discussion.pk, seconds)
    except Refused as refused:
        return _refused(request, discussion.pk, refused)
    return _done(request, discussion.pk)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def entry_hide(request, discussion_id, kind, pk):
    discussion = discussion_for_user(request, discussion_id)
    model = _entry_model(kind)
    wanted = request.POST.get("hidden")
    try:
        if wanted not in ("0", "1"):
            raise Refused(_("Ogiltig begäran."))
        facilitator_writes.set_hidden(
            model, discussion.pk, pk, wanted == "1", by=request.user, reason=_reason(request)
        )
    except Refused as refused:
        return _refused(request, discussion.pk, refused)
    return _done(request, discussion.pk)


def _reason(request) -> str:
    """The optional reason typed beside a moderation button (the log keeps it)."""
    return " ".join(request.POST.get("reason", "").split())[:TEXT_MAX]


@login_required
@require_POST
@vary_on_headers("HX-Request")
def merge_undo(request, discussion_id, event_id):
    """Undo a merge from the dashboard's log: both entries as they were before."""
    discussion = discussion_for_user(request, discussion_id)
    try:
        facilitator_writes.unmerge(
            discussion.pk, event_id, by=request.user, reason=_reason(request)
        )
    except Refused as refused:
        return _refused(request, discussion.pk, refused)
    return _done(request, discussion.pk)


@login_required
@require_http_methods(["GET", "POST"])
def entry_merge(request, discussion_id, kind, pk):
    """GET: pick the entry to merge this one into (likely duplicates first). POST: merge."""
    discussion = discussion_for_user(request, discussion_id)
    model = _entry_model(kind)
    source = model.objects.filter(pk=pk, discussion=discussion).select_related("group").first()
    if source is None:
        raise Http404("no such entry")
    if request.method == "POST":
        target_id = id_or_none(request.POST.get("into"))
        try:
            if target_id is None:
                raise Refused(_("Välj vilket inlägg det ska slås ihop med."))
            facilitator_writes.merge(
                model, discussion.pk, source.pk, target_id, by=request.user, reason=_reason(request)
            )
        except Refused as refused:
            return _refused(request, discussion.pk, refused)
        return _done(request, discussion.pk)
    candidates = list(
        model.objects.filter(discussion=discussion, hidden=False, merged_into__isnull=True)
        .exclude(pk=source.pk)
        .select_related("group")
        .annotate(n_endorsements=Count("endorsements"))
    )
    wanted = source.text.casefold()

    def likeness(entry):
        return difflib.SequenceMatcher(None, wanted, entry.text.casefold()).ratio()

    candidates.sort(key=lambda entry: (-likeness(entry), -entry.n_endorsements, entry.pk))
    context = {
        "discussion": discussion,
        "workshop": discussion.workshop,
        "source": source,
        "kind": kind,
        "candidates": candidates,
    }
    return render(request, "facilitator/merge.html", context)


# --- Live regions -------------------------------------------------------------------


def _timer_context(discussion, now) -> dict:
    clock = discussion.clock
    state = timer.state(clock, now)
    left = timer.seconds_left(clock, now)
    return {
        "state": state.value,
        "label": STATE_LABELS[state],
        "seconds_left": left,
        "mmss": timer.format_mmss(left),
        "not_started": state is timer.State.NOT_STARTED,
        "running": state is timer.State.RUNNING,
        "paused": state is timer.State.PAUSED,
        "ended": state is timer.State.ENDED,
        "low": state is timer.State.RUNNING and left <= LOW_SECONDS,
        # "End now" after the time ran out on its own makes that end final.
        "can_end": discussion.ended_at is None,
        "can_extend": discussion.ended_at is None,
    }


def _live_context(discussion, name, revision, **params) -> dict:
    """The clock, and the URL the live region polls with what it shows: the live
    revision of what it draws (`revision`), the clock's state, the facilitator's own
    revision, when it was drawn and how long the participants' answers may wait."""
    now = timezone.now()
    timer_context = _timer_context(discussion, now)
    query = {
        "rev": revision,
        "state": timer_context["state"],
        "drev": discussion.revision,
        "at": int(now.timestamp()),
        "w": hall.screen_wait(discussion.pk),
        "ps": discussion.projector_shown,
        **params,
    }
    return {
        "discussion": discussion,
        "workshop": discussion.workshop,
        "timer": timer_context,
        "poll_url": f"{reverse(name, args=[discussion.pk])}?{urlencode(query)}",
        "poll_seconds": hall.SCREEN_POLL_SECONDS,
    }


class Change(enum.Enum):
    """What a live region's poll finds changed since its page was drawn."""

    NOTHING = "nothing"  # or only the participants' answers, in a big hall's wait
    ANSWERS = "answers"  # the participants' answers: drawn once counted
    SHOWN = "shown"  # the clock's state or the facilitator's own change: drawn now


def _change(request, discussion_id) -> Change:
    """The poll's one query, no counting. The clock's state is in the poll's URL as
    well as the revision: time runs out on its own, without a write."""
    row = (
        Discussion.with_live_revision(
            Discussion.objects.only("revision", "projector_shown", *CLOCK_FIELDS)
        )
        .filter(pk=discussion_id, workshop__members=request.user)
        .first()
    )
    if row is None:
        raise Http404("no such discussion")
    now = timezone.now()
    if request.GET.get("state") != timer.state(row.clock, now).value:
        return Change.SHOWN
    # The facilitator chose what the projector shows (`ps`: as the region drew it).
    if request.GET.get("ps", str(row.projector_shown)) != str(row.projector_shown):
        return Change.SHOWN
    if request.GET.get("rev") == str(row.live_revision):
        return Change.NOTHING
    if request.GET.get("drev") != str(row.revision):
        return Change.SHOWN
    drawn_at = id_or_none(request.GET.get("at")) or 0
    wait = min(hall.LIVE_REDRAW_MAX_SECONDS, id_or_none(request.GET.get("w")) or 0)
    if hall.waited_enough(drawn_at, wait, hall.SCREEN_POLL_SECONDS, now.timestamp()):
        return Change.ANSWERS
    return Change.NOTHING


def _live_results(request, discussion, change: Change, weighting=results.PARTICIPANT):
    """The results a live region draws, or None when there are none newer than it
    shows. The participants' answers are drawn once counted, which happens after the
    poll that found them is answered (results.of), so no poll waits for a count; in
    a big hall, results counted within the hall's wait are good enough to draw."""
    if change is not Change.ANSWERS:
        return results.of(discussion, weighting)
    wait = min(hall.LIVE_REDRAW_MAX_SECONDS, id_or_none(request.GET.get("w")) or 0)
    counted = results.of(discussion, weighting, kept_for=wait)
    if str(counted.revision) == request.GET.get("rev"):
        return None
    return counted


def _follow(request, discussion, view):
    """A projector page's poll, once the facilitator has chosen to show another view
    (since the page was drawn): the answer that loads that view's page; else None.
    A page opened by hand shows its own view until the facilitator next chooses."""
    chosen = discussion.projector_view
    if view == chosen or request.GET.get("ps") in (None, str(discussion.projector_shown)):
        return None
    return HttpResponseClientRedirect(reverse(PROJECTOR_PAGES[chosen], args=[discussion.pk]))


def projector_choice(discussion, view, counted=None) -> dict:
    """What the projector's navigation (_projector_nav.html) draws: the views with
    their keys, `view` as the current one, and its page of its pages (plenary.py);
    `counted`: the results, for a view of the plenary."""
    # The plenary follows the room's order only once the ranking is revealed.
    ranked = discussion.results_revealed and counted is not None and counted.room.ballots > 0
    if view in plenary.MOST and counted is not None:
        pages = plenary.pages(view, counted, ranked=ranked, names=discussion.projector_names)
    else:
        pages = [None]
    wanted = discussion.projector_page if discussion.projector_view == view else 1
    number = min(max(wanted, 1), len(pages))
    return {
        "view": view,
        "views": [(v, label, PROJECTOR_KEYS[v]) for v, label in ProjectorView.choices],
        "page": pages[number - 1],
        "number": number,
        "count": len(pages),
        "ranked": ranked,
        "names": discussion.projector_names,
        # Only where reasons show, and only if someone gave a name.
        "names_possible": view == ProjectorView.REASONS
        and counted is not None
        and plenary.any_names(counted),
    }


def _qr_svg(url: str) -> str:
    # segno writes only its own path data here (no title, no user text), so the
    # markup is safe to embed as it is.
    qr = segno.make(url, error="m")
    return mark_safe(qr.svg_inline(scale=1, border=0, omitsize=True, svgclass="qr-code"))


def _projector_context(discussion, counted) -> dict:
    context = _live_context(discussion, "facilitator:projector_live", counted.revision)
    context["results"] = counted
    context["projector"] = projector_choice(discussion, ProjectorView.TIMER)
    return context


@login_required
@require_GET
def projector(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    context = _projector_context(discussion, results.of(discussion))
    # Where phones reach the app: PUBLIC_URL when set (a laptop serving the room is
    # opened here at 127.0.0.1, which no phone can reach), else this request's host.
    path = discussion.get_join_url()
    join_url = (
        settings.PUBLIC_URL + path if settings.PUBLIC_URL else request.build_absolute_uri(path)
    )
    context.update(
        join_url=join_url,
        join_url_text=join_url.split("://", 1)[-1].rstrip("/"),
        qr_svg=_qr_svg(join_url),
    )
    return render(request, "facilitator/projector.html", context)


@login_required
@require_GET
def projector_live(request, discussion_id):
    change = _change(request, discussion_id)
    if change is Change.NOTHING:
        return HttpResponse(status=204)
    discussion = discussion_for_user(request, discussion_id)
    if moved := _follow(request, discussion, ProjectorView.TIMER):
        return moved
    counted = _live_results(request, discussion, change)
    if counted is None:
        return HttpResponse(status=204)
    context = _projector_context(discussion, counted)
    return render(request, "facilitator/projector.html#live", context)


def _results_context(discussion, counted) -> dict:
    context = _live_context(
        discussion,
        "facilitator:projector_results_live",
        counted.revision,
        vikt=counted.weighting,
    )
    # Results stay off the projector until revealed, so no group is swayed.
    revealed = counted if discussion.results_revealed else None
    context.update(weighting=counted.weighting, results=revealed)
    context["projector"] = projector_choice(discussion, ProjectorView.RESULTS)
    return context


@login_required
@require_GET
def projector_results(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    weighting = results.parse_weighting(request.GET.get("vikt"))
    context = _results_context(discussion, results.of(discussion, weighting))
    return render(request, "facilitator/projector_results.html", context)


@login_required
@require_GET
def projector_results_live(request, discussion_id):
    change = _change(request, discussion_id)
    if change is Change.NOTHING:
        return HttpResponse(status=204)
    discussion = discussion_for_user(request, discussion_id)
    if moved := _follow(request, discussion, ProjectorView.RESULTS):
        return moved
    weighting = results.parse_weighting(request.GET.get("vikt"))
    counted = _live_results(request, discussion, change, weighting)
    if counted is None:
        return HttpResponse(status=204)
    context = _results_context(discussion, counted)
    return render(request, "facilitator/projector_results.html#live", context)


def _open_groups(request) -> frozenset[int]:
    """The groups whose tables the dashboard's live poll asks for: `open=12,15`, sent
    by facilitator.js for the groups the facilitator has opened; anything that is
    not a group id is ignored."""
    ids = request.GET.get("open", "").split(",", MAX_OPEN_GROUPS)[:MAX_OPEN_GROUPS]
    return frozenset(id_or_none(raw) for raw in ids) - {None}


def _dashboard_context(request, discussion, counted, opened=None) -> dict:
    """`opened`: the groups whose tables to draw (the rest closed); None: all."""
    weighting = counted.weighting
    show_all = request.GET.get("alla") == "1"
    params = {"vikt": weighting, **({"alla": "1"} if show_all else {})}
    context = _live_context(discussion, "facilitator:dashboard_live", counted.revision, **params)
    entry_urls = {
        kind: reverse("facilitator:entry_hide", args=[discussion.pk, kind, 1]).removesuffix(
            "1/hide/"
        )
        for kind in ENTRY_MODELS
    }
    context.update(
        results=counted,
        weighting=weighting,
        weightings=results.WEIGHTINGS,
        opened=opened,
        opened_key="all" if opened is None else ",".join(map(str, sorted(opened))),
        show_all=show_all,
        list_limit=None if show_all else LIST_LIMIT,
        list_cut=":" if show_all else f":{LIST_LIMIT}",
        why_cut=":" if show_all else f":{WHY_LIMIT}",
        all_url="?" + urlencode({"vikt": weighting, "alla": "1"}),
        entry_urls=entry_urls,  # /f/d/ID/KIND/: an entry's hide/ and merge/ follow its id
        moderation_log=moderation_log(discussion),
        projector=projector_choice(discussion, discussion.projector_view, counted),
    )
    return context


LOG_LIMIT = 30


def moderation_log(discussion) -> list[ModerationEvent]:
    """The dashboard's log: the newest first, the last LOG_LIMIT (the exports have all)."""
    return list(discussion.moderation_events.order_by("-created_at", "-pk")[:LOG_LIMIT])


@login_required
@require_GET
def dashboard(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    counted = results.of(discussion, request.GET.get("vikt"))
    context = _dashboard_context(request, discussion, counted)
    return render(request, "facilitator/dashboard.html", context)


@login_required
@require_GET
def dashboard_live(request, discussion_id):
    # `fresh`: the facilitator just opened a group that was drawn closed, so its
    # table is wanted now, not when the revision next changes.
    change = Change.SHOWN if "fresh" in request.GET else _change(request, discussion_id)
    if change is Change.NOTHING:
        return HttpResponse(status=204)
    discussion = discussion_for_user(request, discussion_id)
    # A busy hall's redraw drew forty groups' tables that were nearly all closed: the
    # poll draws only those the facilitator has open (the rest as a summary).
    opened = _open_groups(request)
    counted = _live_results(request, discussion, change, request.GET.get("vikt"))
    if change is Change.ANSWERS:
        # New answers are counted once this answer is out (results.of); then draw
        # them too, so that the next redraw finds the board drawn (dashboard.html).
        # By then the count is kept: drawing never counts (kept_for=inf).
        def draw():
            counted = results.of(discussion, request.GET.get("vikt"), kept_for=math.inf)
            context = _dashboard_context(request, discussion, counted, opened)
            render_to_string("facilitator/dashboard.html#live", context, request)

        after_answer.later(("board", discussion.pk, request.get_full_path()), draw)
    if counted is None:
        return HttpResponse(status=204)
    context = _dashboard_context(request, discussion, counted, opened)
    return render(request, "facilitator/dashboard.html#live", context)

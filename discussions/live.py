"""The live regions' machinery, shared by the facilitator's screens (the dashboard,
facilitator_views.py; the projector, projector_views.py; the plenary,
plenary_views.py): its one job is to say what a region's poll finds changed and
what to answer it. A region polls every two seconds with the revision, the clock and
the projector's choice it shows, and is answered 204 after one query when none
changed (`change`); a projector page whose view the facilitator has changed loads the
chosen one (`follow`). The clock and the facilitator's own changes are drawn at once;
the participants' answers once they are counted, one poll later, and in a big hall
after a wait of a few seconds (discussions/hall.py). Every number comes from
results.of(). A control's answer (`done`, `refused`) makes the region poll at once.
"""

import enum
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from discussions import hall, plenary, results, timer
from discussions.converters import id_or_none
from discussions.locks import CLOCK_FIELDS
from discussions.models import Discussion, ProjectorView
from discussions.refused import Refused

# The last minute shows in the warning colour, on the projector as on the phones.
LOW_SECONDS = 60
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


# --- Answers to controls ------------------------------------------------------------


def done(request, discussion_id):
    if request.htmx:
        # The live region listens for this and polls at once.
        response = HttpResponse(status=204)
        response["HX-Trigger"] = "gf-changed"
        return response
    name = BACK.get(request.POST.get("next"), BACK["dashboard"])
    return HttpResponseRedirect(reverse(name, args=[discussion_id]), status=303)


def refused(request, discussion_id, refusal: Refused):
    if request.htmx:
        # facilitator.js shows this text; it never becomes HTML.
        return HttpResponse(
            refusal.message, status=refusal.status, content_type="text/plain; charset=utf-8"
        )
    name = BACK.get(request.POST.get("next"), BACK["dashboard"])
    context = {"message": refusal.message, "back": reverse(name, args=[discussion_id])}
    return render(request, "facilitator/refused.html", context, status=refusal.status)


# --- Live regions -------------------------------------------------------------------


def timer_context(discussion, now) -> dict:
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


def context(discussion, name, revision, **params) -> dict:
    """The clock, and the URL the live region polls with what it shows: the live
    revision of what it draws (`revision`), the clock's state, the facilitator's own
    revision, when it was drawn and how long the participants' answers may wait."""
    now = timezone.now()
    clock = timer_context(discussion, now)
    query = {
        "rev": revision,
        "state": clock["state"],
        "drev": discussion.revision,
        "at": int(now.timestamp()),
        "w": hall.screen_wait(discussion.pk),
        "ps": discussion.projector_shown,
        **params,
    }
    return {
        "discussion": discussion,
        "workshop": discussion.workshop,
        "timer": clock,
        "poll_url": f"{reverse(name, args=[discussion.pk])}?{urlencode(query)}",
        "poll_seconds": hall.SCREEN_POLL_SECONDS,
    }


class Change(enum.Enum):
    """What a live region's poll finds changed since its page was drawn."""

    NOTHING = "nothing"  # or only the participants' answers, in a big hall's wait
    ANSWERS = "answers"  # the participants' answers: drawn once counted
    SHOWN = "shown"  # the clock's state or the facilitator's own change: drawn now


def change(request, discussion_id) -> Change:
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


def results_for(request, discussion, found: Change, weighting=results.PARTICIPANT):
    """The results a live region draws, or None when there are none newer than it
    shows. The participants' answers are drawn once counted, which happens after the
    poll that found them is answered (results.of), so no poll waits for a count; in
    a big hall, results counted within the hall's wait are good enough to draw."""
    if found is not Change.ANSWERS:
        return results.of(discussion, weighting)
    wait = min(hall.LIVE_REDRAW_MAX_SECONDS, id_or_none(request.GET.get("w")) or 0)
    counted = results.of(discussion, weighting, kept_for=wait)
    if str(counted.revision) == request.GET.get("rev"):
        return None
    return counted


def follow(request, discussion, view):
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

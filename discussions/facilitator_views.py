"""The facilitator during the discussion: the controls (the timer, revealing the
results, the second round, moderation: hiding, merging and undoing a merge) and the
live dashboard. Set-up is setup_views.py; the projector's views are projector_views.py
and plenary_views.py; what their live regions share is live.py.

Every view needs a login and works only on workshops the user is a member of;
anything else is a 404. Controls are POST forms that redirect back (303) without
JavaScript; with htmx they answer 204 and tell the page to poll at once
(HX-Trigger), and a refusal answers 4xx with the reason as text (live.done,
live.refused). Every number comes from results.of().
"""

import difflib
import math
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from discussions import after_answer, facilitator_writes, live, results, rounds
from discussions.access import discussion_for_user
from discussions.converters import id_or_none
from discussions.models import ENTRY_MODELS, TEXT_MAX, ModerationEvent
from discussions.refused import Refused

# A conference writes hundreds of texts; the dashboard shows the first few of each
# list unless asked for all.
LIST_LIMIT = 15
WHY_LIMIT = 4
# At most this many groups named in a live poll's `open` (more are ignored).
MAX_OPEN_GROUPS = 200


def _entry_model(kind):
    model = ENTRY_MODELS.get(kind)
    if model is None:
        raise Http404("unknown kind")
    return model


# --- Timer, reveal, moderation ------------------------------------------------------


@login_required
@require_POST
@vary_on_headers("HX-Request")
def timer_control(request, discussion_id, action):
    discussion = discussion_for_user(request, discussion_id)
    try:
        facilitator_writes.run_timer(discussion.pk, action)
    except Refused as refused:
        return live.refused(request, discussion.pk, refused)
    return live.done(request, discussion.pk)


@login_required
@require_GET
def end_confirm(request, discussion_id):
    """Before "End now": this page without JavaScript (with it, a dialog on the
    page itself, facilitator/_end_dialog.html). Its form posts to timer_control."""
    discussion = discussion_for_user(request, discussion_id)
    name = request.GET.get("next")
    if name not in live.BACK:
        name = "dashboard"
    context = {
        "discussion": discussion,
        "next": name,
        "back": reverse(live.BACK[name], args=[discussion.pk]),
    }
    return render(request, "facilitator/end_confirm.html", context)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def reveal(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    wanted = request.POST.get("reveal")
    if wanted not in ("0", "1"):
        return live.refused(request, discussion.pk, Refused(_("Ogiltig begäran.")))
    facilitator_writes.reveal_results(discussion.pk, wanted == "1")
    return live.done(request, discussion.pk)


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
        return live.refused(request, discussion.pk, refused)
    return live.done(request, discussion.pk)


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
        return live.refused(request, discussion.pk, refused)
    return live.done(request, discussion.pk)


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
        return live.refused(request, discussion.pk, refused)
    return live.done(request, discussion.pk)


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
            return live.refused(request, discussion.pk, refused)
        return live.done(request, discussion.pk)
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


# --- Dashboard ----------------------------------------------------------------------


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
    context = live.context(discussion, "facilitator:dashboard_live", counted.revision, **params)
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
        projector=live.projector_choice(discussion, discussion.projector_view, counted),
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
    change = live.Change.SHOWN if "fresh" in request.GET else live.change(request, discussion_id)
    if change is live.Change.NOTHING:
        return HttpResponse(status=204)
    discussion = discussion_for_user(request, discussion_id)
    # A busy hall's redraw drew forty groups' tables that were nearly all closed: the
    # poll draws only those the facilitator has open (the rest as a summary).
    opened = _open_groups(request)
    counted = live.results_for(request, discussion, change, request.GET.get("vikt"))
    if change is live.Change.ANSWERS:
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

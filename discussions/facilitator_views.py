"""The facilitator's side: set-up, the projector, the live dashboard and moderation.

Every view needs a login and works only on workshops the user is a member of;
anything else is a 404, so nobody learns which other workshops exist. Controls
are POST forms that redirect back (303) without JavaScript; with htmx they answer
204 and tell the page to poll at once (HX-Trigger), and a refusal answers 4xx
with the reason as text.

Live regions poll every POLL_SECONDS with the revision and timer state they show.
When both are unchanged the answer is 204 after one query, no aggregation. In a
big hall the participants' changes wait a few seconds before a redraw (LIVE_...),
and the dashboard's numbers are counted in the background (LIVE_BOARD_WAIT_SECONDS).
"""

import difflib
from urllib.parse import urlencode

import segno
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from discussions import control, phone_views, results, timer
from discussions.access import discussion_for_user, workshop_for_user
from discussions.facilitator_forms import (
    DiscussionForm,
    GroupNameForm,
    InviteForm,
    TablesForm,
    WorkshopForm,
)
from discussions.models import ActivityProposal, Discussion, Group, MissingArea
from discussions.services import Refused

POLL_SECONDS = 2
# In a hall of thousands some table writes every second, so the dashboard would
# redraw on every poll, and at 2,000 participants a redraw is a fifth of a second
# of one core, during which that worker's other requests (the phones') wait for
# the interpreter. So participants' changes wait participants / LIVE_PARTICIPANTS_
# PER_SECOND seconds (at most LIVE_REDRAW_MAX_SECONDS) before a redraw: a workshop
# of 40 sees every poll, a hall of 2,000 every 10 s. The facilitator's own actions
# and the clock show at once.
LIVE_PARTICIPANTS_PER_SECOND = 200
LIVE_REDRAW_MAX_SECONDS = 10
# The dashboard's numbers are counted in the background (results.newest_dashboard),
# and a poll for the participants' answers waits for them this long; if they are
# not ready, it answers "nothing new" and the next one, two seconds on, draws them.
# The clock and the facilitator's own changes wait for their redraw.
LIVE_BOARD_WAIT_SECONDS = 0.1
# In a big hall the poll before the redraw is due starts the count (SOON), and the
# redraw takes it if it is no older than this: the hall's numbers two seconds old,
# not the whole wait's, and no poll kept waiting for the count.
LIVE_BOARD_FRESH_SECONDS = POLL_SECONDS + 1
# What a live poll finds changed (_change).
NOTHING, SOON, ANSWERS, SHOWN_STATE = "nothing", "soon", "answers", "shown state"
# The last minute shows in the warning colour, on the projector as on the phones.
LOW_SECONDS = 60
LIST_LIMIT = 15
WHY_LIMIT = 4
# At most this many groups named in a live poll's `open` (more are ignored).
MAX_OPEN_GROUPS = 200
ENTRY_KINDS = {"area": MissingArea, "activity": ActivityProposal}
STATE_LABELS = {
    timer.State.NOT_STARTED: gettext_lazy("Inte startad"),
    timer.State.RUNNING: gettext_lazy("Pågår"),
    timer.State.PAUSED: gettext_lazy("Pausad"),
    timer.State.ENDED: gettext_lazy("Tiden är ute"),
}
# Where a control sends a browser without JavaScript back to: a name, never a
# URL from the form, so the redirect cannot be pointed elsewhere.
BACK = {
    "dashboard": "facilitator:dashboard",
    "projector": "facilitator:projector",
    "results": "facilitator:projector_results",
    "groups": "facilitator:groups",
}
TIMER_FIELDS = ("duration_seconds", "started_at", "paused_at", "paused_seconds", "ended_at")


# --- Access -------------------------------------------------------------------------


def _group_for_user(request, discussion_id, group_id) -> Group:
    # discussion__pk, not discussion_id: Django turns an id past the database's integer
    # range into "no match" only on a lookup of a key itself; on the foreign key column
    # SQLite raises OverflowError (a 500) for /f/d/9223372036854775808/groups/1/delete/.
    group = Group.objects.filter(
        pk=group_id, discussion__pk=discussion_id, discussion__workshop__members=request.user
    ).first()
    if group is None:
        raise Http404("no such group")
    return group


def _entry_model(kind):
    model = ENTRY_KINDS.get(kind)
    if model is None:
        raise Http404("unknown kind")
    return model


def _int_or_none(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**62 else None


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


# --- Set-up -------------------------------------------------------------------------


@login_required
@require_GET
def workshop_list(request):
    workshops = request.user.workshops.annotate(n_discussions=Count("discussions"))
    return render(request, "facilitator/workshop_list.html", {"workshops": workshops})


@login_required
@require_http_methods(["GET", "POST"])
def workshop_create(request):
    form = WorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Together: a workshop without its creator would be one nobody can open.
        with transaction.atomic():
            workshop = form.save()
            workshop.members.add(request.user)
        return HttpResponseRedirect(reverse("facilitator:workshop", args=[workshop.pk]), status=303)
    status = 400 if form.errors else 200
    return render(
        request, "facilitator/workshop_form.html", {"form": form, "workshop": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request, workshop_id):
    workshop = workshop_for_user(request, workshop_id)
    form = WorkshopForm(request.POST or None, instance=workshop)
    if request.method == "POST" and form.is_valid():
        form.save()
        return HttpResponseRedirect(reverse("facilitator:workshop", args=[workshop.pk]), status=303)
    status = 400 if form.errors else 200
    context = {"form": form, "workshop": workshop}
    return render(request, "facilitator/workshop_form.html", context, status=status)


def _workshop_page(request, workshop, invite_form=None, status=200):
    discussions = list(
        workshop.discussions.annotate(
            n_groups=Count("groups", distinct=True),
            n_participants=Count("participants", distinct=True),
        ).order_by("created_at")
    )
    now = timezone.now()
    for discussion in discussions:
        discussion.state_label = STATE_LABELS[timer.state(discussion.clock, now)]
    context = {
        "workshop": workshop,
        "discussions": discussions,
        "members": workshop.members.order_by("username"),
        "invite_form": invite_form or InviteForm(),
    }
    return render(request, "facilitator/workshop_detail.html", context, status=status)


@login_required
@require_GET
def workshop_detail(request, workshop_id):
    return _workshop_page(request, workshop_for_user(request, workshop_id))


@login_required
@require_POST
def workshop_invite(request, workshop_id):
    workshop = workshop_for_user(request, workshop_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _workshop_page(request, workshop, invite_form=form, status=400)
    workshop.members.add(form.cleaned_data["user"])
    return HttpResponseRedirect(reverse("facilitator:workshop", args=[workshop.pk]), status=303)


@login_required
@require_http_methods(["GET", "POST"])
def discussion_create(request, workshop_id):
    workshop = workshop_for_user(request, workshop_id)
    form = DiscussionForm(
        request.POST or None,
        instance=Discussion(workshop=workshop, recommendation_set=workshop.recommendation_set),
        initial={"title": _("Gruppdiskussion")},
    )
    if request.method == "POST" and form.is_valid():
        discussion = form.save()
        # Next step: the tables people will pick from.
        return HttpResponseRedirect(reverse("facilitator:groups", args=[discussion.pk]), status=303)
    status = 400 if form.errors else 200
    context = {"form": form, "workshop": workshop, "discussion": None}
    return render(request, "facilitator/discussion_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def discussion_edit(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    form = DiscussionForm(request.POST or None, instance=discussion)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Question texts and the clock show on every phone.
        Discussion.bump_revision(discussion.pk)
        return HttpResponseRedirect(
            reverse("facilitator:dashboard", args=[discussion.pk]), status=303
        )
    status = 400 if form.errors else 200
    context = {"form": form, "workshop": discussion.workshop, "discussion": discussion}
    return render(request, "facilitator/discussion_form.html", context, status=status)


def _groups_page(request, discussion, *, tables_form=None, rename=None, error="", status=200):
    groups = list(discussion.groups.annotate(n_participants=Count("participants")))
    for group in groups:
        form = (rename or {}).get(group.pk)  # a refused rename: show what was typed, and why
        if form is not None:
            group.typed_name = form.data.get("name", "")
            group.rename_errors = form.errors.get("name", [])
    context = {
        "discussion": discussion,
        "workshop": discussion.workshop,
        "groups": groups,
        "tables_form": tables_form or TablesForm(),
        "error": error,
    }
    return render(request, "facilitator/groups.html", context, status=status)


@login_required
@require_GET
def groups(request, discussion_id):
    return _groups_page(request, discussion_for_user(request, discussion_id))


@login_required
@require_POST
def groups_create(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    form = TablesForm(request.POST)
    if not form.is_valid():
        return _groups_page(request, discussion, tables_form=form, status=400)
    try:
        control.create_tables(discussion, form.cleaned_data["count"])
    except Refused as refused:
        return _groups_page(request, discussion, error=refused.message, status=refused.status)
    return HttpResponseRedirect(reverse("facilitator:groups", args=[discussion.pk]), status=303)


@login_required
@require_POST
def group_rename(request, discussion_id, group_id):
    group = _group_for_user(request, discussion_id, group_id)
    form = GroupNameForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            control.rename_group(group, form.cleaned_data["name"])
        except Refused as refused:
            form.add_error("name", refused.message)
            status = refused.status
    if form.errors:
        discussion = discussion_for_user(request, discussion_id)
        return _groups_page(request, discussion, rename={group.pk: form}, status=status)
    return HttpResponseRedirect(reverse("facilitator:groups", args=[discussion_id]), status=303)


@login_required
@require_POST
def group_delete(request, discussion_id, group_id):
    group = _group_for_user(request, discussion_id, group_id)
    try:
        control.delete_group(group)
    except Refused as refused:
        discussion = discussion_for_user(request, discussion_id)
        return _groups_page(request, discussion, error=refused.message, status=refused.status)
    return HttpResponseRedirect(reverse("facilitator:groups", args=[discussion_id]), status=303)


# --- Timer, reveal, moderation ------------------------------------------------------


@login_required
@require_POST
@vary_on_headers("HX-Request")
def timer_control(request, discussion_id, action):
    discussion = discussion_for_user(request, discussion_id)
    try:
        control.run_timer(discussion.pk, action)
    except Refused as refused:
        return _refused(request, discussion.pk, refused)
    return _done(request, discussion.pk)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def reveal(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    wanted = request.POST.get("reveal")
    if wanted not in ("0", "1"):
        return _refused(request, discussion.pk, Refused(_("Ogiltig begäran.")))
    control.reveal_results(discussion.pk, wanted == "1")
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
        control.set_hidden(model, discussion.pk, pk, wanted == "1")
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
        target_id = _int_or_none(request.POST.get("into"))
        try:
            if target_id is None:
                raise Refused(_("Välj vilket inlägg det ska slås ihop med."))
            control.merge(model, discussion.pk, source.pk, target_id)
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


def _poll_url(name, discussion, state, now, revision=None, **params) -> str:
    """`revision`: the live revision the page shows, when older than the discussion's."""
    query = {
        "rev": discussion.live_revision if revision is None else revision,
        "state": state,
        # The facilitator's own revision, when it was drawn and how long the
        # participants' changes may wait: see LIVE_PARTICIPANTS_PER_SECOND.
        "drev": discussion.revision,
        "at": int(now.timestamp()),
        "w": _live_wait(discussion),
        **params,
    }
    return f"{reverse(name, args=[discussion.pk])}?{urlencode(query)}"


def _live_wait(discussion) -> int:
    participants = phone_views.hall_size(discussion)
    return min(LIVE_REDRAW_MAX_SECONDS, participants // LIVE_PARTICIPANTS_PER_SECOND)


def _unchanged(request, discussion_id) -> bool:
    return _change(request, discussion_id) in (NOTHING, SOON)


def _change(request, discussion_id) -> str:
    """The fast path of every poll: one query, no aggregation. What changed since
    the poll's page was drawn: NOTHING to draw (yet: SOON, at the next poll), the
    participants' ANSWERS, or the SHOWN_STATE (the clock, or the facilitator's own
    changes), which shows at once.

    The answer changes when the revision does, and also when time runs out on its
    own (no write, so no new revision): hence the timer state in the URL too. In a
    big hall a change by participants alone waits for the wait in the URL.
    """
    row = (
        Discussion.with_live_revision(Discussion.objects.only("revision", *TIMER_FIELDS))
        .filter(pk=discussion_id, workshop__members=request.user)
        .first()
    )
    if row is None:
        raise Http404("no such discussion")
    now = timezone.now()
    if request.GET.get("state") != timer.state(row.clock, now).value:
        return SHOWN_STATE
    if request.GET.get("rev") == str(row.live_revision):
        return NOTHING
    if request.GET.get("drev") != str(row.revision):
        return SHOWN_STATE  # the facilitator changed something: show it at once
    drawn_at = _int_param(request.GET.get("at"))
    wait = min(LIVE_REDRAW_MAX_SECONDS, _int_param(request.GET.get("w")))
    waited = now.timestamp() - drawn_at
    if wait > POLL_SECONDS and waited < wait:
        return SOON if waited + POLL_SECONDS >= wait else NOTHING
    return ANSWERS


def _int_param(raw) -> int:
    """A small non-negative integer from the URL; anything else is 0."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 12 else 0


def _no_change():
    return HttpResponse(status=204)


def _live_context(discussion, name, revision=None, **params) -> dict:
    now = timezone.now()
    timer_context = _timer_context(discussion, now)
    poll_url = _poll_url(name, discussion, timer_context["state"], now, revision, **params)
    return {
        "discussion": discussion,
        "workshop": discussion.workshop,
        "timer": timer_context,
        "poll_url": poll_url,
        "poll_seconds": POLL_SECONDS,
    }


def _projector_context(request, discussion) -> dict:
    context = _live_context(discussion, "facilitator:projector_live")
    groups = list(
        discussion.groups.annotate(
            joined=Count("participants"),
            answered=Count("participants", filter=Q(participants__ranked_at__isnull=False)),
        )
    )
    context.update(
        groups=groups,
        joined=sum(g.joined for g in groups),
        answered=sum(g.answered for g in groups),
    )
    return context


def _qr_svg(url: str) -> str:
    # segno writes only its own path data here (no title, no user text), so the
    # markup is safe to embed as it is.
    qr = segno.make(url, error="m")
    return mark_safe(qr.svg_inline(scale=1, border=0, omitsize=True, svgclass="qr-code"))


@login_required
@require_GET
def projector(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    context = _projector_context(request, discussion)
    join_url = request.build_absolute_uri(discussion.get_join_url())
    context.update(
        join_url=join_url,
        join_url_text=join_url.split("://", 1)[-1].rstrip("/"),
        qr_svg=_qr_svg(join_url),
    )
    return render(request, "facilitator/projector.html", context)


@login_required
@require_GET
def projector_live(request, discussion_id):
    if _unchanged(request, discussion_id):
        return _no_change()
    discussion = discussion_for_user(request, discussion_id)
    context = _projector_context(request, discussion)
    return render(request, "facilitator/projector.html#live", context)


def _results_context(request, discussion) -> dict:
    weighting = results.parse_weighting(request.GET.get("vikt"))
    context = _live_context(discussion, "facilitator:projector_results_live", vikt=weighting)
    context["weighting"] = weighting
    if discussion.results_revealed:
        # Results stay off the projector until revealed, so no group is swayed.
        context["rankings"] = results.rankings(discussion, weighting)
    return context


@login_required
@require_GET
def projector_results(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    return render(
        request, "facilitator/projector_results.html", _results_context(request, discussion)
    )


@login_required
@require_GET
def projector_results_live(request, discussion_id):
    if _unchanged(request, discussion_id):
        return _no_change()
    discussion = discussion_for_user(request, discussion_id)
    return render(
        request,
        "facilitator/projector_results.html#live",
        _results_context(request, discussion),
    )


def _open_groups(request) -> frozenset[int]:
    """The groups whose tables the dashboard's live poll asks for: `open=12,15`,
    sent by facilitator.js for the groups the facilitator has opened. Anything that
    is not a group id is ignored."""
    ids = request.GET.get("open", "").split(",", MAX_OPEN_GROUPS)[:MAX_OPEN_GROUPS]
    return frozenset(_int_param(raw) for raw in ids) - {0}


def _dashboard_context(request, discussion, opened=None, board=None) -> dict:
    """`opened`: the groups whose tables to draw; None (the whole page) draws all.
    `board`: the results.newest_dashboard to draw; None computes it now."""
    weighting, show_all = _board_params(request)
    if board is None:
        board = results.newest_dashboard(discussion, weighting, _board_limit(show_all))
    params = {"vikt": weighting, **({"alla": "1"} if show_all else {})}
    context = _live_context(discussion, "facilitator:dashboard_live", board.revision, **params)
    context.update(
        weighting=weighting,
        weightings=results.WEIGHTINGS,
        opened=opened,
        board=board.value,
        show_all=show_all,
        why_limit=WHY_LIMIT,
        why_cut=":" if show_all else f":{WHY_LIMIT}",
        all_url="?" + urlencode({"vikt": weighting, "alla": "1"}),
        entry_urls={kind: _entry_url_prefix(discussion, kind) for kind in ENTRY_KINDS},
    )
    return context


def _board_params(request) -> tuple[str, bool]:
    return results.parse_weighting(request.GET.get("vikt")), request.GET.get("alla") == "1"


def _board_limit(show_all: bool) -> int | None:
    # A conference writes hundreds of texts; the page that re-renders on every
    # change shows the first LIST_LIMIT of each list unless asked for all.
    return None if show_all else LIST_LIMIT


def _entry_url_prefix(discussion, kind: str) -> str:
    """/f/d/ID/KIND/: an entry's hide/ and merge/ follow its id."""
    url = reverse("facilitator:entry_hide", args=[discussion.pk, kind, 1])
    return url.removesuffix("1/hide/")


@login_required
@require_GET
def dashboard(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    return render(request, "facilitator/dashboard.html", _dashboard_context(request, discussion))


@login_required
@require_GET
def dashboard_live(request, discussion_id):
    # `fresh`: the facilitator just opened a group that was drawn closed, so its
    # table is wanted now, not when the revision next changes.
    change = SHOWN_STATE if "fresh" in request.GET else _change(request, discussion_id)
    if change is NOTHING:
        return _no_change()
    discussion = discussion_for_user(request, discussion_id)
    weighting, show_all = _board_params(request)
    if change is SOON:
        results.start_dashboard(discussion, weighting, _board_limit(show_all))
        return _no_change()
    answers = change is ANSWERS
    try:
        board = results.newest_dashboard(
            discussion,
            weighting,
            _board_limit(show_all),
            shown=_int_param(request.GET.get("rev")),
            wait=LIVE_BOARD_WAIT_SECONDS if answers else None,
            fresh_enough=LIVE_BOARD_FRESH_SECONDS if answers else 0,
        )
    except Discussion.DoesNotExist:  # deleted meanwhile, by another member
        raise Http404("no such discussion") from None
    # How old the numbers drawn are, for the browser's developer tools and the
    # benchmark (bench/loadgen.py): "pending" when they are still being counted.
    if board is None:
        response = _no_change()
        response["Server-Timing"] = 'board;desc="pending"'
        return response
    # A busy hall's redraw drew forty groups' tables that were nearly all closed:
    # the poll draws only those the facilitator has open (the rest as a summary).
    context = _dashboard_context(request, discussion, _open_groups(request), board)
    response = render(request, "facilitator/dashboard.html#live", context)
    response["Server-Timing"] = f"board;dur={board.age() * 1000:.0f}"
    return response

"""The projector's own views: the timer with the join code, and the results, each a
page under /f/ for the workshop's members only, with a live region that polls
(discussions/live.py). The plenary's views on the projector are plenary_views.py;
the controls and the dashboard, facilitator_views.py.
"""

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from discussions import live, results
from discussions.access import discussion_for_user
from discussions.models import ProjectorView


def _qr_svg(url: str) -> str:
    # segno writes only its own path data here (no title, no user text), so the
    # markup is safe to embed as it is.
    qr = segno.make(url, error="m")
    return mark_safe(qr.svg_inline(scale=1, border=0, omitsize=True, svgclass="qr-code"))


def _projector_context(discussion, counted) -> dict:
    context = live.context(discussion, "facilitator:projector_live", counted.revision)
    context["results"] = counted
    context["projector"] = live.projector_choice(discussion, ProjectorView.TIMER)
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
    change = live.change(request, discussion_id)
    if change is live.Change.NOTHING:
        return HttpResponse(status=204)
    discussion = discussion_for_user(request, discussion_id)
    if moved := live.follow(request, discussion, ProjectorView.TIMER):
        return moved
    counted = live.results_for(request, discussion, change)
    if counted is None:
        return HttpResponse(status=204)
    context = _projector_context(discussion, counted)
    return render(request, "facilitator/projector.html#live", context)


def _results_context(discussion, counted) -> dict:
    context = live.context(
        discussion,
        "facilitator:projector_results_live",
        counted.revision,
        vikt=counted.weighting,
    )
    # Results stay off the projector until revealed, so no group is swayed.
    revealed = counted if discussion.results_revealed else None
    context.update(weighting=counted.weighting, results=revealed)
    context["projector"] = live.projector_choice(discussion, ProjectorView.RESULTS)
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
    change = live.change(request, discussion_id)
    if change is live.Change.NOTHING:
        return HttpResponse(status=204)
    discussion = discussion_for_user(request, discussion_id)
    if moved := live.follow(request, discussion, ProjectorView.RESULTS):
        return moved
    weighting = results.parse_weighting(request.GET.get("vikt"))
    counted = live.results_for(request, discussion, change, weighting)
    if counted is None:
        return HttpResponse(status=204)
    context = _results_context(discussion, counted)
    return render(request, "facilitator/projector_results.html#live", context)

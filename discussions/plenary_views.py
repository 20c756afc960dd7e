"""The plenary on the projector: the groups' missing areas, their activities under
each recommendation, the reasons for the room's top recommendations and the coverage
(which recommendations got an activity at which table), a page at a
time (discussions/plenary.py chooses what fits on a page).

Each view is its own page under /f/, for the workshop's members only, with a live
region that polls as the projector's others do (live.change). Which view and page
the projector shows is the facilitator's choice, made on the dashboard or by keys on
the projector (`show`, `names`); every projector tab follows it (live.follow). The
phones show none of this.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from discussions import facilitator_writes, live, results
from discussions.access import discussion_for_user
from discussions.converters import id_or_none
from discussions.models import ProjectorView
from discussions.refused import Refused

TEMPLATES = {
    ProjectorView.AREAS: "facilitator/projector_areas.html",
    ProjectorView.ACTIVITIES: "facilitator/projector_activities.html",
    ProjectorView.REASONS: "facilitator/projector_reasons.html",
    ProjectorView.COVERAGE: "facilitator/projector_coverage.html",
}


def _context(discussion, counted, view) -> dict:
    context = live.context(discussion, f"facilitator:projector_{view}_live", counted.revision)
    choice = live.projector_choice(discussion, view, counted)
    context.update(
        results=counted,
        projector=choice,
        page=choice["page"],
        ranked=choice["ranked"],
    )
    return context


def _page(request, discussion_id, view):
    discussion = discussion_for_user(request, discussion_id)
    context = _context(discussion, results.of(discussion), view)
    return render(request, TEMPLATES[view], context)


def _live(request, discussion_id, view):
    change = live.change(request, discussion_id)
    if change is live.Change.NOTHING:
        return HttpResponse(status=204)
    discussion = discussion_for_user(request, discussion_id)
    if moved := live.follow(request, discussion, view):
        return moved
    counted = live.results_for(request, discussion, change)
    if counted is None:
        return HttpResponse(status=204)
    return render(request, f"{TEMPLATES[view]}#live", _context(discussion, counted, view))


@login_required
@require_GET
def areas(request, discussion_id):
    return _page(request, discussion_id, ProjectorView.AREAS)


@login_required
@require_GET
def areas_live(request, discussion_id):
    return _live(request, discussion_id, ProjectorView.AREAS)


@login_required
@require_GET
def activities(request, discussion_id):
    return _page(request, discussion_id, ProjectorView.ACTIVITIES)


@login_required
@require_GET
def activities_live(request, discussion_id):
    return _live(request, discussion_id, ProjectorView.ACTIVITIES)


@login_required
@require_GET
def reasons(request, discussion_id):
    return _page(request, discussion_id, ProjectorView.REASONS)


@login_required
@require_GET
def reasons_live(request, discussion_id):
    return _live(request, discussion_id, ProjectorView.REASONS)


@login_required
@require_GET
def coverage(request, discussion_id):
    return _page(request, discussion_id, ProjectorView.COVERAGE)


@login_required
@require_GET
def coverage_live(request, discussion_id):
    return _live(request, discussion_id, ProjectorView.COVERAGE)


def _chosen(request, discussion, view):
    """Where a choice sends a browser without htmx: back to the dashboard, or to the
    projector's page of the view it now shows."""
    if request.POST.get("next") == "dashboard":
        return HttpResponseRedirect(
            reverse("facilitator:dashboard", args=[discussion.pk]), status=303
        )
    return HttpResponseRedirect(
        reverse(live.PROJECTOR_PAGES[view], args=[discussion.pk]), status=303
    )


@login_required
@require_POST
@vary_on_headers("HX-Request")
def show(request, discussion_id):
    """Show a view (`view`) on the projector, at its page `page` (1 when not given)."""
    discussion = discussion_for_user(request, discussion_id)
    raw_page = request.POST.get("page")
    page = 1 if raw_page is None else id_or_none(raw_page)
    try:
        if page is None:
            raise Refused(_("Ogiltig begäran."))
        facilitator_writes.show_on_projector(discussion.pk, request.POST.get("view"), page)
    except Refused as refused:
        return live.refused(request, discussion.pk, refused)
    if request.htmx:
        return live.done(request, discussion.pk)
    return _chosen(request, discussion, request.POST["view"])


@login_required
@require_POST
@vary_on_headers("HX-Request")
def names(request, discussion_id):
    """Show the names people gave beside their reasons on the projector (1), or not (0)."""
    discussion = discussion_for_user(request, discussion_id)
    wanted = request.POST.get("names")
    if wanted not in ("0", "1"):
        return live.refused(request, discussion.pk, Refused(_("Ogiltig begäran.")))
    facilitator_writes.show_names(discussion.pk, wanted == "1")
    if request.htmx:
        return live.done(request, discussion.pk)
    return _chosen(request, discussion, discussion.projector_view)

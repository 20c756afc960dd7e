"""Recommendation lists: the shared ones for anyone to read (/rekommendationer/), and a
facilitator's own, made and changed in the app (/f/sets/).

A new list, or new text for one, is previewed before it is saved: the form posts
the text, the answer shows the list as it was read with a button that posts the
same text again to save it. Nothing is kept on the server in between, so it works
without JavaScript and a reload loses nothing. Who may see and change which list:
recommendations/set_writes.py.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from discussions.refused import Refused
from recommendations import set_writes
from recommendations.forms import SetForm
from recommendations.models import RecommendationSet
from recommendations.paste import format_items

# --- Anyone: the shared lists -------------------------------------------------------


@require_GET
def set_list(request):
    sets = RecommendationSet.objects.filter(created_by__isnull=True)
    return render(request, "recommendations/set_list.html", {"sets": sets})


@require_GET
def set_detail(request, slug):
    rec_set = get_object_or_404(RecommendationSet, slug=slug, created_by__isnull=True)
    recommendations = rec_set.recommendations.order_by("number")
    return render(
        request,
        "recommendations/set_detail.html",
        {"rec_set": rec_set, "recommendations": recommendations},
    )


# --- A facilitator's lists ------------------------------------------------------------


def _visible_set(request, set_id) -> RecommendationSet:
    rec_set = set_writes.visible_sets(request.user).filter(pk=set_id).first()
    if rec_set is None:
        raise Http404("no such list")
    return rec_set


def _own_set(request, set_id) -> RecommendationSet:
    rec_set = RecommendationSet.objects.filter(pk=set_id, created_by=request.user).first()
    if rec_set is None:
        raise Http404("no such list")
    return rec_set


def _set_url(rec_set) -> str:
    return reverse("sets:set", args=[rec_set.pk])


@login_required
@require_GET
def my_sets(request):
    sets = (
        set_writes.visible_sets(request.user)
        .annotate(n_recommendations=Count("recommendations", distinct=True))
        .select_related("created_by")
        .order_by("name", "pk")
    )
    own = [s for s in sets if s.created_by_id == request.user.pk]
    others = [s for s in sets if s.created_by_id != request.user.pk]
    return render(request, "recommendations/my_sets.html", {"own": own, "others": others})


def _form_page(request, form, rec_set=None, *, locked=False, status=200):
    context = {"form": form, "rec_set": rec_set, "locked": locked}
    return render(request, "recommendations/set_form.html", context, status=status)


def _preview_page(request, form, rec_set=None):
    context = {"form": form, "rec_set": rec_set, "parsed": form.parsed}
    return render(request, "recommendations/set_preview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def set_create(request):
    if request.method == "GET":
        return _form_page(request, SetForm())
    form = SetForm(request.POST)
    step = request.POST.get("step")
    if not form.is_valid():
        return _form_page(request, form, status=400)
    if step == "save":
        data = form.cleaned_data
        rec_set = set_writes.create_set(request.user, data["name"], data["source"], form.items)
        return HttpResponseRedirect(_set_url(rec_set), status=303)
    if step == "edit":  # back from the preview to the text, as it was
        return _form_page(request, form)
    return _preview_page(request, form)


@login_required
@require_GET
def set_page(request, set_id):
    rec_set = _visible_set(request, set_id)
    return _set_page(request, rec_set)


def _set_page(request, rec_set, *, error="", status=200):
    own = rec_set.created_by_id == request.user.pk
    context = {
        "rec_set": rec_set,
        "recommendations": rec_set.recommendations.order_by("number"),
        "own": own,
        "locked": own and set_writes.has_answers(rec_set),
        "n_workshops": rec_set.workshops.count(),
        "n_discussions": rec_set.discussions.count(),
        "error": error,
    }
    return render(request, "recommendations/my_set.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def set_edit(request, set_id):
    """Name and source always; the recommendations while nobody has answered them."""
    rec_set = _own_set(request, set_id)
    locked = set_writes.has_answers(rec_set)
    if request.method == "GET":
        initial = {
            "name": rec_set.name,
            "source": rec_set.source,
            "text": format_items(rec_set.recommendations.order_by("number")),
        }
        form = SetForm(initial=initial, with_text=not locked)
        return _form_page(request, form, rec_set, locked=locked)
    # A page loaded before the first answer still posts its text: read it, so that a
    # change to it is refused with a reason rather than dropped without a word.
    form = SetForm(request.POST, with_text=not locked or "text" in request.POST)
    step = request.POST.get("step")
    if not form.is_valid():
        return _form_page(request, form, rec_set, locked=locked, status=400)
    if step == "edit":
        return _form_page(request, form, rec_set, locked=locked)
    if step == "save" or form.items is None:
        data = form.cleaned_data
        try:
            set_writes.update_set(rec_set, data["name"], data["source"], form.items)
        except Refused as refused:
            form.add_error(None, refused.message)
            return _form_page(request, form, rec_set, locked=True, status=refused.status)
        return HttpResponseRedirect(_set_url(rec_set), status=303)
    return _preview_page(request, form, rec_set)


@login_required
@require_POST
def set_copy(request, set_id):
    rec_set = _visible_set(request, set_id)
    copy = set_writes.copy_set(rec_set, request.user)
    return HttpResponseRedirect(_set_url(copy), status=303)


@login_required
@require_http_methods(["GET", "POST"])
def set_delete(request, set_id):
    rec_set = _own_set(request, set_id)
    if request.method == "POST":
        try:
            set_writes.delete_set(rec_set)
        except Refused as refused:
            return _set_page(request, rec_set, error=refused.message, status=refused.status)
        return HttpResponseRedirect(reverse("sets:list"), status=303)
    context = {"rec_set": rec_set, "n": rec_set.recommendations.count()}
    return render(request, "recommendations/set_delete.html", context)

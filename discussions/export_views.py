"""The organiser's pages after a workshop: export, the printable report, deleting.

Every view needs a login and works only on workshops the user is a member of;
anything else is a 404, as on the facilitator's pages. Files are built in memory by
discussions/export.py, the report's numbers come from results.of(). Deleting
(discussions/deletion.py) is a confirmation page (GET, with counts) and a POST that
needs the workshop's title typed in, so a stray click deletes nothing.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from discussions import deletion, export, results, timer
from discussions.access import workshop_for_user
from discussions.converters import id_or_none
from discussions.refused import Refused

# --- Export -------------------------------------------------------------------------


def _export_page(request, workshop, *, error="", status=200):
    now = timezone.now()
    discussions = list(workshop.discussions.select_related("report_snapshot").order_by("pk"))
    for discussion in discussions:
        discussion.running = timer.state(discussion.clock, now) in deletion.BUSY
        discussion.snapshot = getattr(discussion, "report_snapshot", None)
    context = {
        "workshop": workshop,
        "discussions": discussions,
        "counts": deletion.counts(workshop),
        "error": error,
        "names": request.GET.get("namn") == "1",
    }
    return render(request, "export/page.html", context, status=status)


@login_required
@require_GET
def export_page(request, workshop_id):
    return _export_page(request, workshop_for_user(request, workshop_id))


@login_required
@require_GET
def download(request, workshop_id):
    """?format=xlsx|csv|csv-nordic|json, and namn=1 for display names (anonymous ids by default)."""
    workshop = workshop_for_user(request, workshop_id)
    kind = request.GET.get("format", "")
    if kind not in export.FORMATS:
        return _export_page(request, workshop, error=_("Välj XLSX, CSV eller JSON."), status=400)
    content = export.build(workshop, kind, include_names=request.GET.get("namn") == "1")
    extension, content_type = export.FORMATS[kind]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, export.filename(workshop, extension, kind)
    )
    # Personal data: no copy in a shared cache or the browser's.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def report(request, workshop_id):
    """The printable report; ?vikt=grupp weighs every group equally in the overall table."""
    workshop = workshop_for_user(request, workshop_id)
    weighting = results.parse_weighting(request.GET.get("vikt"))
    with export.consistent_read():
        discussions = workshop.discussions.select_related("recommendation_set")
        counted = [(d, results.of(d, weighting)) for d in discussions.order_by("created_at")]
    context = {
        "workshop": workshop,
        "discussions": counted,
        "by_group": weighting == results.GROUP,
        "printed_at": timezone.now(),
    }
    return render(request, "export/report.html", context)


# --- Several workshops compared -----------------------------------------------------

MAX_COMPARED = 12


@login_required
@require_GET
def compare(request):
    """?w=1&w=2…: the workshops side by side (results.compare); &format=xlsx|json for
    the file. Only workshops the user is a member of: any other id is a 404. One
    workshop alone is only ticked (the export page links here so)."""
    mine = list(
        request.user.workshops.select_related("recommendation_set").order_by("-date", "-pk")
    )
    by_id = {workshop.pk: workshop for workshop in mine}
    raw = request.GET.getlist("w")[: MAX_COMPARED + 1]
    ids = list(dict.fromkeys(id_or_none(value) for value in raw))
    if any(pk not in by_id for pk in ids):
        raise Http404("no such workshop")
    chosen = [by_id[pk] for pk in ids]
    error, comparison = "", None
    if len(chosen) > MAX_COMPARED:
        error = _("Välj högst %(n)d workshoppar.") % {"n": MAX_COMPARED}
    elif len({workshop.recommendation_set_id for workshop in chosen}) > 1:
        error = _("Välj workshoppar som använde samma rekommendationslista.")
    elif len(chosen) == 1 and ("jamfor" in request.GET or "format" in request.GET):
        # A link may bring one workshop ticked; asked to compare it alone, say why not.
        error = _("Välj minst två workshoppar att jämföra.")
    elif len(chosen) == 1:
        pass
    elif chosen:
        with export.consistent_read():
            comparison = results.compare(chosen, chosen[0].recommendation_set)
    kind = request.GET.get("format", "")
    if comparison is not None and kind in ("xlsx", "json"):
        if kind == "xlsx":
            content = export.build_comparison_xlsx(comparison)
        else:
            doc = export.build_comparison_json(comparison)
            content = json.dumps(doc, ensure_ascii=False, indent=2).encode()
        extension, content_type = export.FORMATS[kind]
        response = HttpResponse(content, content_type=content_type)
        name = f"gransforum-jamforelse-{timezone.localdate().isoformat()}.{extension}"
        response["Content-Disposition"] = content_disposition_header(True, name)
        response["Cache-Control"] = "private, no-store"
        return response
    groups = {}
    for workshop in mine:
        groups.setdefault(workshop.recommendation_set, []).append(workshop)
    context = {
        "groups": groups.items(),
        "chosen": set(ids),
        "comparison": comparison,
        "error": error,
        "query": request.GET.urlencode() if comparison else "",
        "printed_at": timezone.now(),
    }
    return render(request, "export/compare.html", context, status=400 if error else 200)


# --- Deleting -----------------------------------------------------------------------


class ConfirmForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Workshoppens titel"),
        max_length=500,
        required=True,
    )

    def __init__(self, workshop, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        self.fields["title"].widget.attrs["autocomplete"] = "off"

    def clean_title(self):
        typed = self.cleaned_data["title"]
        # Spaces and capitals are easy to get wrong and say nothing about intent.
        if " ".join(typed.split()).casefold() != " ".join(self.workshop.title.split()).casefold():
            raise forms.ValidationError(_("Titeln stämmer inte."))
        return typed


DELETIONS = {
    "participants": {
        "heading": gettext_lazy("Radera deltagarnas svar"),
        "button": gettext_lazy("Radera deltagarnas svar"),
    },
    "workshop": {
        "heading": gettext_lazy("Radera hela workshoppen"),
        "button": gettext_lazy("Radera workshoppen"),
    },
}


def _confirm_page(request, workshop, what, form, *, error="", status=200):
    now = timezone.now()
    context = {
        "workshop": workshop,
        "what": what,
        "texts": DELETIONS[what],
        "form": form,
        "counts": deletion.counts(workshop),
        "busy": deletion.busy_discussions(workshop, now),
        "error": error,
    }
    return render(request, "export/confirm_delete.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def delete_participant_data(request, workshop_id):
    workshop = workshop_for_user(request, workshop_id)
    form = ConfirmForm(workshop, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            deleted = deletion.delete_participant_data(workshop)
        except Refused as refused:
            return _confirm_page(
                request,
                workshop,
                "participants",
                form,
                error=refused.message,
                status=refused.status,
            )
        messages.success(
            request,
            ngettext(
                "%(n)d deltagare och allt den skrev är raderade. Rapporten finns kvar.",
                "%(n)d deltagare och allt de skrev är raderade. Rapporten finns kvar.",
                deleted["participants"],
            )
            % {"n": deleted["participants"]},
        )
        return HttpResponseRedirect(reverse("export:page", args=[workshop.pk]), status=303)
    status = 400 if form.errors else 200
    return _confirm_page(request, workshop, "participants", form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def delete_workshop(request, workshop_id):
    workshop = workshop_for_user(request, workshop_id)
    form = ConfirmForm(workshop, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            deletion.delete_workshop(workshop)
        except Refused as refused:
            return _confirm_page(
                request, workshop, "workshop", form, error=refused.message, status=refused.status
            )
        # No flash message: the workshop list does not show messages, and one left in
        # the session would turn up on some later page, out of place.
        return HttpResponseRedirect(reverse("facilitator:workshops"), status=303)
    status = 400 if form.errors else 200
    return _confirm_page(request, workshop, "workshop", form, status=status)

"""The phone's page for the table's agreed answer: /d/5/table/.

A page outside the guided flow's numbered questions, linked from the summary
("Klart"): the members have ranked on their own, now they agree on one answer.
The GET shows the newest version, the form (based on it) and every version;
a POST saves a new version (discussions/table_answers.py). A refused save answers
with the form and the typed text kept: 409 with the other member's version beside
it when someone saved first, 400 for bad input, 409 when the time is up. With htmx
the same URL answers with the page's part (phone_table.html); the poll redraws the
newest version and the history when another member saves, never the form.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from discussions import participant_writes, table_answers
from discussions.converters import id_or_none
from discussions.participant_cookie import participant_or_404
from discussions.phone_poll import clock
from discussions.phone_views import _page_context, step_url
from discussions.refused import Refused

PART = "discussions/phone_table.html"


def _context(request, participant, *, only=None, **extra) -> dict:
    back = {"name": "done", "url": step_url(participant.discussion_id, "done")}
    return _page_context(request, participant, only=only, step="table", back=back, **extra)


def _form(state, drafts=None, conflict=None) -> dict:
    """What the form shows: the newest version's answer, or the phone's own text."""
    newest = state.newest
    form = {
        "base": state.base,
        "recommendation": newest.recommendation.number
        if newest and newest.recommendation
        else None,
        "why": newest.why if newest else "",
        "conflict": conflict,
    }
    if drafts is not None:
        form.update(drafts)
    return form


def _recommendation(participant, raw):
    if not (raw or "").strip():
        return None
    number = id_or_none(raw)
    found = participant.discussion.recommendation_set.recommendations.filter(
        number=number or 0
    ).first()
    if found is None:
        raise Refused(_("Välj en av rekommendationerna i listan."))
    return found


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def table_answer(request, discussion_id):
    participant = participant_or_404(request, discussion_id)
    if request.method == "GET":
        state = table_answers.state(participant.group_id)
        context = _context(request, participant, table_state=state, table_form=_form(state))
        return render(request, "discussions/phone.html", context)

    raw_why = request.POST.get("why", "")
    raw_rec = request.POST.get("recommendation", "")
    drafts = {"why": raw_why, "recommendation": id_or_none(raw_rec)}
    base = request.POST.get("base", "")
    try:
        if not base.isdigit() or len(base) > 9:
            raise Refused(_("Förfrågan kunde inte läsas. Ladda om sidan och försök igen."))
        recommendation = _recommendation(participant, raw_rec)
        why = participant_writes.clean_text(raw_why, required=False)
        if recommendation is None and not why:
            raise Refused(_("Välj en rekommendation eller skriv varför innan du sparar."))
        table_answers.save(participant, int(base), recommendation, why)
    except table_answers.Stale as stale:
        state = table_answers.state(participant.group_id)
        # The base becomes the newest: saving now is a choice made knowing theirs.
        form = _form(state, drafts, conflict=stale.newest or state.newest)
        return _respond(request, participant, state, form, error=stale.message, status=409)
    except Refused as refused:
        state = table_answers.state(participant.group_id)
        form = _form(state, {**drafts, "base": base if base.isdigit() else state.base})
        return _respond(
            request, participant, state, form, error=refused.message, status=refused.status
        )
    if not request.htmx:
        return HttpResponseRedirect(reverse("phone_table", args=[discussion_id]), status=303)
    state = table_answers.state(participant.group_id)
    return _respond(
        request, participant, state, _form(state), announce=_("Bordets svar är sparat.")
    )


def _respond(request, participant, state, form, *, error="", status=200, announce=""):
    context = _context(
        request,
        participant,
        only="table" if request.htmx else None,
        table_state=state,
        table_form=form,
        table_error=error,
        errors={"table": error} if error else {},
        announce=announce,
        saved=bool(announce),
    )
    if request.htmx:
        context.update(part_template=PART, changed_part="table")
        response = render(request, "discussions/phone_part.html", context, status=status)
    else:
        response = render(request, "discussions/phone.html", context, status=status)
    response["X-Timer"] = clock(participant.discussion, timezone.now())
    return response

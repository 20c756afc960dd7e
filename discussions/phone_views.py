"""The participant's phone: the three questions on one page, and every answer to them.

Every action is a plain form POST that redirects back to the page, so the phone
works without JavaScript. With htmx the same URLs answer with just the part of the
page that changed (`phone.html#<part>`), and a refused request answers with that
part too, with the typed text kept and the reason shown. Joining is in
join_views.py, the poll that keeps the page fresh in phone_poll.py.
"""

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from discussions import participant_writes, results
from discussions.converters import id_or_none
from discussions.models import ENTRY_MODELS, ActivityProposal, MissingArea, Participant
from discussions.participant_cookie import participant_or_404
from discussions.phone_poll import clock, lists_context
from discussions.refused import Refused


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
        for rec in participant_writes.card_order(recs, participant)
        if rec.number not in ranked_set
    ]
    return {"ballot": ballot, "cards": cards, "current_order": order(numbers)}


def _ranked_ids(participant: Participant) -> list[int]:
    if not hasattr(participant, "_ranked_ids"):
        participant._ranked_ids = list(
            participant.rankings.order_by("position").values_list("recommendation_id", flat=True)
        )
    return participant._ranked_ids


def _recommendations(discussion) -> list:
    return list(discussion.recommendation_set.recommendations.order_by("number"))


def _page_context(request, participant: Participant, recs=None, only=None, **extra) -> dict:
    """Everything the page shows; with `only`, what that one part of it needs (an
    htmx answer to a write), so an area's +1 does not read the ballot."""
    discussion = participant.discussion
    now = timezone.now()
    if recs is None:
        recs = SimpleLazyObject(lambda: _recommendations(discussion))
    revisions = (discussion.revision, participant.group.revision)
    context = {
        **lists_context(discussion, participant.pk, participant.group_id, revisions, now),
        "participant": participant,
        "recs": recs,
        "groups": SimpleLazyObject(lambda: list(discussion.groups.all())),
        "errors": {},
        "drafts": {},
        "announce": "",
    }
    # Only once the facilitator reveals them, so no group is swayed while it talks.
    if discussion.results_revealed:
        revealed = SimpleLazyObject(lambda: results.of(discussion))
        context["room"] = SimpleLazyObject(lambda: revealed.room)
        context["my_table"] = SimpleLazyObject(lambda: revealed.table(participant.group_id))
    if only in (None, "ranking"):
        context.update(_ranking_context(participant, recs))
    context.update(extra)
    return context


@require_GET
def phone(request, discussion_id):
    participant = participant_or_404(request, discussion_id)
    return render(request, "discussions/phone.html", _page_context(request, participant))


def _respond(
    request, participant, part, anchor, *, refused=None, drafts=None, announce="", recs=None
):
    """After an action: the changed part for htmx, else back to the page (or the page
    with the reason and the typed text when refused)."""
    if refused is None and not request.htmx:
        return HttpResponseRedirect(
            reverse("phone", args=[participant.discussion_id]) + anchor, status=303
        )
    context = _page_context(
        request,
        participant,
        recs,
        only=part if request.htmx else None,
        errors={part: refused.message} if refused else {},
        drafts=drafts or {},
        announce=announce,
    )
    status = refused.status if refused else 200
    if request.htmx:
        # The part that changed, plus the message for screen readers in the page's
        # persistent live region (out of band).
        context.update(part_template=f"discussions/phone.html#{part}", changed_part=part)
        response = render(request, "discussions/phone_part.html", context, status=status)
    else:
        response = render(request, "discussions/phone.html", context, status=status)
    response["X-Timer"] = clock(participant.discussion, timezone.now())
    return response


@require_POST
@vary_on_headers("HX-Request")
def rank(request, discussion_id):
    participant = participant_or_404(request, discussion_id)
    recs = _recommendations(participant.discussion)
    try:
        if "order" not in request.POST:  # an empty order clears the ballot; none is an error
            raise Refused(_("Rangordningen saknas i förfrågan."))
        order = participant_writes.parse_order(request.POST["order"], [r.number for r in recs])
        participant_writes.save_ranking(participant, order, recs)
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
    participant = participant_or_404(request, discussion_id)
    raw = request.POST.get("why", "")
    try:
        if "why" not in request.POST:
            raise Refused(_("Motiveringen saknas i förfrågan."))
        participant_writes.save_why(participant, participant_writes.clean_text(raw, required=False))
    except Refused as refused:
        return _respond(
            request, participant, "why", "#varfor", refused=refused, drafts={"why": raw}
        )
    return _respond(request, participant, "why", "#varfor", announce=_("Sparat."))


@require_POST
@vary_on_headers("HX-Request")
def change_group(request, discussion_id):
    participant = participant_or_404(request, discussion_id)
    try:
        participant_writes.change_group(
            participant,
            id_or_none(request.POST.get("group")) or 0,
            participant_writes.clean_name(request.POST.get("name")),
        )
    except Refused as refused:
        return _respond(request, participant, "group", "#grupp", refused=refused)
    if request.htmx:
        # The whole page depends on the group: reload it.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return HttpResponseRedirect(reverse("phone", args=[participant.discussion_id]), status=303)


def _entry_kind(kind: str):
    model = ENTRY_MODELS.get(kind)
    if model is None:
        raise Http404("unknown kind")
    return model


def _part_for(model) -> tuple[str, str]:
    return ("areas", "#fraga-2") if model is MissingArea else ("activities", "#fraga-3")


def _read_entry_form(request, participant, model):
    text = participant_writes.clean_text(request.POST.get("text"))
    recommendation = None
    if model is ActivityProposal:
        number = id_or_none(request.POST.get("recommendation"))
        recommendation = participant.discussion.recommendation_set.recommendations.filter(
            number=number or 0
        ).first()
        if recommendation is None:
            raise Refused(_("Välj vilken rekommendation aktiviteten hör till."))
    return text, recommendation


@require_POST
@vary_on_headers("HX-Request")
def entry_add(request, discussion_id, kind):
    participant = participant_or_404(request, discussion_id)
    model = _entry_kind(kind)
    part, anchor = _part_for(model)
    try:
        text, recommendation = _read_entry_form(request, participant, model)
        participant_writes.add_entry(participant, model, text, recommendation)
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
    participant = participant_or_404(request, discussion_id)
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
            participant_writes.edit_entry(participant, entry, text, recommendation)
        except Refused as refused:
            context.update(
                error=refused.message,
                text=request.POST.get("text", ""),
                recommendation_number=id_or_none(request.POST.get("recommendation")),
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
    participant = participant_or_404(request, discussion_id)
    model = _entry_kind(kind)
    part, anchor = _part_for(model)
    entry = _own_entry_or_404(participant, model, pk)
    try:
        participant_writes.withdraw_entry(participant, entry)
    except Refused as refused:
        return _respond(request, participant, part, anchor, refused=refused)
    return _respond(request, participant, part, anchor, announce=_("Borttaget."))


@require_POST
@vary_on_headers("HX-Request")
def entry_endorse(request, discussion_id, kind, pk):
    participant = participant_or_404(request, discussion_id)
    model = _entry_kind(kind)
    part, anchor = _part_for(model)
    entry = model.objects.filter(pk=pk, discussion_id=discussion_id, hidden=False).first()
    if entry is None:
        raise Http404("no such entry")
    want = request.POST.get("want")
    if want not in ("0", "1"):
        return _respond(request, participant, part, anchor, refused=Refused(_("Ogiltig begäran.")))
    try:
        participant_writes.endorse(participant, entry, want == "1")
    except Refused as refused:
        return _respond(request, participant, part, anchor, refused=refused)
    announce = _("+1 sparat.") if want == "1" else _("+1 borttaget.")
    return _respond(request, participant, part, anchor, announce=announce)

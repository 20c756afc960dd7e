"""The participant's phone: one question at a time, and every answer to them.

The phone is a guided flow of pages (STEPS): rank, why, missing areas, activities,
then a summary of what was saved. Each step's page is the GET of the URL its form
posts to (/d/5/why/ shows the question, a POST to it saves the answer), so every
step is a page of its own and the phone works without JavaScript. A POST with
`next` saves and goes on to the next step; without it the same step is shown again.
With htmx the same URLs answer with just the part of the page that changed
(`phone.html#<part>`), and a refused request answers with that part too, with the
typed text kept and the reason shown. Joining is in join_views.py, the poll that
keeps the page fresh in phone_poll.py.

A little past 400 lines: every step's page and every write to it share
_page_context and _respond, and a split would only make each half import the other.
"""

from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from discussions import participant_writes, receipt, results
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


# The questions, one page each, in the order they are asked; after them "done", a
# summary of what was saved. "results", "group" and "table" (table_views.py) are
# pages outside the sequence.
STEPS = ("rank", "why", "area", "activity")
PAGES = (*STEPS, "done", "results", "group", "table")


def step_url(discussion_id: int, step: str) -> str:
    if step == "rank":
        return reverse("phone", args=[discussion_id])
    if step in ("area", "activity"):
        return reverse("entry_add", args=[discussion_id, step])
    return reverse(f"phone_{step}", args=[discussion_id])


def _steps_context(discussion_id: int, step: str) -> dict:
    """Where the participant is in the flow: the numbered steps (each a link back),
    and the pages before and after this one."""
    steps = [
        {"name": name, "number": i, "url": step_url(discussion_id, name), "current": name == step}
        for i, name in enumerate(STEPS, start=1)
    ]
    sequence = [*STEPS, "done"]
    at = sequence.index(step) if step in sequence else 0
    before = sequence[at - 1] if at > 0 else None
    after = sequence[at + 1] if step in STEPS else None
    return {
        "step": step,
        "steps": steps,
        "step_number": at + 1 if step in STEPS else None,
        "step_count": len(STEPS),
        "back": {"name": before, "url": step_url(discussion_id, before)} if before else None,
        "next": {"name": after, "url": step_url(discussion_id, after)} if after else None,
    }


def _page_context(
    request, participant: Participant, recs=None, only=None, step="rank", **extra
) -> dict:
    """Everything a step's page shows; with `only`, what that one part of it needs
    (an htmx answer to a write), so an area's +1 does not read the ballot. The
    lists and the ballot are read only if the step's template shows them."""
    discussion = participant.discussion
    now = timezone.now()
    if recs is None:
        recs = SimpleLazyObject(lambda: _recommendations(discussion))
    revisions = (discussion.revision, participant.group.revision)
    context = {
        **lists_context(discussion, participant.pk, participant.group_id, revisions, now, step),
        **_steps_context(discussion.pk, step),
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
        if step == "results":  # the participant's own places and entries, read off them
            context["receipt"] = SimpleLazyObject(lambda: receipt.of(revealed, participant.pk))
    if (only is None and step in ("rank", "done")) or only == "ranking":
        context.update(_ranking_context(participant, recs))
    if step == "why" or only == "why":
        context["ballot_first"] = SimpleLazyObject(lambda: _first_choice(participant))
    if step == "done":
        context["mine"] = SimpleLazyObject(lambda: _own_entries(participant))
    context.update(extra)
    return context


def _first_choice(participant: Participant):
    """The recommendation the participant ranked first (the "why" is about it), or None."""
    first = participant.rankings.order_by("position").select_related("recommendation").first()
    return first.recommendation if first else None


def _own_entries(participant: Participant) -> dict:
    """What the participant wrote, for the summary: hidden or merged ones too, so
    marked (its author alone sees them, as on the step pages and the receipt)."""
    return {
        "areas": list(
            MissingArea.objects.filter(author=participant)
            .select_related("merged_into")
            .order_by("pk")
        ),
        "activities": list(
            ActivityProposal.objects.filter(author=participant)
            .select_related("recommendation", "merged_into")
            .order_by("recommendation__number", "pk")
        ),
    }


def _step_page(request, discussion_id, step):
    participant = participant_or_404(request, discussion_id)
    context = _page_context(request, participant, step=step)
    return render(request, "discussions/phone.html", context)


@require_GET
def phone(request, discussion_id):
    return _step_page(request, discussion_id, "rank")


@require_GET
def done(request, discussion_id):
    return _step_page(request, discussion_id, "done")


@require_GET
def results_page(request, discussion_id):
    return _step_page(request, discussion_id, "results")


def _respond(
    request, participant, part, step, *, refused=None, drafts=None, announce="", recs=None
):
    """After an action: the changed part for htmx, else back to the step's page (or
    the page with the reason and the typed text when refused). Asked to go on
    (`next`), a saved answer leads to the next step's page, with or without htmx."""
    if refused is None and "next" in request.POST:
        following = _steps_context(participant.discussion_id, step)["next"]
        url = following["url"] if following else step_url(participant.discussion_id, step)
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url, status=303)
    if refused is None and not request.htmx:
        return HttpResponseRedirect(step_url(participant.discussion_id, step), status=303)
    context = _page_context(
        request,
        participant,
        recs,
        only=part if request.htmx else None,
        step=step,
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
        return _respond(request, participant, "ranking", "rank", refused=refused, recs=recs)
    participant._ranked_ids = [next(r.pk for r in recs if r.number == n) for n in order]
    announce = (
        _("Din rangordning: %(order)s.") % {"order": ", ".join(str(n) for n in order)}
        if order
        else _("Din rangordning är tom.")
    )
    return _respond(request, participant, "ranking", "rank", announce=announce, recs=recs)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def why(request, discussion_id):
    if request.method == "GET":
        return _step_page(request, discussion_id, "why")
    participant = participant_or_404(request, discussion_id)
    raw = request.POST.get("why", "")
    had = participant.why
    try:
        if "why" not in request.POST:
            raise Refused(_("Motiveringen saknas i förfrågan."))
        text = participant_writes.clean_text(raw, required=False)
        participant_writes.save_why(participant, text)
    except Refused as refused:
        return _respond(request, participant, "why", "why", refused=refused, drafts={"why": raw})
    # An empty box saves nothing: say so, rather than "Saved" as if it had.
    if text:
        announce = _("Sparat.")
    elif had:
        announce = _("Motiveringen är borttagen.")
    else:
        announce = _("Ingen motivering att spara.")
    return _respond(request, participant, "why", "why", announce=announce)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def change_group(request, discussion_id):
    if request.method == "GET":
        return _step_page(request, discussion_id, "group")
    participant = participant_or_404(request, discussion_id)
    try:
        participant_writes.change_group(
            participant,
            id_or_none(request.POST.get("group")) or 0,
            participant_writes.clean_name(request.POST.get("name")),
        )
    except Refused as refused:
        return _respond(request, participant, "group", "group", refused=refused)
    # Every page depends on the group: start again from the first question's page.
    url = reverse("phone", args=[participant.discussion_id])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url, status=303)


def _entry_kind(kind: str):
    model = ENTRY_MODELS.get(kind)
    if model is None:
        raise Http404("unknown kind")
    return model


def _part_for(model) -> tuple[str, str]:
    """The part of phone.html that shows `model`'s entries, and its step."""
    return ("areas", "area") if model is MissingArea else ("activities", "activity")


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


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def entry_add(request, discussion_id, kind):
    model = _entry_kind(kind)
    if request.method == "GET":
        return _step_page(request, discussion_id, kind)
    participant = participant_or_404(request, discussion_id)
    part, step = _part_for(model)
    if "next" in request.POST and not request.POST.get("text", "").strip():
        # "Next" with nothing typed: nothing to add, just go on.
        return _respond(request, participant, part, step)
    try:
        text, recommendation = _read_entry_form(request, participant, model)
        participant_writes.add_entry(participant, model, text, recommendation)
    except Refused as refused:
        drafts = {
            kind: request.POST.get("text", ""),
            "recommendation": request.POST.get("recommendation", ""),
        }
        return _respond(request, participant, part, step, refused=refused, drafts=drafts)
    return _respond(request, participant, part, step, announce=_("Tillagt."))


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
        "back_url": step_url(discussion_id, _part_for(model)[1]),
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
        url = step_url(discussion_id, _part_for(model)[1])
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url, status=303)
    return render(request, "discussions/phone_entry_edit.html", context)


@require_POST
@vary_on_headers("HX-Request")
def entry_withdraw(request, discussion_id, kind, pk):
    participant = participant_or_404(request, discussion_id)
    model = _entry_kind(kind)
    part, step = _part_for(model)
    entry = _own_entry_or_404(participant, model, pk)
    try:
        participant_writes.withdraw_entry(participant, entry)
    except Refused as refused:
        return _respond(request, participant, part, step, refused=refused)
    return _respond(request, participant, part, step, announce=_("Borttaget."))


@require_POST
@vary_on_headers("HX-Request")
def entry_endorse(request, discussion_id, kind, pk):
    participant = participant_or_404(request, discussion_id)
    model = _entry_kind(kind)
    part, step = _part_for(model)
    # Only what this phone shows (discussions/phone_lists.py): its table's entries and
    # its own; another table's entry is no more found here than a made-up id.
    entry = (
        model.objects.filter(pk=pk, discussion_id=discussion_id, hidden=False)
        .filter(Q(group_id=participant.group_id) | Q(author_id=participant.pk))
        .first()
    )
    if entry is None:
        raise Http404("no such entry")
    want = request.POST.get("want")
    if want not in ("0", "1"):
        return _respond(request, participant, part, step, refused=Refused(_("Ogiltig begäran.")))
    try:
        participant_writes.endorse(participant, entry, want == "1")
    except Refused as refused:
        return _respond(request, participant, part, step, refused=refused)
    announce = _("+1 sparat.") if want == "1" else _("+1 borttaget.")
    return _respond(request, participant, part, step, announce=announce)

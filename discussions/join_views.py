"""Joining a discussion from a phone: the code (typed, or in the QR code's link), then
a table and an optional name. No account; the phone gets a signed cookie
(discussions/participant_cookie.py) and goes to its page.
"""

from django.conf import settings
from django.db.models import F
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from discussions import participant_writes, ratelimit, timer
from discussions.converters import id_or_none
from discussions.models import Discussion, Participant, normalise_join_code
from discussions.participant_cookie import (
    participant_id,
    set_participant_cookie,
    use_language,
)
from discussions.refused import Refused
from gransforum.accounts import ACCOUNT_COMMAND, no_account_yet


def _find_discussion(code: str) -> Discussion | None:
    """The open discussion with this code, else the latest ended one that had it."""
    return (
        Discussion.objects.select_related("workshop")
        .filter(join_code=code)
        .order_by(F("ended_at").desc(nulls_first=True), "-created_at")
        .first()
    )


@require_GET
def home(request):
    code = normalise_join_code(request.GET.get("code", ""))
    if code:
        return redirect("join_code", code=code)
    # A fresh database: the page tells the person at the laptop how to make the account.
    first_run = {"first_run": no_account_yet(), "command": ACCOUNT_COMMAND}
    return render(request, "discussions/home.html", {"error": None, **first_run})


@require_http_methods(["GET", "POST"])
def join(request, code):
    normalised = normalise_join_code(code)
    if not normalised:
        # Nothing of a code in it ("-", "!!", a lone accent): no URL to send it to.
        return _unknown_code(request, code)
    if normalised != code:
        return redirect("join_code", code=normalised)
    discussion = _find_discussion(code) if len(code) <= 12 else None
    # A phone that has joined is never refused, whatever others on its network typed:
    # its signed cookie shows it already had the code.
    if discussion is not None:
        returning = participant_id(request, discussion.pk)
        if returning and Participant.objects.filter(pk=returning, discussion=discussion).exists():
            return redirect("phone", discussion_id=discussion.pk)

    browser = ratelimit.browser_id(request)
    limited = ratelimit.join_refused(request, browser)
    if limited:
        # Even the right code waits here (in the same words and language as a wrong
        # one): else the limit would not stop a guesser.
        response = _too_many_attempts(request, limited)
    elif discussion is None:
        ratelimit.count_join_failure(request, browser)
        response = _unknown_code(request, code)
    else:
        response = None
    if response is not None:
        ratelimit.keep_browser_id(request, response, browser)
        return response
    use_language(request, discussion.workshop.language)

    if timer.state(discussion.clock, timezone.now()) is timer.State.ENDED:
        return render(request, "discussions/ended.html", {"discussion": discussion}, status=410)

    context = {"discussion": discussion, "groups": discussion.groups.all(), "error": None}
    if request.method == "POST":
        try:
            name = participant_writes.clean_name(request.POST.get("name"))
            group_id = id_or_none(request.POST.get("group"))
            participant = participant_writes.join(discussion, group_id, name)
        except Refused as refused:
            context.update(error=refused.message, name=request.POST.get("name", ""))
            return render(request, "discussions/join.html", context, status=refused.status)
        response = HttpResponseRedirect(reverse("phone", args=[discussion.pk]), status=303)
        set_participant_cookie(response, participant)
        return response
    return render(request, "discussions/join.html", context)


def _unknown_code(request, code):
    error = _("Koden %(code)s finns inte. Kontrollera koden på skärmen och försök igen.") % {
        "code": code
    }
    return render(request, "discussions/home.html", {"error": error, "code": code}, status=404)


def _too_many_attempts(request, refused: str):
    minutes = max(1, settings.JOIN_FAILURE_WINDOW // 60)
    context = {"minutes": minutes, "this_phone": refused == "browser"}
    response = render(request, "discussions/too_many.html", context, status=429)
    response["Retry-After"] = str(settings.JOIN_FAILURE_WINDOW)
    return response

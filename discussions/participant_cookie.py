"""Which participant a phone is: a signed, HttpOnly cookie per discussion.

No account: the cookie holds the Participant's id, signed with SECRET_KEY, so a
reload, a locked screen or a lost connection brings the same person back to their
own answers, and a forged or missing cookie gets a 404 (never a 403: it learns
nothing about whether the discussion exists).
"""

from django.conf import settings
from django.http import Http404

from discussions.models import Participant
from gransforum.middleware import use_language

COOKIE_SALT = "gransforum.participant"
COOKIE_MAX_AGE = 60 * 60 * 24 * 30


def cookie_name(discussion_id: int) -> str:
    return f"gf_p{discussion_id}"


def set_participant_cookie(response, participant: Participant) -> None:
    response.set_signed_cookie(
        cookie_name(participant.discussion_id),
        str(participant.pk),
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,  # Secure wherever the session's is
        samesite="Lax",
    )


def participant_id(request, discussion_id: int) -> int | None:
    """The id the cookie names, checked by its signature alone (no query)."""
    raw = request.get_signed_cookie(cookie_name(discussion_id), default=None, salt=COOKIE_SALT)
    return int(raw) if raw and raw.isdigit() else None


def participant_or_404(request, discussion_id: int) -> Participant:
    """The phone's own participant in this discussion, speaking the workshop's language."""
    pk = participant_id(request, discussion_id)
    participant = (
        Participant.objects.select_related(
            "discussion", "group", "discussion__recommendation_set", "discussion__workshop"
        )
        .filter(pk=pk or 0, discussion_id=discussion_id)
        .first()
    )
    if participant is None:
        raise Http404("no participant")
    # The person's pick, else the phone's language, else the workshop's (one rule
    # for every page: gransforum/languages.py).
    use_language(request, participant.discussion.workshop.language)
    return participant

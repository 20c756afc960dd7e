"""A second round: after the plenary the facilitator opens round 2 of the same
discussion (the Nominal Group Technique's and Delphi's final vote).

Round 2 keeps every existing path: the live Ranking rows, Participant.why and the
Discussion's clock fields are "the current round". Opening round 2 copies each
participant's ballot into FirstRoundRanking and their why into
Participant.first_round_why, keeps round 1's clock in FirstRound, and starts the
Discussion's clock again with round 2's own duration. Each phone then starts from
its round-1 ballot, may change it, and round 1 stays as it was: nothing writes the
copies again (results.of(..., round=1) counts them).

Who joins during round 2 has no round-1 ballot and counts in round 2 only: the
movement (discussions/movement.py) compares the room's and each table's results of
the two rounds, not person by person.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions import timer
from discussions.locks import lock_discussion
from discussions.models import Discussion, FirstRound, FirstRoundRanking, Participant, Ranking
from discussions.refused import Refused

MAX_ROUND_SECONDS = 24 * 3600


def parse_minutes(raw: str | None, default_seconds: int) -> int:
    """The form's minutes → seconds; empty: `default_seconds` (round 1's length)."""
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return default_seconds
    try:
        minutes = float(text)
    except ValueError:
        raise Refused(_("Skriv rundans längd i minuter, till exempel 10.")) from None
    seconds = round(minutes * 60)
    if not 60 <= seconds <= MAX_ROUND_SECONDS:
        raise Refused(_("Runda 2 kan vara från 1 minut till 24 timmar."))
    return seconds


def can_open(discussion: Discussion, now=None) -> bool:
    """Whether the dashboard offers "Open round 2": round 1, and its time is out."""
    now = now or timezone.now()
    return discussion.round == 1 and timer.state(discussion.clock, now) is timer.State.ENDED


def open_second_round(discussion_id: int, duration_seconds: int | None = None, now=None) -> bool:
    """Close round 1 as it is and start round 2's clock. Returns whether it opened
    now: a second press (a double click, a retry) finds round 2 open and does nothing.

    Atomic and under the discussion's exclusive lock (discussions/locks.py): no phone's
    write can land between the copy and the new clock, so round 1's copy is exactly
    the ballots as they stood when its time was out, and two facilitators pressing
    at once open it once.
    """
    with transaction.atomic():
        lock_discussion(discussion_id)
        # Read after the lock: the round as the last writer left it.
        discussion = Discussion.objects.select_for_update().get(pk=discussion_id)
        if discussion.round == 2:
            return False
        now = now or timezone.now()
        clock = discussion.clock
        if timer.state(clock, now) is not timer.State.ENDED:
            raise Refused(
                _("Runda 2 kan öppnas först när tiden för runda 1 är ute. Avsluta runda 1 först."),
                409,
            )
        FirstRound.objects.create(
            discussion=discussion,
            duration_seconds=clock.duration_seconds,
            started_at=clock.started_at,
            paused_seconds=clock.paused_seconds,
            # Time can run out without "end now": then round 1 ended at its deadline.
            ended_at=clock.ended_at or timer.deadline(clock, now),
            closed_at=now,
        )
        FirstRoundRanking.objects.bulk_create(
            FirstRoundRanking(
                participant_id=participant_id, recommendation_id=rec_id, position=position
            )
            for participant_id, rec_id, position in Ranking.objects.filter(
                participant__discussion_id=discussion_id
            ).values_list("participant_id", "recommendation_id", "position")
        )
        # One UPDATE … SET first_round_why = why for the whole room.
        Participant.objects.filter(discussion_id=discussion_id).update(first_round_why=F("why"))
        discussion.round = 2
        discussion.set_clock(
            timer.Clock(
                duration_seconds=duration_seconds or clock.duration_seconds,
                started_at=now,
                paused_at=None,
                paused_seconds=0,
                ended_at=None,
            )
        )
        try:
            with transaction.atomic():
                discussion.save(
                    update_fields=[
                        "round",
                        "duration_seconds",
                        "started_at",
                        "paused_at",
                        "paused_seconds",
                        "ended_at",
                    ]
                )
        except IntegrityError:
            # Open again, its join code competes with the open discussions' codes.
            raise Refused(
                _(
                    "En annan öppen diskussion har samma anslutningskod. "
                    "Avsluta den först, eller skapa en ny diskussion."
                ),
                409,
            ) from None
        Discussion.bump_revision(discussion_id)
    return True

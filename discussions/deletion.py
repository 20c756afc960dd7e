"""Deleting what people left behind: their answers (keeping the report), or a workshop.

`delete_participant_data` removes participants, rankings, texts and +1s, but first
freezes each started discussion's report in a ReportSnapshot (discussions/stored.py);
from then on the report, the summary sheets and the screens show that snapshot.
`delete_workshop` removes everything. Neither runs while a discussion is running or
paused: nothing is deleted under people who are still answering.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions import results, stored, timer
from discussions.models import (
    ActivityEndorsement,
    ActivityProposal,
    Discussion,
    Group,
    MissingArea,
    MissingAreaEndorsement,
    ModerationEvent,
    Participant,
    Ranking,
    ReportSnapshot,
    TableAnswer,
    Workshop,
)
from discussions.refused import Refused

BUSY = (timer.State.RUNNING, timer.State.PAUSED)


def counts(workshop: Workshop) -> dict[str, int]:
    """What the workshop holds, for the confirmation pages."""
    people = Participant.objects.filter(discussion__workshop=workshop)
    return {
        "discussions": workshop.discussions.count(),
        "groups": Group.objects.filter(discussion__workshop=workshop).count(),
        "participants": people.count(),
        "rankings": Ranking.objects.filter(participant__discussion__workshop=workshop).count(),
        "whys": people.exclude(why="").count(),
        "missing_areas": MissingArea.objects.filter(discussion__workshop=workshop).count(),
        "activities": ActivityProposal.objects.filter(discussion__workshop=workshop).count(),
        "endorsements": (
            MissingAreaEndorsement.objects.filter(entry__discussion__workshop=workshop).count()
            + ActivityEndorsement.objects.filter(entry__discussion__workshop=workshop).count()
        ),
        "snapshots": ReportSnapshot.objects.filter(discussion__workshop=workshop).count(),
    }


def busy_discussions(workshop: Workshop, now=None) -> list[Discussion]:
    """Discussions that are running or paused: nothing is deleted under them."""
    now = now or timezone.now()
    return [d for d in workshop.discussions.all() if timer.state(d.clock, now) in BUSY]


def _refuse_if_busy(discussions, now) -> None:
    busy = [d for d in discussions if timer.state(d.clock, now) in BUSY]
    if busy:
        raise Refused(
            _("Diskussionen ”%(title)s” pågår. Avsluta den först.") % {"title": busy[0].title},
            409,
        )


def delete_participant_data(workshop: Workshop) -> dict[str, int]:
    """Delete participants, rankings, texts and +1s; keep the report as a snapshot.

    The round-1 copies of a second round (FirstRoundRanking, Participant.first_round_why)
    go with their participants; the snapshot keeps round 1's results and the movement
    (stored.data), as it keeps round 2's.

    Raises Refused while a discussion is running or paused. A discussion that has
    started gets a ReportSnapshot of its results now (one that already has one keeps
    it: it was ended for good when that was made, so no answer came since) and is
    ended for good, so nobody can extend it and add answers the frozen report would
    lack. One that never started keeps no report: it may still run later.
    Returns how many rows of each kind went.
    """
    with transaction.atomic():
        discussions = list(
            Discussion.objects.select_for_update()
            .select_related("recommendation_set")
            .filter(workshop=workshop)
            .order_by("pk")
        )
        now = timezone.now()
        _refuse_if_busy(discussions, now)
        whys = Participant.objects.filter(discussion__workshop=workshop).exclude(why="").count()
        frozen = set(
            ReportSnapshot.objects.filter(discussion__in=discussions).values_list(
                "discussion_id", flat=True
            )
        )
        for discussion in discussions:
            if discussion.started_at is None:
                continue
            if discussion.pk not in frozen:
                # Inside the transaction: the snapshot holds exactly what goes below.
                data = stored.data(
                    results.of(discussion, results.PARTICIPANT),
                    results.of(discussion, results.GROUP),
                )
                ReportSnapshot.objects.create(
                    discussion=discussion, schema_version=stored.SCHEMA_VERSION, data=data
                )
            if discussion.ended_at is None:
                discussion.set_clock(timer.end(discussion.clock, now))
                discussion.save(update_fields=["paused_at", "paused_seconds", "ended_at"])
        # The tables' agreed answers are what participants wrote, with their names: the
        # frozen report keeps each table's newest one (stored.py), without its author.
        _, answers = TableAnswer.objects.filter(group__discussion__workshop=workshop).delete()
        _, deleted = Participant.objects.filter(discussion__workshop=workshop).delete()
        # The moderation log quotes what participants wrote: those words go too, and
        # the +1s a merge could have put back. Who did what, and when, stays.
        ModerationEvent.objects.filter(discussion__workshop=workshop).exclude(kind="group").update(
            text="", target_text="", undo={}
        )
        for discussion in discussions:
            # Dashboards and projectors still open pick the change up on their next poll.
            Discussion.bump_revision(discussion.pk)
    return {
        "participants": deleted.get("discussions.Participant", 0),
        "rankings": deleted.get("discussions.Ranking", 0),
        "whys": whys,
        "missing_areas": deleted.get("discussions.MissingArea", 0),
        "activities": deleted.get("discussions.ActivityProposal", 0),
        "endorsements": deleted.get("discussions.MissingAreaEndorsement", 0)
        + deleted.get("discussions.ActivityEndorsement", 0),
        "table_answers": answers.get("discussions.TableAnswer", 0),
    }


def delete_workshop(workshop: Workshop) -> dict[str, int]:
    """Delete the workshop with everything in it. Refused while a discussion runs."""
    with transaction.atomic():
        discussions = list(
            Discussion.objects.select_for_update().filter(workshop=workshop).order_by("pk")
        )
        _refuse_if_busy(discussions, timezone.now())
        _, deleted = workshop.delete()
    return {label.split(".")[-1].lower(): n for label, n in deleted.items()}

"""Helpers for the race tests: threads released together, and a room of phones."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from discussions import timer
from discussions.models import Discussion, Group, Participant, Ranking, Workshop
from recommendations.models import RecommendationSet


def at_once(n, work):
    """Run work(i) in n threads released together; return (results, errors)."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, [None] * n

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as e:  # collected and asserted on by the test
            errors[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@pytest.fixture
def room(transactional_db):
    call_command("loaddata", "recommendations", verbosity=0)
    rec_set = RecommendationSet.objects.get()
    workshop = Workshop.objects.create(title="Värmland", recommendation_set=rec_set)
    discussion = Discussion.objects.create(
        workshop=workshop, title="Runda 1", recommendation_set=rec_set, join_code="RACE22"
    )
    groups = [
        Group.objects.create(discussion=discussion, name=f"Bord {i}", position=i) for i in range(5)
    ]
    discussion.set_clock(timer.start(discussion.clock, timezone.now()))
    discussion.save()
    participants = [
        Participant.objects.create(discussion=discussion, group=groups[i % 5]) for i in range(50)
    ]
    recs = list(rec_set.recommendations.order_by("number"))
    return discussion, participants, recs


def fresh(participant):
    """The participant as a view would load it, in the thread's own connection."""
    return Participant.objects.select_related("discussion").get(pk=participant.pk)


def ballot(participant):
    return list(
        Ranking.objects.filter(participant=participant)
        .order_by("position")
        .values_list("recommendation__number", flat=True)
    )


def revision(discussion):
    """The live revision: the discussion's plus its groups' (what the dashboard compares)."""
    return Discussion.objects.get(pk=discussion.pk).get_live_revision()


def _no_lock(discussion_id):
    """facilitator_writes.lock_discussion without the lock."""
    return Discussion.objects.get(pk=discussion_id)


def _no_participant_lock(participant):
    """participant_writes.lock_for_participant without the locks: the same answer, read plainly."""
    discussion = Discussion.objects.get(pk=participant.discussion_id)
    discussion.locked_group_id = (
        Participant.objects.filter(pk=participant.pk).values_list("group_id", flat=True).get()
    )
    return discussion

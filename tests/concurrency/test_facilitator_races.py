"""The facilitator's writes racing the phones', on PostgreSQL with real threads.

Each race is run with the discussion lock (participant_writes.lock_discussion) and again with
the lock patched out, which must show the race: so the first test can fail.
"""

import threading
import time
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings

from discussions import facilitator_writes, participant_writes
from discussions.models import (
    Discussion,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
)
from tests.concurrency.threads import _no_lock, _no_participant_lock, at_once, ballot, fresh

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _save_until_refused(participant, recs, told, stop):
    """One phone re-saving its ballot as fast as it can until it is told time is up."""
    orders = [[1, 2, 3], [3, 2, 1]]
    i = 0
    try:
        while not stop.is_set():
            order = orders[i % 2]
            try:
                participant_writes.save_ranking(fresh(participant), order, recs)
            except participant_writes.Refused:
                return
            told[participant.pk] = order  # what this phone was told is saved
            i += 1
    finally:
        connection.close()


def _race_the_end(discussion, participants, recs):
    told, stop = {}, threading.Event()
    savers = [
        threading.Thread(target=_save_until_refused, args=(p, recs, told, stop))
        for p in participants[:20]
    ]
    for t in savers:
        t.start()
    time.sleep(0.3)
    facilitator_writes.run_timer(discussion.pk, "end")
    connection.close()
    time.sleep(0.2)
    stop.set()
    for t in savers:
        t.join(timeout=60)
    ended_at = Discussion.objects.get(pk=discussion.pk).ended_at
    late = Participant.objects.filter(pk__in=told, ranked_at__gt=ended_at).count()
    lost = sum(ballot(p) != told[p.pk] for p in participants[:20] if p.pk in told)
    return late, lost, told


@override_settings(SUBMISSION_GRACE_SECONDS=0)
def test_nothing_is_accepted_after_the_end(room):
    discussion, participants, recs = room
    late, lost, told = _race_the_end(discussion, participants, recs)
    assert len(told) >= 10  # the race was on: most phones saved before the end
    assert (late, lost) == (0, 0)


@override_settings(SUBMISSION_GRACE_SECONDS=0)
def test_without_the_lock_answers_slip_in_after_the_end(room):
    discussion, participants, recs = room
    slipped = 0
    with mock.patch.object(participant_writes, "lock_for_participant", _no_participant_lock):
        for _ in range(5):
            late, _lost, _told = _race_the_end(discussion, participants, recs)
            slipped += late
            if slipped:
                break
            # Open the discussion again for another round.
            Discussion.objects.filter(pk=discussion.pk).update(ended_at=None)
    assert slipped > 0


def _merge_while_endorsing(discussion, participants):
    """30 phones +1 the duplicate while the facilitator merges it into the original."""
    author = participants[0]
    original = MissingArea.objects.create(
        discussion=discussion, group=author.group, author=author, text="Turism"
    )
    duplicate = MissingArea.objects.create(
        discussion=discussion, group=author.group, author=author, text="turism!"
    )
    # Five people had already +1'd both: after the merge each must count once.
    for p in participants[40:45]:
        MissingAreaEndorsement.objects.create(entry=original, participant=p)
        MissingAreaEndorsement.objects.create(entry=duplicate, participant=p)
    endorsers = participants[1:31]

    def work(i):
        if i == len(endorsers):
            time.sleep(0.01)
            return facilitator_writes.merge(MissingArea, discussion.pk, duplicate.pk, original.pk)
        return participant_writes.endorse(fresh(endorsers[i]), duplicate, True)

    _, errors = at_once(len(endorsers) + 1, work)
    assert errors == [None] * (len(endorsers) + 1)
    on_original = list(
        MissingAreaEndorsement.objects.filter(entry=original).values_list("participant", flat=True)
    )
    left_on_duplicate = MissingAreaEndorsement.objects.filter(entry=duplicate).count()
    expected = {p.pk for p in endorsers} | {p.pk for p in participants[40:45]}
    return on_original, left_on_duplicate, expected


def test_a_merge_racing_new_endorsements_counts_everyone_once(room):
    discussion, participants, _ = room
    on_original, left_on_duplicate, expected = _merge_while_endorsing(discussion, participants)
    assert left_on_duplicate == 0
    assert sorted(on_original) == sorted(expected)  # all there, none twice
    assert MissingArea.objects.get(text="turism!").merged_into.text == "Turism"


def test_without_the_lock_a_merge_loses_endorsements(room):
    discussion, participants, _ = room
    lost = 0
    with (
        mock.patch.object(participant_writes, "lock_for_participant", _no_participant_lock),
        mock.patch.object(facilitator_writes, "lock_discussion", _no_lock),
    ):
        for _ in range(5):
            MissingAreaEndorsement.objects.all().delete()
            MissingArea.objects.all().delete()
            on_original, left, expected = _merge_while_endorsing(discussion, participants)
            lost += left + len(expected - set(on_original))
            if lost:
                break
    assert lost > 0, "no race shown in 5 rounds"

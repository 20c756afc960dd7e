"""Phones writing at the same instant, on PostgreSQL with real threads.

Each test asserts the exact final state. Where the code relies on a lock, a
paired test removes the lock and shows the race it prevents, so the check is
one that can fail.
"""

import random
from unittest import mock

import pytest
from django.db import IntegrityError

from discussions import participant_writes
from discussions.models import (
    MissingArea,
    MissingAreaEndorsement,
    Ranking,
)
from tests.concurrency.threads import (
    _no_participant_lock,
    at_once,
    ballot,
    fresh,
    revision,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_participants_save_rankings_at_the_same_instant(room):
    discussion, participants, recs = room
    orders = [random.Random(i).sample(range(1, 9), k=1 + i % 8) for i in range(50)]
    before = revision(discussion)

    _, errors = at_once(
        50, lambda i: participant_writes.save_ranking(fresh(participants[i]), orders[i], recs)
    )

    assert errors == [None] * 50
    for participant, order in zip(participants, orders, strict=True):
        assert ballot(participant) == order
    assert revision(discussion) == before + 50


def _two_tabs(participant, recs, rounds):
    """One phone, two tabs, sending different ballots at the same instant."""
    failures, mixed = 0, 0
    for r in range(rounds):
        orders = [[1 + r % 5, 6, 7], [8, 1 + (r + 2) % 5]]
        _, errors = at_once(
            2,
            lambda i, orders=orders: participant_writes.save_ranking(
                fresh(participant), orders[i], recs
            ),
        )
        failures += sum(isinstance(e, IntegrityError) for e in errors)
        assert all(e is None or isinstance(e, IntegrityError) for e in errors), errors
        final = ballot(participant)
        mixed += final not in orders
    return failures, mixed


def test_two_tabs_of_one_phone_leave_one_whole_ballot(room):
    _, participants, recs = room
    failures, mixed = _two_tabs(participants[0], recs, rounds=15)
    assert (failures, mixed) == (0, 0)
    positions = list(
        Ranking.objects.filter(participant=participants[0]).values_list("position", flat=True)
    )
    assert sorted(positions) == list(range(1, len(positions) + 1))


def test_without_the_lock_two_tabs_collide(room):
    """The check the test above can fail: take the lock away and the race shows."""
    _, participants, recs = room
    with mock.patch.object(participant_writes, "lock_for_participant", _no_participant_lock):
        failures, mixed = _two_tabs(participants[0], recs, rounds=25)
    assert failures + mixed > 0


def test_fifty_endorsements_of_one_entry_at_once(room):
    discussion, participants, _ = room
    area = MissingArea.objects.create(
        discussion=discussion, group=participants[0].group, author=participants[0], text="Turism"
    )
    before = revision(discussion)

    _, errors = at_once(
        50, lambda i: participant_writes.endorse(fresh(participants[i]), area, True)
    )

    assert errors == [None] * 50
    endorsers = list(
        MissingAreaEndorsement.objects.filter(entry=area).values_list("participant", flat=True)
    )
    assert sorted(endorsers) == sorted(p.pk for p in participants)
    assert revision(discussion) == before + 50


def test_a_double_tap_on_plus_one_counts_once(room):
    discussion, participants, _ = room
    area = MissingArea.objects.create(
        discussion=discussion, group=participants[0].group, author=participants[0], text="Kultur"
    )
    for _ in range(10):
        _, errors = at_once(
            4, lambda i: participant_writes.endorse(fresh(participants[1]), area, True)
        )
        assert errors == [None] * 4
        assert MissingAreaEndorsement.objects.filter(entry=area).count() == 1

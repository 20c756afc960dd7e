"""Two members of one table saving the table's agreed answer at the same instant,
on PostgreSQL with real threads (discussions/table_answers.py).

Both phones show version 0 and save on it. With the group's row locked exactly one
version is added and the other save is told (Stale, a 409 showing the first). The
paired test takes the lock away and shows the race it prevents: both read "no
version yet", and either both are saved (the second over one it never saw) or the
second hits the unique (group, number) constraint, which would be a 500.
"""

from unittest import mock

import pytest
from django.db import IntegrityError

from discussions import table_answers
from discussions.models import TableAnswer
from tests.concurrency.threads import at_once, fresh

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _two_members_at_once(participants, recs, rounds):
    """Per round: members 0 and 5 (both at Bord 0) save on the base they both saw."""
    outcomes = []
    for r in range(rounds):
        base = TableAnswer.objects.filter(group=participants[0].group).count()
        members = [participants[0], participants[5]]
        _, errors = at_once(
            2,
            lambda i, members=members, base=base, r=r: table_answers.save(
                fresh(members[i]), base, recs[i], f"runda {r}, medlem {i}"
            ),
        )
        stale = sum(isinstance(e, table_answers.Stale) for e in errors)
        collided = sum(isinstance(e, IntegrityError) for e in errors)
        assert all(
            e is None or isinstance(e, (table_answers.Stale, IntegrityError)) for e in errors
        )
        added = TableAnswer.objects.filter(group=participants[0].group).count() - base
        outcomes.append((added, stale, collided))
    return outcomes


def test_two_members_on_the_same_base_exactly_one_wins(room):
    _, participants, recs = room
    assert participants[0].group_id == participants[5].group_id
    outcomes = _two_members_at_once(participants, recs, rounds=15)
    assert outcomes == [(1, 1, 0)] * 15
    numbers = list(
        TableAnswer.objects.filter(group=participants[0].group)
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert numbers == list(range(1, 16))


def test_without_the_lock_both_go_on(room):
    """The check the test above can fail: without the group's lock, some round ends
    with something other than one version added and one save told."""
    _, participants, recs = room
    with mock.patch.object(table_answers, "lock_group", lambda group_id: None):
        outcomes = _two_members_at_once(participants, recs, rounds=25)
    assert any(outcome != (1, 1, 0) for outcome in outcomes)

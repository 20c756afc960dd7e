"""The benchmark's database side, with the Django ORM: set up the room, check the result.

Import only after Django is set up with the same DATABASE_URL as the server.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.loadgen import Ledger
from discussions import results
from discussions.models import (
    ActivityEndorsement,
    ActivityProposal,
    Discussion,
    Group,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
    Ranking,
    Workshop,
)
from recommendations.models import RecommendationSet

AFTER_END_TOLERANCE_SECONDS = 1.0
USERNAME = "bench-facilitator"
PASSWORD = "bench-facilitator-password"  # a throwaway database's throwaway account


@dataclass
class Room:
    discussion_id: int
    join_code: str
    username: str = USERNAME
    password: str = PASSWORD


def create_room(groups: int, duration_seconds: int = 3600, title: str = "Bench") -> Room:
    """A workshop with one not-yet-started discussion and `groups` tables, and its facilitator."""
    if not RecommendationSet.objects.exists():
        call_command("loaddata", "recommendations", verbosity=0)
    rec_set = RecommendationSet.objects.order_by("pk").first()
    with transaction.atomic():
        user = get_user_model().objects.filter(username=USERNAME).first()
        if user is None:
            user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
        workshop = Workshop.objects.create(title=title, recommendation_set=rec_set)
        workshop.members.add(user)
        discussion = Discussion.objects.create(
            workshop=workshop,
            title=title,
            recommendation_set=rec_set,
            duration_seconds=duration_seconds,
        )
        Group.objects.bulk_create(
            Group(discussion=discussion, name=f"Bord {i}", position=i) for i in range(1, groups + 1)
        )
    return Room(discussion.pk, discussion.join_code)


# --- Lost writes -----------------------------------------------------------------------


@dataclass
class Check:
    acknowledged: int = 0  # writes the phones were told were saved
    lost: list[str] = field(default_factory=list)  # acknowledged, not in the database
    unexpected: list[str] = field(default_factory=list)  # in the database, never acknowledged
    after_end: list[str] = field(default_factory=list)  # stored past the end + grace (+ 1 s)
    uncertain: int = 0  # writes with no answer (errors): either outcome is accepted


def check_writes(discussion_id: int, ledgers: list[Ledger]) -> Check:
    """Compare every phone's acknowledged writes with what the database holds: 7 queries."""
    result = Check()
    discussion = Discussion.objects.get(pk=discussion_id)
    people = {
        p.pk: p
        for p in Participant.objects.filter(discussion_id=discussion_id).only(
            "pk", "group_id", "why", "ranked_at"
        )
    }
    ballots = defaultdict(list)
    for participant_id, number in (
        Ranking.objects.filter(participant__discussion_id=discussion_id)
        .order_by("participant_id", "position")
        .values_list("participant_id", "recommendation__number")
    ):
        ballots[participant_id].append(number)
    areas = defaultdict(set)
    for author_id, text in MissingArea.objects.filter(discussion_id=discussion_id).values_list(
        "author_id", "text"
    ):
        areas[author_id].add(text)
    activities = defaultdict(set)
    for author_id, text, number in ActivityProposal.objects.filter(
        discussion_id=discussion_id
    ).values_list("author_id", "text", "recommendation__number"):
        activities[author_id].add((text, number))
    endorsements = defaultdict(set)
    for kind, model in (("area", MissingAreaEndorsement), ("activity", ActivityEndorsement)):
        for participant_id, entry_id in model.objects.filter(
            entry__discussion_id=discussion_id
        ).values_list("participant_id", "entry_id"):
            endorsements[participant_id].add((kind, entry_id))

    for ledger in ledgers:
        who = f"participant {ledger.participant_id}"
        maybe = defaultdict(list)
        for what, value in ledger.uncertain:
            maybe[what].append(value)
        result.uncertain += len(ledger.uncertain)
        person = people.get(ledger.participant_id)
        result.acknowledged += 1  # the join
        if person is None:
            result.lost.append(f"{who}: the join")
            continue
        if person.group_id != ledger.group_id:
            result.lost.append(f"{who}: group {person.group_id}, told {ledger.group_id}")
        stored = ballots.get(person.pk, [])
        if ledger.ballot is not None:
            result.acknowledged += 1
            if stored != ledger.ballot and stored not in maybe["ballot"]:
                result.lost.append(f"{who}: ballot {stored}, told {ledger.ballot}")
        elif stored and stored not in maybe["ballot"]:
            result.unexpected.append(f"{who}: ballot {stored}, never acknowledged")
        if ledger.why is not None:
            result.acknowledged += 1
            if person.why != ledger.why and person.why not in maybe["why"]:
                result.lost.append(f"{who}: why {person.why!r}, told {ledger.why!r}")
        elif person.why and person.why not in maybe["why"]:
            result.unexpected.append(f"{who}: why {person.why!r}, never acknowledged")
        for told, held, what in (
            (ledger.areas, areas.get(person.pk, set()), "area"),
            (ledger.activities, activities.get(person.pk, set()), "activity"),
            (ledger.endorsements, endorsements.get(person.pk, set()), "endorsement"),
        ):
            result.acknowledged += len(told)
            for value in told - held:
                result.lost.append(f"{who}: {what} {value!r}")
            for value in held - told:
                if value not in maybe[what]:
                    result.unexpected.append(f"{who}: {what} {value!r}, never acknowledged")

    if discussion.ended_at is not None:
        # The clock is checked when a write starts and the row stamped when it is
        # inserted, a little later: allow a second for that, not more.
        limit = discussion.ended_at + timedelta(
            seconds=settings.SUBMISSION_GRACE_SECONDS + AFTER_END_TOLERANCE_SECONDS
        )
        for label, queryset in (
            ("missing area", MissingArea.objects.filter(discussion_id=discussion_id)),
            ("activity", ActivityProposal.objects.filter(discussion_id=discussion_id)),
            (
                "area +1",
                MissingAreaEndorsement.objects.filter(entry__discussion_id=discussion_id),
            ),
            (
                "activity +1",
                ActivityEndorsement.objects.filter(entry__discussion_id=discussion_id),
            ),
        ):
            late = queryset.filter(created_at__gt=limit).count()
            if late:
                result.after_end.append(f"{late} {label} stored after the end and its grace")
        late = sum(1 for p in people.values() if p.ranked_at and p.ranked_at > limit)
        if late:
            result.after_end.append(f"{late} ballots saved after the end and its grace")
    return result


# --- The dashboard with many participants ------------------------------------------------


@dataclass
class DashboardTiming:
    participants: int
    queries: int
    median_ms: float
    max_ms: float
    live_median_ms: float = 0.0  # after one write at one table, the usual redraw


def time_dashboard(discussion_id: int, repeat: int = 5) -> DashboardTiming:
    """Render the facilitator's dashboard in this process: its queries and its time.

    Cold renders first: the caches (the shared one, and this process's that holds the
    drawn fragments) and this process's results are cleared before each. Then the
    live case: one table has changed since the last redraw (its revision is bumped),
    so the results are counted again and that table drawn again.
    """
    discussion = Discussion.objects.get(pk=discussion_id)
    user = discussion.workshop.members.first()
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    url = reverse("facilitator:dashboard", args=[discussion_id])
    times, queries = [], 0
    for _ in range(repeat):
        for name in settings.CACHES:
            caches[name].clear()
        results.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"dashboard answered {response.status_code}")
        queries = len(captured.captured_queries)
    group_id = discussion.groups.values_list("pk", flat=True).first()
    live = []
    for _ in range(repeat):
        Group.bump_revision(group_id)
        started = time.perf_counter()
        client.get(url)
        live.append((time.perf_counter() - started) * 1000)
    return DashboardTiming(
        participants=discussion.participants.count(),
        queries=queries,
        median_ms=statistics.median(times),
        max_ms=max(times),
        live_median_ms=statistics.median(live),
    )


def crowd_room(participants: int, groups: int) -> int:
    """A discussion filled by `manage.py crowd`'s make_crowd; returns its id."""
    from discussions.management.commands.crowd import make_crowd

    room = create_room(groups, title=f"Crowd {participants}")
    discussion = Discussion.objects.get(pk=room.discussion_id)
    make_crowd(discussion, participants, seed=participants)
    return room.discussion_id


def fill_room(discussion_id: int, participants: int, seed: int = 1) -> None:
    """What `participants` phones of the benchmark leave behind, inserted in bulk.

    Each one in a random group: a ballot, why, one missing area, one activity and
    two +1s on entries of their group, as bench/loadgen.py's phones do.
    """
    import random

    from django.utils import timezone

    rng = random.Random(seed)
    discussion = Discussion.objects.get(pk=discussion_id)
    recs = list(discussion.recommendation_set.recommendations.order_by("number"))
    groups = list(discussion.groups.all())
    now = timezone.now()
    with transaction.atomic():
        people = Participant.objects.bulk_create(
            Participant(
                discussion=discussion,
                group=rng.choice(groups),
                display_name=f"Telefon {i}",
                why=f"Telefon {i}: det här berör flest på båda sidor om gränsen.",
                ranked_at=now,
            )
            for i in range(participants)
        )
        Ranking.objects.bulk_create(
            Ranking(participant=person, recommendation=rec, position=position)
            for person in people
            for position, rec in enumerate(
                rng.sample(recs, rng.choice([3, 3, 5, len(recs)])), start=1
            )
        )
        areas = MissingArea.objects.bulk_create(
            MissingArea(
                discussion=discussion,
                group=person.group,
                author=person,
                text=f"Område från telefon {person.display_name}",
            )
            for person in people
        )
        activities = ActivityProposal.objects.bulk_create(
            ActivityProposal(
                discussion=discussion,
                group=person.group,
                author=person,
                text=f"Aktivitet från telefon {person.display_name}",
                recommendation=rng.choice(recs),
            )
            for person in people
        )
        by_group = defaultdict(list)
        for entry in [*areas, *activities]:
            by_group[entry.group_id].append(entry)
        area_plus, activity_plus = [], []
        for person in people:
            others = [e for e in by_group[person.group_id] if e.author_id != person.pk]
            for entry in rng.sample(others, min(2, len(others))):
                if isinstance(entry, MissingArea):
                    area_plus.append(MissingAreaEndorsement(entry=entry, participant=person))
                else:
                    activity_plus.append(ActivityEndorsement(entry=entry, participant=person))
        MissingAreaEndorsement.objects.bulk_create(area_plus)
        ActivityEndorsement.objects.bulk_create(activity_plus)
        Discussion.bump_revision(discussion_id)

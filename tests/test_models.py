"""Integrity rules that the database itself enforces, on SQLite and on PostgreSQL."""

from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from discussions.models import (
    ActivityEndorsement,
    ActivityProposal,
    Discussion,
    Group,
    MissingArea,
    MissingAreaEndorsement,
    Participant,
    Ranking,
    normalise_join_code,
    random_code,
)
from recommendations.models import Recommendation
from tests.base import BaseTestCase


class ConstraintTests(BaseTestCase):
    def setUp(self):
        self.p = Participant.objects.create(discussion=self.discussion, group=self.table1)
        self.q = Participant.objects.create(discussion=self.discussion, group=self.table1)

    def assertRejected(self, constraint, create):
        with self.assertRaises(IntegrityError) as caught, transaction.atomic():
            create()
        # PostgreSQL names the constraint that refused the row (SQLite names
        # only check constraints, and the columns of a unique one).
        if connection.vendor == "postgresql":
            self.assertIn(constraint, str(caught.exception))

    def test_a_ballot_cannot_hold_a_recommendation_twice(self):
        Ranking.objects.create(participant=self.p, recommendation=self.recs[0], position=1)
        self.assertRejected(
            "discussions_ranking_recommendation_once",
            lambda: Ranking.objects.create(
                participant=self.p, recommendation=self.recs[0], position=2
            ),
        )
        # The same recommendation on another ballot is fine.
        Ranking.objects.create(participant=self.q, recommendation=self.recs[0], position=1)

    def test_a_ballot_cannot_hold_a_position_twice(self):
        Ranking.objects.create(participant=self.p, recommendation=self.recs[0], position=1)
        self.assertRejected(
            "discussions_ranking_position_once",
            lambda: Ranking.objects.create(
                participant=self.p, recommendation=self.recs[1], position=1
            ),
        )

    def test_positions_start_at_one(self):
        self.assertRejected(
            "discussions_ranking_position_range",
            lambda: Ranking.objects.create(
                participant=self.p, recommendation=self.recs[0], position=0
            ),
        )

    def test_one_endorsement_per_participant_and_entry(self):
        area = MissingArea.objects.create(
            discussion=self.discussion, group=self.table1, author=self.p, text="Turism"
        )
        MissingAreaEndorsement.objects.create(entry=area, participant=self.q)
        self.assertRejected(
            "discussions_missingareaendorsement_once",
            lambda: MissingAreaEndorsement.objects.create(entry=area, participant=self.q),
        )
        activity = ActivityProposal.objects.create(
            discussion=self.discussion,
            group=self.table1,
            author=self.p,
            text="Gemensam tågdag",
            recommendation=self.recs[1],
        )
        ActivityEndorsement.objects.create(entry=activity, participant=self.q)
        self.assertRejected(
            "discussions_activityendorsement_once",
            lambda: ActivityEndorsement.objects.create(entry=activity, participant=self.q),
        )

    def test_entries_need_text_and_cannot_merge_into_themselves(self):
        self.assertRejected(
            "discussions_missingarea_text_not_empty",
            lambda: MissingArea.objects.create(
                discussion=self.discussion, group=self.table1, author=self.p, text=""
            ),
        )
        area = MissingArea.objects.create(
            discussion=self.discussion, group=self.table1, author=self.p, text="Turism"
        )
        area.merged_into = area
        self.assertRejected("discussions_missingarea_not_merged_into_itself", area.save)

    def test_join_code_unique_among_open_discussions(self):
        make = lambda: Discussion.objects.create(  # noqa: E731
            workshop=self.workshop,
            title="Andra rundan",
            recommendation_set=self.rec_set,
            join_code=self.discussion.join_code,
        )
        self.assertRejected("discussions_discussion_join_code_open_unique", make)
        # Once the first has ended, its code is free for a new discussion.
        now = timezone.now()
        Discussion.objects.filter(pk=self.discussion.pk).update(started_at=now, ended_at=now)
        second = make()
        self.assertEqual(second.join_code, self.discussion.join_code)

    def test_timer_states_that_cannot_exist(self):
        now = timezone.now()
        base = {"workshop": self.workshop, "title": "x", "recommendation_set": self.rec_set}
        self.assertRejected(
            "discussions_discussion_paused_after_start",
            lambda: Discussion.objects.create(**base, join_code=random_code(), paused_at=now),
        )
        self.assertRejected(
            "discussions_discussion_ended_after_start",
            lambda: Discussion.objects.create(**base, join_code=random_code(), ended_at=now),
        )
        self.assertRejected(
            "discussions_discussion_duration_range",
            lambda: Discussion.objects.create(**base, join_code=random_code(), duration_seconds=0),
        )
        self.assertRejected(
            "discussions_discussion_not_paused_and_ended",
            lambda: Discussion.objects.create(
                **base,
                join_code=random_code(),
                started_at=now - timedelta(minutes=5),
                paused_at=now,
                ended_at=now,
            ),
        )

    def test_group_names_unique_within_a_discussion(self):
        self.assertRejected(
            "discussions_group_name_unique",
            lambda: Group.objects.create(discussion=self.discussion, name="Bord 1"),
        )
        Group.objects.create(discussion=self.other_discussion, name="Bord 2")

    def test_recommendation_numbers_unique_within_a_set(self):
        self.assertRejected(
            "recommendations_recommendation_number_unique",
            lambda: Recommendation.objects.create(
                recommendation_set=self.rec_set, number=1, title="Dubblett"
            ),
        )

    def test_deleting_a_discussion_takes_its_groups_and_participants(self):
        Ranking.objects.create(participant=self.p, recommendation=self.recs[0], position=1)
        self.discussion.delete()
        self.assertFalse(Participant.objects.filter(pk=self.p.pk).exists())
        self.assertFalse(Group.objects.filter(pk=self.table1.pk).exists())
        self.assertFalse(Ranking.objects.exists())

    def test_a_group_with_people_cannot_be_deleted_alone(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.table1.delete()


class JoinCodeTests(BaseTestCase):
    def test_codes_avoid_look_alike_characters(self):
        codes = "".join(random_code() for _ in range(500))
        self.assertFalse(set(codes) & set("0O1IL"))
        self.assertEqual(len(random_code()), 6)

    def test_typed_codes_are_normalised(self):
        self.assertEqual(normalise_join_code(" varm-26 "), "VARM26")

    def test_revision_bump_is_an_increment(self):
        Discussion.bump_revision(self.discussion.pk)
        Discussion.bump_revision(self.discussion.pk)
        self.discussion.refresh_from_db()
        self.assertEqual(self.discussion.revision, 2)

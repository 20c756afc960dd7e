"""A shared starting point for tests: named people and workshops, no factories.

alice runs the Värmland workshop; bob runs another workshop elsewhere; charlie
is staff with no workshop of his own. Each workshop has one discussion with
groups ready to join.
"""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
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
    Workshop,
)
from recommendations.models import RecommendationSet

PASSWORD = "correct horse battery staple"


def make_user(username, **extra):
    user = get_user_model().objects.create_user(username, password=PASSWORD, **extra)
    return user


class BaseTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("loaddata", "recommendations", verbosity=0)
        cls.rec_set = RecommendationSet.objects.get(slug="varmland-gransamarbete")
        cls.recs = list(cls.rec_set.recommendations.order_by("number"))

        cls.alice = make_user("alice")
        cls.bob = make_user("bob")
        cls.charlie = make_user("charlie", is_staff=True)

        cls.workshop = Workshop.objects.create(
            title="Gränssamarbete i Värmland", place="Karlstad", recommendation_set=cls.rec_set
        )
        cls.workshop.members.add(cls.alice)
        cls.discussion = Discussion.objects.create(
            workshop=cls.workshop,
            title="Gruppdiskussion",
            recommendation_set=cls.rec_set,
            join_code="VARM26",
        )
        cls.table1 = Group.objects.create(discussion=cls.discussion, name="Bord 1", position=1)
        cls.table2 = Group.objects.create(discussion=cls.discussion, name="Bord 2", position=2)

        cls.other_workshop = Workshop.objects.create(
            title="Gränssamarbete i Dalarna", place="Falun", recommendation_set=cls.rec_set
        )
        cls.other_workshop.members.add(cls.bob)
        cls.other_discussion = Discussion.objects.create(
            workshop=cls.other_workshop,
            title="Gruppdiskussion",
            recommendation_set=cls.rec_set,
            join_code="DALA27",
        )
        cls.other_table = Group.objects.create(
            discussion=cls.other_discussion, name="Bord 1", position=1
        )


# --- Building answers directly (the phone's views are tested on their own) ---
# Each bumps its group's revision, as every write of the app does: results are kept
# under the revision (discussions/results.py).


def add_participant(discussion, group, numbers=(), why="", name=""):
    """A participant whose ballot ranks the recommendations with these numbers, best first."""
    participant = Participant.objects.create(
        discussion=discussion,
        group=group,
        display_name=name,
        why=why,
        ranked_at=timezone.now() if numbers else None,
    )
    recs = {r.number: r for r in discussion.recommendation_set.recommendations.all()}
    Ranking.objects.bulk_create(
        Ranking(participant=participant, recommendation=recs[n], position=i)
        for i, n in enumerate(numbers, start=1)
    )
    Group.bump_revision(group.pk)
    return participant


def add_area(participant, text, endorsers=(), **extra):
    area = MissingArea.objects.create(
        discussion=participant.discussion,
        group=participant.group,
        author=participant,
        text=text,
        **extra,
    )
    for endorser in endorsers:
        MissingAreaEndorsement.objects.create(entry=area, participant=endorser)
    Group.bump_revision(participant.group_id)
    return area


def add_activity(participant, text, recommendation, endorsers=()):
    activity = ActivityProposal.objects.create(
        discussion=participant.discussion,
        group=participant.group,
        author=participant,
        text=text,
        recommendation=recommendation,
    )
    for endorser in endorsers:
        ActivityEndorsement.objects.create(entry=activity, participant=endorser)
    Group.bump_revision(participant.group_id)
    return activity

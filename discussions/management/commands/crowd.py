"""Fill a discussion with N made-up participants: for demos, tests and benchmarks.

Each one joins a group, ranks some or all recommendations, and some write why,
add a missing area or an activity, and +1 what others wrote. Everything is
inserted with bulk_create in one transaction, so 2,000 participants take seconds.

The ballots are not uniform noise: every group leans towards its own favourites
around a shared preference, so the dashboard has agreement and disagreement to show.
"""

import random
from dataclasses import dataclass

from django.core.management import BaseCommand, CommandError
from django.db import transaction
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
)

FIRST_NAMES = [
    "Anna", "Erik", "Karin", "Lars", "Maria", "Nils", "Ingrid", "Ola", "Kari", "Per",
    "Sofia", "Jonas", "Elin", "Magnus", "Sigrid", "Henrik", "Linnea", "Tor", "Astrid", "",
]  # fmt: skip
WHY = [
    "Det här påverkar flest människor i vardagen på båda sidor om gränsen.",
    "Utan det här fungerar inget av det andra.",
    "Pendlarna märker det varje dag, det är dags att lösa det.",
    "Här finns pengar och vilja just nu, vi bör ta chansen.",
    "Vi har pratat om det i tjugo år. Nu måste det hända.",
    "Det är grunden för att företagen ska kunna rekrytera.",
    "Värmland har mest att vinna här.",
    "Utan bättre statistik fattar vi beslut i blindo.",
    "Det bygger förtroende mellan kommunerna.",
    "Ungdomarna flyttar om vi inte gör något.",
]
MISSING = [
    "Kultur och idrott",
    "Kultur",
    "Ungdomars perspektiv",
    "Unga",
    "Bostäder för pendlare",
    "Turism och besöksnäring",
    "Besöksnäring",
    "Skolor och utbildning",
    "Hälso- och sjukvård över gränsen",
    "Vård",
    "Civilt försvar och beredskap",
    "Språk: att förstå varandra",
    "Landsbygdens villkor",
    "Klimatanpassning",
]
ACTIVITIES = [
    "Gemensam arbetsmarknadsdag i Charlottenberg",
    "Årlig gränskonferens med kommunerna",
    "Pilotprojekt med gemensam e-legitimation",
    "Kartlägg pendlingen med SCB och SSB",
    "Studieresa längs Oslo–Stockholm-banan",
    "Nätverk för företag på båda sidor",
    "Gemensam informationstjänst för pendlare",
    "Ungdomsutbyte mellan skolor",
    "Innovationstävling för gröna lösningar",
    "Kulturfestival vid gränsen",
]
# Shares of participants that do each thing.
RANK_SHARE = 0.85
WHY_SHARE = 0.5
AREA_SHARE = 0.2
ACTIVITY_SHARE = 0.25
MAX_ENDORSEMENTS = 4


@dataclass
class Crowd:
    participants: list[Participant]
    rankings: list[Ranking]
    areas: list[MissingArea]
    activities: list[ActivityProposal]


def _ballot(rng: random.Random, recs: list, taste: dict) -> list:
    """A Plackett-Luce draw: pick the next item with probability ~ its taste."""
    left = list(recs)
    length = rng.choice([3, 3, 5, len(recs), len(recs)])
    ballot = []
    while left and len(ballot) < length:
        pick = rng.choices(left, weights=[taste[r.pk] for r in left])[0]
        ballot.append(pick)
        left.remove(pick)
    return ballot


def make_crowd(discussion: Discussion, count: int, seed: int | None = None) -> Crowd:
    """Add `count` participants with answers to the discussion; returns what it made.

    Creates Bord 1-4 first if the discussion has no groups yet.
    """
    rng = random.Random(seed)
    recs = list(discussion.recommendation_set.recommendations.order_by("number"))
    now = timezone.now()
    with transaction.atomic():
        groups = list(discussion.groups.all())
        if not groups:
            groups = Group.objects.bulk_create(
                Group(discussion=discussion, name=f"Bord {i}", position=i) for i in range(1, 5)
            )
        shared = {rec.pk: rng.uniform(0.5, 3) for rec in recs}
        tastes = {
            group.pk: {pk: value * rng.uniform(0.3, 2.5) for pk, value in shared.items()}
            for group in groups
        }
        people = [
            Participant(
                discussion=discussion,
                group=rng.choice(groups),
                display_name=rng.choice(FIRST_NAMES),
            )
            for _ in range(count)
        ]
        ballots = {}
        for person in people:
            if rng.random() < RANK_SHARE and recs:
                ballots[id(person)] = _ballot(rng, recs, tastes[person.group.pk])
                person.ranked_at = now
                if rng.random() < WHY_SHARE:
                    person.why = rng.choice(WHY)
        Participant.objects.bulk_create(people)

        rankings = [
            Ranking(participant=person, recommendation=rec, position=position)
            for person in people
            for position, rec in enumerate(ballots.get(id(person), []), start=1)
        ]
        Ranking.objects.bulk_create(rankings)

        areas = MissingArea.objects.bulk_create(
            MissingArea(
                discussion=discussion,
                group=person.group,
                author=person,
                text=rng.choice(MISSING),
            )
            for person in people
            if rng.random() < AREA_SHARE
        )
        activities = []
        if recs:
            activities = ActivityProposal.objects.bulk_create(
                ActivityProposal(
                    discussion=discussion,
                    group=person.group,
                    author=person,
                    text=rng.choice(ACTIVITIES),
                    recommendation=rng.choice(recs),
                )
                for person in people
                if rng.random() < ACTIVITY_SHARE
            )
        for entries, model in (
            (areas, MissingAreaEndorsement),
            (activities, ActivityEndorsement),
        ):
            endorsements = []
            if entries:
                for person in people:
                    picks = rng.sample(entries, min(len(entries), rng.randint(0, MAX_ENDORSEMENTS)))
                    endorsements.extend(model(entry=e, participant=person) for e in picks)
            model.objects.bulk_create(endorsements)
        Discussion.bump_revision(discussion.pk)
    return Crowd(people, rankings, areas, activities)


class Command(BaseCommand):
    help = "Add N made-up participants with rankings, texts and +1s to a discussion."

    def add_arguments(self, parser):
        parser.add_argument("discussion", help="The discussion's id or join code.")
        parser.add_argument("-n", "--participants", type=int, default=200)
        parser.add_argument("--seed", type=int, default=None, help="Same seed, same crowd.")

    def handle(self, *args, discussion, participants, seed, **options):
        if not 1 <= participants <= 100_000:
            raise CommandError("--participants must be between 1 and 100000.")
        target = (
            Discussion.objects.filter(join_code=discussion.upper()).order_by("-created_at").first()
        )
        if target is None and discussion.isdigit():
            target = Discussion.objects.filter(pk=int(discussion)).first()
        if target is None:
            raise CommandError(f"No discussion with id or join code {discussion!r}.")
        crowd = make_crowd(target, participants, seed)
        self.stdout.write(
            f"Added {len(crowd.participants)} participants to {target} "
            f"({len(crowd.rankings)} ranking rows, {len(crowd.areas)} missing areas, "
            f"{len(crowd.activities)} activities)."
        )

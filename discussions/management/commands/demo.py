"""Create the demo workshop: safe to run again, it changes nothing the second time."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError, call_command
from django.db import transaction

from discussions.models import Discussion, Group, Workshop
from recommendations.models import RecommendationSet

DEMO_USERNAME = "demo"
# A known password is the point of a demo on a developer's machine; the command
# refuses to run with DEBUG off unless told to, so it does not end up in production.
DEMO_PASSWORD = "gransforum-demo"
DEMO_SET_SLUG = "varmland-gransamarbete"
DEMO_WORKSHOP = "Demo: Svensk-norskt samarbete i Värmland"
DEMO_GROUPS = ["Bord 1", "Bord 2", "Bord 3", "Bord 4"]


class Command(BaseCommand):
    help = "Create a demo workshop with one 20-minute discussion, four groups and a facilitator."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the app is reached, for the printed join link.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (not for production)."
        )

    def handle(self, *args, base_url, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: the demo has a known password. Use --force.")
        if not RecommendationSet.objects.filter(slug=DEMO_SET_SLUG).exists():
            call_command("loaddata", "recommendations", verbosity=0)
        with transaction.atomic():
            discussion, user = self.create()
        base = base_url.rstrip("/")
        self.stdout.write(
            "\n".join(
                [
                    "Demo ready.",
                    f"  Facilitator login: {base}/konto/logga-in/",
                    f"    username: {user.username}",
                    f"    password: {DEMO_PASSWORD}",
                    f"  Participants join: {base}{discussion.get_join_url()}",
                    f"    join code: {discussion.join_code}",
                ]
            )
        )

    def create(self):
        rec_set = RecommendationSet.objects.get(slug=DEMO_SET_SLUG)
        user, created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        workshop, _ = Workshop.objects.get_or_create(
            title=DEMO_WORKSHOP,
            defaults={"place": "Karlstad", "recommendation_set": rec_set},
        )
        workshop.members.add(user)
        discussion, _ = Discussion.objects.get_or_create(
            workshop=workshop,
            title="Gruppdiskussion – 20 minuter",
            defaults={"recommendation_set": rec_set},
        )
        for position, name in enumerate(DEMO_GROUPS, start=1):
            Group.objects.get_or_create(
                discussion=discussion, name=name, defaults={"position": position}
            )
        return discussion, user

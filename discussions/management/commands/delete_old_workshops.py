"""Delete workshops older than N days, with everything in them.

    python manage.py delete_old_workshops --days 365 --dry-run
    python manage.py delete_old_workshops --days 365

A workshop's age is counted from its date, or from when it was created if it has
no date. A workshop with a discussion running or paused right now is left alone.
Meant for a daily cron job; prints one line per workshop it deletes (or would).
"""

from datetime import timedelta

from django.core.management import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from discussions import deletion
from discussions.models import Workshop
from discussions.refused import Refused


def old_workshops(days: int, now=None):
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    return Workshop.objects.filter(
        Q(date__lt=timezone.localdate(cutoff)) | Q(date__isnull=True, created_at__lt=cutoff)
    ).order_by("date", "created_at", "pk")


class Command(BaseCommand):
    help = "Delete workshops (and all their data) older than N days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, required=True, help="Older than this many days.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only print what would be deleted."
        )

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = skipped = 0
        for workshop in old_workshops(days):
            found = deletion.counts(workshop)
            line = (
                f"workshop {workshop.pk} {workshop.title!r} "
                f"({workshop.date or workshop.created_at.date()}): "
                f"{found['discussions']} discussions, {found['participants']} participants"
            )
            if deletion.busy_discussions(workshop):
                self.stdout.write(f"Skipped {line}: a discussion is running")
                skipped += 1
                continue
            if not dry_run:
                try:
                    deletion.delete_workshop(workshop)
                except Refused:  # it started in the meantime
                    self.stdout.write(f"Skipped {line}: a discussion is running")
                    skipped += 1
                    continue
            self.stdout.write(f"{'Would delete' if dry_run else 'Deleted'} {line}")
            deleted += 1
        verb = "would be deleted" if dry_run else "deleted"
        summary = f"{deleted} workshop(s) older than {days} days {verb}"
        self.stdout.write(summary + (f", {skipped} skipped." if skipped else "."))

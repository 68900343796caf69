from django.core.management.base import BaseCommand
from django.utils import timezone

from reminders.digest import send_all


class Command(BaseCommand):
    help = "Email each owner a digest of their actions to chase and each manager a weekly summary."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would be sent")

    def handle(self, *args, dry_run=False, **options):
        sent = send_all(timezone.localdate(), dry_run=dry_run)
        verb = "Would send" if dry_run else "Sent"
        for username, kind, subject in sent:
            self.stdout.write(f"{verb} {kind} to {username}: {subject}")
        self.stdout.write(f"{verb} {len(sent)} email(s).")

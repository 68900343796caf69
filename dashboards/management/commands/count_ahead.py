from django.core.management.base import BaseCommand
from django.utils import timezone

from dashboards.data import count_ahead


class Command(BaseCommand):
    help = (
        "Count every plan's actions by rating for today and keep the counts, so that the day's "
        "first view of a manager's dashboard reads them (run daily, just after midnight)."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        self.stdout.write(f"Counted {count_ahead(today)} plan(s) for {today:%-d %B %Y}.")

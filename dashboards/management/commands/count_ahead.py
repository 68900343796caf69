from django.core.management.base import BaseCommand
from django.utils import timezone

from actionplans import page_cache
from dashboards.data import count_ahead


class Command(BaseCommand):
    help = (
        "Count every plan's actions by rating for today and keep the counts, so that the day's "
        "first view of a manager's dashboard reads them (run daily, just after midnight)."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        counted, left = count_ahead(today)
        self.stdout.write(f"Counted {counted} plan(s) for {today:%-d %B %Y}.")
        if left:
            self.stdout.write(
                self.style.WARNING(
                    f"{left} plan(s) left to be counted at their first view: the pages cache"
                    f" keeps {page_cache.room()} entries, and counting more than half of that"
                    " would push out the pages readers reuse. Raise PAGE_CACHE_MAX_ENTRIES"
                    " (docs/deploy.md)."
                )
            )

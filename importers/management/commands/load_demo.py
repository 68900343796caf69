from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from actionplans.models import Plan
from importers.demo import demo_usernames, load_demo


class Command(BaseCommand):
    help = "Load the seed council plans as demo data and create the demo logins (safe to re-run)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any plan already exists."
        )
        parser.add_argument(
            "--force", action="store_true", help="Load even with DEBUG off (a production site)."
        )

    def handle(self, *args, if_empty=False, force=False, **options):
        # The demo users have known passwords ('demo'): never on a production site by accident.
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a production site: the demo users' password is "
                "'demo'. Set DEBUG=1 to load the demo, or pass --force if you really mean it."
            )
        if if_empty and Plan.objects.exists():
            self.stdout.write("Plans already exist; demo data not loaded again.")
        else:
            plans = load_demo()
            for plan in plans:
                self.stdout.write(f"Loaded {plan}")
            if not plans:
                self.stdout.write("The demo plans were already loaded.")
        self.stdout.write(f"Demo logins (password 'demo'): {', '.join(demo_usernames())}")

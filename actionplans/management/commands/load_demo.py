from django.core.management.base import BaseCommand

from actionplans.demo import load_demo
from actionplans.models import Plan


class Command(BaseCommand):
    help = "Load the seed council plans as demo data and create the demo logins (safe to re-run)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any plan already exists."
        )
        parser.add_argument(
            "--force", action="store_true", help="Allow loading with DEBUG off (demo logins)."
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Plan.objects.exists():
            self.stdout.write("Plans already exist; demo data not loaded again.")
        else:
            plans = load_demo()
            for plan in plans:
                self.stdout.write(f"Loaded {plan}")
            if not plans:
                self.stdout.write("The demo plans were already loaded.")
        self.stdout.write("Demo logins (password 'demo'): officer, manager, clerk, admin")

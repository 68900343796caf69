"""Write a plan as a table (.xlsx or .csv) that import_plan reads back."""

from pathlib import Path

from django.core.management.base import BaseCommand

from actionplans.queries import plan_find
from importers import export


class Command(BaseCommand):
    help = "Export a plan as .xlsx or .csv in the layout import_plan reads."

    def add_arguments(self, parser):
        parser.add_argument("plan", help="The plan's id, or a phrase of its title.")
        parser.add_argument("--format", default="xlsx", choices=["xlsx", "csv"])
        parser.add_argument("-o", "--output", required=True, help="The file to write.")

    def handle(self, *args, **options):
        plan = plan_find(options["plan"])
        data = export.write(export.plan_rows(plan), options["format"], plan.title)
        Path(options["output"]).write_bytes(data)
        self.stdout.write(f"Wrote {options['output']} ({plan.title}).")

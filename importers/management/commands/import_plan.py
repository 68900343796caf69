"""Import a plan from an Excel, CSV or Word file: the same preview and checks as the web page."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from actionplans import rules
from core.errors import Refused
from importers import headers, returns_command, service


class Command(BaseCommand):
    help = "Import an action plan from a .xlsx, .csv or .docx table (see --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--plan-title", default="", help="The title (default: the file's).")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADING=FIELD",
            help=f"Give a column a meaning, or leave it out with HEADING=. Fields: "
            f"{', '.join(headers.MEANINGS)}.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Preview only; save nothing.")
        parser.add_argument("--user", help="The sign-in the import is made as (a manager).")
        parser.add_argument("--organisation", help="The council (default: the user's).")
        parser.add_argument(
            "--into",
            metavar="PLAN TITLE",
            help="A copy of this plan's table sent back with cells typed in: propose each "
            "changed cell to the plan's managers (with --dry-run, print them only).",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        if options["into"]:
            returns_command.import_into(
                self.stdout,
                path,
                title=options["into"],
                username=options["user"],
                dry_run=options["dry_run"],
            )
            return
        mapping = {}
        for item in options["map"]:
            heading, sep, field = item.rpartition("=")
            if not sep or not heading.strip():
                raise CommandError(f'--map {item!r}: write it as "Column heading=field".')
            if field.strip() and field.strip() not in headers.MEANINGS:
                raise CommandError(
                    f"--map {item!r}: {field!r} is not a field: {', '.join(headers.MEANINGS)}."
                )
            mapping[heading.strip()] = field.strip()
        user = self._user(options["user"])
        organisation = options["organisation"] or (rules.council_of(user) if user else "") or ""
        with path.open("rb") as handle:
            data = handle.read(service.readers.MAX_BYTES + 1)
        result = service.preview_file(
            path.name,
            data,
            mapping=mapping,
            title=options["plan_title"],
            organisation=organisation,
        )
        for line in service.describe(result):
            self.stdout.write(line)
        if result.blocking:
            raise CommandError(f"{len(result.blocking)} problem(s); nothing was imported.")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was saved.")
            return
        if user is None:
            raise CommandError("Give --user: the sign-in the plan is imported as.")
        if not organisation:
            raise CommandError("Give --organisation: the user is not linked to a council.")
        try:
            plan = service.confirm(result, actor=user, organisation=organisation)
        except Refused as error:
            raise CommandError(f"{error.message} Nothing was imported.") from None
        self.stdout.write(f"Imported plan {plan.pk}: {plan.title}")

    def _user(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No sign-in is named {username!r}.")
        return user

"""Render a plan's committee appendix to a file (PDF, Word, Excel or HTML), for scheduled jobs
and checks."""

import datetime as dt
import gc
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actionplans.queries import plan_find
from reporting import appendix, changes_since, printing
from reporting.fields import Updates
from reporting.formats import FORMATS
from reporting.models import Layout


class Command(BaseCommand):
    help = (
        "Render a plan as a committee appendix (PDF, Word, Excel or HTML), as it stood on a date."
    )

    def add_arguments(self, parser):
        parser.add_argument("plan", help="The plan's id, or a phrase of its title.")
        parser.add_argument("--layout", help="A layout's name (default: the plan's default).")
        parser.add_argument("--as-at", help="YYYY-MM-DD (default: today).")
        parser.add_argument("--updates", default="latest", help="latest, all or since:YYYY-MM-DD")
        parser.add_argument("--columns", help='"Heading=field,..." instead of the layout')
        parser.add_argument(
            "--changes-since",
            help="YYYY-MM-DD or last-pack: only the actions that changed since then (the end of "
            "that day, or the plan as its last published pack showed it), with what changed",
        )
        parser.add_argument("--format", default="pdf", choices=[*FORMATS, "html"])
        parser.add_argument(
            "--public",
            action="store_true",
            help="The public version: without what is marked not for publication (Schedule 12A), "
            "officers below the council's chosen level shown by their post.",
        )
        parser.add_argument("-o", "--output", required=True, help="The file to write.")

    def handle(self, *args, **options):
        plan = plan_find(options["plan"])
        layout = None
        if options["layout"]:
            # The plan's council's own layout of that name, else the preset.
            usable = Layout.objects.filter(organisation__in=[plan.organisation, ""])
            layout = (
                usable.filter(name__iexact=options["layout"].strip())
                .order_by("-organisation")
                .first()
            )
            if layout is None:
                names = ", ".join(usable.values_list("name", flat=True))
                raise CommandError(f"No layout is named {options['layout']!r}. Layouts: {names}.")
        try:
            as_at = dt.date.fromisoformat(options["as_at"]) if options["as_at"] else None
        except ValueError:
            raise CommandError(f"--as-at {options['as_at']!r} is not a date: YYYY-MM-DD.") from None
        try:
            updates = Updates.parse(options["updates"])
            spec = appendix.spec_for(plan, layout)
            if options["columns"]:
                spec.columns = appendix.parse_columns(options["columns"])
            if options["changes_since"] and (options["as_at"] or options["updates"] != "latest"):
                raise CommandError(
                    "--changes-since runs to today: leave out --as-at and --updates."
                )
            if options["changes_since"] and options["public"]:
                raise CommandError("--public is for an appendix: leave out --changes-since.")
            if options["changes_since"]:
                since = changes_since.since_for(plan, _since(options["changes_since"]))
                doc = changes_since.build(plan, spec, since)
            else:
                doc = appendix.build(plan, spec, as_at, updates, public=options["public"])
        except (ValueError, appendix.AppendixError) as error:
            raise CommandError(str(error)) from None
        output = Path(options["output"])
        # Render as the app's render process does (renders._write): a one-off process making
        # many short-lived objects and no cycles worth collecting; about an eighth faster. On
        # again after, for a caller that runs on (call_command in tests).
        gc.disable()
        try:
            if options["format"] == "html":
                output.write_text(printing.html(doc), encoding="utf-8")
            else:
                FORMATS[options["format"]].write(doc, output)
        finally:
            gc.enable()
        if doc.since is not None:
            self.stdout.write(f"Wrote {output} ({spec.name}, changes since {doc.since.words}).")
        else:
            public = ", public version" if doc.public else ""
            self.stdout.write(f"Wrote {output} ({spec.name}, as at {doc.as_at:%-d %B %Y}{public}).")


def _since(value):
    """--changes-since: last-pack or a date; CommandError in words otherwise."""
    value = value.strip()
    if value == changes_since.LAST_PACK:
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--changes-since {value!r} is not a date (YYYY-MM-DD) or last-pack."
        ) from None

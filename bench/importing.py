"""Time the plan importer on a generated spreadsheet: the preview (read + parse + owner matching)
and the import (one transaction through the services).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ap_import_bench \
      .venv/bin/python -m bench.importing [--rows 2000 --owners 40 --repeat 3]

The database is flushed first (its name must contain "bench"; see bench/run.py). The goal for
2,000 rows: preview under 5 s, import under 15 s.
"""

import argparse
import io
import os
import random
import statistics
import time

import django

from bench.run import check_database, flush_keeping_groups

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

HEADER = [
    "Ref No",
    "Recommendation",
    "Action Required",
    "Lead Officer / Agency",
    "Planned Completion Date",
    "Status",
    "Progress to Date",
]
WHEN = ["Nov 12", "March 2013", "31/01/2013", "2012/13", "Ongoing", "Immediate", "Jan - March '13"]
STATUS = ["Underway", "On schedule", "Completed", "Delayed", "Not started", ""]


def spreadsheet(rows, owners, seed=1):
    """A plan of ``rows`` action rows: a group row every 200, a recommendation every 4 rows (its
    cell blank below), owners two to a cell with initials, progress in two paragraphs."""
    import openpyxl

    rng = random.Random(seed)
    names = [f"Officer {i} ({chr(65 + i % 26)}{chr(65 + i // 26)})" for i in range(owners)]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Bench Improvement Plan"])
    sheet.append(["Updated 15 November 2012"])
    sheet.append(HEADER)
    for i in range(rows):
        if i % 200 == 0:
            sheet.append([f"Within {i // 200 + 1} Months"])
        first = i % 4 == 0
        sheet.append(
            [
                f"R{i // 4 + 1}" if first else None,
                f"Recommendation {i // 4 + 1}: improve the quality of practice" if first else None,
                f"Action {i + 1}: audit cases and report to the board\nthen review",
                f"{rng.choice(names)}, {rng.choice(names)}",
                rng.choice(WHEN),
                rng.choice(STATUS),
                f"November update: work progressing on action {i + 1}\nMore detail here.",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--owners", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--allow-any-database", action="store_true")
    args = parser.parse_args(argv)
    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from actionplans.models import Action, Owner
    from importers import service
    from tests.factories import PlanFactory, UserFactory

    check_database(args)
    call_command("migrate", interactive=False, verbosity=0)
    flush_keeping_groups()
    council = "Bench Council"
    PlanFactory(organisation=council, title="Existing plan")  # makes it a council
    user = UserFactory(username="bench-importer", is_superuser=True)
    Owner.objects.create(name="Bench Manager", organisation=council, user=user)
    data = spreadsheet(args.rows, args.owners)
    print(f"{args.rows} rows, {len(data) / 1024:.0f} KiB .xlsx")

    previews = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = service.preview_file("bench.xlsx", data, organisation=council)
        previews.append(time.perf_counter() - started)
    assert not result.blocking, [str(p) for p in result.blocking]
    print(
        f"preview: median {statistics.median(previews):.2f} s (min {min(previews):.2f}, "
        f"max {max(previews):.2f}); {len(result.recommendations)} recommendations, "
        f"{len(result.actions)} actions"
    )

    imports = []
    for n in range(args.repeat):
        result = service.preview_file("bench.xlsx", data, organisation=council)
        result.title = f"Bench Improvement Plan {n}"
        started = time.perf_counter()
        with transaction.atomic():
            plan = service.confirm(result, actor=user, organisation=council)
        imports.append(time.perf_counter() - started)
    count = Action.objects.filter(recommendation__plan=plan).count()
    print(
        f"import: median {statistics.median(imports):.2f} s (min {min(imports):.2f}, "
        f"max {max(imports):.2f}); {count} actions saved per import"
    )


if __name__ == "__main__":
    main()

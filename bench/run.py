"""Time the main pages on a large generated data set (see bench/README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/actionplans_bench \\
        .venv/bin/python -m bench.run [--plans 50 --actions 2000 --updates 20000 --repeat 15]

The database is created if missing, migrated and FLUSHED: everything in it is replaced.
"""

import argparse
import contextlib
import datetime as dt
import logging
import os
import statistics
import sys
import time

# A pages cache of the run's own, emptied before each "made" request (see measure).
from bench import production_settings  # noqa: E402

production_settings(own_pages_cache=True)

import django  # noqa: E402

# (page, user, url name, url args, query string)
PAGES = [
    ("home", "officer", "home", [], ""),
    ("home", "manager", "home", [], ""),
    ("plan_detail (largest plan)", "manager", "plan_detail", ["BIG_PLAN"], ""),
    ("plan_dashboard (largest plan)", "manager", "plan_dashboard", ["BIG_PLAN"], ""),
    ("manager_dashboard (every plan)", "manager", "manager_dashboard", [], ""),
    (
        "action_list (filtered)",
        "clerk",
        "action_list",
        [],
        "?status=underway&overdue=on&q=review&o=planned_completion_date",
    ),
]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=50)
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--updates", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--councils",
        type=int,
        default=1,
        help="councils of that size each (bench/scale.py); above 1 the site administrator's"
        " pages across councils are timed too",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the data set a previous run left in the database (no flush, no generation)",
    )
    parser.add_argument(
        "--only", default="", help="time only the pages whose name contains this text"
    )
    parser.add_argument(
        "--allow-sqlite",
        action="store_true",
        help="run on SQLite (DATABASE_URL must then name a throwaway file)",
    )
    parser.add_argument(
        "--allow-any-database",
        action="store_true",
        help="flush a database whose name does not contain 'bench'",
    )
    return parser.parse_args(argv)


def check_database(args):
    """Refuse a database the bench must not flush; create a missing PostgreSQL one."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        if not args.allow_sqlite:
            sys.exit("Refusing to run on SQLite: set DATABASE_URL to PostgreSQL or --allow-sqlite.")
        if not os.environ.get("DATABASE_URL"):
            sys.exit(
                "Refusing to flush the development database var/db.sqlite3: set "
                "DATABASE_URL=sqlite:////tmp/actionplans_bench.sqlite3 as well."
            )
        return
    if "bench" not in str(db["NAME"]) and not args.allow_any_database:
        sys.exit(
            f"Refusing to flush {db['NAME']!r}: its name lacks 'bench' (--allow-any-database)."
        )
    if connection.vendor == "postgresql":
        import psycopg
        from psycopg import sql

        params = {
            "dbname": "postgres",
            "host": db["HOST"] or None,
            "port": db["PORT"] or None,
            "user": db["USER"] or None,
            "password": db["PASSWORD"] or None,
        }
        with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if not found.fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                print(f"Created database {db['NAME']}")


def flush_keeping_groups():
    """Empty the database, then put back the auth groups (a data migration made them)."""
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command
    from django.db.models import Q

    groups = [
        (group.name, list(group.permissions.values_list("content_type__app_label", "codename")))
        for group in Group.objects.all()
    ]
    call_command("flush", interactive=False, verbosity=0)  # post_migrate restores permissions
    for name, perms in groups:
        group = Group.objects.create(name=name)
        if perms:
            match = Q()
            for app_label, codename in perms:
                match |= Q(content_type__app_label=app_label, codename=codename)
            group.permissions.set(Permission.objects.filter(match))


WAYS = ("reused", "changed", "new day", "ahead", "cold")


def moved_on(day):
    """``timezone.localdate()`` made ``day`` for a while; the date of a given moment stays its
    own (a mock that ignored it dated every history record ``day``, and the plan dashboard's
    trend then had one week)."""
    from unittest import mock

    from django.utils import timezone as django_timezone

    real = django_timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    return mock.patch.object(django_timezone, "localdate", localdate)


def measure(client, url, repeat, change):
    """Warm up once, then time ``repeat`` requests each way: as a reader finds the page (what was
    made is reused, page_cache); the first view after a change (``change()`` writes a progress
    update to one of the largest plan's actions first); the first view of a new day (the date
    moved on a day before each); the same after the daily job counted the day ahead (``ahead``,
    dashboards.data.count_ahead); and cold (the pages cache emptied first, as after it is lost).
    The queries of one more of each are counted apart."""

    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    real_today = timezone.localdate
    days = iter(range(1, 10_000))

    def prepare(way):
        if way == "changed":
            change()
        elif way == "cold":
            caches[settings.PAGE_CACHE].clear()
        elif way in ("new day", "ahead"):
            later = real_today() + dt.timedelta(days=next(days))
            if way == "ahead":  # the daily job's counting for the day, not timed
                from dashboards.data import count_ahead

                count_ahead(later)
            return moved_on(later)
        return contextlib.nullcontext()

    def timed(way):
        times, cpus = [], []
        for _ in range(repeat + 1):  # the last one counted, not timed
            with prepare(way):
                if len(times) == repeat:
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(url)
                    break
                start, cpu = time.perf_counter(), time.process_time()
                client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
        return times, cpus, len(queries.captured_queries), response

    client.get(url)
    row = {}
    for way in WAYS:
        times, cpus, queries, response = timed(way)
        row[way] = (statistics.median(times), queries)
        row[f"{way} cpu"] = statistics.median(cpus)
        if way == "reused":
            row.update(median=statistics.median(times), min=min(times), max=max(times))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            row.update(bytes=len(body), status=response.status_code)
    return row


def print_table(rows):
    headers = [
        "page",
        "user",
        *(f"{w} ms / q" for w in WAYS),
        "min ms",
        "max ms",
        "bytes",
        "status",
    ]
    cells = []
    for row in rows:
        if "median" not in row:
            cells.append([row["page"], row["user"], *["-"] * (len(headers) - 3), "ERROR"])
        else:
            made = [f"{row[w][0]:.1f} ({row[f'{w} cpu']:.1f}) / {row[w][1]}" for w in WAYS]
            rest = [f"{row['min']:.1f}", f"{row['max']:.1f}", str(row["bytes"]), str(row["status"])]
            cells.append([row["page"], row["user"], *made, *rest])
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    for line in [headers, ["-" * w for w in widths], *cells]:
        print(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            )
        )
    for row in rows:
        if "error" in row:
            print(f"ERROR {row['page']} as {row['user']}: {row['error']}")


def changer(data):
    """A write as an officer makes it: a progress update to the next of the largest plan's
    actions, through the service (history, the plan's rows token)."""
    from django.utils import timezone

    from actionplans import workflow
    from actionplans.models import Action

    actions = list(Action.objects.filter(recommendation__plan=data["big_plan_id"]).order_by("pk"))
    turns = iter(range(1_000_000))

    def change():
        action = actions[next(turns) % len(actions)]
        workflow.progress_add(
            action,
            author=data["users"]["officer"],
            written_on=timezone.localdate(),
            text="Bench: a progress update written between two views.",
        )

    return change


def reused():
    """What ``generate`` returned, found again in a database a previous run filled."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from actionplans.models import Action, Plan, ProgressUpdate
    from bench.dataset import COUNCILS

    roles = ("officer", "manager", "clerk", "siteadmin")
    users = get_user_model().objects.in_bulk(
        [f"bench-{who}" for who in roles], field_name="username"
    )
    big = (
        Plan.objects.filter(organisation=COUNCILS[0])  # the timed council's, among many
        .annotate(n=Count("recommendations__actions"))
        .order_by("-n", "pk")
        .first()
    )
    if big is None or len(users) < 3:
        raise SystemExit("No data set to reuse: run once without --reuse first.")
    return {
        "big_plan_id": big.pk,
        "users": {who: users[f"bench-{who}"] for who in roles if f"bench-{who}" in users},
        "counts": {
            "councils": Plan.objects.values("organisation").distinct().count(),
            "plans": Plan.objects.count(),
            "actions": Action.objects.count(),
            "updates": ProgressUpdate.objects.count(),
        },
    }


def main(argv=None):
    args = parse_args(argv)
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from bench.dataset import generate
    from bench.scale import SITE_ADMIN_PAGES, generate_councils

    check_database(args)
    print(
        f"Database: {connection.vendor} {connection.settings_dict['NAME']}, DEBUG={settings.DEBUG}"
    )
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    if args.reuse:
        data = reused()
        print(f"Reusing the data set in the database: {data['counts']}")
    else:
        flush_keeping_groups()
        print(f"Migrate and flush: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        if args.councils > 1:
            data = generate_councils(
                councils=args.councils,
                plans=args.plans,
                actions=args.actions,
                updates=args.updates,
                seed=args.seed,
            )
        else:
            data = generate(
                plans=args.plans, actions=args.actions, updates=args.updates, seed=args.seed
            )
        generation = time.perf_counter() - started
        sizes = ", ".join(f"{k} {v}" for k, v in data["counts"].items())
        print(f"Data set: {sizes}")
        print(f"Generation: {generation:.1f} s")
        if connection.vendor == "postgresql":
            # What autovacuum does to a live database soon after a bulk load: statistics for the
            # planner and a visibility map for index-only scans. Timing before it would measure
            # plans no running site uses.
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            print(f"VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")
    print(
        f"Timing: 1 warm-up, then the median of {args.repeat} timed requests each way, and the"
        " queries of 1 more: reused (as readers find it; min and max are of these), changed (the"
        " first view after a progress update to the largest plan), new day (the first view of"
        " the next day), ahead (the same after the daily job's `count_ahead` for that day), cold"
        " (the pages cache emptied first); in brackets, this process's CPU"
        " ms (the database's own work not counted: a figure that holds on a busy machine)\n"
    )

    # A failing view is reported as one line in the table, not as a logged traceback.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    change = changer(data)
    rows = []
    pages = PAGES + (SITE_ADMIN_PAGES if "siteadmin" in data["users"] else [])
    print(
        "Load average (1, 5, 15 min) before timing: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    )
    for page, who, url_name, url_args, query in pages:
        if args.only not in page:
            continue
        row = {"page": page, "user": f"bench-{who}"}
        try:
            url_args = [data["big_plan_id"] if a == "BIG_PLAN" else a for a in url_args]
            url = reverse(url_name, args=url_args) + query
            client = Client()
            client.force_login(data["users"][who])
            row.update(measure(client, url, args.repeat, change))
            if row["status"] != 200:
                row["error"] = f"status {row['status']} for {url}"
        except Exception as error:  # a view still being written must not stop the others
            row["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        rows.append(row)
    print_table(rows)
    print("Load average (1, 5, 15 min) after timing: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 1 if any("error" in row for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

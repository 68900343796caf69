"""EXPLAIN (ANALYZE) every query of the tenant-scoped pages on a data set bench.run left behind.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ap_bench_scale \\
        .venv/bin/python -m bench.explain [--top 12] [--show 3]

Makes each page of bench.run.PAGES afresh (the pages cache emptied) as its user, and the
reminders (the officer's digest, the manager's weekly summary), keeping their SQL; then runs each
SELECT again under EXPLAIN (ANALYZE, BUFFERS) and prints the slowest, each with the sequential
scans of its plan (a table read whole, where one council's rows are wanted, is what grows with
the number of councils). ``--show N`` prints the whole plan of the N slowest.
"""

import argparse
import os
import sys

import django

import bench.run  # noqa: F401  (the bench's settings, before Django starts)

# Tables whose rows grow with every council: a sequential scan of one is a finding.
BIG = {
    "actionplans_action",
    "actionplans_actionowner",
    "actionplans_progressupdate",
    "actionplans_recommendation",
    "actionplans_historicalaction",
    "actionplans_historicalrecommendation",
    "actionplans_plan",
    "actionplans_owner",
    "actionplans_owner_members",
    "actionplans_section",
    "inspections_inspection",
    "inspections_finding",
}


def capture():
    """[(where, sql)] of every SELECT the tenant-scoped pages and the reminders run."""
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from bench.run import PAGES, reused
    from reminders import digest

    data = reused()
    found = []
    for page, who, url_name, url_args, query in PAGES:
        args = [data["big_plan_id"] if a == "BIG_PLAN" else a for a in url_args]
        client = Client()
        client.force_login(data["users"][who])
        caches[settings.PAGE_CACHE].clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse(url_name, args=args) + query)
        found += [(f"{page} as {who}", q["sql"]) for q in queries.captured_queries]
    today = timezone.localdate()
    officer, manager = data["users"]["officer"], data["users"]["manager"]
    for where, call in [
        ("reminders: officer's digest", lambda: digest.owner_digest(officer, today)),
        ("reminders: manager's summary", lambda: digest.manager_summary(manager, today)),
    ]:
        with CaptureQueriesContext(connection) as queries:
            call()
        found += [(where, q["sql"]) for q in queries.captured_queries]
    reads = ("SELECT", "WITH")  # the dashboards' counts are one WITH query
    return [(where, sql) for where, sql in found if sql.lstrip().upper().startswith(reads)]


def scans(node):
    """The tables a plan node and its children read whole."""
    found = []
    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in BIG:
        found.append(f"{node['Relation Name']} ({node.get('Actual Rows', 0)} rows kept)")
    for child in node.get("Plans", []):
        found += scans(child)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__)
    parser.add_argument("--top", type=int, default=12, help="how many of the slowest to print")
    parser.add_argument("--show", type=int, default=0, help="whole plans of the N slowest")
    args = parser.parse_args(argv)
    if "bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL to the database a bench.run left its data set in.")
    django.setup()
    from django.db import connection

    results = []
    for where, sql in capture():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            text = "\n".join(row[0] for row in cursor.fetchall())
        results.append((plan["Execution Time"], where, sql, scans(plan["Plan"]), text))
    results.sort(key=lambda r: -r[0])
    total = sum(r[0] for r in results)
    print(f"{len(results)} SELECTs, {total:.1f} ms in all; the slowest {args.top}:\n")
    for ms, where, sql, seq, _ in results[: args.top]:
        print(f"{ms:8.1f} ms  {where}: {sql[:160]}")
        if seq:
            print(f"            seq scans: {', '.join(seq)}")
    for ms, where, sql, _, text in results[: args.show]:
        print(f"\n--- {ms:.1f} ms, {where}\n{sql}\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

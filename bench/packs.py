"""Time a committee pack's download and publication on the demo data, as Merton's clerk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ap_packs_bench \\
        .venv/bin/python -m bench.packs [--repeat 3]

The database is created if missing, migrated and FLUSHED (its name must contain "bench"; see
bench/run.py), then the demo is loaded. Each round makes a new draft report of Merton's two plans
(each as it stands today, in its default layout) and times, through django.test.Client as
``merton-clerk``:

- the first download of the pack (request time: what the clerk waits for before seeing anything);
- when that answers the progress page, the render on the queue (run here as the worker runs it),
  then the download again (served from the store);
- publishing (request time), and the task that publishes on the queue, if there is one;
- publishing a pack nobody downloaded first (so the task renders it).

Prints the median, least and most of each over the rounds.
"""

import argparse
import datetime as dt
import itertools
import statistics
import sys
import time

from bench import production_settings  # noqa: E402

production_settings(task_queue=True)

import django  # noqa: E402

MERTON = "London Borough of Merton"
DAYS_BACK = itertools.count(1)  # each round's appendices as at another day: not yet rendered


def run_queued():
    """Run every task waiting on the database queue, as `manage.py run_worker` would. Returns
    the seconds it took."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="bench",
        excluded_queue_names=[],
    )
    started = time.perf_counter()
    for queued in DBTaskResult.objects.ready():
        worker.run_task(queued)
    return time.perf_counter() - started


def fresh_demo(args):
    """The database (refused unless it may be flushed: bench.run) migrated, flushed and given
    the demo, with the demo's own renders ahead run, out of the way."""
    from django.core.management import call_command

    from bench.run import check_database, flush_keeping_groups
    from importers.demo import load_demo

    check_database(args)
    call_command("migrate", verbosity=0)
    flush_keeping_groups()
    load_demo()
    run_queued()


def timed(call):
    started = time.perf_counter()
    response = call()
    return time.perf_counter() - started, response


def new_report(clerk, plans, n):
    from django.utils import timezone

    from reporting import services
    from reporting.packs import Settings

    cover = {
        "committee": "Children and Young People Scrutiny Panel",
        "meeting_date": timezone.localdate(),
        "subject": f"Post-inspection action plans: progress (bench round {n})",
        "appendix_numbering": "letters",
    }
    report = services.report_create(
        cover,
        actor=clerk,
        organisation=MERTON,
        recommendations=["That the Panel note the progress made."],
        sections=[
            ("PURPOSE OF REPORT AND EXECUTIVE SUMMARY", "To update the Panel.\n\nOn progress."),
            ("DETAILS", "Both plans are appended."),
        ],
    )
    for plan in plans:
        settings = Settings(plan=plan.pk, as_at=timezone.localdate())
        services.appendix_add(report, actor=clerk, plan=plan, settings=settings)
    report.refresh_from_db()
    return report


def one_round(client, clerk, plans, n, figures):
    from django.urls import reverse
    from django.utils import timezone

    from reporting.models import CommitteeReport

    def note(name, seconds):
        figures.setdefault(name, []).append(seconds)

    # An appendix's PDF that nobody has asked for yet (a past date, every update: not the one
    # rendered ahead), as "Prepare for committee" downloads it.
    day = timezone.localdate() - dt.timedelta(days=next(DAYS_BACK))
    for plan in plans:
        query = {"as_at": day.isoformat(), "updates": "all"}
        url = reverse("appendix_download", args=[plan.pk])
        seconds, response = timed(lambda u=url, q=query: client.get(u, q))
        note(f"appendix PDF, first ({plan.title[:12]}), request", seconds)
        if response.status_code == 302:  # its progress page: rendered on the queue
            note(f"appendix PDF, first ({plan.title[:12]}): on the queue", run_queued())
            assert client.get(url, query)["Content-Type"] == "application/pdf"
        else:
            assert response["Content-Type"] == "application/pdf", response.status_code

    # Work queued by making the report (a render ahead, if any) waits: the first download below
    # is of a pack nobody has rendered yet.
    report = new_report(clerk, plans, n)
    download = reverse("report_download", args=[report.pk])
    seconds, response = timed(lambda: client.get(download))
    note("download, first (request)", seconds)
    if response.status_code == 302:  # the progress page: the pack is rendered on the queue
        page = client.get(response["Location"])
        assert page.status_code == 200, page.status_code
        note("download, first: render on the queue", run_queued())
        seconds, response = timed(lambda: client.get(download))
        note("download, once rendered (request)", seconds)
    assert response["Content-Type"] == "application/pdf", response.status_code
    publish = reverse("report_publish", args=[report.pk])
    seconds, response = timed(lambda: client.post(publish, {"version": report.version}))
    note("publish, after a download (request)", seconds)
    note("publish, after a download: task on the queue", run_queued())
    assert CommitteeReport.objects.get(pk=report.pk).is_published

    fresh = new_report(clerk, plans, f"{n}b")
    publish = reverse("report_publish", args=[fresh.pk])
    seconds, response = timed(lambda: client.post(publish, {"version": fresh.version}))
    note("publish, not downloaded first (request)", seconds)
    note("publish, not downloaded first: task on the queue", run_queued())
    assert CommitteeReport.objects.get(pk=fresh.pk).is_published


def demo_arguments(module, argv, rounds):
    """The arguments of a bench run on the demo data (``module``: its name and docstring)."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {module.__spec__.name}", description=module.__doc__.split("\n")[0]
    )
    parser.add_argument("--repeat", type=int, default=rounds, help="rounds")
    parser.add_argument("--allow-any-database", action="store_true")
    parser.add_argument("--allow-sqlite", action="store_true")
    return parser.parse_args(argv)


def main(argv=None):
    args = demo_arguments(sys.modules[__name__], argv, rounds=3)
    django.setup()

    from django.contrib.auth import get_user_model
    from django.test import Client

    from actionplans.models import Plan

    fresh_demo(args)
    clerk = get_user_model().objects.get(username="merton-clerk")
    plans = list(Plan.objects.filter(organisation=MERTON).order_by("pk"))
    print(f"{len(plans)} plans of {MERTON}: " + "; ".join(p.title[:50] for p in plans))
    client = Client()
    client.force_login(clerk)
    figures = {}
    one_round(client, clerk, plans, "warm-up", {})  # imports, fonts, first queries
    for n in range(args.repeat):
        one_round(client, clerk, plans, n + 1, figures)
    width = max(len(name) for name in figures)
    print(f"{'':{width}}  median    least     most   (seconds, {args.repeat} rounds)")
    for name, values in figures.items():
        print(
            f"{name:{width}}  {statistics.median(values):6.2f}  {min(values):7.2f}  "
            f"{max(values):7.2f}"
        )


if __name__ == "__main__":
    sys.exit(main())

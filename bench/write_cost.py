"""What one officer's progress update costs the office's readers, request by request (issue 28).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ap_write_bench \\
        .venv/bin/python -m bench.write_cost [--repeat 20]

The database is created if missing, migrated and FLUSHED (its name must contain "bench"; see
bench/run.py), then the demo is loaded. Each round, as `bench.load`'s users do: the officer opens
an action's update form and posts an update with a small evidence file; then the manager's
dashboard and the plan's page, and the clerk's Word and Excel appendix of that plan, are asked
for once after the write (what the write makes them pay) and once more (reused). Requests go
through django.test.Client in this process with production settings; CPU is this process's and
its finished children's (an appendix is rendered in a child), so it holds on a busy machine.
Prints the median CPU ms, wall ms and queries of each, and the status codes seen.
"""

import datetime as dt
import resource
import statistics
import sys
import time
from collections import defaultdict

from bench import production_settings  # noqa: E402

production_settings(task_queue=True, own_pages_cache=True)

import django  # noqa: E402


def cpu_seconds():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Figures:
    def __init__(self):
        self.rows = defaultdict(lambda: defaultdict(list))  # name -> measure -> values
        self.statuses = defaultdict(set)

    def timed(self, name, call):
        from django.db import connection

        count = [0]

        def counting(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        cpu, wall = cpu_seconds(), time.perf_counter()
        with connection.execute_wrapper(counting):
            response = call()
        self.rows[name]["cpu"].append((cpu_seconds() - cpu) * 1000)
        self.rows[name]["wall"].append((time.perf_counter() - wall) * 1000)
        self.rows[name]["queries"].append(count[0])
        self.statuses[name].add(response.status_code)
        return response

    def print(self, rounds):
        width = max(len(name) for name in self.rows)
        print(f"\n{'request':{width}}  CPU ms  wall ms  queries  status  (medians of {rounds})")
        for name, measures in self.rows.items():
            statuses = ",".join(str(s) for s in sorted(self.statuses[name]))
            print(
                f"{name:{width}}  {statistics.median(measures['cpu']):6.1f}  "
                f"{statistics.median(measures['wall']):7.1f}  "
                f"{statistics.median(measures['queries']):7.0f}  {statuses:>6}"
            )


def readers(plan):
    """(who, name, url) of the requests a write makes its readers pay for, as bench.load asks."""
    from django.urls import reverse

    from bench.load import appendix_downloads

    plan_url = reverse("plan_detail", args=[plan.pk])
    word, excel = appendix_downloads([plan_url])
    return [
        ("manager", "manager: dashboard", reverse("manager_dashboard")),
        ("manager", "manager: plan page", plan_url),
        ("clerk", "clerk: Word appendix", word),
        ("clerk", "clerk: Excel appendix", excel),
    ]


def one_round(clients, action, figures, n):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    officer = clients["officer"]
    url = reverse("action_update", args=[action.pk])
    form = figures.timed("officer: update form", lambda: officer.get(url))
    assert form.status_code == 200, form.status_code
    fields = {
        "period_label": "",
        "written_on": f"{dt.date.today():%d/%m/%Y}",
        "status": "",
        "text": f"Bench update {n}",
        "evidence": SimpleUploadedFile("note.txt", b"Evidence of progress.\n" * 50, "text/plain"),
    }
    posted = figures.timed("officer: post update + file", lambda: officer.post(url, fields))
    assert posted.status_code == 302, posted.status_code
    for when in ("after a write", "reused"):
        for who, name, address in readers(action.recommendation.plan):
            figures.timed(f"{name}, {when}", lambda c=clients[who], a=address: c.get(a))


def main(argv=None):
    from bench.packs import demo_arguments

    args = demo_arguments(sys.modules[__name__], argv, rounds=20)
    django.setup()

    from django.contrib.auth import get_user_model
    from django.test import Client

    from actionplans import rules
    from bench.packs import fresh_demo

    fresh_demo(args)
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["officer", "manager", "clerk"])
    }
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    action = next(
        a
        for a in rules.owned_actions(users["officer"]).select_related("recommendation__plan")
        if rules.can_update_action(users["officer"], a)
    )
    plan = action.recommendation.plan
    print(f"officer's action {action.pk} of {plan.title[:60]!r} (plan {plan.pk})")
    one_round(clients, action, Figures(), "warm-up")  # imports, templates, first renders
    figures = Figures()
    for n in range(args.repeat):
        one_round(clients, action, figures, n + 1)
    figures.print(args.repeat)


if __name__ == "__main__":
    sys.exit(main())

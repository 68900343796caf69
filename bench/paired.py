"""Two checkouts of the project measured against each other, in alternating short turns.

    .venv/bin/python -m bench.paired OTHER_CHECKOUT [--what writes|pages|new-day] [--only PAGE]
        [--turns 8] [--rounds 3]

This machine's speed moves by a third between runs a minute apart, so one whole run of the old
code against one of the new says little about a change of a tenth. Here each checkout runs in a
process of its own, set up once (Django, signed-in clients, warm caches); the two are then asked
in turn for a few rounds each, the order swapped every turn, so both see the same moments of the
machine. Prints the median CPU ms of each request for each checkout (this process's CPU and its
finished children's: an appendix is rendered in a child), and their ratio.

- ``--what writes`` (the default): bench.write_cost's rounds on the demo (the officer's update
  form and post with a file, then the manager's dashboard and plan page and the clerk's Word and
  Excel appendix, after the write and reused). Needs the demo loaded in DATABASE_URL (a run of
  bench.write_cost leaves it; the two checkouts write to it in turn).
- ``--what pages``: bench.run's pages, each the first view after a progress update to the
  largest plan. Needs bench.run's data set in DATABASE_URL (`bench.run` once leaves it).
- ``--what new-day``: the same pages, each the first view of a new day (the date moved on a day
  before each request; each checkout's days its own). The wall ms are printed too, as "(wall)"
  rows: a change to a query shows there and not in this process's CPU.

OTHER_CHECKOUT is typically the code before a change, in a worktree beside this one
(`git worktree add /tmp/base HEAD~1`, with .venv, node_modules and static-build linked in); it
runs with its own code and this checkout's DATABASE_URL.
"""

import argparse
import json
import os
import statistics
import subprocess  # nosec B404: runs this project's own interpreter on this module
import sys
import time
from pathlib import Path


def _write_rounds():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from actionplans import rules
    from bench import write_cost

    users = get_user_model().objects.in_bulk(["officer", "manager", "clerk"], field_name="username")
    if len(users) < 3:
        raise SystemExit("No demo in this database: run bench.write_cost once first.")
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    officer = users["officer"]
    owned = rules.owned_actions(officer).select_related("recommendation__plan")
    action = next(a for a in owned if rules.can_update_action(officer, a))
    write_cost.one_round(clients, action, write_cost.Figures(), "warm-up")

    def rounds(count):
        figures = write_cost.Figures()
        for n in range(count):
            write_cost.one_round(clients, action, figures, n)
        return {name: measures["cpu"] for name, measures in figures.rows.items()}

    return rounds


def _page_rounds(what, only=""):
    import contextlib
    import datetime as dt

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from bench import run

    data = run.reused()
    change = run.changer(data)
    today, days = timezone.localdate(), iter(range(1, 100_000))

    def prepare():
        if what == "pages":
            change()
            return contextlib.nullcontext()
        later = today + dt.timedelta(days=next(days))
        return run.moved_on(later)

    pages = []
    for page, who, name, args, query in run.PAGES:
        if only not in page:
            continue
        args = [data["big_plan_id"] if a == "BIG_PLAN" else a for a in args]
        client = Client()
        client.force_login(data["users"][who])
        url = reverse(name, args=args) + query
        client.get(url)
        pages.append((f"{page}, {who}", client, url))

    def rounds(count):
        cpu = {}
        for _ in range(count):
            for label, client, url in pages:
                with prepare():
                    started, started_wall = time.process_time(), time.perf_counter()
                    client.get(url)
                    cpu.setdefault(label, []).append((time.process_time() - started) * 1000)
                    if what == "new-day":
                        wall = (time.perf_counter() - started_wall) * 1000
                        cpu.setdefault(f"{label} (wall)", []).append(wall)
        return cpu

    return rounds


def worker(what, only=""):
    """In each checkout's process: set up, then answer each "N" read with N rounds' CPU ms."""
    from bench import production_settings

    production_settings(task_queue=what == "writes", own_pages_cache=True)
    import django

    django.setup()
    rounds = _write_rounds() if what == "writes" else _page_rounds(what, only)
    print("ready", flush=True)
    for line in sys.stdin:
        print(json.dumps(rounds(int(line))), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.paired", description=__doc__)
    parser.add_argument("other", nargs="?", help="the other checkout (its .venv is used)")
    parser.add_argument("--what", choices=["writes", "pages", "new-day"], default="writes")
    parser.add_argument("--turns", type=int, default=8, help="turns each checkout is given")
    parser.add_argument("--rounds", type=int, default=3, help="rounds in each turn")
    parser.add_argument("--only", default="", help="only bench.run's pages whose name has this")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.what, args.only)
    if not args.other:
        parser.error("name the other checkout")

    here = Path(__file__).resolve().parent.parent
    checkouts = {"other": Path(args.other).resolve(), "this": here}
    processes = {}
    for name, root in checkouts.items():
        # This file, run with the checkout's own code first on the path (it may predate it).
        processes[name] = subprocess.Popen(  # nosec B603: our interpreter, our module, no shell
            [str(root / ".venv/bin/python"), __file__, "--worker"]
            + ["--what", args.what, "--only", args.only],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if processes[name].stdout.readline().strip() != "ready":
            raise SystemExit(f"The {name} checkout ({root}) did not start.")
    cpu = {name: {} for name in checkouts}
    for turn in range(args.turns):
        for name in ("other", "this") if turn % 2 == 0 else ("this", "other"):
            processes[name].stdin.write(f"{args.rounds}\n")
            processes[name].stdin.flush()
            for request, values in json.loads(processes[name].stdout.readline()).items():
                cpu[name].setdefault(request, []).extend(values)
    for process in processes.values():
        process.stdin.close()
        process.wait()

    load = " ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(
        f"{args.turns} turns of {args.rounds} rounds each, alternated; load average {load}\n"
        f"other: {checkouts['other']}\nthis:  {checkouts['this']}\n"
    )
    width = max(len(request) for request in cpu["this"])
    print(f"{'request':{width}}  other CPU ms  this CPU ms  this/other")
    for request, values in cpu["this"].items():
        other, this = statistics.median(cpu["other"][request]), statistics.median(values)
        print(f"{request:{width}}  {other:12.1f}  {this:11.1f}  {this / other:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

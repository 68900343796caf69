"""Four clerks asking for the worst appendix a user can make, while an officer opens a plan page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ap_worst .venv/bin/python -m bench.worst_render
    ... -m bench.worst_render --base https://127.0.0.1:8443   # against `make serve DEMO=1`
    ... -m bench.worst_render --time-render                   # one render of each plan, timed

Builds, once, in the database (PostgreSQL, DATABASE_URL: migrated, and the demo loaded first if
it has no plans) three plans of the demo's council, Rotherham:

- "Worst appendix (bench)": long words at the forms' limits (the importer's are the same), every
  text a word of 20,000 letters without a space: 10 recommendations of 8 actions, each action's
  text and its progress update, each recommendation's text, the references at their 120; about
  3.4 million letters, which no render finishes in a minute;
- the attack's plans: five actions of one 100,000-letter word, and six of one 10,000-letter word.

Then, unless --base is given, starts the production setup's app server on this machine
(gunicorn, 4 workers, a 60 s worker timeout, DEBUG off) on a free port, and the task worker
(manage.py run_worker, at nice 10, as scripts/serve does). Four clerk sessions ask for the worst
plan's PDF again and again, as fast as answers come or --think seconds after each (following no
redirect: a redirect to the progress page is an answer), while the officer's session asks for
the officer's plan page (the demo's Improvement Panel) every half second. Prints, for each, the
number of requests, their statuses and the 50th, 95th percentile and slowest times, the plan
page's requests over 1 s, and how the render ended (kept as failed after how long, or
rendered). The demo logins sign in (password "demo"); against --base the worker of that setup
does the render.

--time-render lays out each plan's PDF in this process (a child process, as the site does, with a
time limit of --limit seconds), with the wrapping of long words and without it (--before: what
the code did before it), and prints the seconds of CPU and of wall clock.
"""

import argparse
import io
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import django

from bench.load import Session, sign_in

ROOT = Path(__file__).resolve().parent.parent
COUNCIL = "Rotherham Metropolitan Borough Council"
WORST = "Worst appendix (bench)"
ATTACK = [
    ("Long words: five of 100,000 letters (bench)", 5, 100_000),
    ("Long words: six of 10,000 letters (bench)", 6, 10_000),
]
TEXT_LIMIT = 20_000  # core.forms.TEXT_LIMIT, and the importer's
RECOMMENDATIONS, ACTIONS = 10, 8


def word(length, seed):
    """A word of ``length`` letters without a space, none like another's."""
    return "".join(chr(97 + (i * 7 + seed * 3 + i // 26) % 26) for i in range(length))


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    django.setup()


def build():
    """The bench's plans (made once), by pk: the worst, then the attack's."""
    import datetime as dt

    from django.core.management import call_command

    from actionplans.models import Action, Plan, ProgressUpdate, Recommendation, Section

    call_command("migrate", verbosity=0)
    if not Plan.objects.exists():
        call_command("load_demo", "--if-empty", verbosity=0)
    made = {}
    if not Plan.objects.filter(title=WORST).exists():
        plan = Plan.objects.create(title=WORST, organisation=COUNCIL, directorate=word(200, 1))
        section = Section.objects.create(plan=plan, title=word(300, 2))
        seed = 10
        for _ in range(RECOMMENDATIONS):
            rec = Recommendation.objects.create(
                plan=plan,
                section=section,
                reference=word(120, seed),
                text=word(TEXT_LIMIT, seed + 1),
            )
            seed += 2
            for _ in range(ACTIONS):
                action = Action.objects.create(
                    recommendation=rec,
                    reference=word(60, seed),
                    text=word(TEXT_LIMIT, seed + 1),
                    planned_completion_text="Nov 12",
                    planned_completion_date=dt.date(2012, 11, 30),
                )
                ProgressUpdate.objects.create(
                    action=action, written_on=dt.date(2012, 10, 18), text=word(TEXT_LIMIT, seed + 2)
                )
                seed += 3
    for title, count, length in ATTACK:
        if Plan.objects.filter(title=title).exists():
            continue
        plan = Plan.objects.create(title=title, organisation=COUNCIL)
        section = Section.objects.create(plan=plan, title="Immediate")
        for n in range(count):
            rec = Recommendation.objects.create(
                plan=plan, section=section, reference=f"LW{n}", text="Recommendation."
            )
            Action.objects.create(
                recommendation=rec,
                text=word(length, n),
                planned_completion_text="Nov 12",
                planned_completion_date=dt.date(2012, 11, 30),
            )
    for title in [WORST, *(t for t, _, _ in ATTACK)]:
        made[title] = Plan.objects.get(title=title).pk
    return made


def time_renders(plans, limit, before):
    """Each plan's PDF laid out in a child process (as the site does), timed."""
    from actionplans.models import Plan
    from reporting import appendix, limits, printing
    from reporting.formats import FORMATS

    if before:  # what the code did before long runs got places to break
        printing.breakable = lambda markup: markup
        appendix.MIN_COLUMN_PERCENT = 0
        printing.PRINT_MAX_CHARS = 10**9
    from pypdf import PdfReader
    from weasyprint import HTML

    HTML(string="<p>.</p>").render()  # fonts loaded once, as the site does
    print(f"\n{'PDF render' + (' (before)' if before else ''):52} {'wall s':>8} {'CPU s':>8} pages")
    for title, pk in plans.items():
        plan = Plan.objects.get(pk=pk)
        doc = appendix.build(plan, appendix.spec_for(plan))
        cpu = _children_cpu()
        started = time.monotonic()
        try:
            pdf = limits.run(lambda d: FORMATS["pdf"].write(d), doc, seconds=limit)
            outcome = str(len(PdfReader(io.BytesIO(pdf)).pages))
        except limits.Exceeded as stop:
            outcome = f"stopped: {stop.reason} ({stop.detail.splitlines()[-1][:60]})"
        print(
            f"{title[:52]:52} {time.monotonic() - started:>8.1f} "
            f"{_children_cpu() - cpu:>8.1f} {outcome}"
        )


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def serve(workers):
    """gunicorn (``workers``, a 60 s timeout, DEBUG off) on a free port, and the task worker."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pages = tempfile.mkdtemp(prefix="pages-")
    # A throwaway key for a local trial's server, not a secret (bandit B105, accepted).
    env = {
        **os.environ,
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",  # nosec B105
        "SECURE_SSL_REDIRECT": "0",
        "PAGE_CACHE_DIR": pages,
    }
    env.pop("DEBUG", None)
    logs = tempfile.mkdtemp(prefix="worst-render-")
    venv = ROOT / ".venv" / "bin"
    app = subprocess.Popen(
        [
            str(venv / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--error-logfile",
            f"{logs}/app.log",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    with open(f"{logs}/worker.log", "w") as log:
        worker = subprocess.Popen(
            [
                "nice",
                "-n",
                "10",
                str(venv / "python"),
                "manage.py",
                "run_worker",
                "--no-startup-delay",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if Session(base).request("GET", "/healthz")[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline or app.poll() is not None:
            raise SystemExit(f"gunicorn did not start: see {logs}/app.log")
        time.sleep(0.5)
    print(f"Serving on {base} ({workers} app workers, logs in {logs})")
    return base, [app, worker]


def stop(processes):
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


class Record:
    def __init__(self):
        self.lock = threading.Lock()
        self.times, self.statuses, self.kinds, self.first = {}, {}, {}, {}
        self.slowest = []  # the plan page's (seconds, when)

    def add(self, kind, status, seconds, what, at):
        with self.lock:
            self.times.setdefault(kind, []).append(seconds)
            self.statuses.setdefault(kind, Counter())[status] += 1
            self.kinds.setdefault(kind, Counter())[what] += 1
            self.first.setdefault((kind, what), at)


def answer_kind(status, headers, body):
    if status == 302 and "/committee/progress/" in (headers.get("Location") or ""):
        return "queued (progress page)"
    if status == 200 and body.startswith(b"%PDF"):
        return "the PDF"
    if status == 200 and b"could not be made" in body:
        return "kept failure shown"
    return f"other ({status})"


def clerk(base, path, record, stop_at, started, think):
    session = Session(base, sign_in(base, "clerk"), timeout=120)
    while time.monotonic() < stop_at:
        began = time.monotonic()
        try:
            status, headers, body = session.request("GET", path)
        except OSError as error:
            record.add("appendix", type(error).__name__, time.monotonic() - began, "error", began)
            continue
        what = answer_kind(status, headers, body)
        record.add("appendix", status, time.monotonic() - began, what, began - started)
        time.sleep(think)


def officer(base, path, record, stop_at, started):
    session = Session(base, sign_in(base, "officer"), timeout=120)
    session.request("GET", path)  # the page as the officer last left it (made once, then reused)
    while time.monotonic() < stop_at:
        began = time.monotonic()
        try:
            status, _, _ = session.request("GET", path)
        except OSError as error:
            status = type(error).__name__
        took = time.monotonic() - began
        record.add("plan page", status, took, "page", began - started)
        with record.lock:
            record.slowest.append((took, began - started))
        time.sleep(max(0, 0.5 - (time.monotonic() - began)))


def drive(base, worst, officers_plan, seconds, clients, think):
    import datetime as dt

    query = urlencode({"as_at": dt.date.today().isoformat(), "updates": "latest"})
    path = f"/plans/{worst}/committee/appendix.pdf?{query}"
    record = Record()
    started = time.monotonic()
    stop_at = started + seconds
    threads = [
        threading.Thread(target=clerk, args=(base, path, record, stop_at, started, think))
        for _ in range(clients)
    ]
    threads.append(
        threading.Thread(
            target=officer, args=(base, f"/plans/{officers_plan}/", record, stop_at, started)
        )
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return record


def report(record, seconds, clients, think):
    pause = f", {think:g} s after each answer" if think else ", again as soon as answered"
    print(
        f"\n{clients} clerks asking for the appendix for {seconds:.0f} s{pause}; the "
        "officer's plan page every 0.5 s:"
    )
    print(f"{'':12} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuses")
    for kind in ("plan page", "appendix"):
        times = sorted(record.times.get(kind, []))
        if not times:
            continue
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(record.statuses[kind].items(), key=str))
        print(
            f"{kind:12} {len(times):>8} {statistics.median(times) * 1000:>8.0f} "
            f"{p95 * 1000:>8.0f} {times[-1] * 1000:>8.0f}  {statuses}"
        )
    slow = sum(1 for t in record.times.get("plan page", []) if t > 1)
    slowest = ", ".join(f"{t * 1000:.0f} ms at {at:.0f} s" for t, at in sorted(record.slowest)[-3:])
    print(f"plan page answers over 1 s: {slow}; slowest: {slowest}")
    print(
        "appendix answers:",
        ", ".join(
            f"{what} x{n} (first at {record.first[('appendix', what)]:.1f} s)"
            for what, n in record.kinds.get("appendix", Counter()).items()
        ),
    )


def outcome(pk):
    from reporting.models import RenderFailure, Rendering

    failure = RenderFailure.objects.filter(plan_id=pk).first()
    if failure:
        return (
            f"kept as failed: {failure.get_reason_display().lower()} after {failure.seconds:.1f} s"
        )
    rendering = Rendering.objects.filter(plan_id=pk).first()
    return f"rendered in {rendering.seconds:.1f} s" if rendering else "not finished"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="a running setup, e.g. https://127.0.0.1:8443")
    parser.add_argument("--seconds", type=float, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--think", type=float, default=0, help="a clerk's pause after an answer")
    parser.add_argument("--workers", type=int, default=4, help="app workers of the own server")
    parser.add_argument("--time-render", action="store_true")
    parser.add_argument("--before", action="store_true", help="with --time-render: unwrapped")
    parser.add_argument("--limit", type=float, default=600, help="with --time-render: seconds")
    parser.add_argument("--fresh", action="store_true", help="forget the plans' renders first")
    parser.add_argument(
        "--plan",
        choices=["worst", "100k", "10k"],
        default="worst",
        help="the plan the clerks ask for (the attack's: 100k, 10k)",
    )
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database (it is written to).")
    setup_django()
    from actionplans.models import Plan
    from reporting.models import RenderFailure, Rendering

    plans = build()
    if args.time_render:
        time_renders(plans, args.limit, args.before)
        return
    worst = plans[{"worst": WORST, "100k": ATTACK[0][0], "10k": ATTACK[1][0]}[args.plan]]
    if args.fresh or not args.base:
        Rendering.objects.filter(plan_id=worst).delete()
        RenderFailure.objects.filter(plan_id=worst).delete()
    officers_plan = Plan.objects.filter(title__startswith="Improvement Panel").first().pk
    processes = []
    base = args.base
    if not base:
        base, processes = serve(args.workers)
    try:
        record = drive(base, worst, officers_plan, args.seconds, args.clients, args.think)
    finally:
        stop(processes)
    report(record, args.seconds, args.clients, args.think)
    print(f"the PDF of {Plan.objects.get(pk=worst).title}: {outcome(worst)}")


if __name__ == "__main__":
    main()

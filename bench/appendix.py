"""Time and measure the committee appendix: each preset on its seed plan and a generated plan.

For each document: the whole ``render_appendix`` command in a fresh process (wall time and peak
memory from ``wait4``, median of --repeat runs), the layout passes it took and its pages, and
headless Chromium printing the same HTML (``chromium --headless --print-to-pdf``). Then each
format (PDF, Word, Excel) of the same document: the writer alone and the whole command.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ap_appendix_bench \
      .venv/bin/python -m bench.appendix [--actions 200 --updates 2000 --repeat 3]
      [--generated-only]

The database is flushed first (its name must contain "bench"; see bench/run.py).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

from bench.run import check_database, flush_keeping_groups

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def run(command, env=None):
    """Wall time (s) and peak resident memory (MiB) of ``command`` (and children it reaped)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{command[:4]} failed: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def median_run(command, repeat, env=None):
    runs = [run(command, env) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generated-only", action="store_true", help="skip the seed plans")
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--allow-any-database", action="store_true")
    args = parser.parse_args(argv)
    django.setup()
    from django.core.management import call_command

    from actionplans.models import Plan
    from bench.dataset import generate
    from importers.demo import load_demo
    from reporting import appendix, presets, printing
    from reporting.models import Layout, LayoutColumn

    check_database(args)
    call_command("migrate", interactive=False, verbosity=0)
    flush_keeping_groups()
    presets.install(Layout, LayoutColumn)
    load_demo()
    data = generate(plans=1, actions=args.actions, updates=args.updates, seed=1)
    seeds = [] if args.generated_only else [presets.MERTON_AA, presets.MERTON_YJ, presets.ROTHERHAM]
    targets = [(t, Plan.objects.get(title=t).pk) for t in seeds]
    targets.append((f"generated plan, {args.actions} actions", data["big_plan_id"]))
    as_at = "2012-12-01"
    folder = Path(tempfile.mkdtemp(prefix="appendix-bench-"))
    manage = [sys.executable, "manage.py", "render_appendix"]
    print(
        f"{'document':42} {'pages':>5} {'passes':>6} {'1 proc s':>8} {'MiB':>6} {'ratio':>6} "
        f"{'parts s':>8} {'MiB':>6} {'chromium s':>10} {'MiB':>6} {'ratio':>6}"
    )
    # "1 proc": the command with APPENDIX_RENDER_PROCESSES=1, the whole document laid out in one
    # process; "parts": the command as the app renders (a large appendix in parts laid out at once,
    # one process a core: reporting/parts.py), with the peak memory of its largest process. The
    # format table's PDF command is this second one: on 2 cores it is about half the first.
    # Each ratio is to Chromium's print of the same HTML.
    one_process = {**os.environ, "APPENDIX_RENDER_PROCESSES": "1"}
    for label, pk in targets:
        plan = Plan.objects.get(pk=pk)
        day = as_at if "generated" not in label else None
        spec = appendix.spec_for(plan)
        doc = appendix.build(
            plan, spec, __import__("datetime").date.fromisoformat(day) if day else None
        )
        laid_out, final, passes = printing.layout_pdf(doc)
        html_file = folder / f"{pk}.html"
        html_file.write_text(printing.html(final), encoding="utf-8")
        args_date = ["--as-at", day] if day else []
        command = [*manage, str(pk), *args_date, "-o", str(folder / f"{pk}.pdf")]
        single = median_run(command, args.repeat, one_process)
        weasy = median_run(command, args.repeat)
        chrome = median_run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--print-to-pdf={folder / f'{pk}-chromium.pdf'}",
                html_file.as_uri(),
            ],
            args.repeat,
        )
        print(
            f"{label[:42]:42} {len(laid_out.pages):>5} {passes:>6} {single[0]:>8.2f} "
            f"{single[1]:>6.0f} {single[0] / chrome[0]:>6.2f} {weasy[0]:>8.2f} "
            f"{weasy[1]:>6.0f} {chrome[0]:>10.2f} {chrome[1]:>6.0f} "
            f"{weasy[0] / chrome[0]:>6.2f}"
        )
    formats(targets, as_at, folder, manage, args.repeat)
    print(f"Files in {folder}")
    clerks_wait(targets, args.repeat)


def clerks_wait(targets, repeat):
    """The clerk's wait for each plan's current appendix: rendered ahead by the task a change
    enqueues, then downloaded (the view, in this process), against a cold render of the same."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from actionplans.models import Plan
    from reporting import renders
    from reporting.models import Rendering
    from reporting.views import appendices

    def clerk_of(plan_id):
        """A clerk of the plan's own council: a clerk reads only their council's plans."""
        council = Plan.objects.get(pk=plan_id).organisation
        clerks = get_user_model().objects.filter(groups__name="Clerk", is_active=True)
        return clerks.filter(owner__organisation=council).order_by("pk").first()

    today = __import__("datetime").date.today().isoformat()
    print(f"\n{'current appendix (today)':42} {'ahead s':>8} {'wait ms':>8} {'cold s':>8}")
    for label, pk in targets:
        Rendering.objects.filter(plan_id=pk).delete()
        started = time.perf_counter()
        renders.render_current.call(pk)  # what the worker does when the plan changes
        ahead = time.perf_counter() - started
        waits = []
        for _ in range(repeat):
            request = RequestFactory().get("/", {"as_at": today, "updates": "latest"})
            request.user = clerk_of(pk)
            started = time.perf_counter()
            response = appendices.download(request, pk)
            waits.append(time.perf_counter() - started)
            assert response.content.startswith(b"%PDF"), label
        colds = []
        for _ in range(repeat):
            Rendering.objects.filter(plan_id=pk).delete()
            started = time.perf_counter()
            renders.rendered(
                Plan.objects.get(pk=pk),
                __import__("reporting.appendix").appendix.spec_for(Plan.objects.get(pk=pk)),
            )
            colds.append(time.perf_counter() - started)
        print(
            f"{label[:42]:42} {ahead:>8.2f} {statistics.median(waits) * 1000:>8.0f} "
            f"{statistics.median(colds):>8.2f}"
        )


def formats(targets, as_at, folder, manage, repeat):
    """Each format of the same document: the writer alone (in this process, the document built
    once), and the whole ``render_appendix --format`` command in a fresh process. No memory
    column: a child forked from this process, which has rendered PDFs by now, inherits its
    resident size in ``ru_maxrss``."""
    import datetime as dt

    from actionplans.models import Plan
    from reporting import appendix
    from reporting.formats import FORMATS

    # The PDF command here renders as the app does: in parts when the appendix is large.
    print(f"\n{'document':42} {'format':>6} {'write s':>8} {'command s':>10} {'KiB':>7}")
    for label, pk in targets:
        plan = Plan.objects.get(pk=pk)
        day = None if "generated" in label else as_at
        doc = appendix.build(
            plan, appendix.spec_for(plan), dt.date.fromisoformat(day) if day else None
        )
        for key, out in FORMATS.items():
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                data = out.write(doc)
                times.append(time.perf_counter() - started)
            target = folder / f"{pk}.{out.extension}"
            args_date = ["--as-at", day] if day else []
            command = median_run(
                [*manage, str(pk), *args_date, "--format", key, "-o", str(target)], repeat
            )
            print(
                f"{label[:42]:42} {key:>6} {statistics.median(times):>8.2f} {command[0]:>10.2f} "
                f"{len(data) / 1024:>7.0f}"
            )


if __name__ == "__main__":
    main()

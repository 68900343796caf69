"""Our pages against the bare reference page, in one run, under load (see bench/README.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ap_pagespeed_bench \\
        .venv/bin/python -m bench.pages_vs_bare [--seconds 15] [--connections 50] [--reuse]

Serves ../shared/reference-page (its own database, DATABASE_URL's name + "_ref") and this project
(production settings, PostgreSQL, the bench.dataset data set) each under gunicorn with 2 workers,
and measures each page with wrk at 50 connections, one after the other: the bare page, a plan of
about 37 actions, the 200-action plan, the manager's home and the filtered action list. Our pages
are asked for by a signed-in user: a session made here for the bench user, sent as a cookie.
Prints requests per second for each and the ratio to the bare page. Leaves nothing running.

The database is flushed and filled (as bench.run does) unless --reuse.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(os.environ.get("REFERENCE_PAGE", ROOT.parent / "shared" / "reference-page"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.pop("DEBUG", None)  # production settings
os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
os.environ["TRUST_PROXY_SSL_HEADER"] = "1"  # as behind nginx: wrk sends X-Forwarded-Proto
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ap_pagespeed_bench")

import django  # noqa: E402

APP_PORT, REF_PORT = 8793, 8794
ACTION_LIST_QUERY = "?status=underway&overdue=on&q=review&o=planned_completion_date"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=15, help="wrk's duration for each page")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep the data an earlier run made")
    parser.add_argument("--only", default="", help="measure only pages whose name contains this")
    return parser.parse_args(argv)


def serve(args, port, cwd, env):
    """gunicorn with 2 workers in its own process group; returns the process."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *args,
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        "2",
        "--access-logfile",
        "/dev/null",
        "--error-logfile",
        "-",
    ]
    log = tempfile.TemporaryFile()  # noqa: SIM115  (kept open by the server)
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log = log
    return process


def wait_until_up(url, headers=None):
    for _ in range(100):
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=5) as response:  # nosec B310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"Nothing answered {url}")


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def wrk(url, seconds, connections, headers=()):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    failed = (int(errors.group(1)) if errors else 0) + (
        sum(int(n) for n in socket.groups()) if socket else 0
    )
    return {"rps": rps, "errors": failed, "p99": p99.group(1) if p99 else "-"}


def reference_server(db_name):
    """The reference page on its own database (so runs beside other sessions do not collide)."""
    if not (REFERENCE / "settings.py").exists():
        raise SystemExit(f"No reference page at {REFERENCE} (set REFERENCE_PAGE)")
    shim = Path(tempfile.mkdtemp(prefix="refpage-"))
    (shim / "bench_ref_settings.py").write_text(
        f"from settings import *  # noqa\nDATABASES['default']['NAME'] = {db_name!r}\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_ref_settings",
        "PYTHONPATH": f"{shim}:{REFERENCE}",
    }
    for name in ("DATABASE_URL", "SECRET_KEY"):
        env.pop(name, None)
    subprocess.run(
        [
            "psql",
            "-q",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-c",  # nosec B607
            f'DROP DATABASE IF EXISTS "{db_name}"',
            "-c",
            f'CREATE DATABASE "{db_name}"',
        ],
        check=True,
        capture_output=True,
    )
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=REFERENCE, env=env, check=True)
    subprocess.run([python, "load.py"], cwd=REFERENCE, env=env, check=True, capture_output=True)
    return serve(["wsgi:application"], REF_PORT, REFERENCE, env), shim


def session_cookie(user):
    """A signed-in session for ``user``, as the sign-in page would make it."""
    import time as clock

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the model backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["_active"] = int(clock.time())
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def prepare(args):
    """Migrate, then fill (or find again) the data set; the pages to measure as (name, who, url)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.urls import reverse

    from actionplans.models import Plan
    from bench.dataset import generate
    from bench.run import check_database, flush_keeping_groups, reused

    check_database(argparse.Namespace(allow_sqlite=False, allow_any_database=False))
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    if args.reuse:
        data = reused()
    else:
        flush_keeping_groups()
        data = generate()
    print(f"Database {connection.settings_dict['NAME']}: {data['counts']}")
    sizes = Plan.objects.annotate(n=Count("recommendations__actions")).values_list("pk", "n")
    plan_37 = min(sizes, key=lambda pair: (abs(pair[1] - 37), pair[0]))
    big = dict(sizes)[data["big_plan_id"]]
    plan_url = lambda pk: reverse("plan_detail", args=[pk])  # noqa: E731
    return data, [
        (f"plan page ({plan_37[1]} actions)", "manager", plan_url(plan_37[0])),
        (f"plan page ({big} actions)", "manager", plan_url(data["big_plan_id"])),
        ("manager's home", "manager", reverse("home")),
        ("filtered action list", "clerk", reverse("action_list") + ACTION_LIST_QUERY),
    ]


def main(argv=None):
    args = parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    django.setup()
    from django.db import connection

    data, pages = prepare(args)
    cookies = {who: session_cookie(user) for who, user in data["users"].items()}
    connection.close()

    rows = []
    ref, shim = reference_server(f"{connection.settings_dict['NAME']}_ref")
    app = serve(["config.wsgi", "--timeout", "60"], APP_PORT, ROOT, dict(os.environ))
    try:
        wait_until_up(f"http://127.0.0.1:{REF_PORT}/t")
        wait_until_up(f"http://127.0.0.1:{APP_PORT}/healthz")
        proto = "X-Forwarded-Proto: https"
        print(f"wrk: {args.connections} connections, {args.seconds} s a page, gunicorn 2 workers\n")
        wrk(f"http://127.0.0.1:{REF_PORT}/plan/7", 2, args.connections)  # warm up
        bare = wrk(f"http://127.0.0.1:{REF_PORT}/plan/7", args.seconds, args.connections)
        rows.append(("bare reference page (/plan/7, 40 actions)", bare))
        for name, who, url in pages:
            if args.only not in name:
                continue
            headers = [proto, f"Cookie: {cookies[who]}"]
            sent = dict(h.split(": ", 1) for h in headers)
            status = wait_until_up(f"http://127.0.0.1:{APP_PORT}{url}", sent)
            if status != 200:
                raise SystemExit(f"{url} answered {status} for bench-{who}")
            wrk(f"http://127.0.0.1:{APP_PORT}{url}", 2, args.connections, headers)  # warm up
            rows.append(
                (
                    name,
                    wrk(
                        f"http://127.0.0.1:{APP_PORT}{url}", args.seconds, args.connections, headers
                    ),
                )
            )
    finally:
        stop(app)
        stop(ref)
        shutil.rmtree(shim, ignore_errors=True)

    width = max(len(name) for name, _ in rows)
    print(f"{'page':<{width}}  {'req/s':>8}  {'vs bare':>7}  {'p99':>8}  errors")
    for name, row in rows:
        ratio = row["rps"] / bare["rps"]
        figures = f"{row['rps']:>8.1f}  {ratio:>7.2f}  {row['p99']:>8}  {row['errors']}"
        print(f"{name:<{width}}  {figures}")
    return 1 if any(row["errors"] for _, row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

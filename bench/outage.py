"""PostgreSQL stopped for 8 s under load and started again: how soon `make serve` answers 200.

    .venv/bin/python -m bench.outage [--down 8] [--clients 4]     # as root

Starts `make serve DEMO=1` in its own folder and database (var/serve-outage, SERVE_PORT 8463,
database actionplans_outage; a running `make serve` is not touched), signs in four officers who
ask for their home page without pause, stops the local cluster (`pg_ctlcluster
--skip-systemctl-redirect 15 main stop`, so run it as root) for --down seconds and starts it again
(always, even when interrupted), then stops `make serve`. Prints what the clients got second by
second; the time from the database's return (the start command returning; the server accepts
connections a little before) to the first 200 of each client and of /healthz; whether any part of
`make serve` was restarted; the worker's retries; and how long a render queued afterwards took.

Other sessions on the same PostgreSQL server lose it for those seconds too: run it rarely.
"""

import argparse
import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench.load import Session, sign_in

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "serve-outage"
PORT = 8463
BASE = f"https://127.0.0.1:{PORT}"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/actionplans_outage"
CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main"]
ENV = {**os.environ, "SERVE_DIR": str(VAR), "SERVE_PORT": str(PORT), "DATABASE_URL": DATABASE_URL}


def status(session, path):
    try:
        return session.request("GET", path)[0]
    except (OSError, http.client.HTTPException) as error:  # nothing answering at all
        return type(error).__name__


def client(cookies, path, answers, stop):
    session = Session(BASE, cookies)
    while not stop.is_set():
        answer = status(session, path)
        answers.append((time.monotonic(), answer))
        if path == "/healthz":
            time.sleep(0.1)


def serve():
    log = (VAR / "make-serve.log").open("w")
    server = subprocess.Popen(
        ["make", "serve", "DEMO=1"],
        cwd=ROOT,
        env=ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 900
    while status(Session(BASE), "/healthz") != 200:
        if server.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"make serve did not start: see {log.name}")
        time.sleep(1)
    return server


def queue_a_render():
    """Seconds until a render queued now is run by the worker, and how it ended."""
    code = """
import time
from actionplans.models import Plan
from reporting.renders import render_current
result = render_current.enqueue(Plan.objects.order_by("pk").first().pk)
started = time.monotonic()
while not result.is_finished and time.monotonic() - started < 120:
    time.sleep(0.2)
    result.refresh()
print(f"{time.monotonic() - started:.1f} s, {result.status}")
"""
    env = {**ENV, "SECRET_KEY": (VAR / "secret_key").read_text().strip()}
    env.pop("DEBUG", None)
    python = str(ROOT / ".venv" / "bin" / "python")
    run = subprocess.run(
        [python, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return run.stdout.strip() or run.stderr.strip()[-300:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--down", type=float, default=8.0, help="seconds the database is stopped")
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args(argv)
    # A TERM unwinds like Ctrl-C, so the database is always started again and make serve stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))

    VAR.mkdir(parents=True, exist_ok=True)
    server = serve()
    stop, threads, answers = threading.Event(), [], {}
    try:
        supervised, working = ((VAR / name).read_text() for name in ("serve.log", "worker.log"))
        for number in range(args.clients):
            got = answers[f"officer {number + 1}"] = []
            cookies = sign_in(BASE, "officer")
            threads.append(threading.Thread(target=client, args=(cookies, "/", got, stop)))
        answers["/healthz"] = []
        threads.append(
            threading.Thread(target=client, args=({}, "/healthz", answers["/healthz"], stop))
        )
        for thread in threads:
            thread.start()
        time.sleep(3)

        began = time.monotonic()
        try:
            subprocess.run([*CLUSTER, "stop"], check=True)
            stopped = time.monotonic()
            time.sleep(args.down)
        finally:
            back_at = time.monotonic()
            started = subprocess.run([*CLUSTER, "start"], check=False)
            back = time.monotonic()
        if started.returncode:
            sys.exit("pg_ctlcluster start failed: start the cluster by hand")
        time.sleep(10)
        stop.set()
        for thread in threads:
            thread.join()

        print(
            f"stop command: {stopped - began:.1f} s; then down {back_at - stopped:.1f} s; "
            f"start command: {back - back_at:.1f} s"
        )
        print("\nanswers by second (0 = the stop command):")
        for second in range(-3, int(back - began) + 11):
            counts = Counter(
                f"{'healthz' if kind == '/healthz' else 'home'} {answer}"
                for kind, got in answers.items()
                for at, answer in got
                if second <= at - began < second + 1
            )
            print(
                f"  {second:+3d} s  "
                + ", ".join(f"{k}: {n}" for k, n in sorted(counts.items(), key=str))
            )
        print("\nfirst 200 after the start command returned (and after it was given):")
        for kind, got in answers.items():
            first = next((at for at, answer in got if at > back_at and answer == 200), None)
            if first is None:
                print(f"  {kind:10s} none")
                continue
            later = Counter(answer for at, answer in got if at > first and answer != 200)
            print(
                f"  {kind:10s} {first - back:+.2f} s ({first - back_at:.2f} s); "
                f"not 200 after it: {dict(later) or 'none'}"
            )

        restarts = (VAR / "serve.log").read_text()[len(supervised) :]
        print("\nparts restarted:", restarts.count(": ended ") or "none")
        worker = (VAR / "worker.log").read_text()[len(working) :]
        print("worker's retries:", worker.count("Database unavailable"))
        print("a render queued after the outage ran in", queue_a_render())
    finally:
        stop.set()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


if __name__ == "__main__":
    main()

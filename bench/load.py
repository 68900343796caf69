"""A mixed load through the production setup (`make serve DEMO=1`), with the bare page's figure.

    make serve DEMO=1 &     # in another shell, or already running
    .venv/bin/python -m bench.load [--users 50] [--seconds 60] [--think 0] \
        [--base https://127.0.0.1:8443]

50 concurrent users for 60 seconds: officers writing progress updates with a small evidence file
(the form, then the post), managers reading the dashboard and their plans, clerks downloading
committee appendices (the same document, served from the store after the first render). With
--think 0 (the default) each user asks again the moment an answer comes, which measures how much
the site can serve; with --think S each pauses between 0.5 S and 1.5 S seconds after each
answer, as a person reading the page does, which measures what people wait. Prints requests per
second, p50, p95, p99 and errors per kind of request; then serves the bare reference page
(bench.pages_vs_bare) and measures it with wrk at the same concurrency, in the same run. An error
is a failed request or a status of 400 or more. The certificate is self-signed: it is not
verified. Needs the demo logins (password "demo").
"""

import argparse
import datetime as dt
import http.client
import random
import re
import ssl
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

FORMATS = ("docx", "xlsx")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One signed-in user's cookies over one kept-alive connection (HTTPS, or HTTP straight at an
    app server)."""

    def __init__(self, base, cookies=None, timeout=60):
        parts = urlsplit(base)
        self.base, self.https, self.timeout = base, parts.scheme == "https", timeout
        self.host, self.port = parts.hostname, parts.port or (443 if self.https else 80)
        self.cookies = dict(cookies or {})
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # a kept-alive connection the server closed is opened again
            if self.conn is None and self.https:
                context = ssl._create_unverified_context()  # nosec B323: a local trial's own cert
                self.conn = http.client.HTTPSConnection(
                    self.host, self.port, context=context, timeout=self.timeout
                )
            elif self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, data

    def post(self, path, fields, files=()):
        headers = {"Origin": self.base, "Referer": self.base + path}
        if files:
            boundary = uuid.uuid4().hex
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
                for name, value in fields.items()
            ]
            for name, filename, kind, content in files:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
                    + content
                    + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.request("POST", path, body, headers)


def sign_in(base, username):
    session = Session(base)
    _, _, page = session.request("GET", "/accounts/login/")
    token = CSRF.search(page).group(1).decode()
    fields = {"username": username, "password": "demo", "csrfmiddlewaretoken": token}  # nosec B105: the demo logins' password
    status, headers, _ = session.post("/accounts/login/", fields)
    if status != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"{username} could not sign in (HTTP {status}): load the demo (DEMO=1)")
    return session.cookies


def links(session, path, pattern):
    _, _, page = session.request("GET", path)
    return list(dict.fromkeys(m.decode() for m in re.findall(pattern, page)))


class Pacer:
    """Whether the load goes on, asked after each answer: with ``think``, after the user's pause."""

    def __init__(self, think):
        self.think, self.stopped = think, threading.Event()
        self.random = random.Random(1)  # nosec B311: spacing of a load test, not a secret

    def is_set(self):
        if self.think:
            self.stopped.wait(self.think * (0.5 + self.random.random()))
        return self.stopped.is_set()

    def set(self):
        self.stopped.set()


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.samples = {}

    def timed(self, kind, session, method, path, *args, ok=(200, 302)):
        started = time.perf_counter()
        try:
            status, headers, data = (
                session.request(method, path) if method == "GET" else session.post(path, *args)
            )
        except OSError as error:
            status, data = type(error).__name__, b""
        seconds = time.perf_counter() - started
        with self.lock:
            self.times[kind].append(seconds)
            if status not in ok:
                self.errors[kind] += 1
                self.samples.setdefault(kind, f"{method} {path} -> {status}")
        return status, data


def officer(base, cookies, actions, record, stop, number):
    session = Session(base, cookies)
    turn = number
    while not stop.is_set():
        action = actions[turn % len(actions)]
        turn += 1
        path = f"/actions/{action}/update/"
        status, form = record.timed("officer: update form", session, "GET", path)
        found = CSRF.search(form) if status == 200 else None
        if not found or stop.is_set():  # (the pause: writing the update)
            continue
        fields = {
            "csrfmiddlewaretoken": found.group(1).decode(),
            "period_label": "",
            "written_on": f"{dt.date.today():%d/%m/%Y}",
            "status": "",
            "text": f"Load test update {uuid.uuid4().hex[:8]}",
        }
        files = [("evidence", "note.txt", "text/plain", b"Evidence of progress.\n" * 50)]
        record.timed("officer: post update + file", session, "POST", path, fields, files)


def manager(base, cookies, plans, record, stop, number):
    session = Session(base, cookies)
    turn = number
    while not stop.is_set():
        record.timed("manager: dashboard", session, "GET", "/dashboard/")
        if stop.is_set():
            break
        record.timed("manager: plan page", session, "GET", plans[turn % len(plans)])
        turn += 1


def clerk(base, cookies, downloads, record, stop, number):
    session = Session(base, cookies)
    turn = number
    while not stop.is_set():
        url = downloads[turn % len(downloads)]
        turn += 1
        record.timed("clerk: appendix download", session, "GET", url)


def appendix_downloads(plan_paths):
    """Download addresses for each plan: its default layout, as at today, latest updates, in
    Word and Excel (as the prepare form sends them)."""
    today = dt.date.today()
    query = urlencode(
        {
            "layout": "",
            "as_at_0": today.day,
            "as_at_1": today.month,
            "as_at_2": today.year,
            "updates": "latest",
        }
    )
    return [f"{plan}committee/appendix.{fmt}?{query}" for plan in plan_paths for fmt in FORMATS]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bare_figure(connections, seconds):
    """The bare reference page under wrk, served beside the running site (bench.pages_vs_bare)."""
    import os

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ap_pagespeed_bench")
    from bench import pages_vs_bare as bare

    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    server, shim = bare.reference_server(f"{name}_ref")
    try:
        bare.wait_until_up(f"http://127.0.0.1:{bare.REF_PORT}/t")
        url = f"http://127.0.0.1:{bare.REF_PORT}/plan/7"
        bare.wrk(url, 2, connections)
        return bare.wrk(url, seconds, connections)
    finally:
        bare.stop(server)
        import shutil

        shutil.rmtree(shim, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="https://127.0.0.1:8443")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--think", type=float, default=0, help="a user's mean pause after each answer, seconds"
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare page's figure")
    args = parser.parse_args(argv)
    base = args.base.rstrip("/")

    cookies = {who: sign_in(base, who) for who in ("officer", "manager", "clerk")}
    look = Session(base, cookies["officer"])
    _, _, home = look.request("GET", "/")
    own = []
    for pk in dict.fromkeys(re.findall(rb'href="/actions/(\d+)/"', home)):
        status, _, _ = look.request("GET", f"/actions/{pk.decode()}/update/")
        if status == 200:
            own.append(pk.decode())
    plans = links(Session(base, cookies["manager"]), "/plans/", rb'href="(/plans/\d+/)"')
    downloads = appendix_downloads(plans)
    if not (own and plans and downloads):
        raise SystemExit(f"Nothing to do: actions {own}, plans {plans}, downloads {downloads}")
    for url in downloads:  # the first render of each document is not what is measured
        Session(base, cookies["clerk"]).request("GET", url)

    officers, clerks = round(args.users * 0.3), round(args.users * 0.2)
    managers = args.users - officers - clerks
    record, stop = Recorder(), Pacer(args.think)
    threads = (
        [
            threading.Thread(target=officer, args=(base, cookies["officer"], own, record, stop, n))
            for n in range(officers)
        ]
        + [
            threading.Thread(
                target=manager, args=(base, cookies["manager"], plans, record, stop, n)
            )
            for n in range(managers)
        ]
        + [
            threading.Thread(
                target=clerk, args=(base, cookies["clerk"], downloads, record, stop, n)
            )
            for n in range(clerks)
        ]
    )
    pauses = f", pausing {args.think:g} s on average" if args.think else ", without pauses"
    print(
        f"{args.users} users ({officers} officers, {managers} managers, {clerks} clerks) "
        f"for {args.seconds} s against {base}{pauses}"
    )
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    elapsed = time.perf_counter() - started

    print(
        f"\n{'request':<30} {'count':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'errors':>6}"
    )
    every = []
    for kind in sorted(record.times):
        times = record.times[kind]
        every += times
        print(
            f"{kind:<30} {len(times):>6} {len(times) / elapsed:>7.1f} "
            f"{statistics.median(times) * 1000:>7.0f} {percentile(times, 95) * 1000:>7.0f} "
            f"{percentile(times, 99) * 1000:>7.0f} {record.errors[kind]:>6}"
        )
    errors = sum(record.errors.values())
    print(
        f"{'all':<30} {len(every):>6} {len(every) / elapsed:>7.1f} "
        f"{statistics.median(every) * 1000:>7.0f} {percentile(every, 95) * 1000:>7.0f} "
        f"{percentile(every, 99) * 1000:>7.0f} {errors:>6}"
    )
    for kind, sample in record.samples.items():
        print(f"  first error of {kind}: {sample}")
    if not args.no_bare:
        bare = bare_figure(args.users, 15)
        figures = f"{bare['rps']:.1f} req/s, p99 {bare['p99']}, errors {bare['errors']}"
        print(
            f"\nbare reference page, same run (wrk, {args.users} connections, 2 workers): {figures}"
        )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

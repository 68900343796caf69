"""Where the office's load spends the app servers' CPU, by kind of request.

A gunicorn configuration file: each worker writes, after each request, the CPU it spent on it
(its own, and that of the render processes it waited for) and the time taken, to the file named
by ``REQUEST_CPU_LOG``. Then this module, run, adds them up by kind (bench.load's kinds).

    rm -f /tmp/request-cpu.log
    GUNICORN_CMD_ARGS="-c bench/request_cpu.py" REQUEST_CPU_LOG=/tmp/request-cpu.log \\
        make serve DEMO=1 &
    .venv/bin/python -m bench.load --seconds 40 --no-bare
    .venv/bin/python -m bench.request_cpu /tmp/request-cpu.log

A worker handles one request at a time (the sync class, as `make serve` runs), so the change in
its CPU over a request is that request's.
"""

import os
import resource
import statistics
import sys
import time
from collections import defaultdict


def _cpu():
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # renders, once reaped
    return mine.ru_utime + mine.ru_stime, children.ru_utime + children.ru_stime


def kind(method, path):
    """bench.load's kind of request for a method and path."""
    if "/committee/appendix." in path:
        return "clerk: appendix download"
    if path.endswith("/update/"):
        return "officer: post update + file" if method == "POST" else "officer: update form"
    if path.startswith("/dashboard/"):
        return "manager: dashboard"
    if path.startswith("/plans/"):
        return "manager: plan page"
    return "other"


def pre_request(worker, req):
    req.cpu_before = (_cpu(), time.perf_counter())


def post_request(worker, req, environ, resp):
    (own, children), started = req.cpu_before
    own_now, children_now = _cpu()
    line = (
        f"{kind(req.method, req.path)}\t{(own_now - own) * 1000:.2f}\t"
        f"{(children_now - children) * 1000:.2f}\t{(time.perf_counter() - started) * 1000:.2f}\n"
    )
    with open(os.environ["REQUEST_CPU_LOG"], "a") as log:  # one short append a request
        log.write(line)


def main(path):
    rows = defaultdict(list)
    with open(path) as log:
        for line in log:
            name, own, children, wall = line.rstrip("\n").split("\t")
            rows[name].append((float(own), float(children), float(wall)))
    total = sum(own + children for kinds in rows.values() for own, children, _ in kinds)
    print(f"{'request':30} {'count':>6} {'CPU ms':>7} {'renders':>8} {'share':>6} {'p50 ms':>7}")
    for name, kinds in sorted(rows.items(), key=lambda item: -sum(a + b for a, b, _ in item[1])):
        spent = sum(own + children for own, children, _ in kinds)
        print(
            f"{name:30} {len(kinds):6} {statistics.mean(o for o, _, _ in kinds):7.1f}"
            f" {statistics.mean(c for _, c, _ in kinds):8.1f} {spent / total:6.0%}"
            f" {statistics.median(w for _, _, w in kinds):7.1f}"
        )
    print(f"all: {total / 1000:.1f} CPU s over {sum(map(len, rows.values()))} requests")


if __name__ == "__main__":
    main(sys.argv[1])

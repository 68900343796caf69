"""Work that a user's input can make costly, run in a child process with a time and a memory limit.

A document to render, a file to read: either may take minutes or gigabytes. Done in the process
that asked (an app server's worker, the task worker), it held that process until gunicorn killed
it, and was tried again on the next click. So it runs in a process forked from the one that asks
(which has its modules imported and its input built, so nothing is loaded twice):

- its address space may grow by ``memory_bytes`` beyond what it was forked with (RLIMIT_AS, set
  from the child's own size: a server that has run for a while, with a malloc arena per thread,
  may already hold more address space than any fixed cap): an allocation past it fails in the
  child, never in the server;
- it is killed, with any process it started, once its time (``seconds``) is up. It is the leader
  of its own process group for that. Its CPU time is capped a little above its time too, so it
  ends even if the process that waits for it is itself killed first.

The child never touches the database: its input is made before, and its result stored after, by
the process that asked (a forked child sharing its connection would corrupt it). What it returns
is bytes, and what it says is JSON: nothing is unpickled from it.

Used by ``reporting.limits`` (every render) and ``importers.readers`` (every uploaded file).
"""

import contextlib
import json
import math
import multiprocessing
import os
import resource
import signal
import time
import traceback

# What a child that ran out of memory says, made before its memory is capped.
_MEMORY = json.dumps(["memory", "MemoryError"]).encode()


class Exceeded(Exception):  # noqa: N818 - it reads as limits.Exceeded
    """Work stopped before it finished: ``reason`` is "time", "memory" or "error"."""

    def __init__(self, reason, detail="", seconds=0.0):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.seconds = reason, detail, seconds


def run(function, *args, seconds, memory_bytes):
    """``function(*args)``, which returns bytes, run in a child process within ``seconds`` and
    ``memory_bytes`` more address space (0: no memory limit): its bytes, or Exceeded."""
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(function, args, seconds, memory_bytes, theirs))
    started = time.monotonic()
    child.start()
    theirs.close()
    with contextlib.suppress(OSError):  # the child does it too: whichever runs first
        os.setpgid(child.pid, child.pid)
    try:
        if not ours.poll(max(seconds, 0)):
            raise Exceeded("time", f"stopped after {seconds:g} s", time.monotonic() - started)
        try:
            kind, detail = json.loads(ours.recv_bytes())  # our own two words, as JSON
            if kind == "done":
                return ours.recv_bytes()
        except EOFError:
            kind, detail = _ended(child)
        raise Exceeded(kind, detail, time.monotonic() - started)
    finally:
        ours.close()
        _stop(child)


def _child(function, args, seconds, memory_bytes, link):
    try:
        os.setpgid(0, 0)
        _cap(resource.RLIMIT_CPU, math.ceil(seconds) + 2)
        if memory_bytes:
            _cap(resource.RLIMIT_AS, _address_space() + memory_bytes)
        result = function(*args)
        link.send_bytes(json.dumps(["done", ""]).encode())
        link.send_bytes(result)
    except MemoryError:
        link.send_bytes(_MEMORY)
    except BaseException:  # noqa: BLE001 - told to the parent, which records it
        link.send_bytes(json.dumps(["error", traceback.format_exc()[-4000:]]).encode())
    finally:
        link.close()


def _address_space():
    """This process's address space in bytes, as RLIMIT_AS counts it."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _cap(limit, value):
    _, hard = resource.getrlimit(limit)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(limit, (value, hard))


def _ended(child):
    """Why a child stopped without a word: killed at its CPU limit, else most likely its memory
    (C libraries abort when an allocation fails)."""
    child.join(timeout=5)
    code = child.exitcode
    if code == -signal.SIGXCPU:
        return "time", "stopped at its CPU time limit"
    return "memory", f"the process stopped (exit code {code})"


def _stop(child):
    """Kill the child and whatever it started (its process group), and reap it."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except OSError:  # already gone, or not yet its own group
        if child.is_alive():
            child.kill()
    child.join(timeout=5)

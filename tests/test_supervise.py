"""scripts/supervise, which runs each part of `make serve`: a part that dies is started again after
a pause that grows, and what it left behind is ended; a stop signal ends the part, then itself."""

import os
import re
import signal
import subprocess
import time
from contextlib import suppress
from pathlib import Path

SUPERVISE = Path(__file__).resolve().parent.parent / "scripts" / "supervise"


def alive(pid):
    with suppress(FileNotFoundError):
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    return False


def pids(path):
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


def lines(path, count, timeout=10):
    """The first `count` pids written to `path`, waiting until there are that many."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(found := pids(path)) >= count:
            return found[:count]
        time.sleep(0.05)
    raise AssertionError(f"{path.name}: fewer than {count} after {timeout} s")


def test_a_part_that_dies_is_started_again_and_a_stop_ends_it(tmp_path):
    parts, leftovers, log = tmp_path / "parts", tmp_path / "leftovers", tmp_path / "serve.log"
    # A part with a process of its own that outlives it when it is killed (as nginx's workers do).
    part = f"sleep 300 & echo $! >>{leftovers}; echo $$ >>{parts}; wait"
    supervisor = subprocess.Popen(
        [SUPERVISE, "part", "sh", "-c", part],
        env={**os.environ, "SUPERVISE_LOG": str(log)},
        stderr=subprocess.DEVNULL,
    )
    try:
        (first,) = lines(parts, 1)
        os.kill(first, signal.SIGKILL)
        killed = time.monotonic()
        second = lines(parts, 2)[1]
        assert 0.9 < time.monotonic() - killed < 3
        os.kill(second, signal.SIGKILL)
        killed = time.monotonic()
        third = lines(parts, 3)[2]
        assert 1.9 < time.monotonic() - killed < 4  # the pause doubles
        assert alive(third)
        assert [alive(pid) for pid in lines(leftovers, 3)] == [False, False, True]

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=5) == 0
        assert not alive(third) and not any(alive(pid) for pid in lines(leftovers, 3))
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
        for pid in filter(alive, pids(parts) + pids(leftovers)):  # only if the test failed
            os.kill(pid, signal.SIGKILL)
    logged = log.read_text()
    assert f"supervise part: started (pid {first})" in logged
    # How long the killed part ran depends on the machine's load: 0 s on a quiet one.
    restarted = r"supervise part: ended \(status 137 after \d+ s\); starting again in 1 s"
    assert re.search(restarted, logged)
    assert "starting again in 2 s" in logged and logged.endswith("supervise part: stopped\n")

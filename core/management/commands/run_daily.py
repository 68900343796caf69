"""`manage.py run_daily`: the daily jobs at their times, for a machine without timers.

In production systemd's timers run them (docs/deploy.md, section 4); `make serve`, the whole
setup on one machine, runs this instead, under scripts/supervise like its other parts, so that
trying it out sends the reminders and counts the day's dashboards ahead as a real server does.
It sleeps until the next job is due (local time), runs its commands one after the other, and
goes on even when one fails (the failure is logged, as a timer's would be). A job whose time
passed while it was not running is not made up; the next one is awaited.
"""

import datetime as dt
import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections
from django.utils import timezone

logger = logging.getLogger(__name__)

# The timers of docs/deploy.md: (local time, the commands it runs in turn).
JOBS = (
    (dt.time(0, 5), (("count_ahead",),)),
    (
        dt.time(7, 0),
        (("send_reminders",), ("clearsessions",), ("axes_reset_logs", "--age", "90")),
    ),
)
# Sleep no longer than this at once, so a change of the clock (or of summer time) is noticed.
NAP_SECONDS = 60


def next_due(after):
    """The first job time strictly after the aware datetime ``after``, and its commands."""
    local = timezone.localtime(after)
    times = []
    for days in (0, 1):
        day = local.date() + dt.timedelta(days=days)
        for at, commands in JOBS:
            when = timezone.make_aware(dt.datetime.combine(day, at))
            if when > after:
                times.append((when, commands))
    return min(times, key=lambda job: job[0])


class Command(BaseCommand):
    help = "Run the daily jobs (reminders, the day's dashboard counts) at their times, for ever."
    stealth_options = ("now", "sleep", "runs")

    def handle(self, *args, now=timezone.now, sleep=time.sleep, runs=None, **options):
        """``now``, ``sleep`` and ``runs`` (stop after that many jobs) are for the tests."""
        when, commands = next_due(now())
        done = 0
        while runs is None or done < runs:
            names = " then ".join(command[0] for command in commands)
            self.stdout.write(f"Next: {names} at {timezone.localtime(when):%F %H:%M %Z}")
            while (left := (when - now()).total_seconds()) > 0:
                sleep(min(left, NAP_SECONDS))
            for command in commands:
                self.run(command)
            connections.close_all()  # no connection held open for a day
            done += 1
            when, commands = next_due(when)

    def run(self, command):
        self.stdout.write(f"{timezone.localtime():%F %H:%M:%S} {' '.join(command)}")
        try:
            call_command(*command, stdout=self.stdout, stderr=self.stderr)
        except Exception:  # noqa: BLE001 - the other jobs still run, as separate timers would
            logger.exception("Daily job %s failed", command[0])
            self.stderr.write(f"{command[0]} failed (the log has why); the next job goes on.")

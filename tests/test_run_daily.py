"""`manage.py run_daily` (make serve's daily jobs): each job at its local time, the next one
after it, and a failing job does not stop the others."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from core.management.commands import run_daily
from reminders.models import ReminderSent


def london(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.mark.parametrize(
    ("now", "due", "first"),
    [
        (london(2026, 12, 7, 0, 4), london(2026, 12, 7, 0, 5), "count_ahead"),
        (london(2026, 12, 7, 0, 5), london(2026, 12, 7, 7, 0), "send_reminders"),
        (london(2026, 12, 7, 6, 59, 59), london(2026, 12, 7, 7, 0), "send_reminders"),
        (london(2026, 12, 7, 7, 0), london(2026, 12, 8, 0, 5), "count_ahead"),
        (london(2026, 12, 31, 23, 0), london(2027, 1, 1, 0, 5), "count_ahead"),
        # The clocks go forward at 01:00 on 28 March 2027: 07:00 is then 06:00 UTC.
        (london(2027, 3, 28, 0, 30), london(2027, 3, 28, 7, 0), "send_reminders"),
    ],
)
def test_the_next_job_is_the_first_time_after_now(now, due, first):
    when, commands = run_daily.next_due(now)
    assert when == due and commands[0][0] == first
    if first == "send_reminders":  # the daily clearing goes with the reminders
        assert [c[0] for c in commands] == ["send_reminders", "clearsessions", "axes_reset_logs"]


class Clock:
    """Time that passes only when the command sleeps."""

    def __init__(self, start):
        self.at, self.slept = start, []

    def now(self):
        return self.at

    def sleep(self, seconds):
        assert 0 < seconds <= run_daily.NAP_SECONDS
        self.slept.append(seconds)
        self.at += dt.timedelta(seconds=seconds)


@pytest.mark.usefixtures("locmem", "committed_world")  # committed: it closes its connections
def test_it_sleeps_until_each_job_and_runs_it(emails):
    clock = Clock(london(2026, 12, 6, 23, 59))
    out = io.StringIO()
    call_command("run_daily", now=clock.now, sleep=clock.sleep, runs=2, stdout=out)
    said = out.getvalue()
    assert "Next: count_ahead at 2026-12-07 00:05" in said
    assert "Counted 2 plan(s)" in said
    then = "send_reminders then clearsessions then axes_reset_logs"
    assert f"Next: {then} at 2026-12-07 07:00" in said
    assert clock.at == london(2026, 12, 7, 7, 0)  # it waited for each, in naps
    assert max(clock.slept) == run_daily.NAP_SECONDS
    # The reminders were really sent, once each.
    assert {m.to[0] for m in mail.outbox} >= {"officer@example.gov.uk", "manager@example.gov.uk"}
    assert ReminderSent.objects.filter(user=emails.officer).count() == 1


@pytest.mark.usefixtures("locmem", "committed_world")
def test_a_failing_job_is_logged_and_the_others_still_run(emails, monkeypatch, caplog):
    from reminders.management.commands import send_reminders

    def broken(*args, **kwargs):
        raise RuntimeError("mail server gone")

    monkeypatch.setattr(send_reminders, "send_all", broken)
    monkeypatch.setattr(run_daily, "JOBS", run_daily.JOBS[1:])  # the 07:00 job only
    clock = Clock(london(2026, 12, 7, 6, 58))
    out, err = io.StringIO(), io.StringIO()
    call_command("run_daily", now=clock.now, sleep=clock.sleep, runs=1, stdout=out, stderr=err)
    assert "send_reminders failed" in err.getvalue()
    assert "Daily job send_reminders failed" in caplog.text and "mail server gone" in caplog.text
    assert "clearsessions" in out.getvalue() and "axes_reset_logs --age 90" in out.getvalue()
    assert mail.outbox == []

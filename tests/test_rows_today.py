"""The appendix as at today is read from the plan's tables, not its history (issue 28: after a
write, the clerk's Word and Excel download read the history again, at twice the cost), and it is
the same rows the history gives, full and public, on the seed plans."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from actionplans import snapshots, withholding, workflow
from actionplans.models import Action, Plan, ProgressUpdate
from reporting import appendix

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed(demo_plans):
    """The seed plans after a day's work: on each, a progress update written, another's status
    changed and an update withheld from the public version."""
    manager = get_user_model().objects.filter(is_superuser=False).first()
    today = timezone.localdate()
    for plan in Plan.objects.all():
        actions = Action.objects.filter(recommendation__plan=plan).order_by("pk")
        workflow.progress_add(
            actions[0], author=manager, written_on=today, text="Today's <b>news</b>"
        )
        second, status = next(
            (a, s) for a in actions[1:] for s in a.progress_statuses() if s != a.status
        )
        workflow.progress_add(second, author=manager, written_on=today, text="On", status=status)
        update = ProgressUpdate.objects.filter(action__recommendation__plan=plan).first()
        withholding.update_withhold(update, actor=manager, category="3")
    return list(Plan.objects.all())


@pytest.mark.parametrize("public", [False, True])
def test_the_rows_as_at_today_are_the_historys(changed, public):
    at = appendix.end_of(timezone.localdate())
    for plan in changed:
        kept = snapshots.kept_as_of(plan, at, public=public)
        assert kept == snapshots.as_of(plan, at, public=public), plan.title
        assert kept.at == at


def test_today_reads_the_tables_and_a_past_day_the_history(changed):
    plan = changed[0]
    today = appendix.end_of(timezone.localdate())
    with mock.patch.object(snapshots, "as_of", side_effect=AssertionError("history read")):
        assert snapshots.kept_as_of(plan, today).at == today
    yesterday = today - dt.timedelta(days=1)
    with mock.patch.object(snapshots, "as_of", wraps=snapshots.as_of) as history:
        snapshots.kept_as_of(plan, yesterday)
    history.assert_called_once()

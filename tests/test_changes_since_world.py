"""Changes since the last committee (issue 27) on a small plan: the query count stays the same as
the plan grows; the "changed since" column of a full appendix."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actionplans import snapshots, workflow
from reporting import appendix, renders
from reporting.appendix import Column, Spec

from .factories import ActionFactory, ProgressUpdateFactory
from .test_changes_since import publish

pytestmark = pytest.mark.django_db


def counted(plan, since):
    with CaptureQueriesContext(connection) as queries:
        snapshots.changes_between(plan, since)
    return len(queries)


def test_the_query_count_does_not_grow_with_the_plan(world):
    since = timezone.now()
    ProgressUpdateFactory(action=world.own, written_on=timezone.localdate())
    few = counted(world.plan, since)
    for _ in range(6):
        action = ActionFactory(recommendation=world.rec, owners=[world.officer_owner])
        ProgressUpdateFactory(action=action, written_on=timezone.localdate())
        ProgressUpdateFactory(recommendation=world.rec, action=None)
    assert len(snapshots.changes_between(world.plan, since).actions) > 6
    assert counted(world.plan, since) == few


# The "changed since" column of a full appendix.


def test_the_changed_since_column_marks_what_changed_since_the_last_pack(world):
    spec = Spec(
        name="With marks", columns=[Column("Action", "action"), Column("Changed", "changed_since")]
    )
    key = renders.key(world.plan, spec, timezone.localdate(), appendix.Updates())
    publish(world.plan, timezone.localdate(), timezone.now())
    assert renders.key(world.plan, spec, timezone.localdate(), appendix.Updates()) != key
    workflow.progress_add(
        world.via_team, author=world.manager, written_on=timezone.localdate(), text="Begun."
    )
    doc = appendix.build(world.plan, spec)
    marks = {row.key: [p.text for p in row.cells[1].paras] for row in doc.rows if row.cells}
    changed = [k for k, v in marks.items() if v]
    assert changed == [f"r{world.rec.pk}-a{world.via_team.pk}"]
    assert marks[changed[0]] == ["Changed: progress update"]
    # Without a pack before it, the column is empty.
    doc = appendix.build(world.other_plan, spec)
    assert not any(row.cells[1].paras for row in doc.rows if row.cells)

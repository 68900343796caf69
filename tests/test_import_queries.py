"""Confirming an import saves in bulk: the number of queries does not grow with the rows, and
every record it makes still has its history (dated by the file's date) and its owners."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans.models import Action, Owner, ProgressUpdate
from core.errors import Refused
from importers import service

from .conftest import COUNCIL, person

HEADER = [
    "Ref No",
    "Recommendation",
    "Action Required",
    "Lead Officer / Agency",
    "Time Scale",
    "Progress to Date",
]


def table(rows, owners=12, who="Officer"):
    """A CSV plan of ``rows`` actions, four to a recommendation, two owners to a cell, one of
    them written with initials, and a labelled update on each."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Bench plan, 15 November 2012"])
    writer.writerow(HEADER)
    for i in range(rows):
        first = i % 4 == 0
        writer.writerow(
            [
                f"R{i // 4 + 1}" if first else "",
                f"Recommendation {i // 4 + 1}" if first else "",
                f"Action {i + 1}",
                f"{who} {letter(i, owners)} ({who[0]}{letter(i, owners)}), "
                f"Agency {who} {letter(i + 1, owners)}",
                "Nov 12",
                f"November update: action {i + 1} underway",
            ]
        )
    return out.getvalue().encode()


def letter(i, owners):
    return chr(65 + i % owners)


def imported(manager, rows, **kwargs):
    result = service.preview_file("plan.csv", table(rows, **kwargs), organisation=COUNCIL)
    manager = type(manager).objects.get(pk=manager.pk)  # its permissions not yet cached
    assert not result.blocking, [str(p) for p in result.blocking]
    with CaptureQueriesContext(connection) as queries:
        plan = service.confirm(result, actor=manager, organisation=COUNCIL)
    return plan, len(queries)


def test_queries_to_confirm_do_not_grow_with_the_rows(db):
    manager, _ = person("manager", "Manager")
    _, small = imported(manager, 20)
    plan, large = imported(manager, 200, who="Lead")  # owners of its own to create, too
    # 25 either way, in bulk: 3 savepoints (6 queries), the owners to match and the manager's
    # permissions (3), the new owners (2), the plan and its managers (4), then sections,
    # recommendations, actions, their owners and updates (10); each insert with its history.
    assert (small, large) == (25, 25)
    assert Action.objects.filter(recommendation__plan=plan).count() == 200


def test_every_record_imported_in_bulk_has_its_history_and_owners(db):
    manager, _ = person("manager", "Manager")
    plan, _ = imported(manager, 8, owners=3)
    actions = list(Action.objects.filter(recommendation__plan=plan).order_by("pk"))
    day = dt.date(2012, 11, 15)
    for action in actions:
        record = action.history.get()
        assert record.history_date.date() == day
        assert record.history_user == manager
        assert record.history_change_reason == "Action added"
        # The history record keeps the owners, in the plan's order.
        kept = [link.owner.name for link in record.owners.order_by("order")]
        assert kept == [owner.name for owner in action.ordered_owners]
        assert len(kept) == 2
    assert [a.order for a in actions] == [0, 1, 2, 3, 0, 1, 2, 3]
    assert [a.planned_completion_date for a in actions] == [dt.date(2012, 11, 30)] * 8
    for model in (Owner, ProgressUpdate):
        for obj in model.objects.all():
            if model is Owner and obj.name == "Manager":
                continue
            assert obj.history.get().history_user == manager
    created = Owner.objects.filter(organisation=COUNCIL).exclude(name="Manager")
    assert sorted(created.values_list("name", flat=True)) == [
        "Agency Officer A",
        "Agency Officer B",
        "Agency Officer C",
        "Officer A",
        "Officer B",
        "Officer C",
    ]
    assert created.get(name="Officer B").initials == "OB"


def test_owners_matched_from_one_query_as_one_by_one(db):
    """By name or initials, whatever the capitals; the council's own before a partner's."""
    manager, _ = person("manager", "Manager")
    ours = Owner.objects.create(name="officer a", organisation=COUNCIL)
    Owner.objects.create(name="Police officer", initials="OB", organisation="Example Police")
    theirs_first = Owner.objects.create(name="Someone", initials="OB", organisation=COUNCIL)
    plan, _ = imported(manager, 4, owners=2)
    owners = [
        a.ordered_owners for a in Action.objects.filter(recommendation__plan=plan).order_by("pk")
    ]
    assert owners[0][0] == ours
    assert owners[1][0] == theirs_first  # "Officer B (OB)": the council's owner with OB


def test_a_refused_row_leaves_nothing(db):
    manager, _ = person("manager", "Manager")
    result = service.preview_file("plan.csv", table(12), organisation=COUNCIL)
    result.actions[-1]["progress"][0]["date"] = "2999-01-01"  # an update dated in the future
    before = (Owner.objects.count(), Action.objects.count(), ProgressUpdate.objects.count())
    with pytest.raises(Refused, match=f"Row {result.actions[-1]['row']}: .*future"):
        service.confirm(result, actor=manager, organisation=COUNCIL)
    assert (Owner.objects.count(), Action.objects.count(), ProgressUpdate.objects.count()) == before

"""The RAG rule: complete; overdue is red; due within 14 days amber; later green; no date none."""

import datetime as dt

import pytest

from actionplans import rag
from actionplans.models import Action
from actionplans.rag import Rag

from .factories import ActionFactory

TODAY = dt.date(2012, 11, 15)


@pytest.mark.parametrize(
    ("status", "due", "override", "expected"),
    [
        ("complete", dt.date(2012, 1, 31), "", Rag.COMPLETE),
        ("complete", None, "", Rag.COMPLETE),
        ("underway", dt.date(2012, 11, 14), "", Rag.RED),
        # Awaiting a manager's decision is not overdue: the owner has done what they can.
        ("awaiting_sign_off", dt.date(2012, 10, 31), "", Rag.AWAITING),
        ("underway", TODAY, "", Rag.AMBER),
        ("underway", TODAY + dt.timedelta(days=14), "", Rag.AMBER),
        ("underway", TODAY + dt.timedelta(days=15), "", Rag.GREEN),
        ("not_recorded", None, "", Rag.NONE),
        ("underway", dt.date(2012, 1, 31), "green", Rag.GREEN),
        ("complete", None, "red", Rag.RED),
    ],
)
def test_rating(status, due, override, expected):
    action = Action(status=status, planned_completion_date=due, rag_override=override)
    assert rag.rate(action, TODAY) == expected


@pytest.mark.django_db
def test_database_annotation_follows_the_same_rule():
    cases = [
        ("complete", None, ""),
        ("underway", dt.date(2012, 11, 1), ""),
        ("delayed", TODAY, ""),
        ("underway", dt.date(2012, 11, 29), ""),
        ("underway", dt.date(2012, 11, 30), ""),
        ("ongoing", None, ""),
        ("awaiting_sign_off", dt.date(2012, 1, 1), ""),
        ("underway", dt.date(2012, 1, 1), "amber"),
    ]
    for status, due, override in cases:
        ActionFactory(status=status, planned_completion_date=due, rag_override=override)
    annotated = rag.annotate(Action.objects.all(), TODAY)
    assert [a.rag for a in annotated] == [rag.rate(a, TODAY).value for a in annotated]
    assert {a.rag for a in annotated} == {r.value for r in Rag}

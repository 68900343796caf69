"""``field__any_of=[...]`` (core.lookups.AnyOf): the rows ``__in`` finds, with the values as one
parameter on PostgreSQL (issue 28: long lists of ids were compiled and parsed again at every
mention)."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from actionplans.models import Owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners():
    return [Owner.objects.create(name=f"Owner {n}", organisation="Council") for n in range(5)]


@pytest.mark.parametrize("pick", [[], [0], [1, 3], [0, 1, 2, 3, 4]])
def test_the_rows_are_those_in_finds(owners, pick):
    ids = [owners[i].pk for i in pick]
    found = set(Owner.objects.filter(pk__any_of=ids).values_list("pk", flat=True))
    assert found == set(Owner.objects.filter(pk__in=ids).values_list("pk", flat=True)) == set(ids)
    assert set(Owner.objects.exclude(pk__any_of=ids).values_list("pk", flat=True)) == {
        o.pk for o in owners
    } - set(ids)


def test_a_none_among_the_values_matches_nothing(owners):
    assert list(Owner.objects.filter(pk__any_of=[None, owners[0].pk])) == [owners[0]]


def test_a_subquery_is_as_in(owners):
    subquery = Owner.objects.filter(pk__in=[owners[3].pk]).values("pk")
    assert list(Owner.objects.filter(pk__any_of=subquery)) == [owners[3]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array is PostgreSQL's")
def test_on_postgresql_the_values_are_one_parameter(owners):
    ids = [o.pk for o in owners]
    sql, params = Owner.objects.filter(pk__any_of=ids).query.sql_with_params()
    assert "= ANY(%s)" in sql and params == (ids,)
    with CaptureQueriesContext(connection) as queries:
        list(Owner.objects.filter(pk__any_of=ids))
    assert queries.captured_queries[0]["sql"].count(str(ids[-1])) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array is PostgreSQL's")
def test_no_values_leave_the_condition_out_as_in_does(owners):
    """``= ANY('{}')`` would be tested on every row: a manager who owns no action had every
    council's actions read for their home page."""
    either = Owner.objects.filter(Q(pk__any_of=[]) | Q(name="Owner 1"))
    assert "ANY" not in str(either.query) and [o.name for o in either] == ["Owner 1"]
    with CaptureQueriesContext(connection) as queries:
        assert list(Owner.objects.filter(pk__any_of=[])) == []
    assert queries.captured_queries == []


def test_an_array_of_a_subquery_is_a_set_not_sorted(owners):
    """InArray drops the subquery's order (Owner is ordered by name), as ``__in`` does."""
    from django.db.models import F

    from core.lookups import InArray

    named = Owner.objects.filter(name__in=["Owner 1", "Owner 3"]).values("pk")
    found = Owner.objects.filter(InArray(F("pk"), named)).order_by()  # the outer order apart
    assert "ORDER BY" not in str(found.query)
    assert sorted(o.name for o in found) == ["Owner 1", "Owner 3"]

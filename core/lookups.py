"""Lookups the ORM lacks."""

from django.core.exceptions import EmptyResultSet
from django.db.models.lookups import In


class InArray(In):
    """``InArray(F("field"), queryset)``: ``field IN (subquery)``, which on PostgreSQL is written
    ``field = ANY(ARRAY(subquery))``.

    PostgreSQL flattens an IN subquery into a join and orders it by its estimates; the array is
    made first (an InitPlan) and the rows are then found through ``field``'s index. Among 150
    councils, a clerk's list of underway and overdue actions was found as every council's
    actions of that status and date, then joined to the council's recommendations (issue 28).

    The subquery's order is dropped, as ``__in`` drops it: a model's default order would make
    PostgreSQL join and sort what only needs to be a set."""

    def __init__(self, lhs, rhs):
        super().__init__(lhs, rhs.order_by() if hasattr(rhs, "order_by") else rhs)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


class AnyOf(In):
    """``field__any_of=[values]``: ``field IN (values)``, which on PostgreSQL is written
    ``field = ANY(%s)`` with the values as one array (a column's own values, such as ids; not
    through a relation).

    A list of ids put in a query as one parameter each is compiled, quoted and split again by
    the driver every time it appears (a query longer than the driver's cache holds is parsed
    afresh at each execution); the officer's home page names their 60 actions in five rules,
    several times each (issue 28)."""

    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = getattr(self.lhs, "output_field", None)
        values = [
            field.get_db_prep_value(value, connection) if field else value
            for value in self.rhs
            if value is not None
        ]
        if not values:
            # Matches nothing, said as ``__in=[]`` says it: the ORM leaves the condition out (an
            # OR of it with others) or the query unasked, where ``= ANY('{}')`` would be tested
            # row by row (a manager who owns no action had every council's actions read).
            raise EmptyResultSet
        return f"{lhs} = ANY(%s)", (*lhs_params, values)

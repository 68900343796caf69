"""Lookups the ORM lacks."""

from django.db.models.lookups import In


class InArray(In):
    """``InArray(F("field"), queryset)``: ``field IN (subquery)``, which on PostgreSQL is written
    ``field = ANY(ARRAY(subquery))``.

    PostgreSQL flattens an IN subquery into a join and orders it by its estimates; the array is
    made first (an InitPlan) and the rows are then found through ``field``'s index. Among 150
    councils, a clerk's list of underway and overdue actions was found as every council's
    actions of that status and date, then joined to the council's recommendations (issue 28)."""

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)

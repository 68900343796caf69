"""Queries every request asks, built by the ORM once a process and run with each request's ids.

Reading the signed-in user with their permissions, or a plan with whether they manage it, took
the ORM three to four times as long to build as the database to answer (a reused plan page's
access checks were half its time, issue 28). The SQL of such a query depends only on the ids it
is asked about, so it is built once for each database (with a stand-in for each id) and run with
the ids as parameters, as the ORM itself would: nothing from a request is ever part of the text.
"""

from django.db import connections, router

# Stand-ins for the ids while the query is built: below any id a table gives out, and within
# a 32-bit integer's range (the ORM finds nothing for an id out of its column's range).
_MARK = -(2**31) + 1


class Prepared:
    """``build(*ids)``, a queryset of ``model``, built once a process for each database."""

    def __init__(self, model, build):
        self.model, self.build = model, build
        self._built = {}  # database alias: (sql, params, [(param index, id index)])

    def _sql(self, alias, count):
        built = self._built.get(alias)
        if built is None:
            marks = [_MARK + n for n in range(count)]
            sql, params = self.build(*marks).using(alias).query.sql_with_params()
            slots = [
                (i, marks.index(value))
                for i, value in enumerate(params)
                if isinstance(value, int) and value in marks
            ]
            if {n for _, n in slots} != set(range(count)):
                raise ValueError(f"{self.build.__qualname__} left out an id it was given")
            built = self._built[alias] = (sql, list(params), slots)
        return built

    def _run(self, ids):
        alias = router.db_for_read(self.model)
        low, high = connections[alias].ops.integer_field_range("BigIntegerField")
        if not all(isinstance(i, int) and low <= i <= high for i in ids):
            raise ValueError(f"Not ids: {ids!r}")
        sql, params, slots = self._sql(alias, len(ids))
        params = list(params)
        for i, n in slots:
            params[i] = ids[n]
        return alias, sql, params

    def objects(self, *ids):
        """The model's instances the query finds for ``ids`` (with its annotations). Each id is
        an integer in a 64-bit column's range (else ValueError: the ORM would find nothing)."""
        alias, sql, params = self._run(ids)
        return list(self.model._default_manager.raw(sql, params, using=alias))

    def rows(self, *ids):
        """The rows (tuples) the query finds for ``ids``."""
        alias, sql, params = self._run(ids)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

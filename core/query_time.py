"""A time limit on the queries of one piece of work, where a user's input decides their cost."""

import time
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction


class TooSlow(Exception):  # noqa: N818 - it reads as query_time.TooSlow
    """The work's queries ran past the limit and were stopped; nothing they did was kept."""


@contextmanager
def at_most(seconds):
    """The queries inside may run for ``seconds`` in all; past that PostgreSQL stops the one
    running (each is given what is left of the time, as its ``statement_timeout``) and
    ``TooSlow`` is raised. The work runs in a transaction of its own (a savepoint inside another),
    where the limit is set and ends. SQLite, the development database, has no such limit: the
    work runs as it would."""
    if connection.vendor != "postgresql":
        yield
        return
    from psycopg.errors import QueryCanceled

    deadline = time.monotonic() + seconds

    def within(execute, sql, params, many, context):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TooSlow
        limit = [f"{max(1, int(left * 1000))}ms"]
        # On the driver's own cursor: through Django's, this would be wrapped again.
        context["cursor"].cursor.execute("SELECT set_config('statement_timeout', %s, true)", limit)
        return execute(sql, params, many, context)

    try:
        with transaction.atomic():
            with connection.execute_wrapper(within):
                yield
            # Inside another transaction the setting would outlast this one's savepoint.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
    except OperationalError as error:
        if isinstance(error.__cause__, QueryCanceled):
            raise TooSlow from error
        raise

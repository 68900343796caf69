"""The database's state for a load balancer, and the page people get while the database is away."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import server_error

# PostgreSQL error classes that mean "the server is not there for us": connection exceptions (08)
# and operator intervention such as a shutdown or a server still starting (57P).
_UNAVAILABLE_SQLSTATES = ("08", "57P")


def database_unavailable(error):
    """True when `error` says the database cannot be reached, not that a query was wrong.

    A lost or refused connection is a psycopg OperationalError with no SQLSTATE (the client saw it)
    or one in class 08/57P; deadlocks, timeouts and bad SQL are faults, and stay a 500.
    """
    if isinstance(error, InterfaceError):  # Django or psycopg: the connection is already closed
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if cause is not None and type(cause).__module__.startswith("psycopg"):
        return sqlstate is None or sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    return "unable to open database" in str(error)  # SQLite: the file is not there


def server_error_or_unavailable(request, *args, **kwargs):
    """handler500: a 503 'service unavailable' page when the fault is the database being away.

    Django calls this inside its `except`, so the exception is still in hand. The page is
    rendered without the request, like the 500 page: it must not touch the database.
    """
    if database_unavailable(sys.exception()):
        html = loader.get_template("503.html").render()
        response = HttpResponseServerError(html, status=503)
        response["Retry-After"] = "30"
        return response
    return server_error(request, *args, **kwargs)


@login_not_required
@require_safe
@never_cache
def healthz(request):
    """200 {"database": "ok"} or 503 {"database": "unavailable"}: nothing else is told."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse({"database": "ok"})

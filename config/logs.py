"""Logging: errors can be found afterwards, with the request they came from and no secrets.

Every process logs to stderr (the journal under systemd, the terminal under `make serve`) and,
when a file is given (LOG_FILE), errors and worse to that file too. Lines about a request say its
method, path and user id; never its query string, cookies or body.
"""

import logging

from django.http import HttpRequest
from django.utils.functional import empty


class RequestContext(logging.Filter):
    """Sets `record.context` to " [GET /plans/3/ user=12]" for records that carry a request
    (django.request, django.security), else to nothing; the database being away is said in a
    line, without the traceback."""

    def filter(self, record):
        from config.health import database_unavailable  # not while settings load: it needs views

        if hasattr(record, "context"):  # done for another handler already
            return True
        request = getattr(record, "request", None)
        record.context = ""
        if isinstance(request, HttpRequest):
            record.context = f" [{request.method} {request.path} user={user_id(request)}]"
            error = record.exc_info[1] if record.exc_info else None
            if getattr(record, "status_code", 500) < 500:
                # A refusal (403, 404) is the service working: its line, not a traceback.
                record.exc_info = record.exc_text = None
            elif database_unavailable(error):
                # An outage is one line a request, not 7 kB of the same traceback each time.
                reason = str(error).partition("\n")[0]
                record.context += f" database unavailable: {reason}"
                record.exc_info = record.exc_text = None
        return True


def user_id(request):
    """The signed-in user's id if the request has already loaded its user, "anonymous" for nobody,
    "-" if unknown. Never loads it: that reads the database, which may be why we are logging."""
    user = request.__dict__.get("user")
    user = getattr(user, "_wrapped", user)  # AuthenticationMiddleware's lazy user
    if user is None or user is empty:
        return "-"
    return user.pk or "anonymous"


def config(level="WARNING", file=""):
    """settings.LOGGING: everything at `level` to stderr; ERROR and worse also to `file`."""
    handler = {"filters": ["request"], "formatter": "line"}
    handlers = {"stderr": {**handler, "class": "logging.StreamHandler"}}
    if file:
        # Watched: a log rotator may move the file; opened at the first error, not at start.
        handlers["file"] = {
            **handler,
            "class": "logging.handlers.WatchedFileHandler",
            "filename": file,
            "delay": True,
            "level": "ERROR",
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestContext}},
        "formatters": {
            "line": {
                "format": "%(asctime)s %(levelname)s %(name)s %(process)d: %(message)s%(context)s"
            }
        },
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": level},
    }

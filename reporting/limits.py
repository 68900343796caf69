"""Every render runs in a child process with a time and a memory limit.

A document a user can make may take WeasyPrint minutes or gigabytes. Rendered in the process that
asked (an app server's worker, the task worker), it held that process until gunicorn killed it,
and was tried again on the next click. So a render runs in a process forked from the one that
asks (which has the document built and WeasyPrint imported, so nothing is loaded twice), through
``core.limits`` (shared with the importer's file readers):

- its address space may grow by ``RENDER_MEMORY_LIMIT_MB`` beyond what it was forked with
  (RLIMIT_AS, set from the child's own size): an allocation past it fails in the child, never in
  the server;
- it is killed, with any process it started (the parts of a large PDF, reporting.parts), once its
  time (``RENDER_TIMEOUT_SECONDS``, or less for a render inside a request) is up. Its CPU time is
  capped a little above its time too, so it ends even if the process that waits for it is itself
  killed first.

The child never touches the database: the document is built before, and the result is stored
after, by the process that asked (a forked child sharing its connection would corrupt it).
"""

from django.conf import settings

from core import limits as _limits
from core.limits import Exceeded  # noqa: F401 - reporting's name for a render that stopped


def timeout():
    return float(getattr(settings, "RENDER_TIMEOUT_SECONDS", 60))


def memory():
    return int(getattr(settings, "RENDER_MEMORY_LIMIT_MB", 1024)) * 1024 * 1024


def run(function, *args, seconds=None, memory_bytes=None):
    """``function(*args)``, which returns bytes, run in a child process within the limits: its
    bytes, or Exceeded. ``seconds`` and ``memory_bytes`` default to the settings."""
    seconds = timeout() if seconds is None else seconds
    memory_bytes = memory() if memory_bytes is None else memory_bytes
    return _limits.run(function, *args, seconds=seconds, memory_bytes=memory_bytes)

"""`manage.py run_worker`: django-tasks-db's `db_worker`, which outlives a database outage.

The library's worker stops at the first database error that is not a locked SQLite file, so a
PostgreSQL restart left appendices unrendered until someone started it again. This one closes its
connections, waits (1 s, doubling to 10 s) and polls the queue again. Same options as db_worker.
"""

import logging
import time
from contextlib import suppress

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("django_tasks_db.run_worker")  # its level follows --verbosity

FIRST_DELAY, MAX_DELAY = 1.0, 10.0
# A run this long was the database working again: the next outage starts from FIRST_DELAY.
HEALTHY_SECONDS = 60.0


class Worker(db_worker.Worker):
    def run(self):
        delay = FIRST_DELAY
        while self.running:
            started = time.monotonic()
            try:
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if time.monotonic() - started > HEALTHY_SECONDS:
                    delay = FIRST_DELAY
                reason = str(error).partition("\n")[0]
                logger.warning("Database unavailable (%s); trying again in %g s", reason, delay)
                with suppress(DatabaseError):  # a dead connection may fail to close: it is gone
                    connections.close_all()
                # A stop signal here ends the worker at once (db_worker's handler exits when no
                # task is running).
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)


class Command(db_worker.Command):
    help = "Run the database task worker, waiting out database outages"

    def handle(self, **options):
        # db_worker's handle builds the Worker its module names (in the reloader's child too).
        library_worker, db_worker.Worker = db_worker.Worker, Worker
        try:
            return super().handle(**options)
        finally:
            db_worker.Worker = library_worker

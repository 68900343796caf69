"""The database going away: a 503 service page and an honest health check, and the app comes back
by itself when the database does, and so does the task worker (`manage.py run_worker`).

The app is pointed at PostgreSQL through a small TCP relay run by the test, which can cut every
connection and refuse new ones, then let them through again: a real outage as the app sees it,
without stopping the PostgreSQL server other sessions share. Requests go through Django's own
WSGI handler (not the test client), so the start- and end-of-request connection checks that
production relies on (CONN_HEALTH_CHECKS, CONN_MAX_AGE) run as they do under gunicorn.
"""

import io
import json
import logging
import signal
import socket
import threading
from contextlib import suppress

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, connection
from django.tasks import TaskResultStatus, task
from django.test import Client, override_settings
from django.urls import include, path

from config.health import database_unavailable

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
)


class Relay:
    """Forward a local port to the database server; `cut()` drops everything until `restore()`."""

    def __init__(self, host, port):
        self.target = (host, int(port))
        self.up = True
        self.sockets = []
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()  # the server "is not there": the connection ends at once
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def cut(self):
        self.up = False
        with self.lock:
            for sock in self.sockets:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.server.close()


def wsgi_get(path, cookie=""):
    """GET through django.core.handlers.wsgi, as gunicorn would call it; (status, headers, body)."""
    from django.core.handlers.wsgi import WSGIHandler

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "443",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_COOKIE": cookie,
    }
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = int(status.split()[0]), dict(headers)

    result = WSGIHandler()(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()  # sends request_finished, as a server does
    return started["status"], started["headers"], body.decode()


@pytest.fixture
def relay(transactional_db, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    saved = dict(connection.settings_dict)
    relay = Relay(saved["HOST"] or "127.0.0.1", saved["PORT"] or 5432)
    connection.close()
    # Production's connection handling: kept open between requests, checked before reuse.
    connection.settings_dict.update(
        HOST="127.0.0.1", PORT=str(relay.port), CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True
    )
    yield relay
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)
    relay.close()


@postgres_only
def test_outage_answers_503_and_the_app_recovers_by_itself(relay, committed_world):
    world = committed_world
    client = Client()
    client.force_login(world.officer)
    signed_in = f"sessionid={client.cookies['sessionid'].value}"
    status, _, body = wsgi_get("/healthz")
    assert (status, json.loads(body)) == (200, {"database": "ok"})
    status, _, body = wsgi_get("/", signed_in)  # the session and the user come from the database
    assert status == 200 and "Sign out" in body
    assert connection.connection is not None  # kept open for the next request

    relay.cut()
    status, headers, body = wsgi_get("/healthz")
    assert (status, json.loads(body)) == (503, {"database": "unavailable"})
    assert "no-cache" in headers["Cache-Control"]
    for page in ("/", "/plans/", f"/plans/{world.plan.pk}/"):
        status, headers, body = wsgi_get(page, signed_in)
        assert status == 503, page
        assert headers["Retry-After"] == "30"
        assert '<h1 class="govuk-heading-l">Sorry, the service is unavailable</h1>' in body
        assert "<title>Sorry, the service is unavailable – Improvement action plans</title>" in body
        assert "OperationalError" not in body and "Traceback" not in body

    relay.restore()
    # No restart, no waiting: the next request finds the old connection dead and opens another.
    status, _, body = wsgi_get("/healthz")
    assert (status, json.loads(body)) == (200, {"database": "ok"})
    status, _, body = wsgi_get(f"/plans/{world.plan.pk}/", signed_in)
    assert status == 200 and world.plan.title in body


@task
def ping():
    return "pong"


@pytest.fixture
def signal_handlers():
    """The worker takes over SIGINT/SIGTERM/SIGQUIT for a graceful stop; pytest gets them back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@postgres_only
def test_the_task_worker_waits_out_an_outage_and_then_runs_the_queue(
    relay, settings, signal_handlers, caplog
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = ping.enqueue()
    worker = ["--no-reload", "--no-startup-delay", "--interval", "0.1", "--max-tasks", "1"]

    relay.cut()
    # What make serve ran until now: the library's worker ends at the first refused connection.
    with pytest.raises(OperationalError):
        call_command("db_worker", *worker)
    # Ours waits (1 s, 2 s, ...) and takes the task once the database is back.
    threading.Timer(2.5, relay.restore).start()
    with caplog.at_level(logging.WARNING, logger="django_tasks_db"):
        call_command("run_worker", *worker)
    retries = [r.getMessage() for r in caplog.records if r.name == "django_tasks_db.run_worker"]
    assert len(retries) >= 2
    assert retries[0].startswith("Database unavailable (") and retries[0].endswith("again in 1 s")
    assert retries[1].endswith("again in 2 s")
    result.refresh()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, "pong")


def test_health_check_needs_no_sign_in_and_says_only_the_database_state(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert Client().post("/healthz").status_code == 405


@pytest.mark.parametrize(
    "error, unavailable",
    [
        (InterfaceError("connection already closed"), True),
        (OperationalError("unable to open database file"), True),
        (OperationalError("database is locked"), False),
        (OperationalError("no such table: actionplans_plan"), False),
        (RuntimeError("not the database"), False),
    ],
)
def test_only_an_unreachable_database_is_unavailable(error, unavailable):
    assert database_unavailable(error) is unavailable


def test_psycopg_errors_are_told_apart_by_their_sqlstate():
    psycopg = pytest.importorskip("psycopg")

    def wrapped(cause):
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error

    assert database_unavailable(wrapped(psycopg.OperationalError("connection refused")))
    assert database_unavailable(wrapped(psycopg.errors.AdminShutdown("terminating connection")))
    assert not database_unavailable(wrapped(psycopg.errors.DeadlockDetected("deadlock")))
    assert not database_unavailable(wrapped(psycopg.errors.QueryCanceled("statement timeout")))


@login_not_required
def _lost_connection(request):
    raise InterfaceError("connection already closed")


@login_not_required
def _locked(request):
    raise OperationalError("database is locked")


urlpatterns = [
    path("lost/", _lost_connection),
    path("locked/", _locked),
    path("", include("config.urls")),
]
handler500 = "config.health.server_error_or_unavailable"


@override_settings(ROOT_URLCONF=__name__)
def test_the_503_page_is_a_service_page_and_other_faults_stay_500(db):
    client = Client(raise_request_exception=False)
    response = client.get("/lost/")
    assert response.status_code == 503
    html = response.content.decode()
    assert 'class="govuk-service-navigation' in html
    assert "<title>Sorry, the service is unavailable – Improvement action plans</title>" in html
    assert "Try again in a few minutes." in html
    assert "Sign out" not in html and "connection already closed" not in html
    response = client.get("/locked/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()

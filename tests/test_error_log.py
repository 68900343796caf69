"""Errors can be found afterwards: a 500's traceback goes to LOG_FILE and to stderr, with the
request's method, path and user id, and none of its secrets (config/logs.py)."""

import io
import logging
import logging.config
import os

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path
from django.utils.functional import SimpleLazyObject

from config import logs

from .factories import UserFactory


def _broken(request):
    raise RuntimeError("the view broke")


def _lost(request):
    raise InterfaceError("connection already closed")


urlpatterns = [path("broken/", _broken), path("lost/", _lost), path("", include("config.urls"))]
handler500 = "config.health.server_error_or_unavailable"


@pytest.fixture
def logged(tmp_path, settings):
    """The logging make serve sets up (LOG_FILE given), for this test only: (file, stderr)."""
    file, stderr = tmp_path / "errors.log", io.StringIO()
    logging.config.dictConfig(logs.config(level="WARNING", file=str(file)))
    (handler,) = [h for h in logging.getLogger().handlers if h.name == "stderr"]
    handler.setStream(stderr)
    yield file, stderr
    logging.config.dictConfig(settings.LOGGING)


@override_settings(ROOT_URLCONF=__name__)
def test_a_500_is_logged_with_its_request_and_user_but_no_secrets(db, logged):
    user = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    session = client.cookies["sessionid"].value
    response = client.post("/broken/?token=in-the-query", {"password": "in-the-body"})
    assert response.status_code == 500
    client.get("/nowhere/")  # a 404 is a warning: on stderr, not in the errors file
    assert client.get("/lost/").status_code == 503

    file, stderr = logged
    text = file.read_text()
    assert f"ERROR django.request {os.getpid()}: Internal Server Error: /broken/ " in text
    assert f"[POST /broken/ user={user.pk}]\nTraceback (most recent call last):" in text
    assert "RuntimeError: the view broke" in text
    assert "nowhere" not in text
    # The database being away is one line a request: an outage is thousands of the same.
    assert text.endswith(
        f": Service Unavailable: /lost/ [GET /lost/ user={user.pk}] "
        "database unavailable: connection already closed\n"
    )
    for secret in (session, "sessionid", "in-the-query", "in-the-body", "password"):
        assert secret not in text
    text = stderr.getvalue()
    assert f"[POST /broken/ user={user.pk}]\nTraceback" in text and "Not Found: /nowhere/" in text


def test_the_user_is_named_only_if_already_loaded():
    """Loading the user reads the database, which may be the fault being logged."""

    def load():
        raise AssertionError("the logger loaded the user")

    request = RequestFactory().get("/plans/")
    request.user = SimpleLazyObject(load)
    record = logging.makeLogRecord({"request": request})
    logs.RequestContext().filter(record)
    assert record.context == " [GET /plans/ user=-]"
    assert logs.user_id(RequestFactory().get("/")) == "-"  # before AuthenticationMiddleware
    request.user = AnonymousUser()
    assert logs.user_id(request) == "anonymous"
    record = logging.makeLogRecord({"msg": "no request"})
    logs.RequestContext().filter(record)
    assert record.context == ""


def test_a_refusal_is_one_line_without_a_traceback(client, world, caplog):
    """A 403 is the service working: logged as its line with the request, no traceback."""
    import logging

    from config.logs import RequestContext

    client.force_login(world.officer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(f"/plans/{world.plan.pk}/edit/").status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    for record in records:
        RequestContext().filter(record)
        assert record.exc_info is None and "/edit/ user=" in record.context

"""Refused before it costs anything (issue 16): body size, failed sign-ins, CSP, caching,
sessions, the proxy header and the demo loader."""

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from actionplans.models import Plan

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


# --- A body bigger than any upload -------------------------------------------------------------


class NeverRead:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def post_declaring(client, path, length):
    # Django's test client fills CONTENT_LENGTH from the data; this declares its own and hands
    # over a body that must not be read.
    return client.generic(
        "POST",
        path,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": NeverRead()},
    )


def test_a_gigabyte_content_length_is_refused_without_reading_the_body(client, world):
    client.force_login(world.officer)
    before = world.own.updates.count()
    response = post_declaring(client, reverse("action_update", args=[world.own.pk]), 1024**3)
    assert response.status_code == 413
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">The request is too large</h1>' in html
    assert "Nothing was saved" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert world.own.updates.count() == before


def test_the_limit_is_refused_before_csrf_and_for_anonymous_users(world):
    client = Client(enforce_csrf_checks=True)
    response = post_declaring(client, reverse("login"), django_settings.MAX_REQUEST_BODY + 1)
    assert response.status_code == 413


def test_a_length_that_is_not_a_number_is_refused(client, world):
    response = post_declaring(client, reverse("login"), "lots")
    assert response.status_code == 413


def test_the_largest_allowed_update_is_not_refused_by_the_limit():
    # Five files of the largest size, plus the form, fit under the one limit.
    assert django_settings.MAX_REQUEST_BODY >= 5 * django_settings.EVIDENCE_MAX_BYTES
    assert django_settings.MAX_REQUEST_BODY >= 20 * 1024 * 1024  # a plan import


# --- Failed sign-ins ---------------------------------------------------------------------------


def sign_in(client, username, password, path=None):
    return client.post(path or reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_the_right_password_is_refused_during_lockout_and_works_after_it(client, world, path):
    world.officer.set_password("right-password")
    world.officer.is_staff = True  # the admin's sign-in takes staff only
    world.officer.save()
    limit = django_settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert sign_in(client, "officer", "wrong", path).status_code == 200
    locked = sign_in(client, "officer", "wrong", path)
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    # The right password does not open it while locked.
    assert sign_in(client, "officer", "right-password", path).status_code == 429
    assert "_auth_user_id" not in client.session

    from axes.models import AccessAttempt

    cooloff = dt.timedelta(minutes=16)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - cooloff)
    response = sign_in(client, "officer", "right-password", path)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.officer.pk)


def test_an_unknown_username_gets_the_same_answers_as_a_known_one(client, world):
    def answers(username):
        pages = [sign_in(Client(), username, "wrong") for _ in range(6)]
        return [
            (
                p.status_code,
                re.sub(r'value="[^"]*"|name="csrfmiddlewaretoken"[^>]*', "", p.content.decode()),
            )
            for p in pages
        ]

    known = answers("officer")
    unknown = answers("nobody-by-this-name")
    assert [k[0] for k in known] == [200] * 4 + [429, 429]
    assert [a[0] for a in unknown] == [k[0] for k in known]
    assert [a[1] for a in unknown] == [k[1] for k in known]


def test_a_lockout_is_for_the_username_from_that_address_only(client, world):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "officer", "wrong")
    elsewhere = Client(REMOTE_ADDR="10.9.8.7")
    world.officer.set_password("right-password")
    world.officer.save()
    assert sign_in(elsewhere, "officer", "right-password").status_code == 302


def test_behind_a_proxy_failures_count_against_the_clients_address(settings, rf):
    from config.security import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "127.0.0.1"  # no proxy configured: the header is ignored
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # what nginx saw, not what the client wrote


# --- Content Security Policy -------------------------------------------------------------------


def test_pages_carry_the_content_security_policy(client, world):
    csp = "Content-Security-Policy"
    assert client.get(reverse("login"))[csp].startswith("default-src 'self'")
    client.force_login(world.manager)
    for url in [
        reverse("home"),
        reverse("plan_detail", args=[world.plan.pk]),
        reverse("action_detail", args=[world.own.pk]),
        "/no-such-page/",
    ]:
        policy = client.get(url)[csp]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy


def template_files():
    skip = {".venv", "node_modules", "static-build", ".git"}
    for path in ROOT.rglob("templates/**/*.html"):
        if not skip & set(path.relative_to(ROOT).parts):
            yield path


# WeasyPrint reads these to make PDFs; no browser ever receives them, so no CSP applies.
PDF_ONLY = {"reporting/appendix.html", "reporting/pack.html"}


def test_no_template_has_inline_script_or_style():
    found = []
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        name = path.as_posix().split("/templates/", 1)[1]
        inline_script = re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
        style_attr = re.search(r"<[^>]*\sstyle\s*=", text)
        style_block = re.search(r"<style[\s>]", text) and name not in PDF_ONLY
        handler = re.search(r"<[^>]*\son[a-z]+\s*=", text)
        javascript_url = re.search(r"javascript:", text, re.I)
        if inline_script or style_attr or style_block or handler or javascript_url:
            found.append(name)
    assert found == []
    assert len(list(template_files())) > 20  # the scan did find the templates


# --- Caching and sessions ----------------------------------------------------------------------


def test_signed_in_pages_and_downloads_are_not_stored(client, world, proposed):
    client.force_login(world.manager)
    assert client.get(reverse("home"))["Cache-Control"] == "private, no-store"
    evidence = proposed.updates.get(text="Done").evidence.get()
    download = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    client.force_login(world.clerk)
    appendix = client.get(
        reverse("appendix_download_xlsx", args=[world.plan.pk]), {"updates": "latest"}
    )
    assert appendix.status_code == 200
    assert appendix["Cache-Control"] == "private, no-store"


def test_a_session_ends_at_browser_close_and_after_inactivity(client, world):
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    world.officer.set_password("right-password")
    world.officer.save()
    response = sign_in(client, "officer", "right-password")
    assert response.status_code == 302
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    assert client.session.get_expiry_age() == 30 * 60


def test_a_session_in_use_is_kept_alive_without_a_write_on_every_request(
    client, world, monkeypatch
):
    from django.contrib.sessions.models import Session

    client.force_login(world.officer)
    home = reverse("home")
    client.get(home)
    key = client.session.session_key
    first = Session.objects.get(pk=key).expire_date
    client.get(home)
    assert Session.objects.get(pk=key).expire_date == first  # within the minute: not saved
    later = time.time() + 10 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    client.get(home)
    assert Session.objects.get(pk=key).expire_date > first  # used again later: moved on


def test_an_idle_session_has_ended(client, world):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(world.officer)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_remember_me_keeps_the_session_for_days(client, world):
    world.officer.set_password("right-password")
    world.officer.save()
    response = client.post(
        reverse("login"),
        {"username": "officer", "password": "right-password", "remember_me": "on"},
    )
    assert response.status_code == 302
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 14 * 24 * 60 * 60
    assert client.get(reverse("home")).status_code == 200


def test_the_sign_in_page_offers_remember_me_and_no_password_reset(client, world):
    html = client.get(reverse("login")).content.decode()
    assert 'name="remember_me"' in html
    # No address is routed for them: not found, not even a redirect to sign in first.
    for path in ["/accounts/password_reset/", "/accounts/password_change/"]:
        assert client.get(path).status_code == 404
    assert "password_reset" not in client.get("/admin/login/").content.decode()


# --- Proxy header and demo data ----------------------------------------------------------------


def test_the_demo_is_refused_with_debug_off_unless_forced(settings, world):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo", verbosity=0)
    assert not Plan.objects.filter(title__icontains="Merton").exists()

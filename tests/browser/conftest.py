"""Fixtures for the browser journeys: Debian's Chromium, the demo data, and axe.

Playwright's sync API runs an event loop in the test thread, so Django would refuse database access
from the test itself; the live server runs in its own thread and is unaffected.
"""

import contextlib
import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SHOTS = Path(os.environ.get("BROWSER_SHOTS", "/tmp/shots"))
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# More axe tags for an exploratory run, e.g. AXE_EXTRA_TAGS=best-practice (not part of the bar).
AXE_TAGS += [t for t in os.environ.get("AXE_EXTRA_TAGS", "").split(",") if t]

ROTHERHAM = "Improvement Panel - Action Delivery Plan – October 2012"
MERTON_YJ = "Merton Youth Justice Core Case Inspection (HMIP) Action Plan – October 2011"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture
def demo(transactional_db):
    """The demo plans and logins, in a transactional database the live server can see.

    The roles are groups made by a data migration; a transactional test flushes them at teardown,
    so they are made again here (the migration's own function) before the demo users join them.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from actionplans.models import Plan
    from importers.demo import load_demo

    if Group.objects.filter(name__in=["Officer", "Manager", "Clerk", "Administrator"]).count() < 4:
        from tests.conftest import restore_groups

        restore_groups()
    load_demo()
    users = {u.username: u for u in get_user_model().objects.all()}
    return {
        "users": users,
        "rotherham": Plan.objects.get(title=ROTHERHAM),
        "merton_yj": Plan.objects.get(title=MERTON_YJ),
    }


@pytest.fixture
def url(live_server):
    def make(path=""):
        return live_server.url + path

    return make


def check_a11y(page, label=""):
    """Run axe (WCAG 2.2 AA tags) on the page as it is now; fail with axe's own report."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} violation(s) on {label or page.url}:\n"
        + results.generate_report()
    )


def shoot(page, name):
    """A full-page screenshot in /tmp/shots (outside the repository), for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    page.screenshot(path=str(SHOTS / f"{safe}.png"), full_page=True)


class A11yLog:
    """check_a11y on every page of a journey without stopping at the first page that fails.

    ``a11y(page, "name")`` takes the screenshot, runs axe and notes any failure; the journey goes
    on, and the test fails at its end (``a11y.assert_clean()``) with every page's report.
    ``with a11y.soft("what is right"):`` does the same for other checks of what users perceive
    (styling of error states, where an error link takes focus) that should not stop the journey.
    """

    def __init__(self, screenshots=True):
        self.screenshots = screenshots
        self.failures = []
        self.pages = []

    def __call__(self, page, name):
        page.wait_for_load_state("load")
        if self.screenshots:
            shoot(page, name)
        self.pages.append(name)
        try:
            check_a11y(page, label=f"{name} ({page.url})")
        except AssertionError as failure:
            self.failures.append(str(failure))

    @contextlib.contextmanager
    def soft(self, description):
        try:
            yield
        except AssertionError as failure:
            self.failures.append(f"{description}:\n{failure}")

    def assert_clean(self):
        assert not self.failures, "\n\n".join(self.failures)


@pytest.fixture
def a11y():
    return A11yLog()


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Every browser test fails if Chromium refused anything under the Content Security Policy."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield
    assert not refused, "\n".join(refused)

"""The completion ladder in a real Chromium, with axe on every page: a manager records a signed-off
action assured (a bad re-check date first), sees the ladder, and reopens the step with a reason."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .test_decisions import signed_off  # noqa: F401 - the fixture
from .test_journeys import fill_date, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_assures_an_action_and_reopens_the_step(page, url, demo, signed_off, a11y):  # noqa: F811
    action_url = url(f"/actions/{signed_off.pk}/")
    sign_in(page, url, a11y, "manager")
    page.goto(action_url)
    ladder = page.locator(".govuk-task-list")
    expect(ladder.locator(".govuk-task-list__item")).to_have_count(4)
    a11y(page, "ladder-signed-off")

    page.get_by_role("link", name="Record it assured").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record this action assured")
    a11y(page, "ladder-assure-form")
    page.get_by_label("What the audit or dip sample found").fill("10 of 10 cases had a plan.")
    recheck = page.get_by_role("group", name=re.compile("Re-check date"))
    fill_date(recheck, timezone.localdate() - dt.timedelta(days=1))
    page.get_by_role("button", name="Record it assured").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The re-check date must be in the future."
    )
    a11y(page, "ladder-assure-errors")
    later = timezone.localdate() + dt.timedelta(days=91)
    fill_date(page.get_by_role("group", name=re.compile("Re-check date")), later)
    page.get_by_role("button", name="Record it assured").click()
    expect(page).to_have_url(action_url)
    expect(ladder).to_contain_text(f"Re-check by {later:%-d %B %Y}")
    expect(ladder.locator(".govuk-tag--green")).to_have_count(3)
    a11y(page, "ladder-assured")

    page.get_by_role("link", name="Reopen a step of its completion").click()
    a11y(page, "ladder-reopen-form")
    page.get_by_label("Assured").check()
    page.get_by_label("Why is the step being reopened?").fill("Sampled the wrong team.")
    page.get_by_role("button", name="Reopen the step").click()
    expect(page).to_have_url(action_url)
    expect(ladder.locator(".govuk-tag--green")).to_have_count(2)
    page.get_by_text("Steps reopened (1)").click()
    expect(page.locator(".govuk-details__text")).to_contain_text("Sampled the wrong team.")
    a11y(page, "ladder-reopened")
    a11y.assert_clean()

"""In a real browser, with axe: an officer's home telling them a proposal came back, and a plan's
history narrowed by date and kind of change (and a bad date explained)."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from .test_journeys import fill_date, minimal_pdf, officer_overdue_action, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "The evidence is last year's audit: attach this year's."


@pytest.fixture
def returned(demo):
    """An overdue action of the officer's, proposed complete and returned by the manager."""
    from actionplans import workflow

    officer, manager = demo["users"]["officer"], demo["users"]["manager"]
    action = officer_overdue_action(officer)
    workflow.completion_propose(
        action,
        author=officer,
        written_on=timezone.localdate() - dt.timedelta(days=1),
        text="Done: the protocol is agreed.",
        files=[SimpleUploadedFile("evidence.pdf", minimal_pdf(), "application/pdf")],
    )
    action.refresh_from_db()
    workflow.completion_return(action, manager=manager, reason=REASON)
    return action


@pytest.mark.browser
def test_officer_home_shows_a_returned_proposal(page, url, demo, returned, a11y):
    sign_in(page, url, a11y, "officer")
    banner = page.locator(".govuk-notification-banner").filter(has_text="returned your proposal")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(REASON)
    expect(banner).to_contain_text("returned by Demo Manager")
    row = page.locator(f"tr#attention-{returned.pk}")
    expect(row.locator("[data-reason]").first).to_have_text("Returned by a manager")
    expect(
        page.locator("tr[id^=attention-]").filter(
            has=page.locator(f'a[href="/actions/{returned.pk}/"]')
        )
    ).to_have_count(1)
    expect(page.get_by_role("heading", name=re.compile(r"^Completed recently"))).to_be_visible()
    a11y(page, "h1-officer-home-returned")

    banner.get_by_role("link").click()
    expect(page).to_have_url(url(f"/actions/{returned.pk}/"))
    # Answering it with a progress update takes the banner away.
    page.get_by_role("link", name="Write a progress update").click()
    page.get_by_label("Progress").fill("This year's audit attached.")
    page.get_by_role("button", name="Save the update").click()
    page.goto(url("/"))
    expect(page.get_by_role("heading", level=1, name="Your work")).to_be_visible()
    expect(page.get_by_text("returned your proposal")).to_have_count(0)
    a11y.assert_clean()


@pytest.mark.browser
def test_clerk_filters_a_plans_history(page, url, demo, a11y):
    sign_in(page, url, a11y, "clerk", heading="Plans you read")
    a11y(page, "h2-clerk-home")
    plan = demo["rotherham"]
    page.goto(url(f"/plans/{plan.pk}/history/"))
    entries = page.locator(".app-timeline__item")
    expect(entries.first).to_be_visible()

    # Progress updates of October 2012 only, through the form.
    page.get_by_text("Filter the history by date and kind of change").click()
    since = page.get_by_role("group", name="Changed on or after")
    fill_date(since, dt.date(2012, 10, 1))
    fill_date(page.get_by_role("group", name="Changed on or before"), dt.date(2012, 10, 31))
    page.get_by_label("Progress updates, proposals and sign-offs").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"since_0=1&since_1=10&since_2=2012.*kind=progress"))
    expect(page.get_by_role("status")).to_contain_text("matching the filters")
    headings = entries.locator("h2")
    expect(headings.first).to_contain_text("October 2012")
    for text in headings.all_inner_texts():
        assert "Progress update" in text and "October 2012" in text, text
    a11y(page, "h2-history-filtered")
    # That October has two pages of progress updates: the next page keeps the filters.
    next_link = page.get_by_role("link", name=re.compile("Next"))
    expect(next_link).to_have_count(1)
    assert "kind=progress" in next_link.get_attribute("href")

    # A date that does not exist is explained, and the summary's link goes to the field.
    fill_date(since, dt.date(2012, 2, 28))
    since.get_by_label("Day").fill("31")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a real date, for example 18 10 2012.")
    expect(entries).to_have_count(0)
    a11y(page, "h2-history-filter-error")
    summary.get_by_role("link").first.click()
    expect(since.get_by_label("Day")).to_be_focused()
    a11y.assert_clean()

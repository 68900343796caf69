"""A manager makes a committee pack in a real browser, with axe on every page of the journey."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .test_appendix import demo_with_presets, sign_in  # noqa: F401 (a fixture)
from .test_journeys import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_makes_and_publishes_a_pack(page, url, demo_with_presets, a11y, tmp_path):  # noqa: F811
    from reporting.models import CommitteeReport

    sign_in(page, url, "manager")
    page.get_by_role("link", name="Committee reports").click()
    expect(page.get_by_role("heading", level=1, name="Committee reports")).to_be_visible()
    a11y(page, "packs-list")

    page.get_by_role("link", name="Create a committee report").click()
    a11y(page, "packs-add")
    page.get_by_label("Committee").fill("Improvement Panel")
    fill_date(page.get_by_role("group", name="Date of the meeting"), dt.date(2012, 11, 6))
    page.get_by_role("button", name="Save the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("This field is required")
    a11y(page, "packs-add-error")
    page.get_by_label("Subject").fill("Improvement Panel action delivery plan: progress")
    page.get_by_label("Recommendation A").fill("That the Panel note the progress made.")
    page.get_by_label("Section 1: text").fill("To update the Panel.\n\nOn progress since July.")
    page.get_by_label(re.compile("Numbers: Appendix 1")).check()
    page.get_by_role("button", name="Save the report").click()
    expect(page.get_by_role("heading", level=2, name="Appendices")).to_be_visible()
    a11y(page, "packs-detail")

    page.get_by_role("link", name="Add an appendix").click()
    a11y(page, "packs-appendix-add")
    page.get_by_label("Plan", exact=True).select_option(
        label="Improvement Panel - Action Delivery Plan – October 2012"
    )
    page.get_by_label("Layout").select_option(label="Rotherham action delivery plan")
    fill_date(page.get_by_role("group", name="Show the plan as it stood on"), dt.date(2011, 1, 1))
    page.get_by_role("button", name="Add the appendix").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("had not been recorded yet")
    a11y(page, "packs-appendix-add-error")
    fill_date(page.get_by_role("group", name="Show the plan as it stood on"), dt.date(2012, 12, 1))
    page.get_by_role("button", name="Add the appendix").click()
    expect(
        page.get_by_role("rowheader", name=re.compile("Appendix 1: Improvement Panel"))
    ).to_be_visible()

    page.get_by_role("link", name="Preview the pack").click()
    expect(page.get_by_role("region", name="Cover report")).to_contain_text("A. That the Panel")
    expect(page.get_by_role("region", name=re.compile("Appendix 1"))).to_contain_text("CP1")
    a11y(page, "packs-preview")

    page.get_by_role("link", name="Back to the report").click()
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download the PDF")).click()
    path = tmp_path / "pack.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")

    page.get_by_role("button", name="Publish the pack").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("published")
    expect(page.get_by_role("link", name=re.compile("Edit the cover report"))).to_have_count(0)
    a11y(page, "packs-published")
    assert CommitteeReport.objects.get().is_published
    a11y.assert_clean()

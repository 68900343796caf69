"""A manager makes a committee pack in a real browser, with axe on every page of the journey."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .test_appendix import demo_with_presets, sign_in  # noqa: F401 (a fixture)
from .test_journeys import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_makes_and_publishes_a_pack(page, url, demo_with_presets, a11y, tmp_path):  # noqa: F811
    from reporting import pack_renders
    from reporting.models import CommitteeReport

    sign_in(page, url, "manager")
    page.get_by_role("link", name="Committee reports").click()
    expect(page.get_by_role("heading", level=1, name="Committee reports")).to_be_visible()
    a11y(page, "packs-list")

    page.get_by_role("link", name="Create a committee report").click()
    a11y(page, "packs-add")
    # The demo's Improvement Panel has no meeting yet: a new one, made with the report.
    page.get_by_label("Or a new meeting of").select_option(label="Improvement Panel")
    fill_date(page.get_by_role("group", name="Date of the new meeting"), dt.date(2012, 11, 6))
    page.get_by_role("button", name="Save the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("This field is required")
    a11y(page, "packs-add-error")
    page.get_by_label("Subject").fill("Improvement Panel action delivery plan: progress")
    page.get_by_label("Recommendation A").fill("That the Panel note the progress made.")
    page.get_by_label("Section 1: text").fill("To update the Panel.\n\nOn progress since July.")
    page.get_by_label(re.compile("Numbers: Appendix 1")).check()
    # As many sections as the report needs, without JavaScript: what was typed is kept.
    page.get_by_role("button", name="Add another section").click()
    expect(page.get_by_label("Section 5: heading")).to_be_visible()
    expect(page.get_by_label("Section 1: text")).to_have_value(
        "To update the Panel.\n\nOn progress since July."
    )
    expect(page.get_by_label("Subject")).to_have_value(
        "Improvement Panel action delivery plan: progress"
    )
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    a11y(page, "packs-add-another-section")
    page.get_by_label("Section 5: heading").fill("CONSULTATION")
    page.get_by_role("button", name="Add another recommendation").click()
    expect(page.get_by_label("Recommendation C")).to_be_visible()
    expect(page.get_by_label("Section 5: heading")).to_have_value("CONSULTATION")
    # Enter in a text box saves the report (its first button), it does not add a box.
    page.get_by_label("Lead officer").press("Enter")
    expect(page.get_by_role("heading", level=2, name="Appendices")).to_be_visible()
    a11y(page, "packs-detail")
    # The meeting it is for, and its body, are pages of their own.
    page.get_by_role("link", name="Improvement Panel, 6 November 2012").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("6 November 2012"))).to_be_visible()
    a11y(page, "packs-meeting")
    page.get_by_role("link", name="Back to Improvement Panel").click()
    a11y(page, "packs-body")
    page.go_back()
    page.go_back()
    sections = page.get_by_role("list").filter(has_text="CONSULTATION").inner_text()
    assert "3 CONSULTATION" in sections  # blank boxes are left out

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
    # The pack is rendered on the queue: the download shows how it is going at once.
    page.get_by_role("link", name=re.compile("Download the PDF")).click()
    expect(page.get_by_role("heading", level=1, name="Preparing the pack")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("A pack usually takes a few seconds")
    a11y(page, "packs-progress")
    report = CommitteeReport.objects.get()
    pack_renders.render_pack.call(report.pk)  # what the task worker does meanwhile
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_role("heading", level=1, name="Your pack is ready")).to_be_visible()
    a11y(page, "packs-progress-ready")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download the PDF")).click()
    path = tmp_path / "pack.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")

    # Publishing says what it is doing, then what became of it.
    page.get_by_role("link", name="Back to the report").first.click()
    page.get_by_role("button", name="Publish the pack").click()
    expect(
        page.get_by_role("heading", level=1, name="Publishing: rendering the pack…")
    ).to_be_visible()
    a11y(page, "packs-publishing")
    pack_renders.publish_pack.call(report.pk)
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_role("heading", level=1, name="The pack has been published")).to_be_visible()
    a11y(page, "packs-published-panel")
    page.get_by_role("link", name="Back to the report").first.click()
    expect(page.get_by_role("link", name=re.compile("Edit the cover report"))).to_have_count(0)
    a11y(page, "packs-published")
    assert CommitteeReport.objects.get().is_published
    # A correction says what it corrects, and is a second version beside the first.
    page.get_by_label("What the correction corrects").fill("The recommendation's wording.")
    page.get_by_role("button", name="Publish a correction").click()
    pack_renders.publish_pack.call(report.pk)
    page.get_by_role("link", name="Check again").click()
    page.get_by_role("link", name="Back to the report").first.click()
    expect(page.get_by_role("link", name=re.compile("Version 2"))).to_be_visible()
    a11y(page, "packs-corrected")
    plan = report.appendices.get().render_settings["plan"]
    page.goto(url(f"/plans/{plan}/packs/"))
    expect(page.get_by_role("link", name=re.compile("Version 1"))).to_be_visible()
    a11y(page, "packs-of-a-plan")
    a11y.assert_clean()

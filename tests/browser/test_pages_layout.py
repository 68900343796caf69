"""The error pages, the plan page's narrowing and folding sections, and a 375 px wide screen.

Each page visited is checked with axe (WCAG 2.2 A and AA). The live server runs with DEBUG off, so
the error pages are the production ones.
"""

import re

import pytest
from playwright.sync_api import expect

from .test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_403_and_404_pages(page, url, demo, a11y):
    sign_in(page, url, a11y, "clerk", heading="Plans you read")
    page.goto(url(f"/plans/{demo['rotherham'].pk}/edit/"))
    expect(page).to_have_title(re.compile(r"^You cannot do this"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    expect(page.get_by_text("Only a manager of this plan can change it.")).to_be_visible()
    expect(page.get_by_role("link", name="Improvement action plans")).to_be_visible()
    a11y(page, "5-403")
    page.get_by_role("link", name="Go to your home page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plans you read")

    page.goto(url("/plans/999999/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    a11y(page, "5-404")
    page.get_by_role("link", name="see the plans you can read").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Improvement action plans")
    a11y.assert_clean()


def rag_tags(page):
    return page.locator("tr[id^=action-] td:nth-child(6) .govuk-tag")


def test_manager_narrows_and_folds_the_plan_page(page, url, demo, a11y):
    sign_in(page, url, a11y, "manager")
    plan = demo["rotherham"]
    page.goto(url(f"/plans/{plan.pk}/"))
    total = page.locator("tr[id^=action-]").count()
    expect(page.locator("#shown-count")).to_contain_text(f"Showing all {total} actions.")
    # Controls in their own last column, each named for what it acts on.
    first_row = page.locator("tr[id^=action-]").first
    expect(first_row.locator("td").first).to_have_text("CP1")
    last_cell = first_row.locator("td").last
    expect(last_cell.get_by_role("link", name="View action 1 of CP1", exact=True)).to_be_visible()
    expect(
        last_cell.get_by_role("button", name="Move up action 1 of CP1", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("button", name="Move down action 2 of CP1", exact=True)).to_have_count(
        1
    )
    a11y(page, "6-plan")

    # Only red and amber.
    page.get_by_label("Only red and amber actions").check()
    page.get_by_role("button", name="Show these actions").click()
    expect(page).to_have_url(re.compile(r"red_amber=on"))
    expect(page.get_by_label("Only red and amber actions")).to_be_checked()
    shown = page.locator("tr[id^=action-]").count()
    assert 0 < shown < total
    expect(page.locator("#shown-count")).to_contain_text(f"Showing {shown} of {total} actions.")
    for text in rag_tags(page).all_inner_texts():
        assert text.startswith(("Red", "Amber")), text
    a11y(page, "6-plan-red-amber")

    # One section, and only open actions, with red and amber still chosen.
    page.get_by_label("Section").select_option(label="Within 3 Months")
    page.get_by_label("Only open actions").check()
    page.get_by_role("button", name="Show these actions").click()
    expect(page.get_by_role("heading", level=2, name="Within 3 Months")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Immediate")).to_have_count(0)
    expect(page.get_by_label("Section")).to_have_value(re.compile(r"^\d+$"))
    a11y(page, "6-plan-one-section")
    page.get_by_role("link", name="Show the whole plan").click()
    expect(page.locator("tr[id^=action-]")).to_have_count(total)

    # Sections fold away: all at once by a link, one at a time by its summary.
    page.get_by_role("link", name="Close every section").click()
    expect(page.locator("details.app-section-details[open]")).to_have_count(0)
    expect(page.locator("tr[id^=action-]").first).to_be_hidden()
    a11y(page, "6-plan-sections-closed")
    section = page.locator("section", has=page.get_by_role("heading", name="Immediate"))
    section.locator("summary").click()
    expect(section.locator("tr[id^=action-]").first).to_be_visible()
    page.get_by_role("link", name="Open every section").click()
    expect(page.locator("details.app-section-details:not([open])")).to_have_count(0)

    # A bad section in the address is reported, not a failure.
    page.goto(url(f"/plans/{plan.pk}/?section=abc"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose a section of this plan from the list.")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Section")).to_be_focused()
    a11y(page, "6-plan-bad-section")

    # A plan without titled sections (Merton YJ) folds each recommendation's list of actions:
    # Merton's own manager's, since the council is the boundary.
    page.context.clear_cookies()
    sign_in(page, url, a11y, "merton-manager")
    page.goto(url(f"/plans/{demo['merton_yj'].pk}/"))
    page.get_by_role("link", name="Close every list of actions").click()
    expect(page.locator("details.app-section-details[open]")).to_have_count(0)
    expect(page.locator("tr[id^=action-]").first).to_be_hidden()
    a11y(page, "6-merton-lists-closed")
    a11y.assert_clean()


@pytest.mark.parametrize("username", ["officer", "manager"])
def test_a_375px_screen_does_not_scroll_sideways(browser, url, demo, a11y, username):
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, url, a11y, username)
        assert scroll_width(page) <= PHONE["width"], f"home is {scroll_width(page)} px wide"
        a11y(page, f"7-375-{username}-home")
    finally:
        context.close()
    a11y.assert_clean()


def test_a_375px_screen_scrolls_a_plans_tables_not_the_page(browser, url, demo, a11y):
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, url, a11y, "manager")
        page.goto(url(f"/plans/{demo['rotherham'].pk}/"))
        expect(page.locator("tr[id^=action-]").first).to_be_attached()
        assert scroll_width(page) <= PHONE["width"], f"plan is {scroll_width(page)} px wide"
        # Its tables scroll in their own labelled region, which a keyboard can reach.
        region = page.get_by_role("region", name="Actions for recommendation CP1")
        expect(region).to_have_attribute("tabindex", "0")
        assert region.evaluate("el => el.scrollWidth > el.clientWidth")
        region.focus()
        page.keyboard.press("ArrowRight")
        expect(region).to_be_focused()
        page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
        a11y(page, "7-375-rotherham-plan")
    finally:
        context.close()
    a11y.assert_clean()


def test_manager_moves_an_action_down_from_the_plan_page(page, url, demo, a11y):
    """The rows' Move buttons post the page's one form, with this reader's token, to their own
    address (the form and formaction attributes), in a real browser."""
    sign_in(page, url, a11y, "manager")
    plan = demo["rotherham"]
    page.goto(url(f"/plans/{plan.pk}/"))
    table = page.get_by_role("region", name=re.compile(r"^Actions for recommendation CP1"))
    texts = [row.locator("td").nth(1).inner_text() for row in table.locator("tbody tr").all()]
    assert len(texts) > 1
    page.get_by_role("button", name="Move down action 1 of CP1", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/plans/{plan.pk}/#action-\d+$"))
    table = page.get_by_role("region", name=re.compile(r"^Actions for recommendation CP1"))
    expect(table.locator("tbody tr").first.locator("td").nth(1)).to_have_text(texts[1])
    expect(table.locator("tbody tr").nth(1).locator("td").nth(1)).to_have_text(texts[0])
    a11y.assert_clean()

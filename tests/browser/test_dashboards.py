"""A manager opens the dashboards from the header and from a plan's page; axe finds nothing."""

import re

import pytest
from playwright.sync_api import expect

from .test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reads_both_dashboards(page, url, demo, a11y):
    sign_in(page, url, a11y, "manager")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    a11y(page, "manager-dashboard")
    # A number leads to the list of the actions it counts.
    page.get_by_role("link", name=re.compile(r"actions: overdue")).click()
    expect(page).to_have_url(re.compile(r"overdue=on"))
    plan = demo["rotherham"]  # the demo manager's council's plan
    page.goto(url(f"/plans/{plan.pk}/"))
    page.locator(".app-controls").get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=2, name="Ratings week by week")).to_be_visible()
    expect(page.locator("svg title").first).to_be_attached()
    a11y(page, "plan-dashboard")
    a11y.assert_clean()

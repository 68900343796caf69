"""A manager moves an action's date: asked why, then shown the first date; axe finds nothing on
the form with its error, the action's page or the dashboard's table of dates moved."""

import pytest
from playwright.sync_api import expect

from actionplans.models import Action

from .test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_moves_a_date_and_sees_it_counted(page, url, demo, a11y):
    action = (
        Action.objects.filter(
            recommendation__plan=demo["rotherham"], planned_completion_text="Nov 12"
        )
        .order_by("pk")
        .first()
    )
    sign_in(page, url, a11y, "manager")
    page.goto(url(f"/actions/{action.pk}/edit/"))
    page.get_by_label("Planned completion").first.fill("Feb 13")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say why the date moved")
    a11y(page, "date-reason-error")
    page.get_by_label("Why has the planned completion moved?").fill("Waiting for the new form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Revised once; first due Nov 12")).to_be_visible()
    expect(page.get_by_role("table", name="How the planned completion moved")).to_contain_text(
        "Waiting for the new form"
    )
    a11y(page, "action-moved")
    page.goto(url(f"/plans/{demo['rotherham'].pk}/dashboard/"))
    table = page.get_by_role("table", name="Dates moved by recommendation")
    expect(table).to_contain_text(action.recommendation.reference)
    a11y(page, "plan-dashboard-dates-moved")
    a11y.assert_clean()

"""A manager sets up in the browser, with axe on every page: records an inspection with a
judgement and a finding, adds a person linked to a sign-in and a team with them as a member, and
creates a plan answering the inspection."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .test_journeys import fill_date, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROTHERHAM = "Rotherham Metropolitan Borough Council"


@pytest.mark.browser
def test_manager_sets_up_an_inspection_owners_and_a_plan(page, url, demo, a11y):
    from django.contrib.auth import get_user_model

    from actionplans.models import Owner, Plan

    get_user_model().objects.create_user(
        "newstarter", password="demo", first_name="Nia", last_name="Starter"
    )
    sign_in(page, url, a11y, "manager")
    nav = page.get_by_role("navigation", name="Menu")
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)

    # An inspection: first sent empty, to see the errors.
    nav.get_by_role("link", name="Inspections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inspections")
    a11y(page, "setup-inspections")
    page.get_by_role("link", name="Record an inspection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an inspection")
    a11y(page, "setup-inspection-form")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    a11y(page, "setup-inspection-form-errors")
    page.get_by_label("Inspectorate").fill("Ofsted")
    page.get_by_label("Kind").select_option(label="Unannounced inspection")
    page.get_by_label("Title").fill("Unannounced inspection of contact, referral and assessment")
    fill_date(page.get_by_role("group", name="Start date"), dt.date(2012, 7, 2))
    fill_date(page.get_by_role("group", name="End date"), dt.date(2012, 7, 3))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The inspection has been saved."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Unannounced inspection of contact, referral and assessment"
    )
    a11y(page, "setup-inspection")

    page.get_by_role("link", name="Add a judgement").click()
    a11y(page, "setup-judgement-form")
    page.get_by_label("Area").fill("Overall effectiveness")
    page.get_by_label("Grade").fill("Adequate")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Overall effectiveness", exact=True)).to_be_visible()

    page.get_by_role("link", name="Add a finding").click()
    a11y(page, "setup-finding-form")
    page.get_by_label("Recommendation", exact=True).check()
    page.get_by_label("Reference").fill("1")
    page.get_by_label("Text").fill("Ensure that all referrals are screened within one day.")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Ensure that all referrals are screened within one day.")
    ).to_be_visible()
    a11y(page, "setup-inspection-with-findings")

    # A person linked to a sign-in, then a team with them as a member.
    nav.get_by_role("link", name="Owners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Owners")
    a11y(page, "setup-owners")
    page.get_by_label("Kind").select_option(label="Sub-group")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="LSCB P&QA Sub Group")).to_be_visible()
    a11y(page, "setup-owners-filtered")

    page.get_by_role("link", name="Add an owner").click()
    expect(page.get_by_label("Organisation")).to_have_value(ROTHERHAM)
    a11y(page, "setup-owner-form")
    page.get_by_label("Name").fill("Nia Starter")
    page.get_by_label("Person", exact=True).check()
    page.get_by_label("Job title").fill("Team Manager, Duty and Assessment")
    page.get_by_label("Sign-in (optional)").select_option(label="newstarter (Nia Starter)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Starter")
    expect(page.get_by_text("newstarter (Nia Starter)")).to_be_visible()
    a11y(page, "setup-owner")

    nav.get_by_role("link", name="Owners").click()
    page.get_by_role("link", name="Add an owner").click()
    page.get_by_label("Name").fill("Duty and Assessment Team")
    page.get_by_label("Team", exact=True).check()
    page.get_by_label("Nia Starter").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Duty and Assessment Team")
    expect(page.get_by_role("link", name="Nia Starter")).to_be_visible()
    a11y(page, "setup-team")
    team = Owner.objects.get(name="Duty and Assessment Team")
    assert [m.user.username for m in team.members.all()] == ["newstarter"]

    # A plan answering the inspection, with the team's council.
    nav.get_by_role("link", name="Plans").click()
    page.get_by_role("link", name="Create a plan").click()
    a11y(page, "setup-plan-form")
    page.get_by_label("Title").fill("Contact and referral improvement plan")
    page.get_by_label("Unannounced inspection of contact, referral and assessment").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Contact and referral improvement plan"
    )
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("You manage it.")
    a11y(page, "setup-plan")
    plan = Plan.objects.get(title="Contact and referral improvement plan")
    assert plan.organisation == ROTHERHAM
    assert plan.managers.get().username == "manager"

    page.get_by_role("link", name="Edit plan details").click()
    expect(
        page.get_by_role("link", name="Owners: people, teams and partner agencies")
    ).to_be_visible()
    a11y(page, "setup-plan-edit-form")
    a11y.assert_clean()

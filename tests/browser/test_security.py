"""In a real browser: GOV.UK Frontend starts under the Content Security Policy, the sign-in page
offers Remember me, and a locked-out sign-in gets an accessible page."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_frontend_starts_and_lockout_page_is_accessible(page, url, demo, a11y):
    page.goto(url("/accounts/login/"))
    # The static init script ran: GOV.UK Frontend's feature classes are on the body.
    expect(page.locator("body")).to_have_class(
        "govuk-template__body js-enabled govuk-frontend-supported"
    )
    expect(page.get_by_label("Remember me on this device")).to_be_visible()
    a11y(page, "sign-in")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Username").fill("officer")
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts to sign in")
    a11y(page, "sign-in-locked-out")
    a11y.assert_clean()

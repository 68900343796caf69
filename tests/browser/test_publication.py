"""A version fit to publish, in a real Chromium with axe on every page: a manager marks an update
not for publication (refused first with no entry chosen), then chooses whom the council's public
version names."""

import pytest
from playwright.sync_api import expect

from actionplans.models import Action, PublicationPolicy, Withholding

from .test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_marks_an_update_and_sets_whom_the_council_names(page, url, demo, a11y):
    action = (
        Action.objects.filter(recommendation__plan=demo["rotherham"], updates__isnull=False)
        .order_by("pk")
        .first()
    )
    sign_in(page, url, a11y, "manager")
    page.goto(url(f"/actions/{action.pk}/publication/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Not for publication")
    a11y(page, "publication-form")

    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the entry to mark.")
    a11y(page, "publication-form-errors")

    page.locator("input[name=item]").first.check()
    page.get_by_label("Publication").select_option(
        label=("Not for publication: paragraph 1 – information relating to an individual")
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("table", name="What is marked now")).to_contain_text(
        "Not for publication: paragraph 1"
    )
    a11y(page, "publication-marked")
    assert Withholding.objects.filter(update__action=action).count() == 1

    page.goto(url("/publication/"))
    a11y(page, "publication-policy")
    page.get_by_label("Head of service and above; anyone below by their post").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved")
    a11y(page, "publication-policy-saved")
    assert PublicationPolicy.objects.get(organisation=demo["rotherham"].organisation).name_from
    a11y.assert_clean()

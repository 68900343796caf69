"""Decisions on an action in a real Chromium, with axe on every page: a manager overrides the RAG
rating (a choice of the scale) and reopens a complete action with a reason; the officer's update
form then offers only what an officer may do, and a proposal cites evidence already attached."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from .test_journeys import fill_date, minimal_pdf, officer_overdue_action, sign_in, status_tag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_off(demo):
    """An overdue action of the officer's with evidence on an update, proposed and signed off."""
    from actionplans import workflow
    from actionplans.models import Action

    officer, manager = demo["users"]["officer"], demo["users"]["manager"]
    action = officer_overdue_action(officer)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    workflow.progress_add(
        action,
        author=officer,
        written_on=yesterday,
        text="Audit under way.",
        files=[SimpleUploadedFile("audit.pdf", minimal_pdf("Audit"), "application/pdf")],
    )
    workflow.completion_propose(
        action,
        author=officer,
        written_on=yesterday,
        text="Done.",
        files=[SimpleUploadedFile("proof.pdf", minimal_pdf("Proof"), "application/pdf")],
    )
    proposal = workflow.latest_proposal(action)
    workflow.completion_sign_off(action, manager=manager, proposal_id=proposal.pk)
    return Action.objects.get(pk=action.pk)


def test_manager_overrides_the_rating_and_reopens_an_action(page, url, demo, signed_off, a11y):
    action_url = url(f"/actions/{signed_off.pk}/")
    sign_in(page, url, a11y, "manager")

    # The override is a choice of the scale, not free text.
    page.goto(url(f"/actions/{signed_off.pk}/edit/"))
    override = page.get_by_role("group", name="RAG override")
    expect(override.get_by_role("radio")).to_have_count(4)
    a11y(page, "5-action-edit")
    override.get_by_label("Amber").check()
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Give the reason for overriding the RAG rating."
    )
    a11y(page, "5-action-edit-errors")
    page.get_by_label("Reason for the RAG override").fill("Embedding not yet evidenced")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page).to_have_url(action_url)
    expect(page.locator(".govuk-summary-list")).to_contain_text(
        "Amber (set by Demo Manager: Embedding not yet evidenced)"
    )

    # Reopening a complete action needs a reason.
    page.get_by_role("link", name="Reopen this action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reopen this action")
    a11y(page, "5-reopen-form")
    page.get_by_role("button", name="Reopen the action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Give the reason for reopening the action."
    )
    a11y(page, "5-reopen-form-errors")
    page.get_by_label("Delayed").check()
    page.get_by_label("Why is the action being reopened?").fill("The audit found gaps.")
    page.get_by_role("button", name="Reopen the action").click()
    expect(page).to_have_url(action_url)
    expect(status_tag(page)).to_have_text("Delayed")
    expect(page.locator(".app-timeline__item").first).to_contain_text("The audit found gaps.")
    a11y(page, "5-action-reopened")
    a11y.assert_clean()


def test_officer_update_after_sign_off_and_a_proposal_citing_evidence(
    page, url, demo, signed_off, a11y
):
    sign_in(page, url, a11y, "officer")
    page.goto(url(f"/actions/{signed_off.pk}/update/"))
    expect(page.get_by_label("Status after this update")).to_have_count(0)
    expect(page.locator(".govuk-inset-text")).to_contain_text("A manager of the plan can reopen it")
    expect(page.get_by_text(re.compile(r"Up to 5 files, each .* or smaller"))).to_be_visible()
    a11y(page, "6-update-after-sign-off")

    # Reopened by the manager, the officer proposes it again citing the audit already attached.
    from actionplans import workflow

    workflow.action_reopen(signed_off, manager=demo["users"]["manager"], reason="Gaps found.")
    page.goto(url(f"/actions/{signed_off.pk}/propose-complete/"))
    cited = page.get_by_role("group", name="Evidence already attached to this action")
    expect(cited.get_by_role("checkbox")).to_have_count(2)
    a11y(page, "6-propose-with-citations")
    fill_date(page.get_by_role("group", name="Date the action was completed"), dt.date.today())
    page.get_by_label("What was done").fill("Gaps closed; the audit stands.")
    cited.get_by_label(re.compile(r"audit\.pdf")).check()
    page.get_by_role("button", name="Propose complete").click()
    expect(page).to_have_url(url(f"/actions/{signed_off.pk}/"))
    newest = page.locator(".app-timeline__item").first
    expect(newest).to_contain_text("Cites evidence attached earlier")
    expect(newest.get_by_role("link", name="audit.pdf")).to_be_visible()
    a11y(page, "6-proposal-citing")
    a11y.assert_clean()

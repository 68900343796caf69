"""Journeys through the site in a real headless Chromium, with axe on every page visited.

1. An officer signs in, opens an overdue action, writes an update with evidence and proposes it
   complete.
2. A manager signs off a proposal from the home page and finds the change in the action's history.
3. A clerk reads a plan's history and the plan as it stood on a past date.
And: signing in and writing an update work with JavaScript turned off.

Screenshots of every page go to /tmp/shots/ (BROWSER_SHOTS overrides), for a person to look at.
"""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import MERTON_YJ

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo"


def minimal_pdf(text="Evidence"):
    """A small but well-formed one-page PDF (header, objects, cross-reference table, trailer)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def sign_in(page, url, a11y, username, name=None, heading="Your work"):
    page.goto(url("/accounts/login/"))
    expect(page).to_have_title(re.compile(r"^Sign in"))
    if name:
        a11y(page, f"{name}-sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def table_after(page, heading_id):
    """The home page's table that follows the heading with ``heading_id`` (in its scroll region)."""
    return page.locator(f"h2#{heading_id} + .app-table-scroll > table")


def status_tag(page):
    """The action page's status (the Status row of its summary list): a tag, or plain text."""
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(r"^\s*Status\s*$"))
    )
    return row.locator(".app-status")


def officer_overdue_action(officer):
    """An open, overdue action owned by the demo officer (the demo dates are in 2012)."""
    from actionplans.models import Action

    return (
        Action.objects.filter(owners__user=officer)
        .overdue(on=timezone.localdate())
        .order_by("planned_completion_date", "pk")
        .first()
    )


@pytest.mark.browser
def test_sign_in_error_is_accessible(page, url, demo, a11y):
    page.goto(url("/accounts/login/"))
    a11y(page, "0-sign-in")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(
        summary.get_by_role("link", name="Enter a correct username and password")
    ).to_be_visible()
    # The summary's link takes the keyboard to the username field.
    summary.get_by_role("link").click()
    expect(page.get_by_label("Username")).to_be_focused()
    a11y(page, "0-sign-in-error")
    a11y.assert_clean()


@pytest.mark.browser
def test_officer_updates_and_proposes_an_overdue_action(page, url, demo, a11y, tmp_path):
    pdf = tmp_path / "progress-evidence.pdf"
    pdf.write_bytes(minimal_pdf("Progress evidence"))
    proof = tmp_path / "completion-proof.pdf"
    proof.write_bytes(minimal_pdf("Completion proof"))

    sign_in(page, url, a11y, "officer", name="1-officer")
    a11y(page, "1-home")
    attention = table_after(page, "attention")
    expect(attention.locator("caption")).to_have_text(
        "Each action once, with every reason it is here"
    )
    first = attention.locator("tbody tr").filter(has_text="Overdue").first.get_by_role("link")
    expect(first).to_be_visible()
    first.click()

    # The action page.
    expect(page).to_have_url(re.compile(r"/actions/\d+/$"))
    action_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Action")
    a11y(page, "1-action")
    expect(status_tag(page)).not_to_have_text("Complete, awaiting sign-off")

    # Its plan, through the breadcrumbs, and back.
    page.locator(".govuk-breadcrumbs").get_by_role("link").nth(1).click()
    expect(page.get_by_role("link", name="History of this plan")).to_be_visible()
    a11y(page, "1-plan")
    page.goto(action_url)

    # A progress update: first sent empty, to see the errors.
    page.get_by_role("link", name="Write a progress update").click()
    expect(page.get_by_role("heading", level=1, name="Write a progress update")).to_be_visible()
    update_date = page.get_by_role("group", name="Date of the update")
    expect(update_date.get_by_label("Day")).to_have_value(str(timezone.localdate().day))
    a11y(page, "1-update-form")
    with a11y.soft("The date should be the GOV.UK date input (day, month and year boxes)"):
        expect(update_date.locator(".govuk-date-input .govuk-input")).to_have_count(3)
    with a11y.soft("The evidence input should be a GOV.UK file upload (class govuk-file-upload)"):
        expect(page.get_by_label("Evidence (optional)")).to_have_class(
            re.compile(r"\bgovuk-file-upload\b")
        )
    fill_date(update_date, None)
    page.get_by_role("button", name="Save the update").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(2)  # the date and the progress text
    a11y(page, "1-update-form-errors")
    with a11y.soft("Each error should name its field and say what to do"):
        expect(summary.get_by_role("link", name="This field is required.")).to_have_count(0)
    with a11y.soft("The date input in error should have the red error border (govuk-input--error)"):
        expect(update_date.locator(".govuk-input--error")).to_have_count(3)
    # The summary's first link takes the keyboard to the date's first box.
    summary.get_by_role("link").first.click()
    expect(update_date.get_by_label("Day")).to_be_focused()

    fill_date(update_date, timezone.localdate())
    page.get_by_label("Period (optional)").fill("Browser test update")
    page.get_by_label("Progress").fill("Audit of case files done; findings shared with the team.")
    page.get_by_label("Status after this update").select_option(label="Delayed")
    page.get_by_label("Evidence (optional)").set_input_files(str(pdf))
    page.get_by_role("button", name="Save the update").click()

    expect(page).to_have_url(action_url)
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Your progress update has been saved.")
    expect(status_tag(page)).to_have_text("Delayed")
    newest = page.locator(".app-timeline__item").first
    expect(newest).to_contain_text("(Browser test update)")
    expect(newest).to_contain_text("By Warren Carratt")
    expect(newest).to_contain_text("Audit of case files done")
    evidence_link = newest.get_by_role("link", name="progress-evidence.pdf")
    expect(evidence_link).to_be_visible()
    a11y(page, "1-action-after-update")
    with page.expect_download() as download_info:
        evidence_link.click()
    download = download_info.value
    assert download.suggested_filename == "progress-evidence.pdf"
    assert download.path().read_bytes() == pdf.read_bytes()

    # Propose it complete.
    page.get_by_role("link", name="Propose complete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose this action as complete")
    a11y(page, "1-propose-form")
    fill_date(page.get_by_role("group", name="Date the action was completed"), timezone.localdate())
    page.get_by_label("What was done").fill("All case files audited; report to the panel.")
    page.get_by_label("Evidence that the action is complete").set_input_files(str(proof))
    page.get_by_role("button", name="Propose complete").click()

    expect(page).to_have_url(action_url)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You have proposed this action as complete"
    )
    expect(status_tag(page)).to_have_text("Complete, awaiting sign-off")
    expect(page.get_by_role("link", name="Propose complete")).to_have_count(0)
    expect(page.locator(".app-timeline__item").first.get_by_role("link")).to_have_text(
        "completion-proof.pdf"
    )
    a11y(page, "1-action-proposed")
    a11y.assert_clean()


def fill_date(group, day):
    """Type a date into a GOV.UK date input (its day, month and year boxes), or clear it."""
    for label, value in zip(
        ("Day", "Month", "Year"),
        (day.day, day.month, day.year) if day else ("", "", ""),
        strict=True,
    ):
        group.get_by_label(label).fill(str(value))


@pytest.fixture
def proposal(demo):
    """An overdue action of the officer's, proposed complete with evidence (as the UI would)."""
    from actionplans import workflow

    officer = demo["users"]["officer"]
    action = officer_overdue_action(officer)
    workflow.completion_propose(
        action,
        author=officer,
        written_on=timezone.localdate() - dt.timedelta(days=1),
        text="Done: the protocol is agreed and in use.",
        files=[SimpleUploadedFile("evidence.pdf", minimal_pdf(), "application/pdf")],
    )
    return action


@pytest.mark.browser
def test_manager_signs_off_a_proposal(page, url, demo, proposal, a11y):
    sign_in(page, url, a11y, "manager", name="2-manager")
    a11y(page, "2-home")
    attention = table_after(page, "attention")
    row = attention.locator(f"tr#attention-{proposal.pk}")
    expect(row).to_contain_text("Awaiting your sign-off")
    expect(row).not_to_contain_text("Red: overdue")
    link = row.locator(f'a[href="/actions/{proposal.pk}/"]')
    expect(link).to_have_count(1)
    link.click()

    expect(page).to_have_url(url(f"/actions/{proposal.pk}/"))
    expect(status_tag(page)).to_have_text("Complete, awaiting sign-off")
    a11y(page, "2-action")

    page.get_by_role("link", name="Sign off or return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign off or return this action")
    expect(page.get_by_role("link", name="evidence.pdf")).to_be_visible()
    a11y(page, "2-sign-off-form")

    # No decision: an error that names what to do.
    page.get_by_role("button", name="Record the decision").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose whether to sign off or return the action.")
    a11y(page, "2-sign-off-form-errors")
    with a11y.soft("The error summary's link should take focus to the first radio"):
        summary.get_by_role("link").click()
        expect(page.get_by_label("Sign off as complete")).to_be_focused(timeout=2000)

    page.get_by_label("Sign off as complete").check()
    page.get_by_label("Reason or note").fill("Evidence checked at the improvement board.")
    page.get_by_role("button", name="Record the decision").click()

    # (A fragment the error summary's link left in the address survives the redirect.)
    expect(page).to_have_url(re.compile(rf"/actions/{proposal.pk}/(#.*)?$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The action is signed off as complete."
    )
    expect(status_tag(page)).to_have_text("Complete")
    expect(page.get_by_role("link", name="Sign off or return")).to_have_count(0)
    a11y(page, "2-action-signed-off")

    page.get_by_role("link", name="History of changes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("History")
    change = page.locator(".app-timeline__item").filter(
        has_text="from “Complete, awaiting sign-off” to “Complete”"
    )
    expect(change).to_have_count(1)
    expect(change.locator("h2")).to_contain_text("Demo Manager changed Action")
    expect(change).to_contain_text("Signed off")
    a11y(page, "2-action-history")

    # The plan page with a manager's controls (edit, move, remove) and the action edit form.
    page.goto(url("/plans/"))
    page.get_by_role("link", name="Improvement Panel - Action Delivery Plan").click()
    expect(page.get_by_role("button", name="Move down").first).to_be_visible()
    a11y(page, "2-plan-with-controls")
    page.get_by_role("link", name="Edit plan details").click()
    a11y(page, "2-plan-edit-form")
    a11y.assert_clean()


@pytest.mark.browser
def test_clerk_reads_plan_history_and_the_plan_as_it_stood(page, url, demo, a11y):
    # Merton's clerk: Merton's two plans, and nothing of Rotherham's.
    sign_in(page, url, a11y, "merton-clerk", name="3-clerk", heading="Plans you read")
    # The clerk's home: plans by the body they report to, not an officer's empty work lists.
    bodies = page.locator("h2[id^=body-]")
    expect(bodies.first).to_have_text("Youth Justice Executive Board")
    expect(bodies.last).to_have_text("No governance body")
    expect(page.get_by_role("heading", name="Needs attention")).to_have_count(0)
    expect(page.get_by_role("link", name=f"History of {MERTON_YJ}")).to_be_visible()
    a11y(page, "3-home")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Plans").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Improvement action plans")
    a11y(page, "3-plans")
    page.get_by_role("link", name=MERTON_YJ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MERTON_YJ)
    plan_url = page.url
    a11y(page, "3-plan")

    page.get_by_role("link", name="History of this plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("History")
    entries = page.locator(".app-timeline__item")
    expect(entries.first).to_be_visible()
    expect(page.get_by_text("No history recorded.")).to_have_count(0)
    assert entries.count() > 1
    imported = entries.filter(has_text="Imported from Merton's Scrutiny Panel report")
    expect(imported.first.locator("h2")).to_contain_text("Imported from the plan")
    # The plan itself is one record, made as its document gives it (approved, with its
    # inspection and managers), not a record a step at one moment.
    expect(entries.filter(has_text=f"created Plan {MERTON_YJ}")).to_have_count(1)
    expect(entries.filter(has_text="changed Plan")).to_have_count(0)
    a11y(page, "3-plan-history")
    with a11y.soft("Only changes transcribed from the plan should say 'Imported from the plan'"):
        expect(
            entries.filter(has=page.locator("h2", has_text="Imported from the plan")).filter(
                has_not_text="Imported from Merton's Scrutiny Panel report"
            )
        ).to_have_count(0)

    # The plan as it stood on a date, from the plan page's form.
    page.goto(plan_url)
    as_of = page.get_by_role("group", name="Show the plan as it stood on")
    fill_date(as_of, dt.date(2011, 10, 4))
    as_of.get_by_label("Year").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("as it stood on 4 October 2011")
    expect(page.get_by_text(re.compile(r"^\d+ actions\."))).to_be_visible()
    count = int(page.get_by_text(re.compile(r"^\d+ actions\.")).inner_text().split()[0])
    assert count > 0
    assert page.locator("tr[id^=action-]").count() == count
    a11y(page, "3-plan-as-it-stood")

    # A date out of range is refused with a message.
    fill_date(page.get_by_role("group", name="Show the plan as it stood on"), dt.date(2101, 12, 31))
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a date between 1990 and 2099."
    )
    expect(page.locator("#id_date_1_error")).to_be_visible()
    expect(page.locator("tr[id^=action-]")).to_have_count(0)
    a11y(page, "3-plan-as-it-stood-error")
    a11y.assert_clean()


def a11y_as_rendered_without_js(browser, page, a11y, name):
    """axe on what a browser without JavaScript shows.

    axe is itself JavaScript and never finishes in a context with JavaScript turned off, so the
    no-JS page's DOM (scripts removed) is served again, at the same address, to a second context
    that has JavaScript, and audited there. The stylesheet still comes from the live server.
    """
    html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S | re.I)
    assert "js-enabled" not in html
    context = browser.new_context()
    try:
        audit = context.new_page()
        audit.route(page.url, lambda route: route.fulfill(body=html, content_type="text/html"))
        audit.goto(page.url)
        a11y(audit, name)
    finally:
        context.close()


@pytest.mark.browser
def test_sign_in_and_update_without_javascript(browser, url, demo, a11y):
    officer = demo["users"]["officer"]
    action = officer_overdue_action(officer)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url("/accounts/login/"))
        page.get_by_label("Username").fill("officer")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1, name="Your work")).to_be_visible()
        # Without JavaScript the navigation's menu toggle stays hidden and every link shows.
        nav = page.get_by_role("navigation", name="Menu")
        expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
        expect(nav.get_by_role("link", name="Plans")).to_be_visible()
        a11y_as_rendered_without_js(browser, page, a11y, "4-nojs-home")

        table_after(page, "attention").locator(f'a[href="/actions/{action.pk}/"]').click()
        page.get_by_role("link", name="Write a progress update").click()
        expect(
            page.get_by_role("group", name="Date of the update").get_by_label("Year")
        ).to_have_value(str(timezone.localdate().year))
        a11y_as_rendered_without_js(browser, page, a11y, "4-nojs-update-form")
        page.get_by_label("Progress").fill("Written with JavaScript turned off.")
        page.get_by_role("button", name="Save the update").click()

        expect(page).to_have_url(url(f"/actions/{action.pk}/"))
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Your progress update has been saved."
        )
        newest = page.locator(".app-timeline__item").first
        expect(newest).to_contain_text("Written with JavaScript turned off.")
        expect(newest).to_contain_text("By Warren Carratt")
        a11y_as_rendered_without_js(browser, page, a11y, "4-nojs-action-after-update")
    finally:
        context.close()
    a11y.assert_clean()

"""A manager imports a plan in a real browser: upload, preview, confirm; axe finds nothing."""

import pytest
from playwright.sync_api import expect

from actionplans.models import Action, Plan

from ..test_import_shapes import xlsx_of
from .test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHEET = [
    [
        "Ref No",
        "Recommendation",
        "Action Required",
        "Lead Officer / Agency",
        "Planned Completion Date",
        "Progress to Date",
    ],
    [
        "CP1",
        "Improve supervision",
        "Monthly audits of supervision",
        "Warren Carratt",
        "Nov 12",
        "Audits started",
    ],
    ["", "", "Reflective practice sessions", "Phil Bradley", "March 2013", ""],
]


def test_manager_imports_a_spreadsheet(page, url, demo, a11y, tmp_path):
    sheet = tmp_path / "plan.xlsx"
    sheet.write_bytes(xlsx_of(SHEET))
    sign_in(page, url, a11y, "manager")
    page.goto(url("/plans/import/"))
    a11y(page, "import-upload")
    page.get_by_label("The plan's file").set_input_files(sheet)
    page.get_by_label("Title of the plan (optional)").fill("Imported in the browser")
    # The button submits the form that holds the file (it once sat outside it and did nothing).
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("imported plan")
    a11y(page, "import-preview")
    preview = page.url
    # An owner changed before anything is saved: an empty name refused with its summary, then
    # Phil Bradley merged into Warren Carratt, and the preview shows it.
    page.get_by_role("link", name="Change the owner “Phil Bradley”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the owner “Phil Bradley”")
    a11y(page, "import-owner-edit")
    page.get_by_label("A new owner, created with the plan").check()
    page.get_by_label("Name of the new owner").fill("")
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_role("heading", level=2, name="There is a problem")).to_be_visible()
    a11y(page, "import-owner-edit-error")
    page.get_by_label("The same as another owner in this file").check()
    page.get_by_label("The owner in this file it is the same as").select_option(
        label="Warren Carratt"
    )
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_text("Merged into “Warren Carratt”")).to_be_visible()
    a11y(page, "import-preview-owner-changed")
    page.get_by_role("button", name="Import this plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Imported in the browser")
    plan = Plan.objects.get(title="Imported in the browser")
    owners = {
        o.name for a in Action.objects.filter(recommendation__plan=plan) for o in a.owners.all()
    }
    assert owners == {"Warren Carratt"}  # one owner of both actions, as merged
    # Back to the preview: it says the import was made, and links to the plan.
    page.goto(preview)
    expect(page.get_by_role("heading", level=1)).to_have_text("This import was already confirmed")
    a11y(page, "import-confirmed")
    page.get_by_role("link", name="Imported in the browser").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Imported in the browser")
    a11y.assert_clean()

"""The clerk prepares an appendix for committee and edits a layout, in a real browser with axe."""

import datetime as dt
import re

import docx
import pytest
from playwright.sync_api import expect

from .test_journeys import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_with_presets(demo):
    """The demo data and the preset layouts (a transactional test flushes what migrations made)."""
    from reporting import presets
    from reporting.models import Layout, LayoutColumn

    presets.install(Layout, LayoutColumn)
    return demo


def sign_in(page, url, username):
    page.goto(url("/accounts/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_clerk_prepares_the_rotherham_appendix(page, url, demo_with_presets, a11y, tmp_path):
    plan = demo_with_presets["rotherham"]
    sign_in(page, url, "clerk")
    page.goto(url(f"/plans/{plan.pk}/committee/"))
    expect(page.get_by_role("heading", level=1, name="Prepare for committee")).to_be_visible()
    a11y(page, "appendix-prepare")

    # An as-at date before the plan existed is refused with a message that says why.
    as_at = page.get_by_role("group", name="Show the plan as it stood on")
    fill_date(as_at, dt.date(2011, 1, 1))
    page.get_by_role("button", name="Show the preview").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("had not been recorded yet")
    a11y(page, "appendix-prepare-error")

    fill_date(as_at, dt.date(2012, 12, 1))
    page.get_by_label("Layout").select_option(label="Rotherham action delivery plan")
    page.get_by_label("Every update").check()
    page.get_by_role("button", name="Show the preview").click()
    preview = page.get_by_role("region", name="Preview of the appendix")
    progress = preview.get_by_role("columnheader", name="Progress and related outcomes")
    expect(progress).to_be_visible()
    expect(preview.get_by_role("columnheader", name="Immediate")).to_be_visible()
    expect(preview.locator("strong", has_text="Complete").first).to_be_visible()
    a11y(page, "appendix-preview")

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download the PDF")).click()
    download = info.value
    assert download.suggested_filename.startswith("Improvement-Panel-Action-Delivery-Plan")
    assert download.suggested_filename.endswith("as-at-2012-12-01.pdf")
    path = tmp_path / "appendix.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")

    # The same appendix for Word and Excel: same layout, date and updates.
    for name, extension in (("Word", "docx"), ("Excel", "xlsx")):
        with page.expect_download() as info:
            page.get_by_role("link", name=re.compile(f"Download the {name}")).click()
        assert info.value.suggested_filename.endswith(f"as-at-2012-12-01.{extension}")
        path = tmp_path / f"appendix.{extension}"
        info.value.save_as(path)
        assert path.read_bytes().startswith(b"PK")
    headings = [c.text for c in docx.Document(tmp_path / "appendix.docx").tables[0].rows[0].cells]
    assert headings[-1] == "Progress and related outcomes"
    a11y.assert_clean()


def test_manager_makes_a_layout(page, url, demo_with_presets, a11y):
    from reporting.models import Layout

    sign_in(page, url, "manager")
    page.goto(url("/layouts/"))
    a11y(page, "layout-list")
    page.get_by_role("link", name="Create a layout").click()
    a11y(page, "layout-add")
    page.get_by_label("Name").fill("Board summary")
    page.get_by_label("Column 1: heading").fill("Ref")
    page.get_by_label("Column 1: what it shows").select_option("reference")
    page.get_by_label("Column 2: heading").fill("RAG")
    page.get_by_role("button", name="Save the layout").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what the column shows.")
    a11y(page, "layout-add-error")
    page.get_by_label("Column 2: what it shows").select_option("rag")
    page.get_by_role("button", name="Save the layout").click()
    expect(page.get_by_role("cell", name="Board summary", exact=True)).to_be_visible()
    layout = Layout.objects.get(name="Board summary")
    assert [c.field for c in layout.columns.all()] == ["reference", "rag"]
    page.get_by_role("link", name="Edit Board summary").click()
    a11y(page, "layout-edit")
    a11y.assert_clean()


def test_a_slow_render_shows_how_it_is_going(
    page, url, demo_with_presets, a11y, settings, monkeypatch
):
    """A plan whose renders are slow is rendered off the request on the database queue; the clerk
    sees it waiting, then ready, then downloads it."""
    from reporting import renders

    from ..test_renders import run_queued

    monkeypatch.setattr(renders, "RENDER_INLINE_MAX_SECONDS", -1.0)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    plan = demo_with_presets["rotherham"]
    sign_in(page, url, "clerk")
    page.goto(url(f"/plans/{plan.pk}/committee/?as_at=2012-12-01&updates=latest"))
    page.get_by_role("link", name=re.compile(r"^Download the PDF")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preparing your PDF")
    expect(page.get_by_role("status")).to_contain_text("waiting its turn")
    a11y(page, "appendix-progress-waiting")
    run_queued()  # the worker's turn
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your PDF is ready")
    a11y(page, "appendix-progress-ready")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download the PDF")).click()
    assert download.value.suggested_filename.endswith("as-at-2012-12-01.pdf")
    a11y.assert_clean()


def test_clerk_reads_the_changes_since_a_date(page, url, demo_with_presets, a11y):
    """Changes since the last committee (issue 27): no pack yet, so a date is asked for; a date
    before the plan is refused; the changes since the day of its updates are listed."""
    plan = demo_with_presets["rotherham"]
    sign_in(page, url, "clerk")
    page.goto(url(f"/plans/{plan.pk}/"))
    page.get_by_role("link", name="Changes since the last committee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes since the last committee")
    a11y(page, "changes-since")

    since = page.get_by_role("group", name="Changes since")
    fill_date(since, dt.date(2012, 10, 17))
    page.get_by_role("button", name="Show the changes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("had not been recorded yet")
    a11y(page, "changes-since-error")

    fill_date(since, dt.date(2012, 10, 18))
    page.get_by_role("button", name="Show the changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes since 18 October 2012")
    expect(page.get_by_text("were unchanged and are left out")).to_be_visible()
    a11y(page, "changes-since-listed")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download the PDF")).click()
    assert info.value.suggested_filename.endswith("changes-since-18-October-2012.pdf")

"""A manager uploads the plan's Word table returned with progress typed in, and accepts the
change it proposes, in a real browser; axe finds nothing on the pages."""

import pytest
from playwright.sync_api import expect

from actionplans import rules
from actionplans.models import ProgressUpdate

from ..test_import_returns import TYPED, Returned, export, type_progress
from .test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_accepts_progress_typed_into_a_returned_copy(page, url, demo, a11y, tmp_path):
    from reporting import presets
    from reporting.models import Layout, LayoutColumn

    presets.install(Layout, LayoutColumn)  # an earlier transactional test may have flushed them
    plan = demo["rotherham"]
    assert rules.can_edit_plan(demo["users"]["manager"], plan)
    layout = Layout.objects.get(applies_to_title=plan.title, organisation="")
    returned = Returned(export(plan, layout))
    type_progress(returned, plan)
    path = tmp_path / "returned.docx"
    path.write_bytes(returned.data())

    sign_in(page, url, a11y, "manager")
    page.goto(url(plan.get_absolute_url()))
    page.get_by_role("link", name="Changes typed into a returned copy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes typed into returned copies")
    a11y(page, "returned-empty")
    page.get_by_label("The returned file").set_input_files(path)
    page.get_by_role("button", name="Upload and compare").click()
    expect(page.get_by_text(TYPED)).to_be_visible()
    a11y(page, "returned-waiting")
    assert not ProgressUpdate.objects.filter(text=TYPED).exists()
    page.get_by_role("button", name="Accept change 1").click()
    expect(page.get_by_text("The change was made.")).to_be_visible()
    a11y(page, "returned-decided")
    assert ProgressUpdate.objects.filter(text=TYPED).exists()
    a11y.assert_clean()

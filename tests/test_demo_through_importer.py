"""The demo's YAML is one reader among the others: the previews an upload gives, confirmed the
same way; a broken transcription is refused with the file's name and saves nothing."""

import pytest

from actionplans.models import Owner, Plan
from importers import service, transcribed
from importers.demo import FIXTURES, DemoDataError, load_demo
from importers.readers import Unreadable

ROTHERHAM = FIXTURES / "plans" / "rotherham_improvement_panel_2012.yaml"


def test_a_transcription_reads_as_the_preview_an_upload_gives():
    transcript = transcribed.read_yaml(ROTHERHAM.name, ROTHERHAM.read_bytes())
    (preview,) = transcript.plans
    assert [s["title"] for s in preview.sections] == [
        "Immediate",
        "Within 3 Months",
        "Within 6 Months",
    ]
    assert (len(preview.recommendations), len(preview.actions)) == (13, 36)
    assert not preview.problems
    lines = service.describe(preview)
    assert lines[0] == "Title: Improvement Panel - Action Delivery Plan – October 2012"
    assert "3 sections, 13 recommendations, 36 actions." in lines
    spec = preview.spec()
    assert spec["date"] == preview.date and spec["status"] == preview.extra["status"]


def test_an_owner_the_file_does_not_define_is_refused():
    text = ROTHERHAM.read_text(encoding="utf-8").replace(
        "owners: [Terry Irvine]", "owners: [Terry Nobody]", 1
    )
    with pytest.raises(Unreadable, match="owner 'Terry Nobody' is not defined"):
        transcribed.read_yaml("broken.yaml", text)


def test_a_broken_file_loads_nothing(db, tmp_path):
    text = ROTHERHAM.read_text(encoding="utf-8").replace(
        "owners: [Terry Irvine]", "owners: [Terry Nobody]", 1
    )
    (tmp_path / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DemoDataError, match="broken.yaml"):
        load_demo(tmp_path)
    assert not Plan.objects.exists() and not Owner.objects.exists()

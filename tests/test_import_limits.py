"""Hostile files cost once. An upload is read once, in a child process within a time and a memory
limit, and what was read is kept with it: its preview, a change to its mapping and its
confirmation never read the file again. A zip bomb is refused from its sizes before anything is
unpacked; a file past the size check is stopped at its limits, with a clear message, never a 500.
The row limit counts the rows read, not what an .xlsx's <dimension> header claims."""

import io
import json
import logging
import re
import time
import zipfile

import pytest
from django.urls import reverse

from actionplans.models import Action, Plan
from bench.import_bomb import bomb
from importers import parse, readers, service
from importers.models import PendingImport

from .test_import_pages import upload
from .test_import_shapes import SHEET, csv_of, word_plan, xlsx_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def the_bomb():
    """About 300 KB of .xlsx holding a 300 MB shared string (the file of issue 26)."""
    return bomb(300)


@pytest.fixture
def read_once(monkeypatch):
    """The reader, counted; a second read of any file fails the test."""
    calls, real = [], service.read_limited

    def read_limited(name, data):
        calls.append(name)
        assert len(calls) == 1, f"{name} was read again"
        return real(name, data)

    monkeypatch.setattr(service, "read_limited", read_limited)
    return calls


def preview_page(client, pending):
    started = time.monotonic()
    page = client.get(reverse("import_preview", args=[pending.pk]))
    assert page.status_code == 200
    return page.content.decode(), time.monotonic() - started


def test_a_zip_bomb_is_refused_at_the_upload_before_anything_is_unpacked(client, world, the_bomb):
    assert len(the_bomb) < 400 * 1024
    client.force_login(world.manager)
    started = time.monotonic()
    response = upload(client, "plan.xlsx", the_bomb)
    assert time.monotonic() - started < 5  # the zip's sizes read, not its 300 MB
    assert response.status_code == 200
    assert (
        "plan.xlsx would unpack to 300 MB, more than the 100 MB allowed"
        in response.content.decode()
    )
    assert not PendingImport.objects.exists()
    # The command reads through the same check.
    (problem,) = service.preview_file("plan.xlsx", the_bomb).problems
    assert "would unpack to 300 MB" in problem.message


def padded(data, megabytes):
    """A copy of the zip ``data`` with one more part of ``megabytes`` MB of zeros (a few KB)."""
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        with target.open("word/media/padding.bin", "w") as part:
            for _ in range(megabytes):
                part.write(bytes(1024 * 1024))
    return out.getvalue()


def test_a_word_file_that_would_unpack_too_large_is_refused_too(client, world):
    client.force_login(world.manager)
    response = upload(client, "plan.docx", padded(word_plan(), 120))
    assert "plan.docx would unpack to 121 MB" in response.content.decode()
    assert not PendingImport.objects.exists()
    assert upload(client, "plan.docx", padded(word_plan(), 20)).status_code == 302  # within


def test_a_bomb_past_the_size_check_is_stopped_at_its_memory_limit_and_read_once(
    client, world, the_bomb, monkeypatch, settings, read_once
):
    monkeypatch.setattr(readers, "MAX_UNPACKED_BYTES", 400 * readers.MB)
    settings.IMPORT_READ_MEMORY_LIMIT_MB = 128
    client.force_login(world.manager)
    started = time.monotonic()
    response = upload(client, "plan.xlsx", the_bomb)
    assert response.status_code == 302 and time.monotonic() - started < 20
    pending = PendingImport.objects.get()
    assert pending.document["stopped"] == "memory" and read_once == ["plan.xlsx"]
    message = "Reading the file needed more than 128 MB of memory, the most one file may use"
    for _ in range(3):  # each view answers from what was kept: at once, and the same
        page, seconds = preview_page(client, pending)
        assert message in page and "Import this plan" not in page and seconds < 1
    # Mapping and confirming do not read it either; confirming is refused, nothing made.
    mapped = client.post(reverse("import_preview", args=[pending.pk]), {})
    assert mapped.status_code == 200 and message in mapped.content.decode()
    done = client.post(reverse("import_confirm", args=[pending.pk]), follow=True)
    assert done.status_code == 200 and message in done.content.decode()
    assert not Plan.objects.filter(title__startswith="Improvement").exists()
    assert read_once == ["plan.xlsx"]


def test_a_good_file_is_read_once_from_its_upload_to_its_plan(client, world, read_once):
    client.force_login(world.manager)
    response = upload(client, "plan.xlsx", xlsx_of(SHEET))
    pending = PendingImport.objects.get()
    assert pending.document["version"] == readers.JSON_VERSION
    page = client.get(response.url)
    choosable = [c["heading"] for c in page.context["choosable"]]
    client.post(response.url, {f"column_{choosable.index('Notes from the board')}": "progress"})
    assert "Import this plan" in client.get(response.url).content.decode()
    done = client.post(reverse("import_confirm", args=[pending.pk]))
    plan = Plan.objects.get(title="Youth Justice Action Plan")
    assert done.url == plan.get_absolute_url()
    assert Action.objects.filter(recommendation__plan=plan).count() == 3
    used = PendingImport.objects.get()
    assert (bytes(used.data), used.document) == (b"", None)  # emptied once used
    assert read_once == ["plan.xlsx"]


def test_an_upload_kept_before_reads_were_kept_is_read_at_its_first_view_only(
    client, world, read_once
):
    pending = PendingImport.objects.create(
        uploaded_by=world.manager, name="plan.csv", data=csv_of(SHEET), organisation="x"
    )
    client.force_login(world.manager)
    for _ in range(2):
        page, _ = preview_page(client, pending)
        assert "Youth Justice Action Plan" in page
    assert read_once == ["plan.csv"]
    assert readers.is_current(PendingImport.objects.get().document)


def sleepy(data):
    time.sleep(30)


def test_a_read_past_its_time_is_stopped_and_kept(client, world, settings, monkeypatch):
    settings.IMPORT_READ_TIMEOUT_SECONDS = 0.5
    monkeypatch.setattr(readers, "read_csv", sleepy)  # in the child, which inherits it
    client.force_login(world.manager)
    started = time.monotonic()
    response = upload(client, "plan.csv", csv_of(SHEET))
    assert response.status_code == 302 and time.monotonic() - started < 5
    page, _ = preview_page(client, PendingImport.objects.get())
    assert "Reading the file took longer than 0.5 seconds, the most one file may take" in page


def broken(data):
    raise RuntimeError("a bug in a reader")


def test_a_fault_in_a_reader_is_recorded_and_said_plainly(client, world, monkeypatch, caplog):
    monkeypatch.setattr(readers, "read_csv", broken)
    client.force_login(world.manager)
    with caplog.at_level(logging.ERROR, logger="importers.service"):
        response = upload(client, "plan.csv", csv_of(SHEET))
    assert "a bug in a reader" in caplog.text
    page, _ = preview_page(client, PendingImport.objects.get())
    assert "The file could not be read: the importer met a fault it did not expect" in page
    assert "a bug in a reader" not in page and response.status_code == 302


def test_a_file_with_more_text_than_any_plan_is_refused(monkeypatch):
    monkeypatch.setattr(readers, "MAX_TEXT", 1000)
    rows = [["Plan"], ["Recommendation", "Action"]] + [["R", "x" * 100]] * 20
    for name, data in (("p.xlsx", xlsx_of(rows)), ("p.docx", word_of(rows))):
        (problem,) = service.preview_file(name, data).problems
        assert "The file holds more than 1,000 characters of text" in problem.message


def word_of(rows):
    import docx

    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=2)
    for row, values in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, values, strict=False):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# The row limit counts rows read.


def with_dimension(data, ref):
    """A copy of the .xlsx ``data`` whose sheet's <dimension> header says ``ref``."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content, found = re.subn(
                    rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), content
                )
                assert found == 1
            target.writestr(item, content)
    return out.getvalue()


def plan_rows(actions):
    rows = [["Improvement plan"], ["Recommendation", "Action"]]
    return rows + [[f"Recommendation {n // 4}", f"Action {n}"] for n in range(actions)]


@pytest.mark.parametrize("ref", ["A1:B2", "A1", "A1:B100000"])
def test_a_sheet_whose_dimension_header_is_wrong_is_read_by_its_rows(ref):
    data = with_dimension(xlsx_of(plan_rows(11)), ref)  # 13 rows
    assert len(readers.read("p.xlsx", data).tables[0]) == 13
    result = service.preview_file("p.xlsx", data)
    assert not result.problems and result.rows_read == 11
    assert [a["text"] for a in result.actions] == [f"Action {n}" for n in range(11)]


def test_a_sheet_past_the_row_limit_is_refused_whatever_its_dimension_says():
    data = with_dimension(xlsx_of(plan_rows(readers.MAX_ROWS)), "A1:B2")
    (problem,) = service.preview_file("p.xlsx", data).problems
    assert problem.message == "The table has more than 5,000 rows: split it into smaller files."


# What is kept is what was read.


@pytest.mark.parametrize(
    ("name", "data"),
    [("p.docx", word_plan()), ("p.xlsx", xlsx_of(SHEET)), ("p.csv", csv_of(SHEET))],
    ids=["docx", "xlsx", "csv"],
)
def test_what_is_kept_reads_back_as_what_was_read(name, data):
    document = readers.read(name, data)
    kept = readers.from_json(json.loads(json.dumps(readers.to_json(document))))
    assert kept == document
    for table, again in zip(document.tables, kept.tables, strict=True):
        for row, row_again in zip(table, again, strict=True):  # a merged cell is one cell
            assert [row.index(c) for c in row] == [row_again.index(c) for c in row_again]
    assert parse.preview(kept) == parse.preview(document)


def test_control_characters_are_kept_marked():
    merged = readers.Cell(["Audit\x00files"])
    document = readers.Document(
        [[[merged, merged, readers.Cell(["ok"], ["ok"], True)]]], ["Plan\x01 title"]
    )
    kept = readers.from_json(json.loads(json.dumps(readers.to_json(document))))
    assert kept == document and kept.tables[0][0][0] is kept.tables[0][0][1]
    assert kept.tables[0][0][0].flaw == "a control character (U+0000, NUL)"
    assert kept.above_flaws == [("Plan\ufffd title", "a control character (U+0001)")]
    unreadable = readers.unreadable_json(readers.Unreadable("Damaged.", row=3, column="B"))
    with pytest.raises(readers.Unreadable) as raised:
        readers.from_json(json.loads(json.dumps(unreadable)))
    assert (raised.value.message, raised.value.row, raised.value.column) == ("Damaged.", 3, "B")

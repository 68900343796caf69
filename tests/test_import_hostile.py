"""Hostile files through the import: control characters and over-long text, on the pages (upload,
preview, confirm) and through ``import_plan``. Each is refused with its row and column, nothing
is imported, and no request answers 5xx (on PostgreSQL a NUL once reached the database: 500)."""

import csv
import io
import zipfile

import docx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from actionplans.models import Action, Owner, Plan, ProgressUpdate, Recommendation
from importers import readers, service
from importers.models import PendingImport

from .test_import_pages import upload
from .test_import_shapes import xlsx_of

pytestmark = pytest.mark.django_db

HEADER = [
    "Ref",
    "Recommendation",
    "Outcomes sought",
    "Action",
    "Lead officer",
    "Timescale",
    "Performance indicator",
    "Baseline",
    "Target",
    "Target date",
    "Governance board",
    "Progress",
]
ROW = [
    "1",
    "Improve supervision",
    "Better decisions",
    "Audit files",
    "Jo Bloggs",
    "March 2013",
    "Files audited",
    "40%",
    "90%",
    "March 2014",
    "LSCB",
    "Underway",
]
FILLER = 100  # rows before the bad one: the file's first 4 KB are clean


def table(*bad_rows, filler=FILLER):
    """A plan's rows: its title, the header, ``filler`` good rows, then ``bad_rows``."""
    rows = [["Improvement plan"], HEADER]
    rows += [[str(n), f"Recommendation {n}", *ROW[2:]] for n in range(1, filler + 1)]
    return rows + [list(row) for row in bad_rows]


def csv_bytes(rows, encoding="utf-8"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def with_cell(column, value, ref="900"):
    row = [ref, f"Recommendation {ref}", *ROW[2:]]
    row[HEADER.index(column)] = value
    return row


def patched(data, part, old, new):
    """A copy of the zip file ``data`` with ``old`` replaced by ``new`` (bytes) in ``part``: a
    damaged file, as no program that writes Excel or Word would make it."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    assert old in source.read(part)  # the part is in the file, and holds what is replaced
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(item, content.replace(old, new) if item.filename == part else content)
    return out.getvalue()


def xlsx_with(raw):
    rows = [["Improvement plan"], HEADER[:5], ["1", "Improve supervision", "", "MARK", "Jo"]]
    return patched(xlsx_of(rows), "xl/worksheets/sheet1.xml", b"MARK", raw)


def docx_with(raw, *, above=False):
    document = docx.Document()
    document.add_paragraph("Improvement plan TITLE")
    rows = [
        HEADER[:5],
        ["1", "Improve supervision", "", "Audit files", "Jo"],
        ["", "", "", "MARK", "Jo"],
    ]
    grid = document.add_table(rows=len(rows), cols=5)
    for cells, values in zip(grid.rows, rows, strict=True):
        for cell, value in zip(cells.cells, values, strict=True):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    old = b"TITLE" if above else b"MARK"
    return patched(out.getvalue(), "word/document.xml", old, raw)


def nothing_imported(plans_before):
    assert Plan.objects.count() == plans_before
    for model, field in [
        (Action, "text"),
        (Recommendation, "text"),
        (Owner, "name"),
        (ProgressUpdate, "text"),
        (Plan, "title"),
    ]:
        # Read back and looked at here: neither database can be asked about a NUL.
        for text in model.objects.values_list(field, flat=True):
            assert not any(bad in text for bad in ["\x00", "\ufffd", "w" * 1000]), text[:80]


def through_the_pages(client, world, name, data, problem):
    """Upload, preview and confirm ``data``: the preview shows ``problem`` and no button, the
    confirm (posted anyway) is refused, nothing is imported, nothing answers 5xx."""
    client.force_login(world.manager)
    before = Plan.objects.count()
    response = upload(client, name, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = client.get(response.url)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert problem in page, page[page.find("There is a problem") :][:3000]
    assert "Import this plan" not in page
    pending = PendingImport.objects.latest("pk")
    confirmed = client.post(reverse("import_confirm", args=[pending.pk]), follow=True)
    assert confirmed.status_code == 200
    assert "The file has problems to put right first" in confirmed.content.decode()
    assert problem in confirmed.content.decode()
    nothing_imported(before)
    assert PendingImport.objects.get(pk=pending.pk).confirmed_at is None


def through_the_command(tmp_path, capsys, name, data, problem, *args):
    before = Plan.objects.count()
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_plan", str(path), "--user", "manager", *args)
    assert problem in capsys.readouterr().out
    nothing_imported(before)


NUL_CSV = csv_bytes(table(with_cell("Action", "Audit\x00files")))
CONTROL_CASES = [
    # The file: a NUL after the first 4 KB, which the upload's own check does not see.
    (
        "nul.csv",
        NUL_CSV,
        "Row 103, column “Action”: This cell holds a control character (U+0000, NUL)",
    ),
    # Two in a row; one a unit separator at a cell's end, which trimming would have hidden.
    (
        "two.csv",
        csv_bytes(table(with_cell("Lead officer", "Jo\x01")[:11] + ["Done\x1f"])),
        "Row 103: The cells in columns “Lead officer” and “Progress” hold control characters",
    ),
    # (A NUL in the first 4 KB is refused on upload: the file is taken for a binary one.)
    (
        "heading.csv",
        csv_bytes(
            [["Plan"], ["s" * 4500], ["Ref", "Recommendation", "Act\x00ion"], ["1", "R", "A"]]
        ),
        "Row 3, column “C”: This cell holds a control character (U+0000, NUL)",
    ),
    (
        "title.csv",
        csv_bytes([["Plan\x07"], HEADER[:4], ["1", "R", "", "A"]]),
        "Row 1, column “A”: This cell holds a control character (U+0007)",
    ),
    # UTF-16 (Excel's "Unicode text"): NUL bytes everywhere, a NUL character in one cell.
    (
        "utf16.csv",
        csv_bytes(table(with_cell("Target", "9\x000%"), filler=3), "utf-16"),
        "Row 6, column “Target”: This cell holds a control character (U+0000, NUL)",
    ),
    (
        "nul.xlsx",
        xlsx_with(b"Audit &#0;files"),
        "Row 3, column “D”: This cell holds a control character (such as NUL) or another character "
        "an Excel file cannot hold",
    ),
    ("raw.xlsx", xlsx_with(b"Audit \x01files"), "Row 3, column “D”: This cell holds a control"),
    ("surrogate.xlsx", xlsx_with(b"Audit \xed\xa0\x80files"), "Row 3, column “D”: This cell"),
    (
        "nul.docx",
        docx_with(b"Audit &#0;files"),
        "Row 3, column “D”: This cell holds a control character (such as NUL) or another character "
        "a Word file cannot hold",
    ),
    (
        "above.docx",
        docx_with(b"&#x1F;", above=True),
        "File: The text outside the table holds a control character",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "problem"), CONTROL_CASES, ids=[c[0] for c in CONTROL_CASES]
)
def test_control_characters_are_refused_by_row_and_column_on_the_pages(
    client, world, name, data, problem
):
    through_the_pages(client, world, name, data, problem)


@pytest.mark.parametrize(
    ("name", "data", "problem"), CONTROL_CASES, ids=[c[0] for c in CONTROL_CASES]
)
def test_control_characters_are_refused_by_the_command(
    tmp_path, capsys, world, name, data, problem
):
    through_the_command(tmp_path, capsys, name, data, problem)


def test_every_bad_row_is_reported():
    rows = table(*[with_cell("Action", f"Bad\x00{n}", ref=str(900 + n)) for n in range(5)])
    problems = [str(p) for p in service.preview_file("plan.csv", csv_bytes(rows)).blocking]
    assert [p.split(":")[0] for p in problems] == [
        f"Row {n}, column “Action”" for n in range(103, 108)
    ]


def test_the_cell_marks_any_control_character_or_lone_surrogate_whatever_read_it():
    cell = readers.Cell(["Audit\x00files", "lone \ud800 surrogate"], bold=["\x1b"])
    assert cell.paras == ["Audit\ufffdfiles", "lone \ufffd surrogate"] and cell.bold == ["\ufffd"]
    assert cell.flaw == "a control character (U+0000, NUL)"
    assert readers.Cell(["\udfff"]).flaw == "a lone surrogate (U+DFFF)"
    assert readers.Cell(["Tab\tand\r\nbreaks"]).flaw == ""


def test_word_and_excel_line_breaks_within_a_cell_are_line_breaks():
    """Excel keeps a line break pasted from Word as a vertical tab: a break, not a fault."""
    rows = table(with_cell("Action", "Audit files\x0bReport weekly\x0cBrief the board"), filler=1)
    result = service.preview_file("plan.csv", csv_bytes(rows))
    assert not result.blocking, [str(p) for p in result.blocking]
    assert result.actions[-1]["text"] == "Audit files\nReport weekly\nBrief the board"


def test_a_title_given_to_the_command_is_checked_too(tmp_path, capsys, world):
    # A command's argument is not checked as a form's is: bytes that are not UTF-8 arrive as
    # lone surrogates.
    data = csv_bytes(table(filler=2))
    through_the_command(
        tmp_path,
        capsys,
        "plan.csv",
        data,
        "File: The title given holds a lone surrogate (U+DCFF)",
        "--plan-title",
        "Plan \udcff",
    )


# Over-long text: each column's cell one character over the limit of the field it is saved in,
# which is the limit of the form that edits that field (TEXT_LIMIT for a text, else max_length).
TOO_LONG = [
    ("Ref", 121, "at most 120"),
    ("Recommendation", 20_001, "at most 20,000"),
    ("Outcomes sought", 20_001, "at most 20,000"),
    ("Action", 100_000, "at most 20,000"),
    ("Lead officer", 201, "at most 200"),  # one owner's name: an Owner's
    ("Timescale", 20_001, "at most 20,000"),
    ("Performance indicator", 20_001, "at most 20,000"),
    ("Baseline", 20_001, "at most 20,000"),
    ("Target", 20_001, "at most 20,000"),
    ("Target date", 20_001, "at most 20,000"),
    ("Governance board", 201, "at most 200"),  # the body is an Owner too
    ("Progress", 20_001, "at most 20,000"),
]


@pytest.mark.parametrize(("column", "length", "limit"), TOO_LONG, ids=[c[0] for c in TOO_LONG])
def test_an_over_long_cell_is_refused_by_row_and_column(
    client, tmp_path, capsys, world, column, length, limit
):
    data = csv_bytes(table(with_cell(column, "w" * length), filler=2))
    problem = f"Row 5, column “{column}”: "
    result = service.preview_file("plan.csv", data)
    assert len(result.blocking) == 1 and str(result.blocking[0]).startswith(problem)
    assert f"has {length:,} characters: {limit} are allowed here" in str(result.blocking[0])
    through_the_pages(client, world, "plan.csv", data, problem)
    through_the_command(tmp_path, capsys, "plan.csv", data, problem)


def test_a_csv_cell_longer_than_the_csv_reader_takes_is_refused_by_row(client, world):
    data = csv_bytes(table(with_cell("Action", "w" * 200_000), filler=2))
    through_the_pages(client, world, "plan.csv", data, "Row 5: A cell has more than 131,072")


def test_five_words_of_100000_characters_are_refused(client, tmp_path, capsys, world):
    """The issue's file: five actions each one unbroken 100,000-character word."""
    rows = table(*[with_cell("Action", "w" * 100_000, ref=str(900 + n)) for n in range(5)])
    data = csv_bytes(rows)
    result = service.preview_file("plan.csv", data)
    assert [str(p) for p in result.blocking] == [
        f"Row {n}, column “Action”: This cell has 100,000 characters: at most 20,000 are allowed "
        "here, as in the site's own forms. Shorten it."
        for n in range(103, 108)
    ]
    through_the_pages(client, world, "plan.csv", data, "Row 107, column “Action”: This cell has")
    through_the_command(tmp_path, capsys, "plan.csv", data, "Row 103, column “Action”")


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ([["T" * 301], HEADER[:4], ["1", "R", "", "A"]], "File: The title has 301 characters"),
        (
            [["Plan"], HEADER[:4], ["S" * 301], ["1", "R", "", "A"]],
            "Row 3: A section heading has 301 characters: at most 300",
        ),
        (
            [["Plan"], [*HEADER[:3], "Action " + "x" * 300], ["1", "R", "", "A"]],
            "Row 2: A heading has 307 characters: at most 300",
        ),
        (
            [["Plan"], HEADER[:5], ["1", "R", "", "A", "Jo and " + "n" * 201]],
            "Row 3, column “Lead officer”: The owner “nnnn",
        ),
    ],
    ids=["title", "section", "heading", "one-of-two-owners"],
)
def test_titles_sections_headings_and_names_are_held_to_their_limits(client, world, rows, problem):
    through_the_pages(client, world, "plan.csv", csv_bytes(rows), problem)


def test_a_title_given_to_the_command_is_held_to_its_limit(tmp_path, capsys, world):
    data = csv_bytes(table(filler=2))
    through_the_command(
        tmp_path,
        capsys,
        "plan.csv",
        data,
        "File: The title has 301 characters",
        "--plan-title",
        "T" * 301,
    )


def test_text_at_its_limit_is_imported_whole(tmp_path, world):
    """The limits are the forms' own: text of exactly that length is imported as it is."""
    row = with_cell("Action", "a" * 20_000)
    row[HEADER.index("Ref")] = "r" * 120
    row[HEADER.index("Lead officer")] = "o" * 200
    row[HEADER.index("Progress")] = "p" * 20_000
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(table(row, filler=1)))
    call_command("import_plan", str(path), "--user", "manager")
    action = Action.objects.get(text="a" * 20_000)
    assert action.recommendation.reference == "r" * 120
    assert [o.name for o in action.owners.all()] == ["o" * 200]
    assert action.updates.get().text == "p" * 20_000


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_plan_with_a_control_character_in_its_text_still_downloads_and_reads_back(
    client, world, fmt
):
    """A form may store one (only NUL is refused there); openpyxl refused to write it: a 500."""
    Action.objects.filter(pk=world.own.pk).update(text="Audit\x01files\x0bthen report")
    Plan.objects.filter(pk=world.plan.pk).update(title="Child\x02protection")
    client.force_login(world.manager)
    response = client.get(reverse("plan_table_export", args=[world.plan.pk, fmt]))
    assert response.status_code == 200
    result = service.preview_file(f"plan.{fmt}", response.content)
    assert not result.blocking, [str(p) for p in result.blocking]
    assert "Audit\ufffdfiles\nthen report" in [a["text"] for a in result.actions]
    assert result.title == "Child\ufffdprotection"


def test_the_upload_and_mapping_forms_refuse_hostile_values(client, world):
    client.force_login(world.manager)
    data = csv_bytes(table(filler=2))
    refused = upload(client, "plan.csv", data, title="Plan\x00")
    assert refused.status_code == 200 and "Null characters are not allowed." in (
        refused.content.decode()
    )
    assert upload(client, "plan.csv", data, title="T" * 301).status_code == 200
    assert not PendingImport.objects.exists()
    # A control character other than NUL passes the form, and is refused with the file's.
    unknown = csv_bytes([["Plan"], [*HEADER[:4], "Mystery"], ["1", "R", "", "A", "x"]])
    response = upload(client, "plan\x01.csv", unknown, title="Plan\x01")
    page = client.get(response.url).content.decode()
    assert "File: The title given holds a control character (U+0001): retype it." in page
    mapped = client.post(response.url, {"column_0": "\x00", "column_1": "x" * 100_000})
    assert mapped.status_code == 200 and "Select a valid choice." in mapped.content.decode()
    assert PendingImport.objects.get().mapping == {}

"""Plans in the shapes councils write them, built here as Word, Excel and CSV files: every
recommendation, action, owner and date read in order; bad files refused with a clear message."""

import csv
import datetime as dt
import io
import time

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionplans.models import Action, Owner, Plan
from core.errors import Refused
from importers import parse, readers, service

from .conftest import COUNCIL, person

HEADER = [
    "Ref No",
    "Recommendation",
    "Action Required",
    "Who Responsible",
    "Time Scale",
    "Progress to Date",
]


def word_plan():
    """A Word plan: title lines above, a table with a merged recommendation cell, stacked
    paragraphs, a group row merged across, the header repeated, a bold 'complete', and a second
    table (the next page) that repeats the header."""
    document = docx.Document()
    document.add_paragraph("Children's Services Improvement Plan")
    document.add_paragraph("Following the Ofsted inspection of safeguarding")
    document.add_paragraph("Updated 15 November 2012")
    document.add_paragraph("Overall rating: Amber-Green")
    table = document.add_table(rows=6, cols=6)
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    group = table.rows[1].cells[0].merge(table.rows[1].cells[5])
    group.text = "Immediate"
    rows = [
        [
            "1",
            "Improve supervision",
            "Audit supervision files",
            "Jo Bloggs (JB), Police",
            "Nov 12",
            "Underway",
        ],
        ["", "", "Train team managers", "Service Manager", "March 2013", ""],
    ]
    for row, values in zip(table.rows[2:4], rows, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    # Recommendation 1 merged down over its two actions.
    table.cell(2, 1).merge(table.cell(3, 1))
    table.cell(2, 0).merge(table.cell(3, 0))
    # Stacked paragraphs in one cell; a bold "complete" in the progress.
    stacked = table.cell(3, 2)
    stacked.add_paragraph("Deliver refresher sessions")
    progress = table.cell(3, 5).paragraphs[0]
    progress.add_run("complete").bold = True
    for cell, text in zip(table.rows[4].cells, HEADER, strict=True):
        cell.text = text  # the header repeated on the next page
    last = [
        "2",
        "Hear the child",
        "Record wishes",
        "JB",
        "31/01/2013",
        "November update: on schedule",
    ]
    for cell, text in zip(table.rows[5].cells, last, strict=True):
        cell.text = text
    second = document.add_table(rows=3, cols=6)
    for cell, text in zip(second.rows[0].cells, HEADER, strict=True):
        cell.text = text
    g = second.rows[1].cells[0].merge(second.rows[1].cells[5])
    g.text = "Within 3 Months"
    for cell, text in zip(
        second.rows[2].cells,
        ["3", "Plan permanence", "Tracking meeting", "Head of CSC & YI", "2012/13", "Completed"],
        strict=True,
    ):
        cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_of(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_of(rows, encoding="utf-8"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


SHEET = [
    ["Youth Justice Action Plan"],
    ["October 2011"],
    [
        "Reference",
        "Finding",
        "Actions",
        "Lead officer / agency",
        "Deadline",
        "Status",
        "Notes from the board",
    ],
    [
        "YJ1",
        "Assessments late",
        "Chase late assessments\nReport weekly",
        "Ops managers; Police",
        "Dec 11",
        "On schedule",
        "x",
    ],
    [None, None, "Audit quality", "Case managers", "Jan - March '12", "Completed", ""],
    ["YJ2", "Risk plans", "-5% in re-offending", "Ops managers", "Ongoing", "", ""],
]


def test_word_plan_read_in_order():
    result = service.preview_file("plan.docx", word_plan())
    assert not result.blocking, [str(p) for p in result.blocking]
    assert result.title == "Children's Services Improvement Plan"
    assert result.subtitle == "Following the Ofsted inspection of safeguarding"
    assert result.date == dt.date(2012, 11, 15)
    assert result.overall_rating == "amber_green"
    assert [c["field"] for c in result.columns] == [
        "reference",
        "recommendation",
        "action",
        "owners",
        "planned_completion",
        "progress",
    ]
    assert [s["title"] for s in result.sections] == ["Immediate", "Within 3 Months"]
    assert [(r["reference"], r["text"]) for r in result.recommendations] == [
        ("1", "Improve supervision"),
        ("2", "Hear the child"),
        ("3", "Plan permanence"),
    ]
    actions = result.actions
    assert [a["text"] for a in actions] == [
        "Audit supervision files",
        "Train team managers\nDeliver refresher sessions",
        "Record wishes",
        "Tracking meeting",
    ]
    assert [[o["name"] for o in a["owners"]] for a in actions] == [
        ["Jo Bloggs", "Police"],
        ["Service Manager"],
        ["Jo Bloggs"],
        ["Head of CSC & YI"],
    ]
    assert actions[0]["owners"][0]["initials"] == "JB"
    assert [a["planned_date"] for a in actions] == [
        dt.date(2012, 11, 30),
        dt.date(2013, 3, 31),
        dt.date(2013, 1, 31),
        dt.date(2013, 3, 31),
    ]
    assert [a["status"] for a in actions] == ["underway", "complete", "on_schedule", "complete"]
    assert actions[2]["progress"] == [
        {"label": "November update", "date": None, "text": "on schedule"}
    ]
    assert actions[3]["progress"][0]["text"] == "Completed"  # the text kept with its status


def test_word_plan_imported_dated_by_its_own_date(db):
    manager, _ = person("manager", "Manager")
    existing = Owner.objects.create(name="Head of CSC & YI", organisation=COUNCIL)
    result = service.preview_file("plan.docx", word_plan(), organisation=COUNCIL)
    assert "Head of CSC & YI" in result.matched  # an owner named with "&" is one owner
    plan = service.confirm(result, actor=manager, organisation=COUNCIL)
    actions = list(
        Action.objects.filter(recommendation__plan=plan).order_by("recommendation__order", "order")
    )
    assert [[o.name for o in a.ordered_owners] for a in actions] == [
        ["Jo Bloggs", "Police"],
        ["Service Manager"],
        ["Jo Bloggs"],
        ["Head of CSC & YI"],
    ]
    assert actions[3].ordered_owners[0] == existing
    assert plan.column_names == HEADER
    assert plan.history.earliest().history_date.date() == dt.date(2012, 11, 15)
    assert actions[2].updates.get().period_label == "November update"
    assert plan.managers.filter(pk=manager.pk).exists()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_spreadsheet_shapes(kind):
    data = xlsx_of(SHEET) if kind == "xlsx" else csv_of(SHEET)
    result = service.preview_file(f"plan.{kind}", data)
    assert [c["heading"] for c in result.unmapped] == ["Notes from the board"]
    assert result.blocking  # an unrecognised column is never dropped silently
    result = service.preview_file(
        f"plan.{kind}", data, mapping={"Notes from the board": "progress"}
    )
    assert not result.blocking, [str(p) for p in result.blocking]
    assert result.title == "Youth Justice Action Plan"
    assert result.date == dt.date(2011, 10, 31)
    assert [r["reference"] for r in result.recommendations] == ["YJ1", "YJ2"]
    assert [a["text"] for a in result.actions] == [
        "Chase late assessments\nReport weekly",
        "Audit quality",
        "-5% in re-offending",
    ]
    assert [a["planned_date"] for a in result.actions] == [
        dt.date(2011, 12, 31),
        dt.date(2012, 3, 31),
        None,
    ]
    assert [a["status"] for a in result.actions] == ["on_schedule", "complete", ""]
    assert [[o["name"] for o in a["owners"]] for a in result.actions] == [
        ["Ops managers", "Police"],
        ["Case managers"],
        ["Ops managers"],
    ]
    left_out = service.preview_file(f"plan.{kind}", data, mapping={"Notes from the board": ""})
    assert not left_out.blocking
    assert "Notes from the board" not in left_out.spec()["column_names"]


def test_html_in_cells_is_kept_as_text(db):
    manager, _ = person("manager", "Manager")
    rows = [
        ["Plan <b>x</b>"],
        ["Recommendation", "Action"],
        ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"],
    ]
    result = service.preview_file("p.csv", csv_of(rows))
    plan = service.confirm(result, actor=manager, organisation=COUNCIL)
    action = Action.objects.get(recommendation__plan=plan)
    assert action.text == "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("plan.pdf", b"%PDF-1.4", "is not an Excel"),
        ("plan.xlsx", b"this is not a spreadsheet", "not a real .xlsx"),
        ("plan.docx", xlsx_of([["a"]]), "not a real .docx"),
        ("plan.csv", b"", "is empty"),
        ("plan.csv", b"a,b\n1,2\n", "No header row"),
        (
            "plan.csv",
            "Recommendation,Action\nÄ,\x81\n".encode("cp1252", "ignore") + b"\x81\x8d",
            "encoding",
        ),
        ("plan.csv", b"\x00\x01\x02binary", "not a text CSV"),
    ],
)
def test_bad_files_get_a_clear_message(name, data, message):
    result = service.preview_file(name, data)
    assert result.blocking
    assert message in " ".join(str(p) for p in result.blocking)


def test_huge_files_refused_quickly():
    started = time.monotonic()
    big = b"Recommendation,Action\n" + b"x" * (20 * 1024 * 1024)
    assert "larger than" in str(service.preview_file("p.csv", big).blocking[0])
    rows = [["Recommendation", "Action"]] + [[f"r{i}", f"a{i}"] for i in range(50_000)]
    result = service.preview_file("p.csv", csv_of(rows))
    assert "more than" in str(result.blocking[0])
    result = service.preview_file("p.xlsx", xlsx_of(rows))
    assert "more than" in str(result.blocking[0])
    assert time.monotonic() - started < 60  # a guard against hanging, not a speed figure


def test_nested_and_irregular_word_tables():
    document = docx.Document()
    document.add_paragraph("Irregular plan")
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Recommendation", "Action", "Lead"], strict=True):
        cell.text = text
    table.cell(1, 0).text = "R1"
    table.cell(1, 1).add_table(rows=2, cols=2).cell(0, 0).text = "nested action"
    table.rows[2]._tr.remove(table.rows[2]._tr.tc_lst[-1])  # a row one cell short
    table.cell(2, 1).text = "short row action"
    out = io.BytesIO()
    document.save(out)
    result = service.preview_file("p.docx", out.getvalue())
    assert [a["text"] for a in result.actions] == ["nested action", "short row action"]


def test_a_refused_import_leaves_nothing(db):
    manager, _ = person("manager", "Manager")
    rows = [["Plan"], ["Recommendation", "Action", "Update"], ["R1", "A1", "[1890-01-01] old"]]
    result = service.preview_file("p.csv", csv_of(rows))
    with pytest.raises(Refused):
        service.confirm(result, actor=manager, organisation=COUNCIL)
    assert not Plan.objects.exists() and not Owner.objects.exclude(user=manager).exists()


def test_another_councils_manager_is_refused(db):
    from .factories import PlanFactory

    PlanFactory(organisation="Other Council")  # councils: they have plans
    PlanFactory(organisation=COUNCIL)
    partner, _ = person("other_mgr", "Manager", organisation="Other Council")
    result = service.preview_file(
        "p.csv", csv_of([["Plan"], ["Recommendation", "Action"], ["R", "A"]])
    )
    with pytest.raises(Refused):
        service.confirm(result, actor=partner, organisation=COUNCIL)
    assert Plan.objects.count() == 2


cells = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(HEADER + ["Immediate", ""]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cells, max_size=8), max_size=25), st.sampled_from(["csv", "xlsx"]))
def test_random_tables_never_crash_the_parser(rows, kind):
    rows = [["" if v is None else v for v in row] for row in rows]
    try:
        data = xlsx_of(rows) if kind == "xlsx" else csv_of(rows)
    except Exception:  # openpyxl refuses some control characters: not the parser's concern
        return
    result = service.preview_file(f"p.{kind}", data)
    assert isinstance(result, parse.Preview)


def test_readers_module_raises_unreadable_only():
    with pytest.raises(readers.Unreadable):
        readers.read("p.xlsx", b"PK\x03\x04garbage")

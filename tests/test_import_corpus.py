"""Real published plans (tests/fixtures/import_corpus, sources in its README) import with no hand
mapping, as CSV, Excel and Word alike: every column gets a meaning and a reason, and each plan's
recommendations and actions come out in order. A column is known by its heading and its cells
together (importers/columns.py)."""

import csv
import io
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from importers import columns, service

CORPUS = Path(__file__).parent / "fixtures" / "import_corpus"

# file: (title given, if the file has none; [(reference, recommendation opens with, [actions
# open with])], {heading: field} for the columns the plan's shape turns on)
PLANS = {
    "york_send_wsoa_2020.csv": (
        "",
        [
            ("1.1", "Leaders in the Clinical Commissioning Group", ["WSoA is produced"]),
            ("1.2", "An outcomes based framework", ["Co-produce and implement"]),
        ],
        {
            "Number": "reference",
            "Outcomes": "recommendation",
            "Action": "action",
            "End date": "planned_completion",
            "Start date": "",
            "RAG May 20": "progress",
        },
    ),
    "waverley_cpa_action_plan_2004.csv": (
        "Waverley CPA action plan",
        [
            ("78/91/104", "Improve speed with which planning", ["· Address undelivered items"]),
            ("42", "Maintain focus on decent home standard", ["· Continue with stock options"]),
            ("84/96", "Improve housing benefits performance", ["· Appoint a new Benefits"]),
            ("77", "Improve Environmental Health performance", ["· Recruit two new staff"]),
        ],
        {
            "Para Ref (to CPA Report)": "reference",
            "What?": "recommendation",
            "How?": "action",
            "Who by?": "owners",
            "When?": "planned_completion",
        },
    ),
    "rotherham_yos_sqs_2012.csv": (
        "",
        [("1", "Timeliness of initial assessments", ["(1a) Raise performance", "(1b) Weekly"])],
        {
            "AREA REQUIRING IMPROVEMENT (Recommendations)": "recommendation",
            "Progress against agreed action and impact monitoring": "progress",
        },
    ),
    "surrey_unannounced_inspection_2012.csv": (
        "",
        [("", "1. Ensure that threshold arrangements", ["• The SSCB to champion"])],
        {
            "Action": "recommendation",
            "Activity": "action",
            "Due Date (mm/yy)": "planned_completion",
        },
    ),
    "herefordshire_ofsted_improvement_plan_2015.csv": (
        "",
        [("1.", "Ensure that caseloads in children in need", ["Caseloads for CiN and LAC"])],
        {
            "No.": "reference",
            "Ofsted Area for Improvement": "recommendation",
            "R/A/G": "status",
            "Monitoring and Evaluation": "performance_indicator",
        },
    ),
    "waltham_forest_fostering_peer_review_2013.csv": (
        "",
        [
            ("", "Embedding the progress that has been made", ["Two improvement workshops"]),
            ("", "Lack of performance information framework", ["Frameworki implementation"]),
        ],
        {"Recommendation": "recommendation", "Actions": "action", "Achieved": "progress"},
    ),
    "lga_corporate_peer_challenge_2023.csv": (
        "",
        [
            ("", "R1: Develop a closer working relationship", ["• continue discussions"]),
            ("", "R2: Lead the design", ["Develop detailed action and engagement"]),
            ("", "R3:Tighten the networks", ["To be addressed through 2"]),
            ("", "R4:Use the Business Plan", ["• boards review business plan"]),
        ],
        {"Recommendation": "recommendation", "Action": "action", "Timescale": "planned_completion"},
    ),
    "stockton_lscb_review_progress_2017.csv": (
        "",
        [  # no column of actions: each recommendation is its own action
            ("1.", "Participate and initiate discussion", ["Participate and initiate"]),
            ("2.", "Continue to develop a self-assessment", ["Continue to develop"]),
            ("3.", "Continue to identify ways", ["Continue to identify"]),
            ("15.", "Assure itself that it has responded", ["Assure itself"]),
        ],
        {
            "No.": "reference",
            "Recommendation": "recommendation",
            "Responsibility": "owners",
            "Date": "planned_completion",
            "Progress presented to Committee Dec 2017": "progress",
        },
    ),
    "norfolk_multi_agency_action_plan_2016.csv": (
        "",
        [("", "Recommendation 1:", ["Review existing current protocols for GP referral"])],
        {
            "RECOMMENDATION": "recommendation",  # the heading that says only that keeps it
            "Key milestones to enact recommendation": "",
            "Action to be taken": "action",
            "Lead Agency": "owners",
            "Target date": "planned_completion",  # its cells are dates, a line each
            "Agency response to recommendations": "progress",  # "response", not "responsible"
            "Progress indicator": "",  # empty once the guidance row under the header is skipped
        },
    ),
    "elft_independent_investigation_action_plan_2016.csv": (
        "",
        [("", "Recommendation 1 Diagnosis", ["The Trust will review current liaison"])],
        {
            "Service": "recommendation",
            "Action": "action",
            "Lead/Ownership": "owners",
            "Target Date": "planned_completion",
        },
    ),
}

# file: the plan's owners, each a person, post or body the plan names, none a piece of one
OWNERS = {
    "york_send_wsoa_2020.csv": ["CYC", "CCG"],
    "waverley_cpa_action_plan_2004.csv": [
        "John Anderson",  # "ditto" under each name is the name above, never an owner
        "John Swanton",
        "Paul Wenham",
        "Martin Shorten",
    ],
    "rotherham_yos_sqs_2012.csv": ["SF", "CD"],
    "surrey_unannounced_inspection_2012.csv": ["Julian Gordon-Walker"],
    "herefordshire_ofsted_improvement_plan_2015.csv": [
        "Assistant Director, Safeguarding and Family Support"  # a post and its remit
    ],
    "waltham_forest_fostering_peer_review_2013.csv": [
        "Interim Divisional Director, Children and Families",
        "Head of Management Support & Information Unit",
    ],
    "lga_corporate_peer_challenge_2023.csv": [],
    "stockton_lscb_review_progress_2017.csv": ["Chair", "DCS"],
    "norfolk_multi_agency_action_plan_2016.csv": [
        "Michael Lozano",
        "Norfolk and Suffolk NHS Foundation Trust",  # one trust, not "Norfolk" and another
        "Dr Ed Garratt",
        "Clinical Commissioning Group",
    ],
    "elft_independent_investigation_action_plan_2016.csv": [
        "Clinical Director",
        "Tower Hamlets Adults Mental Health Services",
        "East London NHS Foundation Trust",
        "Head of Forensics",
    ],
}


def rows_of(name):
    with open(CORPUS / name, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def xlsx_of(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_of(rows):
    """Lines above the table as paragraphs (rows of one cell before the first of several), the
    rest a table; a cell's lines as its paragraphs."""
    head = next(i for i, row in enumerate(rows) if len([v for v in row if v]) > 1)
    document = docx.Document()
    for row in rows[:head]:
        document.add_paragraph(row[0])
    width = len(rows[head])
    table = document.add_table(rows=len(rows) - head, cols=width)
    for t_row, row in zip(table.rows, rows[head:], strict=True):
        for cell, value in zip(t_row.cells, row + [""] * (width - len(row)), strict=True):
            lines = value.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def file_of(name, kind):
    rows = rows_of(name)
    if kind == "csv":
        return (CORPUS / name).read_bytes()
    return xlsx_of(rows) if kind == "xlsx" else docx_of(rows)


def test_the_corpus_is_every_file_and_its_readme():
    assert sorted(p.name for p in CORPUS.glob("*.csv")) == sorted(PLANS) == sorted(OWNERS)
    assert len(PLANS) >= 10
    readme = (CORPUS / "README.md").read_text()
    assert all(name in readme for name in PLANS)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "docx"])
@pytest.mark.parametrize("name", sorted(PLANS))
def test_a_real_plan_imports_with_no_hand_mapping(name, kind):
    title, expected, shape = PLANS[name]
    result = service.preview_file(f"plan.{kind}", file_of(name, kind), title=title)
    assert not result.blocking, [str(p) for p in result.blocking]
    assert not result.unmapped, result.unmapped  # no column left unrecognised
    fields = {c["heading"]: c["field"] for c in result.columns}
    assert "recommendation" in set(fields.values())
    assert {h: fields[h] for h in shape} == shape
    assert all(c["reason"] for c in result.columns)  # the preview says why, column by column
    got = [
        (rec["reference"], rec["text"], [a["text"] for a in rec["actions"]])
        for rec in result.recommendations
    ]
    assert len(got) == len(expected), got
    for (ref, text, actions), (want_ref, want_text, want_actions) in zip(
        got, expected, strict=True
    ):
        assert ref == want_ref and text.startswith(want_text), (ref, text)
        assert len(actions) == len(want_actions), actions
        assert all(a.startswith(w) for a, w in zip(actions, want_actions, strict=True)), actions
    assert result.owners == OWNERS[name]


def test_the_columns_say_why():
    result = service.preview_file("p.csv", file_of("rotherham_yos_sqs_2012.csv", "csv"))
    why = {c["heading"]: c["reason"] for c in result.columns}
    assert why["Ref No"] == "heading says “ref” and “no”"
    assert "“Action Required” holds" in why["Progress against agreed action and impact monitoring"]
    result = service.preview_file(
        "p.csv", file_of("herefordshire_ofsted_improvement_plan_2015.csv", "csv")
    )
    why = {c["heading"]: c["reason"] for c in result.columns}
    assert why["R/A/G"] == "cells are status words like “R”"
    assert "references like “1.”" in why["No."]
    assert why["Ofsted Para No"].startswith("left out")  # a second column of references
    assert not any(p.blocking for p in result.problems if p.column == "Ofsted Para No")


@pytest.mark.parametrize(
    "text, kind",
    [
        ("1.2", columns.REFERENCE),
        ("CP4", columns.REFERENCE),
        ("(3a)", columns.REFERENCE),
        ("17. (57, 138)", columns.REFERENCE),
        ("Nov 12", columns.DATE),
        ("2012/13", columns.DATE),
        ("Ongoing", columns.STATUS),
        ("March 2013", columns.DATE),
        ("Completed", columns.STATUS),
        ("Amber", columns.STATUS),
        ("Julian Gordon-Walker", columns.NAMES),
        ("Head of Service (JB)", columns.NAMES),
        ("Improve housing benefits performance", columns.PROSE),
        ("x", columns.OTHER),
    ],
)
def test_a_cell_reads_as_its_kind(text, kind):
    assert columns.kind_of(text) == kind


def test_a_tie_the_cells_cannot_settle_stays_unrecognised():
    # "Notes from the board": notes (progress) and board (body it reports to) equally; an "x"
    # says neither, so the user says which (tests/test_import_shapes.py's SHEET)
    rows = [["Plan"], ["Recommendation", "Action", "Notes from the board"], ["R1", "A1", "x"]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    result = service.preview_file("p.csv", out.getvalue().encode())
    (column,) = result.unmapped
    assert column["heading"] == "Notes from the board" and "equally" in column["reason"]


def test_the_preview_page_shows_each_columns_reason(client, world):
    client.force_login(world.manager)
    data = file_of("herefordshire_ofsted_improvement_plan_2015.csv", "csv")
    upload = SimpleUploadedFile("plan.csv", data)
    response = client.post(reverse("import_upload"), {"file": upload, "title": ""})
    body = client.get(response.url).content.decode()
    assert "cells are status words like “R”" in body
    assert "heading says “area” and “improvement”" in body
    assert "Import this plan" in body  # nothing to map by hand

"""Weak spots of the importer mended (issue 26): an owner written "ditto" is the row above's, a RAG
letter is a rating, the newest of several dated RAG columns gives the status, a year 0 is no date
(and a doubt), and import_plan says why each column was read as it was."""

import pytest
from django.core.management import call_command

from actionplans.fuzzy_dates import derive_date
from importers import rows, service

from .test_import_corpus import CORPUS
from .test_import_shapes import csv_of

pytestmark = pytest.mark.django_db

HEADER = ["Ref", "Recommendation", "Action", "Lead officer", "Due"]


def preview(table):
    return service.preview_file("plan.csv", csv_of([["Weak spots plan"], *table]))


def owners_of(result):
    return [[o["name"] for o in a["owners"]] for a in result.actions]


@pytest.mark.parametrize("ditto", ["ditto", "Ditto", "as above", "As above.", '"', "“"])
def test_ditto_is_the_owners_of_the_row_above(ditto):
    result = preview(
        [
            HEADER,
            ["1", "Improve supervision", "Audit files", "Jo Bloggs / Head of Service", "Nov 12"],
            ["", "", "Train managers", ditto, "Dec 12"],
            ["2", "Hear the child", "Record wishes", ditto, "Jan 13"],
        ]
    )
    assert owners_of(result) == [["Jo Bloggs", "Head of Service"]] * 3
    assert "ditto" not in {n.casefold() for n in result.owners}
    assert len(result.owners) == 2
    notes = [p for p in result.problems if "“Ditto”" in p.message]
    assert [(p.row, p.column, p.blocking) for p in notes] == [
        (4, "Lead officer", False),
        (5, "Lead officer", False),
    ]
    assert "row 3" in notes[0].message and "Jo Bloggs" in notes[0].message
    assert result.actions[1]["owners_as_written"] == ditto  # the cell is kept as written


def test_ditto_within_a_cell_is_the_name_above_it():
    result = preview(
        [
            HEADER,
            ["1", "Improve planning", "Address items\nAttract grant", "John Anderson\nditto", ""],
        ]
    )
    assert owners_of(result) == [["John Anderson"]]


@pytest.mark.parametrize(
    "written, rating",
    [
        ("R", "red"),
        ("r", "red"),
        ("A", "amber"),
        ("G", "green"),
        ("G.", "green"),
        ("A/G", "amber_green"),
        ("A/R", "amber_red"),
        ("Red", "red"),
        ("Amber", "amber"),
        ("Amber/Green", "amber_green"),
        ("Amber-Red", "amber_red"),
        ("Green", "green"),
    ],
)
def test_a_rag_cell_is_a_rating(written, rating):
    assert rows.rating_of(written) == rating
    result = preview([[*HEADER, "RAG"], ["1", "Improve", "Audit", "Jo Bloggs", "Nov 12", written]])
    (column,) = [c for c in result.columns if c["heading"] == "RAG"]
    assert column["field"] == "status"
    (action,) = result.actions
    assert action["rag"] == rating
    assert not [p for p in result.problems if p.column == "RAG"]  # a rating, not a bad status


def test_r_in_the_corpus_gives_red():
    data = (CORPUS / "herefordshire_ofsted_improvement_plan_2015.csv").read_bytes()
    (action,) = service.preview_file("plan.csv", data).actions
    assert action["rag"] == "red"


def test_the_newest_of_several_rag_columns_gives_the_status():
    data = (CORPUS / "york_send_wsoa_2020.csv").read_bytes()
    action = service.preview_file("plan.csv", data).actions[0]
    # RAG May 20 says "Progressing but delayed"; RAG August 22 (the newest) "Embedded"
    assert action["status"] == "complete"
    labels = [u["label"] for u in action["progress"]]
    assert labels[0] == "RAG May 20" and labels[-1] == "RAG August 22" and len(labels) == 9


@pytest.mark.parametrize(
    "headings, cells, status, rag",
    [
        # undated periods: the rightmost is the newest
        (["RAG Mar", "RAG Jun"], ["R - delayed", "G - complete"], "complete", ""),
        (["RAG Mar", "RAG Jun"], ["R", "G"], "", "green"),
        # dated periods out of order: the latest date is the newest, wherever it stands
        (["RAG Jun 21", "RAG Mar 21"], ["Completed", "Delayed"], "complete", ""),
        (["RAG Jun 21", "RAG Mar 21"], ["A", "R"], "", "amber"),
        # the newest column empty: the newest that says one
        (["RAG Mar", "RAG Jun"], ["Delayed", ""], "delayed", ""),
    ],
)
def test_the_newest_column_by_its_date_or_place(headings, cells, status, rag):
    result = preview(
        [[*HEADER, *headings], ["1", "Improve", "Audit", "Jo Bloggs", "Nov 12", *cells]]
    )
    assert {c["field"] for c in result.columns if c["heading"] in headings} == {"progress"}
    (action,) = result.actions
    assert (action["status"], action["rag"]) == (status, rag)


@pytest.mark.parametrize("written", ["01/01/0000", "0000-01-01", "1/1/0000", "31/12/0000"])
def test_a_year_0_is_no_date_and_a_doubt(written):
    assert derive_date(written) is None
    result = preview([HEADER, ["1", "Improve", "Audit", "Jo Bloggs", written]])
    (action,) = result.actions
    assert action["planned_date"] is None and action["planned_completion"] == written
    (doubt,) = [p for p in result.problems if written in p.message]
    assert (doubt.row, doubt.column, doubt.blocking) == (3, "Due", False)
    assert "is no real date" in doubt.message


def test_two_digit_years_are_still_this_century():
    assert derive_date("01/01/00").year == 2000
    assert derive_date("Mar 13").year == 2013


def test_import_plan_says_why_each_column_was_read_as_it_was(capsys):
    path = CORPUS / "herefordshire_ofsted_improvement_plan_2015.csv"
    call_command("import_plan", str(path), "--dry-run")
    out = capsys.readouterr().out
    result = service.preview_file(path.name, path.read_bytes())
    for column in result.columns:
        line = next(x for x in out.splitlines() if x.startswith(f"  {column['heading']!r} -> "))
        assert line.endswith(f": {column['reason']}"), line
    assert "'R/A/G' -> Status (recognised): cells are status words like “R”" in out

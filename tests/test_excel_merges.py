"""The Excel appendix merges cells as openpyxl's own ``merge_cells`` does (reporting/excel.py,
``_Merges``, which reuses each border it works out): the same workbook, byte for byte, for every
shape the appendix merges. And its body cells, styled once a combination (``_Styles``), are as
when each is given its styles itself."""

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.styles import Border, PatternFill, Side

from actionplans.models import Plan
from reporting import appendix, excel
from reporting.excel import _Merges
from reporting.models import Layout, LayoutColumn

from .test_appendix import AS_AT, PRESET_PLANS

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# (first row, first column, last row, last column, the first cell's border)
SHAPES = [
    (1, 1, 1, 6, None),  # the preamble: a paragraph across the table, no border
    (3, 1, 3, 6, BORDER),  # a section's title across every column
    (4, 1, 9, 1, BORDER),  # a recommendation's cell down over its actions
    (4, 4, 9, 4, BORDER),
    (10, 2, 12, 2, Border(left=THIN, top=THIN)),  # a first cell with some edges only
    (13, 1, 13, 6, BORDER),
]


def workbook(merge):
    book = Workbook()
    sheet = book.active
    merges = _Merges(sheet)
    for first_row, first_column, last_row, last_column, border in SHAPES:
        cell = sheet.cell(row=first_row, column=first_column, value="text")
        if border is not None:
            cell.border = border
            cell.fill = PatternFill("solid", fgColor="D9D9D9")
        if merge == "openpyxl":
            sheet.merge_cells(
                start_row=first_row,
                start_column=first_column,
                end_row=last_row,
                end_column=last_column,
            )
        else:
            merges.merge(first_row, first_column, last_row, last_column)
    out = io.BytesIO()
    book.save(out)
    package = zipfile.ZipFile(out)
    return {name: package.read(name) for name in ("xl/worksheets/sheet1.xml", "xl/styles.xml")}


def test_the_appendix_merges_cells_as_openpyxl_does():
    ours, theirs = workbook("ours"), workbook("openpyxl")
    assert b"<mergeCell " in ours["xl/worksheets/sheet1.xml"]
    assert ours == theirs


@pytest.fixture
def rated():
    """A layout with each action's rating, coloured, beside its progress."""
    layout = Layout.objects.create(name="Rated")
    for i, (heading, key) in enumerate(
        [("Ref", "reference"), ("Action", "action"), ("Progress", "progress"), ("RAG", "rag")]
    ):
        LayoutColumn.objects.create(layout=layout, order=i, heading=heading, field=key)
    return layout


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_plans")
@pytest.mark.parametrize("title", [title for _, title in PRESET_PLANS])
@pytest.mark.parametrize("layout", ["its own", "rated"])
def test_each_body_cell_is_styled_as_when_its_styles_are_given_one_by_one(
    title, layout, rated, monkeypatch
):
    """Issue 28: ``_Styles`` gives a combination met before by its indexes; every part of the
    workbook is as when each cell is given its font, fill, border and alignment itself."""
    plan = Plan.objects.get(title=title)
    spec = appendix.spec_for(plan, rated if layout == "rated" else None)
    doc = appendix.build(plan, spec, AS_AT, None)
    if layout == "rated":
        assert {c.rag for row in doc.rows for c in row.cells} & {"red", "amber", "green"}
    remembered = parts(excel.write_xlsx(doc))
    monkeypatch.setattr(excel._Styles, "give", lambda self, cell, key, style: style(cell))
    one_by_one = parts(excel.write_xlsx(doc))
    assert remembered == one_by_one


def parts(data):
    """The package's parts, less the time of saving (openpyxl writes the clock's, to the second)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        found = {name: package.read(name) for name in package.namelist()}
    found["docProps/core.xml"] = SAVED_AT.sub(b"", found["docProps/core.xml"])
    return found


SAVED_AT = re.compile(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>")

"""The Excel appendix merges cells as openpyxl's own ``merge_cells`` does (reporting/excel.py,
``_Merges``, which reuses each border it works out): the same workbook, byte for byte, for every
shape the appendix merges."""

import io
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Border, PatternFill, Side

from reporting.excel import _Merges

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

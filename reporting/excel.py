"""The committee appendix as an Excel workbook (.xlsx), from the same ``Document`` as the PDF.

One sheet named for the plan: the title block, the preamble, then the table with its header row
bold, frozen and printed on every page; sections as rows merged across; a recommendation's cells
merged down over its actions; landscape A4, fitted to the page width.

Every text is stored as text, never as a formula: a progress note that begins "=", "+", "-" or
"@" is written as a string and marked with Excel's quote prefix, so neither opening nor editing
the cell evaluates it.
"""

import io
from copy import copy
from dataclasses import replace

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange

from .fields import Para, Run
from .office import GROUP_FILL, HEADER_FILL, RAG_COLOURS, estimated_lines, xml_safe

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT, SIZE = "Arial", 9
TABLE_WIDTH = 160  # Excel width units over all columns (about A4 landscape); fitted to the page
CHARS_PER_UNIT = 1.4  # 9 pt Arial characters per width unit, less padding
LINE_POINTS, MAX_ROW_POINTS = 12, 409  # Excel's tallest row is 409 points
MAX_CELL_CHARS = 32767  # Excel's limit for one cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_STARTS_TEXT = "".join(FORMULA_STARTS)
SHEET_NAME_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top", horizontal="left")
PLAIN, BOLD = Font(name=FONT, size=SIZE), Font(name=FONT, size=SIZE, bold=True)


def sheet_name(title):
    """The plan's title as Excel allows a sheet's name: at most 31 characters, none of []:*?/\\,
    not starting or ending with an apostrophe, not blank and not the reserved "History"."""
    name = " ".join(xml_safe(title).translate(SHEET_NAME_FORBIDDEN).split())
    name = name[:31].strip().strip("'").strip()
    if not name or name.lower() == "history":
        return "Appendix"
    return name


def write_xlsx(doc, target=None):
    """The document as .xlsx bytes, or written to ``target`` (a path or file)."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(doc.plan.title)
    book.properties.title = xml_safe(doc.title)
    book.properties.language = "en-GB"
    book.properties.creator = xml_safe(doc.plan.organisation)
    book.properties.subject = xml_safe(doc.spec.running_heading or doc.spec.name)
    book.properties.created = book.properties.modified = doc.generated.replace(tzinfo=None)
    _Table(sheet, doc).write()
    if target is None:
        target = io.BytesIO()
        book.save(target)
        return target.getvalue()
    book.save(target)
    return None


CUT_NOTE = " … (cut to fit one Excel cell: the whole text is in the PDF and Word versions)"


def _text(value):
    text = xml_safe(value)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(CUT_NOTE)] + CUT_NOTE
    return text


def _fitted(paras):
    """The paragraphs (made XML-safe) cut so that, one a line, they fit one Excel cell."""
    fitted, room = [], MAX_CELL_CHARS
    for para in paras:
        text = xml_safe(para.text)
        needed = len(text) + (1 if fitted else 0)  # the line break before it
        if needed > room:
            keep = max(room - len(CUT_NOTE) - (1 if fitted else 0), 0)
            fitted.append(Para(text[:keep] + CUT_NOTE, para.bold, para.italic))
            break
        runs = tuple(replace(r, text=xml_safe(r.text)) for r in para.runs)
        fitted.append(replace(para, text=text, runs=runs))
        room -= needed
    return fitted


def put(cell, value, font=PLAIN):
    """Store ``value`` (a str or CellRichText) as text; never a formula."""
    if _store(cell, value):
        cell.quotePrefix = True  # and Excel keeps it text when the clerk edits the cell
    cell.font = font


def _store(cell, value):
    """Store ``value`` as text (``put``, its style apart): whether it needs the quote prefix."""
    if isinstance(value, str):
        value = _text(value)
    cell.value = value
    cell.data_type = "s"  # openpyxl makes "=..." a formula; this keeps it a string
    first = str(value)[:1]
    return bool(first) and first in FORMULA_STARTS_TEXT


def _put_paras(cell, paras, colour=None):
    """Paragraphs one a line (``_paras_value``)."""
    value, (bold, italic) = _paras_value(paras, colour)
    put(cell, value, Font(name=FONT, size=SIZE, bold=bold, italic=italic, color=colour))


def _paras_value(paras, colour=None):
    """Paragraphs one a line, as plain text in one font when they are all in one style, else as
    rich text: a bold "complete" beside a date, an owner in bold, the plan's bold words, an
    ordinal's superscript ending. The value, and the cell font's (bold, italic)."""
    pieces = [(p, piece) for p in paras for piece in p.pieces]
    styles = {(x.bold, x.italic, x.superscript) for _, x in pieces}
    if len(styles) == 1 and not any(x.superscript for _, x in pieces):
        bold, italic, _ = styles.pop()
        return "\n".join(p.text for p in paras), (bold, italic)
    blocks = []
    for i, para in enumerate(paras):
        for j, piece in enumerate(para.pieces):
            font = InlineFont(
                rFont=FONT,
                sz=SIZE,
                b=piece.bold or None,
                i=piece.italic or None,
                color=colour,
                vertAlign="superscript" if piece.superscript else None,
            )
            end = "\n" if j == len(para.pieces) - 1 and i < len(paras) - 1 else ""
            blocks.append(TextBlock(font, piece.text + end))
    return CellRichText(blocks), (False, False)


class _Merges:
    """Cells merged as openpyxl's ``Worksheet.merge_cells`` merges them: the covered cells become
    MergedCells, and those on the range's edges take the first cell's border on that edge, side
    by side in the order openpyxl gives them, with the same styles in the same order. openpyxl
    builds and hashes a new border for each covered cell, over a third of writing an appendix's
    workbook; here each step (a cell's border so far, a side added) is worked out once and then
    reused by its index. It sets openpyxl's private ``_cells`` and cells' ``_style``, so
    tests/test_excel_merges.py compares it with ``merge_cells`` for every shape it merges."""

    EDGES = ("top", "left", "right", "bottom")

    def __init__(self, sheet):
        self.sheet, self.steps = sheet, {}

    def merge(self, first_row, first_column, last_row, last_column):
        sheet = self.sheet
        span = MergedCellRange(
            sheet,
            CellRange(
                min_row=first_row, min_col=first_column, max_row=last_row, max_col=last_column
            ).coord,
        )
        sheet.merged_cells.add(span)
        start = sheet.cell(row=first_row, column=first_column)
        for row, column in span.cells:
            if (row, column) != (first_row, first_column):
                sheet._cells[row, column] = MergedCell(sheet, row, column)
                sheet._cells[row, column]._style = StyleArray()
        for edge in self.EDGES:
            side = getattr(start.border, edge)
            if side and side.style is None:
                continue  # no line on that edge
            for coordinate in getattr(span, edge):
                cell = sheet._cells[coordinate]
                step = (cell._style.borderId, start._style.borderId, edge)
                if step not in self.steps:
                    cell.border += Border(**{edge: side})
                    self.steps[step] = cell._style.borderId
                cell._style.borderId = self.steps[step]
        for row, column in span.cells:  # openpyxl gives each the first cell's protection
            sheet._cells[row, column]._style.protectionId = start._style.protectionId


class _Styles:
    """Each combination of a body cell's styles worked out once a workbook: openpyxl builds the
    font, fill, border and alignment given to a cell, hashes each to find it among the
    workbook's, for every cell (half of writing a plan's workbook, issue 28). A combination met
    before is given as the indexes found for it (a cell's ``_style``, copied as openpyxl itself
    copies styles between cells). tests/test_excel_merges.py compares every cell's styles with
    those given one by one."""

    def __init__(self):
        self.found = {}

    def give(self, cell, key, style):
        """Style ``cell`` as ``style(cell)`` does, which ``key`` decides."""
        found = self.found.get(key)
        if found is None:
            style(cell)
            self.found[key] = copy(cell._style)
        else:
            cell._style = copy(found)


class _Table:
    def __init__(self, sheet, doc):
        self.sheet, self.doc = sheet, doc
        self.columns = doc.columns
        self.count = max(len(self.columns), 1)
        total = sum(c.width for c in self.columns) or 1
        self.widths = [max(4.0, round(TABLE_WIDTH * c.width / total, 1)) for c in self.columns]
        self.chars = [w * CHARS_PER_UNIT for w in self.widths]
        self.row = 0
        self.merges = _Merges(sheet)
        self.styles = _Styles()

    def write(self):
        sheet, doc = self.sheet, self.doc
        for i, width in enumerate(self.widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        for role, text in doc.title_lines:
            self._title_line(role, text)
        if doc.title_lines:
            self.row += 1
        for para in doc.preamble:
            self._merged_text(para)
        if doc.preamble:
            self.row += 1
        header = self._header()
        sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
        sheet.print_title_rows = f"{header}:{header}"
        if not doc.rows:
            self._group(doc.empty_line, bold=False)
        self._body()
        self._page_setup()

    def _title_line(self, role, text):
        self.row += 1
        size = {"council": 11, "title": 13, "as_at": 10}.get(role, SIZE)
        bold = role in ("council", "title")
        put(self.sheet.cell(row=self.row, column=1), text, Font(name=FONT, size=size, bold=bold))

    def _merged_text(self, para):
        self.row += 1
        cell = self.sheet.cell(row=self.row, column=1)
        if para.bullet:
            para = replace(para, text=f"• {para.text}", runs=(Run("• "), *para.pieces))
        _put_paras(cell, _fitted([para]))
        cell.alignment = WRAP
        if self.count > 1:
            self.merges.merge(self.row, 1, self.row, self.count)
        lines = estimated_lines([para], sum(self.chars))
        self._height(self.row, lines)

    def _header(self):
        self.row += 1
        fill = PatternFill("solid", fgColor=HEADER_FILL)
        for i, column in enumerate(self.columns, start=1):
            cell = self.sheet.cell(row=self.row, column=i)
            put(cell, column.heading, BOLD)
            cell.alignment, cell.border, cell.fill = WRAP, BORDER, fill
        pairs = zip(self.columns, self.chars, strict=True)
        lines = max((estimated_lines([Para(c.heading)], n) for c, n in pairs), default=1)
        self._height(self.row, lines)
        return self.row

    def _group(self, text, bold=True):
        self.row += 1
        cell = self.sheet.cell(row=self.row, column=1)
        put(cell, text, Font(name=FONT, size=10, bold=bold))
        cell.alignment, cell.border = WRAP, BORDER
        cell.fill = PatternFill("solid", fgColor=GROUP_FILL)
        if self.count > 1:
            self.merges.merge(self.row, 1, self.row, self.count)

    def _body(self):
        heights = {}  # row number -> lines its own (unmerged) cells need
        spans = []  # (first row, last row, lines) of each merged recommendation cell
        for row in self.doc.rows:
            if row.group:
                self._group(row.group)
                continue
            self.row += 1
            heights[self.row] = 1
            for i, (data, chars) in enumerate(zip(row.cells, self.chars, strict=True), start=1):
                if data.span == "skip":
                    continue  # inside the merged cell above
                cell = self.sheet.cell(row=self.row, column=i)
                self._fill(cell, data)
                lines = estimated_lines(data.paras, chars)
                if data.rowspan > 1:
                    last = self.row + data.rowspan - 1
                    self.merges.merge(self.row, i, last, i)
                    spans.append((self.row, last, lines))
                else:
                    heights[self.row] = max(heights[self.row], lines)
        # A merged cell is as tall as its rows together: its last row grows to show all of it.
        for first, last, lines in spans:
            short = lines - sum(heights[r] for r in range(first, last + 1))
            if short > 0:
                heights[last] += short
        for number, lines in heights.items():
            self._height(number, lines)

    def _fill(self, cell, data):
        paras = _fitted([p for p in data.paras if p.text])
        colours = RAG_COLOURS.get(data.rag) if data.rag else None
        colour = colours[1] if colours else None
        value, font = _paras_value(paras, colour) if paras else (None, None)
        quoted = bool(paras) and _store(cell, value)

        def style(given):
            given.alignment, given.border = WRAP, BORDER
            if colours:
                given.fill = PatternFill("solid", fgColor=colours[0])
            if font is not None:
                bold, italic = font
                given.font = Font(name=FONT, size=SIZE, bold=bold, italic=italic, color=colour)
            if quoted:
                given.quotePrefix = True

        self.styles.give(cell, (colours, font, quoted), style)

    def _height(self, number, lines):
        points = min(MAX_ROW_POINTS, LINE_POINTS * max(lines, 1) + 3)
        self.sheet.row_dimensions[number].height = points

    def _page_setup(self):
        sheet, doc = self.sheet, self.doc
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        margins = sheet.page_margins
        margins.left = margins.right = 0.47  # 12 mm, as the PDF
        margins.top = margins.bottom = 0.63  # 16 mm
        # "&" starts a code in Excel's headers and footers: a literal one is "&&".
        heading = xml_safe(doc.spec.running_heading).replace("&", "&&")[:200]
        if heading:
            sheet.oddHeader.left.text = heading
            sheet.oddHeader.left.font = "Arial,Bold"
        sheet.oddFooter.left.text = doc.as_at_text
        sheet.oddFooter.right.text = "Page &P of &N"

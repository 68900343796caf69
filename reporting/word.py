"""The committee appendix as a Word document (.docx), from the same ``Document`` as the PDF.

Committee systems take Word and clerks edit it, so the table is a real Word table: the header row
repeats on every page (``w:tblHeader``), a recommendation's cells are vertically merged over its
actions (Word repeats nothing as "(contd.)": it lays out its own pages), sections are merged
full-width rows, and the page header and footer carry the running heading and "Page N of M" as
PAGE / NUMPAGES fields that Word fills in.
"""

import functools
import io
import re
import threading

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from lxml import etree

from .office import GROUP_FILL, HEADER_FILL, RAG_COLOURS, estimated_lines, xml_safe

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAGE_WIDTH, PAGE_HEIGHT = Mm(297), Mm(210)
SIDE_MARGIN, TOP_MARGIN = Mm(12), Mm(16)
FONT = "Arial"
CELL_STYLE = "Table text"
CELL_STYLE_ID = "TableText"
# A row longer than this many lines (of about 45 on a page) may break across pages: Word hides
# the rest of a row that cannot break and does not fit on one page.
KEEP_WHOLE_LINES = 36
CHARS_PER_MM = 0.6  # 8.5 pt Arial, less the cell's padding


def write_docx(doc, target=None):
    """The document as .docx bytes, or written to ``target`` (a path or file)."""
    word = _starting_document()
    _page(word, doc)
    _properties(word, doc)
    for role, text in doc.title_lines:
        _title_line(word, role, text)
    for para in doc.preamble:
        _add_runs(word.add_paragraph(style="List Bullet" if para.bullet else None)._p, para)
    _table(word, doc)
    if target is not None:
        word.save(target)
        return None
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


# The starting document, made ahead by ``prepare`` in a process that forks renders (whose children
# each take their own copy of it with their memory); None once taken.
_prepared = None
_taking = threading.Lock()


def prepare():
    """Make the starting document now, in the process that forks each render (reporting.renders),
    so that no render reads and parses python-docx's template (11 CPU ms of a demo plan's 48,
    issue 28). A render takes it (``_starting_document``); in the process that made it, one
    render only, as each changes what it takes."""
    global _prepared
    if _prepared is None:
        _prepared = _new_starting_document()


def _starting_document():
    global _prepared
    with _taking:  # one render takes it, even with two threads writing at once
        word, _prepared = _prepared, None
    return word or _new_starting_document()


def _new_starting_document():
    word = WordDocument()
    _without_spare_parts(word)
    _styles(word)
    _used_styles_only(word)
    return word


# Parts of python-docx's starting document an appendix has no use for: Word 2010's second copy
# of the styles (438 KB, which later versions ignore) and a thumbnail of python-docx's own
# blank page, shown as the file's preview. Left out, a plan's appendix is 15 KB smaller and a
# tenth quicker to write (the demo's 37 actions: 20.0 to 18.3 CPU ms; issue 28).
SPARE_PARTS = {
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.THUMBNAIL,
}


def _without_spare_parts(word):
    for owner in (word.part, word.part.package):
        for rel_id, rel in list(owner.rels.items()):
            if rel.reltype in SPARE_PARTS:
                owner.rels.pop(rel_id)


def _styles(word):
    normal = word.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(8.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.0
    heading = word.styles["Heading 1"]
    heading.font.name, heading.font.size, heading.font.bold = FONT, Pt(13), True
    heading.font.color.rgb = RGBColor(0, 0, 0)
    heading.paragraph_format.space_before, heading.paragraph_format.space_after = Pt(4), Pt(4)
    cell = word.styles.add_style(CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cell.element.styleId = CELL_STYLE_ID
    cell.base_style = normal
    cell.paragraph_format.space_after = Pt(3)
    # The document's language, for spelling and for screen readers.
    defaults = word.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), "en-GB")


def _used_styles_only(word):
    """Leave out the styles an appendix does not use, and the latent styles (how Word shows its
    built-in styles in its gallery): python-docx's template defines 160 styles in 350 KB, which
    every save wrote and compressed again (issue 28). Kept: the styles this module names
    (``WRITERS_STYLES``; a style named and not kept fails at once, as an unknown name), those the
    starting document's header, footer and numbering name, the styles these are based on,
    followed by or linked to, and the default of each kind."""
    styles = word.styles.element
    named = {style.style_id for style in word.styles if style.name in WRITERS_STYLES}
    for part in word.part.package.iter_parts():
        element = getattr(part, "element", None)
        if element is not None and element is not styles:
            named.update(element.xpath(" | ".join(f".//w:{tag}/@w:val" for tag in STYLE_REFS)))
    by_id = {style.get(qn("w:styleId")): style for style in styles.iterchildren(qn("w:style"))}
    kept = {i for i, style in by_id.items() if style.get(qn("w:default")) == "1"}
    waiting = [i for i in named | kept if i in by_id]
    while waiting:
        style_id = waiting.pop()
        kept.add(style_id)
        for ref in by_id[style_id].xpath(" | ".join(f"w:{tag}/@w:val" for tag in STYLE_LINKS)):
            if ref in by_id and ref not in kept:
                waiting.append(ref)
    for style_id, style in by_id.items():
        if style_id not in kept:
            styles.remove(style)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)


# The styles this module gives paragraphs and tables, by name, and those of the page header and
# footer python-docx makes (``_page``).
WRITERS_STYLES = {
    "Normal",
    "Heading 1",
    "List Bullet",
    "Table Grid",
    CELL_STYLE,
    "Header",
    "Footer",
}
# Where a part names a style, and where a style names another.
STYLE_REFS = ("pStyle", "rStyle", "tblStyle", "numStyleLink", "styleLink")
STYLE_LINKS = ("basedOn", "next", "link")


def _page(word, doc):
    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = SIDE_MARGIN
    section.top_margin = section.bottom_margin = TOP_MARGIN
    section.header_distance = section.footer_distance = Mm(7)
    heading = section.header.paragraphs[0]
    if doc.spec.running_heading:
        run = heading.add_run(xml_safe(doc.spec.running_heading))
        run.bold, run.font.size = True, Pt(10)
    footer = section.footer
    footer.paragraphs[0].add_run(doc.as_at_text).font.size = Pt(8)
    pages = footer.add_paragraph()
    pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for part in ("Page ", "PAGE", " of ", "NUMPAGES"):
        if part.isupper():
            _field(pages, part)
        else:
            pages.add_run(part).font.size = Pt(8)


def _field(paragraph, instruction):
    """A Word field (PAGE, NUMPAGES): begin, instruction, separate, a placeholder result, end."""

    def run_with(child):
        run = paragraph.add_run()
        run.font.size = Pt(8)
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run_with(code)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run("1").font.size = Pt(8)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _properties(word, doc):
    properties = word.core_properties
    properties.title = xml_safe(doc.title)
    properties.language = "en-GB"
    properties.author = xml_safe(doc.plan.organisation)
    properties.subject = xml_safe(doc.spec.running_heading or doc.spec.name)
    properties.comments = xml_safe(doc.as_at_line)
    properties.last_modified_by = ""
    properties.created = properties.modified = doc.generated.replace(tzinfo=None)


def _title_line(word, role, text):
    text = xml_safe(text)
    if role == "title":
        word.add_paragraph(text, style="Heading 1")
        return
    paragraph = word.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0 if role != "as_at" else 8)
    run = paragraph.add_run(text)
    if role == "council":
        run.bold, run.font.size = True, Pt(11)
    elif role == "as_at":
        run.font.size = Pt(9.5)


def _table(word, doc):
    columns = doc.columns
    usable = PAGE_WIDTH - 2 * SIDE_MARGIN
    total = sum(c.width for c in columns) or 1
    widths = [int(usable * c.width / total) for c in columns]
    table = word.add_table(rows=1, cols=len(columns))
    table.style = word.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False  # fixed layout: the layout's widths, not Word's guess
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    tbl_w.set(qn("w:type"), "pct")
    tbl_w.set(qn("w:w"), "5000")  # the whole width between the margins
    caption = OxmlElement("w:tblCaption")  # the table's name, for screen readers
    caption.set(qn("w:val"), xml_safe(doc.caption)[:255])
    tbl_pr.append(caption)

    header = table.rows[0]
    _row_properties(header._tr, keep_whole=True, repeat=True)
    for tc, column, width in zip(header._tr.tc_lst, columns, widths, strict=True):
        tc.width = width
        cell = _Cell(tc, table)
        _cell_style(cell.paragraphs[0])
        cell.paragraphs[0].add_run(xml_safe(column.heading)).bold = True
        _shade(tc, HEADER_FILL)

    chars = [max(1, w / Mm(1) * CHARS_PER_MM) for w in widths]
    grid = [col.get(_w("w")) for col in table._tbl.tblGrid.gridCol_lst]  # twips, as Word has them
    if not doc.rows:
        _group_row(table, doc.empty_line, usable, bold=False)
    for row in doc.rows:
        if row.group:
            _group_row(table, row.group, usable)
            continue
        lines = max(
            (estimated_lines(c.paras, n) for c, n in zip(row.cells, chars, strict=True)),
            default=0,
        )
        _body_row(table._tbl, row.cells, grid, keep_whole=lines <= KEEP_WHOLE_LINES)


def _row_properties(tr, keep_whole=False, repeat=False):
    tr_pr = tr.get_or_add_trPr()
    if keep_whole:
        tr_pr.append(OxmlElement("w:cantSplit"))
    if repeat:
        tr_pr.append(OxmlElement("w:tblHeader"))  # after cantSplit, as the schema orders them


def _group_row(table, text, width, bold=True):
    """A section's title as one cell merged over every column."""
    tr = table.add_row()._tr
    _row_properties(tr, keep_whole=True)
    first, *rest = tr.tc_lst
    for tc in rest:
        tr.remove(tc)
    first.width = width
    first.grid_span = len(rest) + 1
    paragraph = _Cell(first, table).paragraphs[0]
    _cell_style(paragraph)
    paragraph.paragraph_format.keep_with_next = True  # never alone at the foot of a page
    run = paragraph.add_run(xml_safe(text))
    run.bold, run.font.size = bold, Pt(9.5)
    _shade(first, GROUP_FILL)


# The table's body is most of the document: its rows are built as plain lxml elements, the same
# XML python-docx's objects would write; a document is written in about a third of the time.


@functools.cache
def _w(tag):
    return qn(f"w:{tag}")


def _el(parent, tag, **attrs):
    """A new ``w:tag`` element, last in ``parent``, with ``w:`` attributes in the order given."""
    return etree.SubElement(parent, _w(tag), {_w(k): v for k, v in attrs.items()})


def _body_row(tbl, cells, grid, keep_whole):
    tr = _el(tbl, "tr")
    tr_pr = _el(tr, "trPr")
    if keep_whole:
        _el(tr_pr, "cantSplit")
    for data, width in zip(cells, grid, strict=True):
        _body_cell(_el(tr, "tc"), data, width)


def _body_cell(tc, data, width):
    tc_pr = _el(tc, "tcPr")
    _el(tc_pr, "tcW", type="dxa", w=width)
    if data.span == "skip":
        _el(tc_pr, "vMerge")  # covered by the recommendation's cell above
        _cell_paragraph(tc)
        return
    if data.rowspan > 1:
        _el(tc_pr, "vMerge", val="restart")
    colours = RAG_COLOURS.get(data.rag) if data.rag else None
    for para in data.paras:
        _add_runs(_cell_paragraph(tc), para, colours[1].upper() if colours else None)
    if not data.paras:
        _cell_paragraph(tc)
    if colours:  # last in the cell's properties, after width and merge
        _el(tc_pr, "shd", val="clear", color="auto", fill=colours[0].upper())


def _cell_paragraph(tc):
    p = _el(tc, "p")
    _el(_el(p, "pPr"), "pStyle", val=CELL_STYLE_ID)
    return p


def _add_runs(p, para, colour=None):
    """The paragraph's text, each part in its own run and style (bold, italic, superscript)."""
    for piece in para.pieces:
        r = _el(p, "r")
        r_pr = _el(r, "rPr")
        if piece.bold:
            _el(r_pr, "b")
        if piece.italic:
            _el(r_pr, "i")
        if colour is not None:
            _el(r_pr, "color", val=colour)
        if piece.superscript:
            _el(r_pr, "vertAlign", val="superscript")
        _add_text(r, xml_safe(piece.text))


LINE_BREAKS = re.compile(r"([\t\r\n])")
XML_SPACE = qn("xml:space")


def _add_text(r, text):
    """Text as Word keeps it in a run: a tab as w:tab, a line break as w:br, the rest as w:t."""
    for part in LINE_BREAKS.split(text):
        if part == "\t":
            _el(r, "tab")
        elif part in ("\r", "\n"):
            _el(r, "br")
        elif part:
            t = _el(r, "t")
            t.text = part
            if len(part.strip()) < len(part):  # Word would drop the spaces at either end
                t.set(XML_SPACE, "preserve")


def _cell_style(paragraph):
    paragraph._p.style = CELL_STYLE_ID  # by id: looking a style up by name is slow in long tables


def _shade(tc, fill):
    """Cell shading; appended last in the cell's properties, after width, span and merge."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill.upper())
    tc.get_or_add_tcPr().append(shd)

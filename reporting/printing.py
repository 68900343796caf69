"""The appendix for print: its HTML, and the tagged PDF WeasyPrint lays out of it.

A recommendation whose actions run onto the next page is repeated there as "(contd.)": print CSS
cannot say "first row on a page", so the document is laid out, the rows that start a page in the
middle of a recommendation are read from the layout, and the recommendation's cells are split
there (a new spanning cell saying "(contd.)") and laid out again, until the page breaks stand
still (usually one extra pass; ``settle``). A long text is cut, and long runs of text made
breakable, so that no cell takes WeasyPrint minutes.
"""

import re
from dataclasses import replace

from django.template.loader import render_to_string

from . import speedups
from .appendix import table_rows

MAX_PASSES = 5


def html(doc, *, for_print=True):
    """The whole document for WeasyPrint (its text made ``breakable``), or (for_print=False) the
    part a web page embeds."""
    if not for_print:
        return render_to_string("reporting/_document.html", {"doc": doc, "for_print": False})
    context = {"doc": printable(doc), "for_print": True}
    return breakable(render_to_string("reporting/appendix.html", context))


# The most of one paragraph of a cell the PDF prints: the forms' limit on a text, so only a text
# stored before there was one is cut (100,000 letters are 60 pages of one cell). Word has it all.
PRINT_MAX_CHARS = 20_000
PRINT_CUT_NOTE = " … (cut here in the PDF: the whole text is in the Word version)"


def printable(doc):
    """The document with each cell's paragraphs cut to PRINT_MAX_CHARS."""
    if all(len(p.text) <= PRINT_MAX_CHARS for r in doc.rows for c in r.cells for p in c.paras):
        return doc
    rows = [
        replace(
            row, cells=[replace(cell, paras=[_cut(p) for p in cell.paras]) for cell in row.cells]
        )
        for row in doc.rows
    ]
    return replace(doc, rows=rows)


def _cut(para):
    if len(para.text) <= PRINT_MAX_CHARS:
        return para
    cut = para.text[: PRINT_MAX_CHARS - len(PRINT_CUT_NOTE)] + PRINT_CUT_NOTE
    return replace(para, text=cut, runs=())  # its marks go with the rest of it


# WeasyPrint finds where a line ends by shaping what is left of the paragraph up to a place a
# line may break, and shapes the whole rest when there is none nearby: a word of 100,000 letters is
# shaped again for each of its lines (six words of 10,000 letters took 22 s, five of 100,000 many
# minutes, whatever overflow-wrap says), and so is any paragraph in a column narrower than four
# times the font size. So for print a long run of text without a space gets a zero-width space,
# a place to break that prints nothing, every few characters, and columns keep a least width.
# WeasyPrint also copies what is left of a text for each line: a <wbr> (a break, as the spaces
# are) now and then ends the text, so that a long run is many short texts.
LONG_RUN = 25  # shorter words are left whole: an ordinary word is never broken
BREAK_EVERY = 4  # characters: a piece fits a line of the narrowest column, in any glyphs
TEXT_EVERY = 250  # pieces
ZERO_WIDTH_SPACE = "\u200b"
_TAG = re.compile(r"(<[^>]*>)")
# A run: characters other than the spaces HTML collapses, an entity counted as one.
_RUN = re.compile(r"(?:&#?\w+;|[^ \t\n\r\f<&])+")
_CHARACTER = re.compile(r"&#?\w+;|.", re.DOTALL)


def breakable(markup):
    """``markup`` with a zero-width space every BREAK_EVERY characters of each run of LONG_RUN or
    more in the text of its body (never in a tag, an entity or the style sheet), and a <wbr>
    every TEXT_EVERY pieces."""
    body = markup.find("<body")
    start = markup.find(">", body) + 1 if body != -1 else 0
    parts = _TAG.split(markup[start:])
    for i in range(0, len(parts), 2):  # the text between tags
        if len(parts[i]) >= LONG_RUN:
            parts[i] = _RUN.sub(_broken, parts[i])
    return markup[:start] + "".join(parts)


def _broken(match):
    run = match.group()
    if len(run) < LONG_RUN:
        return run
    characters = _CHARACTER.findall(run)
    if len(characters) < LONG_RUN:
        return run
    pieces = [
        "".join(characters[i : i + BREAK_EVERY]) for i in range(0, len(characters), BREAK_EVERY)
    ]
    texts = (
        ZERO_WIDTH_SPACE.join(pieces[i : i + TEXT_EVERY]) for i in range(0, len(pieces), TEXT_EVERY)
    )
    return "<wbr>".join(texts)


def _rows_starting_pages(document):
    """The row keys that open each page after the first, read from WeasyPrint's layout."""
    starts = []
    for page in document.pages[1:]:
        stack = [page._page_box]  # WeasyPrint's laid-out boxes; no public API for this
        while stack:
            box = stack.pop(0)
            element = getattr(box, "element", None)
            tag = getattr(box, "element_tag", "")
            if tag == "tr" and element is not None and element.get("data-row"):
                # A header row repeated on the page has no data-row; the first body row does.
                starts.append(element.get("data-row"))
                break
            stack[0:0] = list(getattr(box, "children", None) or [])
    return set(starts)


def settle(render, firsts, relayout):
    """Lay out until the page breaks stand still, repeating recommendations as "(contd.)".

    ``render()`` lays the rows out as they are now (a WeasyPrint document); ``relayout(contd,
    forced)`` rebuilds them with ``contd`` the keys of rows that open a page mid-recommendation and
    ``forced`` those that must start a page; ``firsts`` are the keys of rows that open a
    recommendation or a section. A repeated recommendation can be taller than the rows it now spans
    and push the page break back up, even to the recommendation's first row; the recommendation then
    starts on a new page (a forced break) instead of going round in circles. Returns (WeasyPrint
    document, passes).
    """
    contd, forced, before = frozenset(), frozenset(), frozenset()
    for passes in range(1, MAX_PASSES + 1):
        laid_out = render()
        starts = frozenset(_rows_starting_pages(laid_out))
        wanted = starts - firsts
        if wanted == contd or passes == MAX_PASSES:
            break
        if contd - starts:
            forced |= (starts - before) & firsts
        before, contd = starts, wanted
        relayout(contd, forced)
    return laid_out, passes


def layout_pdf(doc, keys=None, *, numbered=True):
    """Lay the document out (see ``settle``): (WeasyPrint document, Document as finally laid
    out, passes). ``keys``: only the rows with these keys (a part; see reporting.parts).
    ``numbered=False``: the pages without margin boxes yet, for ``speedups.number_pages`` with
    the WeasyPrint layout context kept as ``layout_context`` (a part numbers its pages once it
    knows the parts before it)."""
    from weasyprint import HTML

    def picked(rows):
        return rows if keys is None else [r for r in rows if r.key in keys]

    final = [replace(doc, rows=picked(doc.rows))]

    def render():
        return HTML(string=html(final[0]), base_url=None).render(
            pdf_tags=True, presentational_hints=True
        )

    def relayout(contd, forced):
        final[0] = replace(final[0], rows=picked(table_rows(doc, contd, forced)))

    firsts = {r.key for r in final[0].rows if r.first_of_recommendation or r.group}
    with speedups.laying_out() as contexts:
        laid_out, passes = settle(render, firsts, relayout)
    laid_out.layout_context = contexts[-1]
    if numbered:
        speedups.number_pages(laid_out, laid_out.layout_context)
    return laid_out, final[0], passes


def write_pdf(doc, target=None):
    laid_out, final, _ = layout_pdf(doc)
    return laid_out.write_pdf(target, pdf_tags=True)

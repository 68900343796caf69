"""The savings in laying an appendix out (reporting.speedups): on only while one is laid out,
and what they leave out of the layout is made once after it."""

import io
import re

import pypdf
import pytest
from weasyprint import HTML

from actionplans.models import Plan
from reporting import appendix, presets, printing, speedups

from .test_appendix import AS_AT, squash

pytestmark = pytest.mark.django_db


def first_line_of(text, style_html="<p style='font: 8.5pt sans-serif'>x</p>"):
    """WeasyPrint's first line of ``text`` in a paragraph's style, as its layout asks for it."""
    from weasyprint.layout import inline

    page = HTML(string=style_html).render().pages[0]._page_box
    box = page.children[0].children[0].children[0]  # html > body > p
    return inline.split_first_line(text, box.style, None, 200.0, 0)


def test_a_line_is_remembered_only_while_an_appendix_is_laid_out():
    with speedups.laying_out():
        once = first_line_of("Amber: due within the plan's amber days")
        again = first_line_of("Amber: due within the plan's amber days")
        other = first_line_of("Red: overdue")
    assert again is once  # the same answer, not asked again
    assert other is not once
    outside = first_line_of("Amber: due within the plan's amber days")
    assert outside is not once and first_line_of(outside[0].text) is not outside


def test_the_margin_boxes_are_made_once_for_the_layout_kept(demo_plans):
    """Left out while laying out (settle throws layouts away); each page has its heading,
    footer and number in the document printed."""
    plan = Plan.objects.get(title=presets.MERTON_YJ)
    doc = appendix.build(plan, appendix.spec_for(plan), AS_AT)
    laid_out, _, passes = printing.layout_pdf(doc, numbered=False)
    assert passes == 2  # a recommendation crosses a page: the layout was made twice
    text = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(laid_out.write_pdf())).pages]
    assert not any("Page 1 of" in page for page in text)
    speedups.number_pages(laid_out, laid_out.layout_context)
    pdf = pypdf.PdfReader(io.BytesIO(laid_out.write_pdf(pdf_tags=True)))
    for number, page in enumerate(pdf.pages, start=1):
        page_text = squash(page.extract_text())
        assert squash(f"Page {number} of {len(pdf.pages)}") in page_text
        assert squash(doc.spec.running_heading) in page_text
        assert squash(doc.as_at_text) in page_text


def test_a_printed_cell_of_one_paragraph_has_no_p_and_one_of_several_keeps_them(demo_plans):
    plan = Plan.objects.get(title=presets.MERTON_YJ)
    doc = appendix.build(plan, appendix.spec_for(plan), AS_AT)
    plain = re.compile(r"[A-Za-z0-9 ]{20}")
    single = next(
        c for r in doc.rows for c in r.cells if len(c.paras) == 1 and plain.match(c.paras[0].text)
    )
    several = next(c for r in doc.rows for c in r.cells if len(c.paras) > 1)
    start = single.paras[0].text[:20]
    cells = printing.html(doc).split("<td")[1:]
    assert any('">' + start in cell for cell in cells)  # straight after the cell's class
    assert not any("<p>" + start in cell for cell in cells)
    assert any(cell.count("<p>") == len(several.paras) for cell in cells)
    # The web page keeps each paragraph's <p>.
    screen = printing.html(doc, for_print=False).split("<td")[1:]
    assert any("<p>" + start in cell for cell in screen)

"""Every cell of the seed once, and in its place (issue 24): each preset's PDF, Word and Excel
against the transcription, cell by cell and column by column (``bench.fidelity``), and the
transcription against the seed document when it is at hand.

The expected cells are kept in the transcription (``fixtures/plans/*.yaml``), so the project stands
on its own: the seed documents are not part of it. Where they are beside it (``../shared/seeds``,
as on the developers' machines and in CI), a second test reads the seed's own table and holds the
transcription to it, so that neither can drift from the seed unnoticed.
"""

import datetime as dt
import io

import docx
import openpyxl
import pdfplumber
import pytest

from actionplans.models import Plan
from bench import fidelity
from reporting import appendix, excel, presets, printing, word

pytestmark = pytest.mark.django_db
BY_PRESET = {a.preset: a for a in fidelity.APPENDICES}
SEEDS_AT_HAND = (fidelity.SEEDS / fidelity.APPENDICES[0].seed).exists()


@pytest.mark.parametrize("preset", list(BY_PRESET))
def test_every_cell_once_and_in_its_place(demo_plans, preset):
    found = fidelity.compare(BY_PRESET[preset])
    report = "\n".join(f"{name}: {d}" for name, items in found.items() for d in items)
    assert not report, f"{preset} differs from its transcription:\n{report}"


@pytest.mark.skipif(
    not SEEDS_AT_HAND,
    reason=f"the seed documents are not beside the project ({fidelity.SEEDS}); the transcription "
    "is checked against the rendered documents all the same",
)
@pytest.mark.parametrize("preset", list(BY_PRESET))
def test_the_transcription_holds_every_cell_of_the_seed(preset):
    differences = fidelity.seed_differences(BY_PRESET[preset])
    assert differences == [], "\n".join(str(d) for d in differences)


def test_the_comparison_sees_a_cell_lost_or_printed_again():
    cells = [fidelity.Cell(0, "one"), fidelity.Cell(0, "two"), fidelity.Cell(1, "three")]
    rendered = [fidelity.Cell(0, "o n e"), fidelity.Cell(0, "two"), fidelity.Cell(0, "two")]
    kinds = sorted(d.kind for d in fidelity.differences(cells, rendered, 2))
    assert kinds == ["extra", "missing"]  # "two" again; "three" not in its column
    moved = [fidelity.Cell(0, "one"), fidelity.Cell(1, "two"), fidelity.Cell(1, "three")]
    assert [d.kind for d in fidelity.differences(cells, moved, 2)] == ["missing", "extra"]


def render(title):
    plan = Plan.objects.get(title=title)
    doc = appendix.build(plan, appendix.spec_for(plan), fidelity_date())
    laid_out, final, _ = printing.layout_pdf(doc)
    return doc, final, laid_out.write_pdf(pdf_tags=True)


def fidelity_date():
    return dt.date.fromisoformat(fidelity.AS_AT)


def pdf_words(pdf):
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_words(extra_attrs=["fontname", "size"]) for page in document.pages]


def test_merton_a_recommendation_3_progress_once_and_its_spanning_cells_once(demo_plans):
    doc, final, pdf = render(presets.MERTON_AA)
    cells, _ = fidelity.pdf_cells(pdf, [c.heading for c in doc.columns])
    texts = [fidelity.squash(c.text) for c in cells]  # the table's cells, each once

    def printed(words):
        return sum(fidelity.squash(words) in t for t in texts)

    assert printed("Improved caseload management through caseload weighting") == 1
    indicator = "Timeliness of assessments, improved quality of analysis within assessments"
    assert printed(indicator) == 1
    assert printed("Ongoing Continuous Improvement programme") == 1
    # Word: merged down over the four actions; Excel: one merged range.
    table = docx.Document(io.BytesIO(word.write_docx(doc))).tables[0]
    rows = [r for r in table._tbl.tr_lst if indicator[:30] in _row_text(r)]
    assert len(rows) == 1
    sheet = openpyxl.load_workbook(io.BytesIO(excel.write_xlsx(doc))).active
    cells = [
        c for row in sheet.iter_rows() for c in row if str(c.value or "").startswith(indicator)
    ]
    assert len(cells) == 1
    merged = [r for r in sheet.merged_cells.ranges if cells[0].coordinate in r]
    assert merged and merged[0].max_row - merged[0].min_row == 3


def _row_text(tr):
    return "".join(t.text or "" for t in tr.iter() if t.tag.endswith("}t"))


def test_merton_b_opens_with_the_inspectorates_numbered_recommendations(demo_plans):
    _, _, pdf = render(presets.MERTON_YJ)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        first = fidelity.squash(document.pages[0].extract_text())
    for number in range(1, 9):
        assert f"({number})" in first
    assert (
        fidelity.squash("(1) a timely and good quality assessment and plan, using Asset") in first
    )
    assert first.index(fidelity.squash("(8) management oversight")) < first.index("Actionrequired")


def test_bold_and_superscript_as_the_seed(demo_plans):
    # Bold "Recommendation 1" (Appendix B) and "Area for Dev 2, 3 & 4" (Appendix A), a
    # superscript "th" (Rotherham's "9th October"), in the PDF, Word and Excel.
    cases = [
        (presets.MERTON_YJ, "Recommendation", "bold"),
        (presets.MERTON_AA, "Dev", "bold"),
        (presets.ROTHERHAM, "th", "superscript"),
    ]
    for title, word_text, style in cases:
        doc, _, pdf = render(title)
        words = [w for page in pdf_words(pdf) for w in page]
        if style == "bold":
            assert any(w["text"] == word_text and "Bold" in w["fontname"] for w in words), title
        else:
            body = max(w["size"] for w in words if w["text"] == "October")
            assert any(w["text"] == "th" and w["size"] < body for w in words), title
        table = docx.Document(io.BytesIO(word.write_docx(doc))).tables[0]
        runs = [run for cell in table._cells for p in cell.paragraphs for run in p.runs]
        if style == "bold":
            assert any(word_text in r.text and r.bold for r in runs), title
        else:
            assert any(r.text == "th" and r.font.superscript for r in runs), title
        book = openpyxl.load_workbook(io.BytesIO(excel.write_xlsx(doc)), rich_text=True)
        blocks = [
            block
            for row in book.active.iter_rows()
            for c in row
            if hasattr(c.value, "__iter__") and not isinstance(c.value, str)
            for block in c.value
            if not isinstance(block, str)
        ]
        if style == "superscript":
            assert any(b.text == "th" and b.font.vertAlign == "superscript" for b in blocks)
        elif title == presets.MERTON_AA:
            assert any(b.text.startswith("Area for Dev 2") and b.font.b for b in blocks)
        else:  # Merton YJ: "Recommendation 1" is a cell of its own, bold as a whole
            cells = [c for row in book.active.iter_rows() for c in row]
            assert any(c.value == "Recommendation 1" and c.font.b for c in cells), title


@pytest.mark.parametrize(
    ("title", "without_rows"),
    # Merton AA's first page is its introduction, above the table.
    [(presets.ROTHERHAM, []), (presets.MERTON_AA, [1])],
)
def test_a_section_band_never_ends_a_page(demo_plans, title, without_rows):
    doc, _, pdf = render(title)
    headings = [c.heading for c in doc.columns]
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        pages = {
            number: [
                r
                for t in page.find_tables()
                for r in t.extract()
                if not fidelity._is_header(r, headings)
            ]
            for number, page in enumerate(document.pages, start=1)
        }
    assert [number for number, rows in pages.items() if not rows] == without_rows
    # A page's last row is a band when only its first cell has something.
    ends = {number: rows[-1] for number, rows in pages.items() if rows}
    bands = {
        number: last[0]
        for number, last in ends.items()
        if last[0] is not None and all(c is None for c in last[1:])
    }
    assert bands == {}, "the pages that end with a section's band"

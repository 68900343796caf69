"""The committee appendix as Word (.docx) and Excel (.xlsx), read back with python-docx and
openpyxl: each preset on its seed plan, the downloads, who may have them, and hostile text."""

import datetime as dt
import io
import re
import zipfile

import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from docx.oxml.ns import qn
from docx.table import _Cell
from lxml import etree
from openpyxl.cell.rich_text import CellRichText

from actionplans.models import Plan
from reporting import appendix, excel, office, presets, word

from .test_appendix import AS_AT, PRESET_PLANS, assert_in_order, squash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_plans")]
TODAY = timezone.localdate()


def build(title, as_at=AS_AT, updates=None):
    plan = Plan.objects.get(title=title)
    return appendix.build(plan, appendix.spec_for(plan), as_at, updates)


def read_docx(doc):
    return docx.Document(io.BytesIO(word.write_docx(doc)))


def read_xlsx(doc):
    return openpyxl.load_workbook(io.BytesIO(excel.write_xlsx(doc)), rich_text=True)


def expected_texts(doc):
    """Every reference, recommendation and action text of the plan, in the plan's order."""
    texts = []
    for section in doc.outline.sections:
        for rec in section.recommendations:
            reference = [rec.reference] if rec.reference != rec.text else []
            texts += [*reference, rec.text, *(a.text for a in rec.actions)]
    return [t for t in texts if t]


def preset_headings(name):
    return [h for h, _, _ in next(p for p in presets.PRESETS if p["name"] == name)["columns"]]


# Word.


def word_rows(table):
    """(tr, [(tc, text)]) per row, each cell once however it is merged."""
    return [(tr, [(tc, _Cell(tc, table).text) for tc in tr.tc_lst]) for tr in table._tbl.tr_lst]


def word_table_text(table):
    return squash(" ".join(text for _, cells in word_rows(table) for _, text in cells))


@pytest.mark.parametrize(("name", "title"), PRESET_PLANS)
def test_word_each_preset_on_its_seed_plan(name, title):
    doc = build(title)
    document = read_docx(doc)
    assert len(document.tables) == 1
    table = document.tables[0]
    rows = word_rows(table)
    # The seed's headings as the header row, marked to repeat on every page.
    header_tr, header_cells = rows[0]
    assert [text for _, text in header_cells] == preset_headings(name)
    assert header_tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(tr.trPr is None or tr.trPr.find(qn("w:tblHeader")) is None for tr, _ in rows[1:])
    # Every reference, recommendation and action, in order.
    assert_in_order(expected_texts(doc), word_table_text(table))
    # Section group rows: one cell spanning every column, in the plan's order.
    columns = len(preset_headings(name))
    groups = [cells[0][1] for _, cells in rows[1:] if cells[0][0].grid_span == columns]
    titled = [s.title for s in doc.outline.sections if s.title]
    assert groups == (titled if doc.spec.group_sections else [])
    # Widths relative as in the layout.
    widths = [c.width for c in table.columns]
    layout = [w for _, _, w in next(p for p in presets.PRESETS if p["name"] == name)["columns"]]
    for width, relative in zip(widths, layout, strict=True):
        assert width / sum(widths) == pytest.approx(relative / sum(layout), abs=0.002)
    # Title block, running heading, "Page N of M", title and language, landscape A4.
    body = [p.text for p in document.paragraphs]
    assert doc.plan.title in body and str(doc.plan.organisation) in body
    assert "As at 1 December 2012: latest progress update" in body
    section = document.sections[0]
    assert section.page_width > section.page_height
    assert round(section.page_width.mm) == 297 and round(section.page_height.mm) == 210
    assert section.header.paragraphs[0].text == doc.spec.running_heading
    footer = section.footer._element.xml
    assert "As at 1 December 2012" in section.footer.paragraphs[0].text
    codes = [t.text.strip() for t in section.footer._element.iter(qn("w:instrText"))]
    assert codes == ["PAGE", "NUMPAGES"]
    assert "Page " in footer and " of " in footer
    assert document.core_properties.title == doc.title
    assert document.core_properties.language == "en-GB"


def test_word_leaves_out_the_starting_documents_spare_parts():
    """Issue 28: no second copy of the styles for Word 2010 and no thumbnail of python-docx's
    blank page; the styles Word reads are there, and nothing names what was left out."""
    data = word.write_docx(build(PRESET_PLANS[0][1]))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        listed = b"".join(
            package.read(n) for n in names if n.endswith(".rels") or n == "[Content_Types].xml"
        )
    assert "word/styles.xml" in names and "word/document.xml" in names
    assert not any("stylesWithEffects" in n or n.startswith("docProps/thumbnail") for n in names)
    assert b"stylesWithEffects" not in listed and b"thumbnail" not in listed
    assert docx.Document(io.BytesIO(data)).styles["Table text"].base_style.name == "Normal"


NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


def etree_of(xml):
    return etree.fromstring(xml)


def _parts(data):
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_word_keeps_only_the_styles_it_names():
    """Issue 28: of python-docx's 160 styles, those the document, its header, footer and
    numbering name (and what those are based on), with the defaults; every one named is there."""
    for _, title in PRESET_PLANS:
        package = _parts(word.write_docx(build(title)))
        styles = etree_of(package["word/styles.xml"])
        defined = set(styles.xpath("//w:style/@w:styleId", namespaces=NS))
        named = {
            ref
            for name, xml in package.items()
            if name.startswith("word/") and name.endswith(".xml")
            for ref in etree_of(xml).xpath(
                "//w:pStyle/@w:val | //w:rStyle/@w:val | //w:tblStyle/@w:val "
                "| //w:basedOn/@w:val | //w:next/@w:val | //w:link/@w:val",
                namespaces=NS,
            )
        }
        assert named <= defined, named - defined
        assert {"Normal", "TableText", "TableGrid", "Header", "Footer", "Heading1"} <= defined
        assert len(defined) < 25 and not styles.xpath("//w:latentStyles", namespaces=NS)
        assert len(package["word/styles.xml"]) < 10_000


def test_word_starting_document_made_ahead_is_taken_once():
    """The starting document made ahead (``word.prepare``, for the renders forked after it) is
    used by one render: the next, in the same process, starts from a new one. Both the same."""
    doc = build(PRESET_PLANS[0][1])
    afresh = _parts(word.write_docx(doc))
    word.prepare()
    first, second = _parts(word.write_docx(doc)), _parts(word.write_docx(doc))
    for name in afresh:
        if name != "docProps/core.xml":  # the time of writing
            assert first[name] == afresh[name] == second[name], name


def test_word_spanning_recommendations_are_vertically_merged():
    doc = build(presets.ROTHERHAM)
    table = read_docx(doc).tables[0]
    rows = [cells for _, cells in word_rows(table)[1:] if len(cells) > 1]
    recs = [r for s in doc.outline.sections for r in s.recommendations]
    assert len(rows) == sum(len(r.actions) or 1 for r in recs)
    at = 0
    for rec in recs:
        own = rows[at : at + (len(rec.actions) or 1)]
        at += len(own)
        for column in (0, 1):  # Ref No and Recommendation span the recommendation's actions
            merges = [cells[column][0].vMerge for cells in own]
            if len(own) == 1:
                assert merges == [None]
            else:
                assert merges == ["restart"] + ["continue"] * (len(own) - 1)
            assert squash(own[0][column][1]) == squash(rec.reference if column == 0 else rec.text)
        # The action cells are the actions' own, one a row.
        # A recommendation without actions still has one row, its action cell empty.
        expected_actions = [squash(a.text) for a in rec.actions] if rec.actions else [""]
        assert [squash(c[2][1]) for c in own] == expected_actions


def test_word_repeats_a_recommendation_when_the_layout_says_so():
    plan = Plan.objects.get(title=presets.ROTHERHAM)
    spec = appendix.spec_for(plan)
    spec.span_recommendations = False
    doc = appendix.build(plan, spec, AS_AT)
    table = read_docx(doc).tables[0]
    tcs = [tc for tr in table._tbl.tr_lst for tc in tr.tc_lst]
    assert not [tc for tc in tcs if tc.vMerge is not None]
    rec = next(r for s in doc.outline.sections for r in s.recommendations if len(r.actions) > 1)
    assert word_table_text(table).count(squash(rec.text)) == len(rec.actions)


def test_word_completed_actions_are_bold_with_the_plans_word():
    doc = build(presets.ROTHERHAM)
    table = read_docx(doc).tables[0]
    runs = [
        run for row in table.rows for cell in row.cells for p in cell.paragraphs for run in p.runs
    ]
    completes = [r for r in runs if r.text.strip().lower() == "complete"]
    assert completes and all(r.bold for r in completes)
    assert [r for r in runs if r.text == "Nov 12"] and not any(
        r.bold for r in runs if r.text == "Nov 12"
    )
    # Every completed action's row says so in bold in the date column.
    date_cells = [cells[3][0] for _, cells in word_rows(table)[1:] if len(cells) > 1]
    actions = [a for s in doc.outline.sections for r in s.recommendations for a in r.actions]
    for tc, action in zip(date_cells, actions, strict=True):
        bold = [r.text for p in _Cell(tc, table).paragraphs for r in p.runs if r.bold]
        assert (doc.spec.complete_word.lower() in [b.lower() for b in bold]) is (
            action.status == "complete"
        ), action.text


def test_word_who_when_puts_the_owner_in_bold():
    doc = build(presets.MERTON_YJ)
    table = read_docx(doc).tables[0]
    cell = next(
        _Cell(tc, table)
        for _, cells in word_rows(table)
        for tc, text in cells
        if text.startswith("Case managers\nImmediate effect")
    )
    owner, when = cell.paragraphs[:2]
    assert owner.runs[0].bold and not when.runs[0].bold


# Excel.


def sheet_rows(sheet):
    return [[("" if c.value is None else str(c.value)) for c in row] for row in sheet.iter_rows()]


def header_row(sheet):
    return int(sheet.print_title_rows.split(":")[0].lstrip("$"))


def print_titles(sheet):
    return sheet.print_title_rows.replace("$", "")


@pytest.mark.parametrize(("name", "title"), PRESET_PLANS)
def test_excel_each_preset_on_its_seed_plan(name, title):
    doc = build(title)
    book = read_xlsx(doc)
    assert len(book.worksheets) == 1
    sheet = book.active
    assert sheet.title == excel.sheet_name(doc.plan.title) and len(sheet.title) <= 31
    assert sheet.title and doc.plan.title.startswith(sheet.title.rstrip())
    # The title block above the table.
    firsts = [sheet.cell(row=r, column=1).value for r in range(1, 5)]
    assert firsts[0] == str(doc.plan.organisation) and doc.plan.title in firsts
    assert "As at 1 December 2012: latest progress update" in firsts
    # The header row: the seed's headings, bold, frozen, printed on every page.
    head = header_row(sheet)
    cells = list(sheet.iter_rows(min_row=head, max_row=head))[0]
    assert [c.value for c in cells] == preset_headings(name)
    assert all(c.font.b for c in cells)
    assert sheet.freeze_panes == f"A{head + 1}"
    assert print_titles(sheet) == f"{head}:{head}"
    # Every reference, recommendation and action, in order.
    body = sheet_rows(sheet)[head:]
    assert_in_order(expected_texts(doc), squash(" ".join(" ".join(r) for r in body)))
    # Group rows merged across the table, in the plan's order.
    width = len(cells)
    merged = {(m.min_row, m.min_col, m.max_row, m.max_col) for m in sheet.merged_cells.ranges}
    groups = [
        sheet.cell(row=r, column=1).value
        for r in range(head + 1, sheet.max_row + 1)
        if (r, 1, r, width) in merged
    ]
    titled = [s.title for s in doc.outline.sections if s.title]
    assert groups == (titled if doc.spec.group_sections else [])
    # Widths relative as in the layout; wrap text; landscape A4 fitted to the width.
    layout = [w for _, _, w in next(p for p in presets.PRESETS if p["name"] == name)["columns"]]
    widths = [sheet.column_dimensions[c.column_letter].width for c in cells]
    for got, relative in zip(widths, layout, strict=True):
        assert got / sum(widths) == pytest.approx(relative / sum(layout), abs=0.01)
    assert all(c.alignment.wrap_text for c in cells)
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.oddFooter.right.text == "Page &P of &N"
    assert book.properties.title == doc.title and book.properties.language == "en-GB"


def test_excel_spanning_recommendations_are_merged_down():
    doc = build(presets.ROTHERHAM)
    sheet = read_xlsx(doc).active
    head = header_row(sheet)
    merged = {(m.min_row, m.min_col, m.max_row, m.max_col) for m in sheet.merged_cells.ranges}
    rows = [r for r in range(head + 1, sheet.max_row + 1) if (r, 1, r, 6) not in merged]
    recs = [r for s in doc.outline.sections for r in s.recommendations]
    assert len(rows) == sum(len(r.actions) or 1 for r in recs)
    at = 0
    for rec in recs:
        count = len(rec.actions) or 1
        first, last = rows[at], rows[at + count - 1]
        at += count
        for column in (1, 2):
            # Merged down over its actions' rows; a recommendation of one row is not merged.
            assert ((first, column, last, column) in merged) is (count > 1)
            assert squash(str(sheet.cell(row=first, column=column).value)) == squash(
                rec.reference if column == 1 else rec.text
            )
        actions = [squash(str(sheet.cell(row=r, column=3).value)) for r in rows[at - count : at]]
        assert actions == [squash(a.text) for a in rec.actions]


def plain(value):
    return "" if value is None else str(value)


def bold_words(cell):
    """The bold text of a cell: all of it when the cell is bold, else its bold runs."""
    if isinstance(cell.value, CellRichText):
        return [b.text.strip() for b in cell.value if not isinstance(b, str) and b.font.b]
    return [plain(cell.value)] if cell.font.b else []


def test_excel_completed_actions_are_bold_with_the_plans_word():
    doc = build(presets.ROTHERHAM)
    sheet = read_xlsx(doc).active
    head = header_row(sheet)
    merged = {(m.min_row, m.max_row) for m in sheet.merged_cells.ranges if m.max_col == 6}
    rows = [r for r in range(head + 1, sheet.max_row + 1) if (r, r) not in merged]
    actions = [a for s in doc.outline.sections for r in s.recommendations for a in r.actions]
    whole, dates = 0, []
    for number, action in zip(rows, actions, strict=True):
        cell = sheet.cell(row=number, column=4)
        shown = [w.lower() for w in bold_words(cell)]
        assert (doc.spec.complete_word.lower() in shown) is (action.status == "complete")
        whole += plain(cell.value).lower() == "complete" and bool(cell.font.b)
        dates += [bool(cell.font.b)] if plain(cell.value) == "Nov 12" else []
    assert whole  # "complete" alone in its cell: the whole cell bold
    assert dates == [False] * 14  # Rotherham's 14 dates "Nov 12" alone in a cell: not bold


def test_excel_who_when_is_rich_text_with_the_owner_in_bold():
    sheet = read_xlsx(build(presets.MERTON_YJ)).active
    cell = next(
        c
        for row in sheet.iter_rows()
        for c in row
        if plain(c.value).startswith("Case managers\nImmediate effect")
    )
    assert isinstance(cell.value, CellRichText)
    assert bold_words(cell) == ["Case managers"]


# Both formats.


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_as_at_before_an_update_leaves_it_out(fmt):
    progress = squash("Weekly screening clinic at start of order")

    def text(as_at):
        doc = build(presets.MERTON_YJ, as_at=as_at)
        if fmt == "docx":
            return word_table_text(read_docx(doc).tables[0])
        return squash(" ".join(" ".join(r) for r in sheet_rows(read_xlsx(doc).active)))

    assert progress not in text(dt.date(2011, 10, 31))
    assert progress in text(dt.date(2011, 11, 30))


def test_rag_colours_match_the_print_css():
    from django.template.loader import get_template

    css = get_template("reporting/appendix.css").template.source
    for rag, (background, colour) in office.RAG_COLOURS.items():
        rule = re.search(rf"\.rag--{rag} \{{ background: #(\w+); color: #(\w+); \}}", css)
        expand = lambda h: "".join(c * 2 for c in h) if len(h) == 3 else h  # noqa: E731
        assert rule and (expand(rule[1]), expand(rule[2])) == (background, colour), rag


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Merton Youth Justice Core Case Inspection (HMIP)", "Merton Youth Justice Core Case"),
        ("A/B: [draft]? *plan* \\ 2012", "AB draft plan 2012"),
        ("'Quoted plan'", "Quoted plan"),
        ("history", "Appendix"),
        ("[]:*?/\\", "Appendix"),
        ("Plan\x0bwith a control character", "Planwith a control character"),
    ],
)
def test_sheet_names_keep_excels_rules(title, name):
    assert excel.sheet_name(title) == name


# The command.


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_command_writes_word_and_excel(tmp_path, fmt):
    out = tmp_path / f"a.{fmt}"
    call_command(
        "render_appendix",
        "Improvement Panel",
        "--as-at",
        "2012-12-01",
        "--format",
        fmt,
        "-o",
        str(out),
    )
    headings = preset_headings("Rotherham action delivery plan")
    if fmt == "docx":
        table = docx.Document(out).tables[0]
        assert [c.text for c in table.rows[0].cells] == headings
    else:
        sheet = openpyxl.load_workbook(out).active
        head = header_row(sheet)
        assert [c.value for c in next(sheet.iter_rows(min_row=head, max_row=head))] == headings


def test_command_refuses_an_unknown_format(tmp_path):
    out = tmp_path / "a.odt"
    with pytest.raises(CommandError, match="invalid choice: 'odt'"):
        call_command("render_appendix", "Improvement Panel", "--format", "odt", "-o", str(out))
    assert not out.exists()

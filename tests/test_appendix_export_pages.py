"""Word and Excel downloads of the committee appendix: who may have them, hostile parameters,
and text a spreadsheet would run as a formula, read back with python-docx and openpyxl."""

import datetime as dt
import io
import zipfile

import docx
import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn
from docx.table import _Cell

from reporting import appendix, excel, office, word
from reporting.models import Layout, LayoutColumn

from .factories import ActionFactory, ProgressUpdateFactory
from .test_appendix import squash
from .test_appendix_exports import plain, word_rows, word_table_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def hostile(world):
    """Texts that a spreadsheet would run as formulas, and control characters from a paste."""
    texts = [
        '=HYPERLINK("http://example.com/x","click")',
        "+SUM(1,2)",
        "-2+3",
        "@cmd|' /C calc'!A0",
    ]
    for text in texts:
        ActionFactory(
            recommendation=world.rec, reference="", text=text, owners=[world.officer_owner]
        )
    ProgressUpdateFactory(action=world.via_team, text="=1+1", written_on=dt.date(2012, 10, 20))
    world.rec.text = "-Recommendation\x0b that starts with a minus"
    world.rec.save()
    layout = Layout.objects.create(name="Hostile", running_heading="Board & panel")
    for i, (heading, key) in enumerate(
        [
            ("=Ref", "reference"),
            ("Recommendation", "recommendation_text"),
            ("Action", "action"),
            ("Progress", "progress"),
            ("RAG", "rag"),
        ]
    ):
        LayoutColumn.objects.create(layout=layout, order=i, heading=heading, field=key)
    return [*texts, "=1+1", "=Ref", "-Recommendation that starts with a minus"], layout


def download(client, world, fmt, **params):
    names = {
        "pdf": "appendix_download",
        "docx": "appendix_download_docx",
        "xlsx": "appendix_download_xlsx",
    }
    data = {"as_at": TODAY.isoformat(), "updates": "latest", **params}
    return client.get(reverse(names[fmt], args=[world.plan.pk]), data)


def test_formula_text_is_stored_as_a_string_in_excel(client, world, hostile):
    texts, layout = hostile
    client.force_login(world.clerk)
    response = download(client, world, "xlsx", layout=layout.pk)
    assert response["Content-Type"] == excel.CONTENT_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    by_value = {c.value: c for row in sheet.iter_rows() for c in row if c.value}
    for text in texts:
        cell = by_value[text]  # exactly as written, less the control character
        assert cell.data_type == "s", text
        assert cell.quotePrefix, text
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    assert sheet.oddHeader.left.text == "Board && panel"  # "&" is a code in Excel's headers


def test_formula_and_control_text_in_word(client, world, hostile):
    texts, layout = hostile
    client.force_login(world.clerk)
    response = download(client, world, "docx", layout=layout.pk)
    assert response["Content-Type"] == word.CONTENT_TYPE
    document = docx.Document(io.BytesIO(response.content))
    table = word_table_text(document.tables[0])
    for text in texts:
        assert squash(text) in table
    # Only the footer's page numbers are fields: the text is never made one.
    assert not list(document.element.body.iter(qn("w:instrText")))
    assert not list(document.element.body.iter(qn("w:fldSimple")))


def test_rag_is_its_word_in_its_colour(client, world, hostile):
    _, layout = hostile
    client.force_login(world.clerk)
    red, white = office.RAG_COLOURS["red"]
    document = docx.Document(io.BytesIO(download(client, world, "docx", layout=layout.pk).content))
    table = document.tables[0]
    rag_cells = [cells[4] for _, cells in word_rows(table)[1:] if len(cells) == 5]
    assert rag_cells and all(text == "Red: overdue" for _, text in rag_cells)
    for tc, _ in rag_cells:
        assert tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == red.upper()
    sheet = openpyxl.load_workbook(
        io.BytesIO(download(client, world, "xlsx", layout=layout.pk).content)
    ).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "Red: overdue"]
    assert cells and all(c.fill.fgColor.rgb.lower().endswith(red) for c in cells)
    assert all(c.font.color.rgb.lower().endswith(white) for c in cells)


@pytest.mark.parametrize("updates", ["latest", "all"])  # a plain cell; rich text (dated, bold)
def test_huge_text_fits_excels_cell_limit_and_is_whole_in_word(client, world, updates):
    ProgressUpdateFactory(action=world.own, text="x" * 40_000, written_on=dt.date(2012, 10, 19))
    client.force_login(world.clerk)
    response = download(client, world, "xlsx", updates=updates)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    longest = max((c for row in sheet.iter_rows() for c in row), key=lambda c: len(plain(c.value)))
    assert len(str(longest.value)) == excel.MAX_CELL_CHARS
    assert str(longest.value).endswith("the whole text is in the PDF and Word versions)")
    document = docx.Document(io.BytesIO(download(client, world, "docx", updates=updates).content))
    assert "x" * 40_000 in word_table_text(document.tables[0])


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_download_names_and_types(client, world, fmt):
    client.force_login(world.clerk)
    response = download(client, world, fmt)
    assert response.status_code == 200
    assert response["Content-Type"] == {"docx": word.CONTENT_TYPE, "xlsx": excel.CONTENT_TYPE}[fmt]
    assert response["Content-Disposition"] == (
        f'attachment; filename="Child-protection-improvement-plan-as-at-{TODAY:%Y-%m-%d}.{fmt}"'
    )
    assert response.content.startswith(b"PK")  # an Office Open XML package


def test_the_prepare_page_offers_each_format_of_the_same_appendix(client, world):
    client.force_login(world.clerk)
    params = {"as_at": TODAY.isoformat(), "updates": "since", "since": "2012-10-01"}
    page = client.get(reverse("appendix_prepare", args=[world.plan.pk]), params)
    body = page.content.decode()
    query = page.wsgi_request.GET.urlencode().replace("&", "&amp;")
    for name, label in [
        ("appendix_download", "Download the PDF"),
        ("appendix_download_docx", "Download the Word (.docx)"),
        ("appendix_download_xlsx", "Download the Excel (.xlsx)"),
    ]:
        assert f'href="{reverse(name, args=[world.plan.pk])}?{query}"' in body
        assert label in body


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clerk", 200),
        ("manager", 200),
        ("admin", 200),
        ("other_manager", 403),
        ("officer", 403),
        ("partner", 403),
    ],
)
def test_who_may_download(client, world, fmt, who, status):
    client.force_login(getattr(world, who))
    assert download(client, world, fmt).status_code == status


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_downloads_of_plans_out_of_reach(client, world, fmt):
    url = reverse(f"appendix_download_{fmt}", args=[world.plan.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(world.partner)
    assert (
        client.get(reverse(f"appendix_download_{fmt}", args=[world.other_plan.pk])).status_code
        == 404
    )
    client.force_login(world.clerk)
    assert client.get(reverse(f"appendix_download_{fmt}", args=[999999])).status_code == 404


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"as_at": "31/02/2012"}, "Enter a real date"),
        ({"as_at": "01/01/2999"}, ""),
        ({"as_at": "x" * 5000}, ""),
        ({"layout": "<script>alert(1)</script>"}, "Choose one of the layouts listed."),
        ({"layout": "999999"}, "Choose one of the layouts listed."),
        ({"updates": "everything"}, "Select a valid choice"),
        ({"updates": "since", "since": ""}, "Enter the date to show updates since."),
        ({"as_at": "01/01/2001"}, "had not been recorded yet"),
    ],
)
def test_hostile_download_parameters(client, world, fmt, changes, message):
    client.force_login(world.clerk)
    response = download(client, world, fmt, **changes)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    body = response.content.decode()
    assert "There is a problem" in body and message in body
    assert "<script>alert(1)</script>" not in body


def test_italic_supporting_leads_stay_italic(world):
    """A lead in bold and a supporting owner in italics on its own line, as Rotherham writes."""
    from openpyxl.cell.rich_text import CellRichText

    from reporting.fields import Para

    doc = appendix.build(world.plan, appendix.spec_for(world.plan), TODAY)
    row = next(r for r in doc.rows if not r.group)
    row.cells[-1].paras = [Para("Warren Carratt", bold=True), Para("Jason Harwin", italic=True)]
    table = docx.Document(io.BytesIO(word.write_docx(doc))).tables[0]
    tc = next(tc for _, cells in word_rows(table) for tc, text in cells if "Jason" in text)
    runs = {r.text: r for p in _Cell(tc, table).paragraphs for r in p.runs}
    assert runs["Warren Carratt"].bold and not runs["Warren Carratt"].italic
    assert runs["Jason Harwin"].italic and not runs["Jason Harwin"].bold
    book = openpyxl.load_workbook(io.BytesIO(excel.write_xlsx(doc)), rich_text=True)
    cell = next(c for r in book.active.iter_rows() for c in r if "Jason Harwin" in plain(c.value))
    assert isinstance(cell.value, CellRichText)
    fonts = {b.text.strip(): b.font for b in cell.value}
    assert fonts["Warren Carratt"].b and not fonts["Warren Carratt"].i
    assert fonts["Jason Harwin"].i and not fonts["Jason Harwin"].b

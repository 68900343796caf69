"""A large appendix rendered in parts at once and joined: the same document, its tags kept."""

import io

import pikepdf
import pypdf
import pytest

from actionplans.models import Plan
from reporting import appendix, parts, presets, printing
from reporting.appendix import Row

from .test_appendix import AS_AT, PRESET_PLANS, assert_reads_as_the_seed, squash

pytestmark = pytest.mark.django_db


def in_parts(title, count=2):
    plan = Plan.objects.get(title=title)
    doc = appendix.build(plan, appendix.spec_for(plan), AS_AT)
    return doc, parts.write_pdf(doc, parts=count, min_rows=0)


def structure(pdf):
    """The structure tree read back: (elements by tag, problems found walking it)."""
    whole = pikepdf.open(io.BytesIO(pdf))
    pages = {page.obj.objgen for page in whole.pages}
    tags, problems, seen = [], [], set()

    def walk(element, parent):
        if not isinstance(element, pikepdf.Dictionary) or element.get("/Type") in ("/MCR", "/OBJR"):
            return  # marked content or an object reference, not an element
        seen.add(element.objgen)
        tags.append(str(element.get("/S")))
        if "/Pg" in element and element.Pg.objgen not in pages:
            problems.append(f"{element.S} marks content on a page not in the document")
        if element.P.objgen != parent.objgen:
            problems.append(f"{element.S} names the wrong parent")
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid, element)

    root = whole.Root.StructTreeRoot
    for top in root.K:
        walk(top, root)
    keys = [int(page.obj.StructParents) for page in whole.pages]
    nums = list(root.ParentTree.Nums)
    if keys != sorted(set(keys)) or set(keys) - {int(k) for k in nums[0::2]}:
        problems.append(f"pages' parent-tree keys {keys} do not match the tree's {nums[0::2]}")
    for key, marked in zip(nums[0::2], nums[1::2], strict=True):
        # Each page's marked table content belongs to an element in the tree (WeasyPrint leaves
        # the running heading and footer out of the tree, in a whole render as in parts).
        for element in marked:
            if str(element.get("/S")) != "/Span" and element.objgen not in seen:
                problems.append(f"page key {key}: {element.S} is not in the tree")
    if int(root.get("/ParentTreeNextKey", max(keys) + 1)) <= max(keys):
        problems.append("ParentTreeNextKey would reuse a page's key")
    return tags, problems


@pytest.mark.parametrize(("name", "title"), PRESET_PLANS)
def test_a_preset_rendered_in_parts_reads_as_the_whole(demo_plans, name, title):
    doc, pdf = in_parts(title)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # Order, headings on every page, and "Page N of M" running on across the join.
    pages = assert_reads_as_the_seed(doc, reader, name)
    # The title block once, at the start; the caption once.
    assert squash(" ".join(pages)).count(squash(doc.caption)) <= 1
    # Tagged as a whole render is: title, language, one Document with every part's tables in it.
    assert reader.metadata.title == doc.title
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    tags, problems = structure(pdf)
    assert problems == []
    assert tags.count("/Document") == 1
    # WeasyPrint tags the table on each page as a table of its own, whole or in parts (a page
    # the text before the table fills has none).
    headings = squash(doc.columns[0].heading)
    assert tags.count("/Table") == sum(headings in squash(p) for p in pages)
    assert {"/TH", "/TD", "/TR"} <= set(tags)


def test_contd_is_settled_within_each_part(demo_plans):
    _, pdf = in_parts(presets.MERTON_YJ)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "(contd.)" in text


def test_a_whole_render_is_tagged_consistently_too(demo_plans):
    plan = Plan.objects.get(title=presets.ROTHERHAM)
    doc = appendix.build(plan, appendix.spec_for(plan), AS_AT)
    assert structure(printing.write_pdf(doc))[1] == []


def test_a_small_appendix_is_rendered_whole(demo_plans, monkeypatch):
    monkeypatch.setattr(parts, "_render_parts", lambda *a: pytest.fail("split a small document"))
    plan = Plan.objects.get(title=presets.ROTHERHAM)
    doc = appendix.build(plan, appendix.spec_for(plan), AS_AT)
    assert parts.write_pdf(doc, parts=2).startswith(b"%PDF")  # 50 rows: under MIN_ROWS


def test_a_part_that_fails_fails_the_render(demo_plans, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("layout went wrong")

    monkeypatch.setattr(printing, "layout_pdf", broken)  # the forked processes inherit it
    plan = Plan.objects.get(title=presets.ROTHERHAM)
    doc = appendix.build(plan, appendix.spec_for(plan), AS_AT)
    with pytest.raises(RuntimeError, match="layout went wrong"):
        parts.write_pdf(doc, parts=2, min_rows=0)


def rows(*shape):
    """Rows from a shape: "g" a group row, "r" a recommendation's first row, "a" a later one."""
    made = []
    for i, kind in enumerate(shape):
        made.append(
            Row(
                key=f"k{i}",
                group="Section" if kind == "g" else "",
                first_of_recommendation=kind == "r",
            )
        )
    return made


def test_split_cuts_only_between_recommendations_and_keeps_group_rows_with_what_follows():
    shape = ["g", "r", "a", "a", "r", "a", "g", "r", "a", "r", "a", "a"]
    pieces = parts.split(rows(*shape), 3)
    assert len(pieces) == 3
    order = [f"k{i}" for i in range(len(shape))]
    at = 0
    for piece in pieces:
        keys = [k for k in order if k in piece]
        assert keys == order[at : at + len(keys)]  # contiguous, in order
        first = shape[at]
        assert first in ("g", "r") and (at == 0 or shape[at - 1] != "g")
        at += len(keys)
    assert at == len(shape)


def test_split_never_makes_more_parts_than_recommendations():
    assert len(parts.split(rows("r", "a", "a"), 4)) == 1
    assert len(parts.split(rows("r", "a", "r", "a"), 4)) == 2


def test_processes_follow_the_setting_up_to_the_cores(settings):
    settings.APPENDIX_RENDER_PROCESSES = 1
    assert parts.processes() == 1
    settings.APPENDIX_RENDER_PROCESSES = 10_000
    assert 1 <= parts.processes() <= 10_000

"""A large appendix rendered in parts at once, one process a part, joined into one tagged PDF.

WeasyPrint lays a table out on one core; a large plan's appendix is split so that each core lays
out a part:

- The rows are split at recommendation boundaries (a section's group row goes with what follows),
  into parts of about equal text, so no recommendation crosses a join and "(contd.)" is settled
  within each part exactly as in a whole render. Each part after the first opens a new page with
  the header row and without the title block.
- Each part is laid out in a process forked from this one, which has WeasyPrint imported already,
  with the garbage collector off (see renders._write).
- Page numbers run on across the joins: a part reports how many pages it has, is told its first
  page number and the total, and only then are its margin boxes made, with them
  (``speedups.number_pages``): WeasyPrint makes them after the whole document is paginated, so
  this costs no new layout.
- The parts are joined with pikepdf keeping their tags: each part's structure elements go under
  the first part's Document element, in order, and its pages' keys into the structure's parent
  tree are moved past those before it. (Joining the files alone would drop the tags.)
"""

import functools
import gc
import io
import multiprocessing
import os
import traceback
from dataclasses import replace

from django.conf import settings

from . import printing, speedups

# Below this many rows one process is quicker than forking, splitting and joining.
MIN_ROWS = 150


def processes():
    """How many parts a large appendix is split into: the setting, at most the cores here."""
    wanted = getattr(settings, "APPENDIX_RENDER_PROCESSES", None) or os.cpu_count() or 1
    return max(1, min(int(wanted), os.cpu_count() or 1))


def write_pdf(doc, target=None, *, parts=None, min_rows=MIN_ROWS):
    """The appendix as tagged PDF bytes (or written to ``target``), in parts when it is large."""
    parts = processes() if parts is None else parts
    pieces = split(doc.rows, parts) if len(doc.rows) >= min_rows else []
    if len(pieces) < 2:
        return printing.write_pdf(doc, target)
    pdf = join(_render_parts(doc, pieces))
    if target is None:
        return pdf
    if hasattr(target, "write"):
        target.write(pdf)
    else:
        with open(target, "wb") as out:
            out.write(pdf)
    return None


def _weight(row):
    """A row's share of the layout work: its lines, roughly (its text over a column's width)."""
    return 1 + sum(len(p.text) for cell in row.cells for p in cell.paras) // 60


def split(rows, parts):
    """The rows' keys in up to ``parts`` runs of about equal weight, each starting at a
    recommendation's first row or a group row (never right after a group row)."""
    starts = [
        i
        for i, row in enumerate(rows)
        if i > 0 and (row.group or row.first_of_recommendation) and not rows[i - 1].group
    ]
    weights = [_weight(r) for r in rows]
    total = sum(weights)
    before, running = [], 0
    for w in weights:
        before.append(running)
        running += w
    cuts = []
    for k in range(1, parts):
        aim = total * k / parts
        candidates = [i for i in starts if not cuts or i > cuts[-1]]
        if not candidates:
            break
        cuts.append(min(candidates, key=lambda i: abs(before[i] - aim)))
    bounds = [0, *sorted(set(cuts)), len(rows)]
    runs = zip(bounds, bounds[1:], strict=False)
    return [frozenset(r.key for r in rows[lo:hi]) for lo, hi in runs if hi > lo]


def _render_parts(doc, pieces):
    """Each part's PDF bytes, in order, laid out in forked processes at once."""
    context = multiprocessing.get_context("fork")
    links, children = [], []
    try:
        for index, keys in enumerate(pieces):
            ours, theirs = context.Pipe()
            child = context.Process(target=_part, args=(doc, keys, index, theirs), daemon=True)
            child.start()
            theirs.close()
            links.append(ours)
            children.append(child)
        counts = [_receive(link) for link in links]
        first = 1
        for link, count in zip(links, counts, strict=True):
            link.send((first, sum(counts)))
            first += count
        return [_receive(link) for link in links]
    finally:
        for link in links:
            link.close()
        for child in children:
            child.join(timeout=5)
            if child.is_alive():
                child.kill()


def _receive(link):
    try:
        kind, value = link.recv()
    except EOFError:
        raise RuntimeError("A process rendering part of the appendix stopped.") from None
    if kind == "error":
        raise RuntimeError(f"Rendering part of the appendix failed:\n{value}")
    return value


def _part(doc, keys, index, link):
    """In the child: lay the part out, say how many pages, number them as told, send the PDF."""
    try:
        gc.disable()
        part = replace(doc, continuation=index > 0)
        laid_out, _, _ = printing.layout_pdf(part, keys, numbered=False)
        link.send(("pages", len(laid_out.pages)))
        first, total = link.recv()
        speedups.number_pages(laid_out, laid_out.layout_context, first, total)
        link.send(("pdf", laid_out.write_pdf(pdf_tags=True)))
    except Exception:  # noqa: BLE001 - the parent reports it
        link.send(("error", traceback.format_exc()))
    finally:
        link.close()


def join(pdfs):
    """One tagged PDF from parts rendered apart: pages in order, structure trees joined."""
    import pikepdf
    from pikepdf import Array, Dictionary

    whole = pikepdf.open(io.BytesIO(pdfs[0]))
    root = whole.Root.StructTreeRoot
    document = root.K[0]
    nums = list(root.ParentTree.Nums)
    next_key = max(int(k) for k in nums[0::2]) + 1
    for data in pdfs[1:]:
        part = pikepdf.open(io.BytesIO(data))
        offset = next_key
        for page in part.pages:
            whole.pages.append(page)
            copied = whole.pages[-1].obj
            if "/StructParents" in copied:
                copied.StructParents = int(copied.StructParents) + offset
            for annotation in copied.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        # Cut the part's Document element from its own root before copying, or the copy would
        # bring that root and its parent tree along; its /Pg entries resolve to the pages above.
        part_document = part.Root.StructTreeRoot.K[0]
        del part_document["/P"]
        for element in whole.copy_foreign(part_document).K:
            element.P = document
            document.K.append(element)
        part_nums = list(part.Root.StructTreeRoot.ParentTree.Nums)
        for key, value in zip(part_nums[0::2], part_nums[1::2], strict=True):
            if value.is_indirect:
                value = whole.copy_foreign(value)
            else:
                value = Array([whole.copy_foreign(v) if v.is_indirect else v for v in value])
            nums += [int(key) + offset, value]
        next_key = offset + max(int(k) for k in part_nums[0::2]) + 1
    root.ParentTree = whole.make_indirect(Dictionary(Nums=Array(nums)))
    root.ParentTreeNextKey = next_key
    out = io.BytesIO()
    whole.save(out)
    return out.getvalue()


@functools.cache
def prepare():
    """Import WeasyPrint and load its fonts once in this process, so no render's child does."""
    from weasyprint import HTML

    HTML(string="<p>.</p>").render()

"""Every cell of the seed once, and in its place: each preset's appendix against its seed, cell by
cell, in the PDF, the Word and the Excel versions.

    .venv/bin/python -m bench.fidelity [--seeds ../shared/seeds] [-v]

prints, for each preset, how many cells differ in each format (the goal is 0), and, where the
seed documents are at hand, how many of the seed's own cells the transcription misses.

What is compared with what:

- **The expected cells** come from the transcription (``fixtures/plans/*.yaml``), read here
  directly, not through the importer, the snapshots or ``reporting.fields``: for each column of
  the preset, each recommendation's and each action's text as the seed prints it in that column,
  in reading order. A cell the seed prints once across a recommendation's rows is one cell; the
  text the seed prints before its table (the plan's introduction) is a cell of its own.
- **The rendered cells** are read back from each document: the PDF's table by pdfplumber (cells
  by the ruled lines the table is drawn with, so each word is in its column; a cell spanning rows
  once), Word's table by python-docx (a vertically merged cell once), Excel's sheet by openpyxl
  (a merged range once). The repetition of a recommendation on a page it continues onto
  ("(contd.)") is the document's own and not counted.
- A column's expected and rendered cells are aligned in order; an expected cell is found when a
  rendered cell holds its words, in order, whatever the line breaks. A cell is **differing** when
  it is missing, printed again, or printed with other words (counted once).
- **The seed check** (when ``--seeds`` is a folder holding the seed documents): the seed's table
  rows are read from its text, and each of its cells must be found, in order, in the
  transcription's column; a cell split by the seed's page breaks is two cells there, each found.

The words are compared without spaces (a line may wrap anywhere in a cell) and without the
transcription's marks (``**bold**``, ``*italic*``).
"""

import argparse
import html
import io
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "plans"
SEEDS = ROOT.parent / "shared" / "seeds"
AS_AT = "2012-12-01"
PREAMBLE = -1  # the "column" of the text before the table


@dataclass(frozen=True)
class Appendix:
    """A preset, the transcription of its plan, and where its table is in the seed."""

    preset: str
    fixture: str
    plan_key: str
    seed: str
    # The seed's lines from the first that starts with ``seed_from`` up to the first after it
    # that starts with ``seed_to`` (or the end).
    seed_from: str
    seed_to: str = ""
    # Merton's Appendix A writes its section titles in bold in the table's first cell.
    sections_in_first_cell: bool = False
    # What the seed prints before its table besides its title and running heading (Rotherham's
    # lines there are its title block).
    preamble_in_seed: bool = True


APPENDICES = [
    Appendix(
        "Merton Appendix A",
        "merton_access_assessment_2011.yaml",
        "merton-aa-2011",
        "000_f9d301cf9aa25275.txt",
        "## Appendix A",
        "### Merton Youth Justice",
        sections_in_first_cell=True,
    ),
    Appendix(
        "Merton Appendix B",
        "merton_youth_justice_2011.yaml",
        "merton-yjs-hmip-2011",
        "000_f9d301cf9aa25275.txt",
        "### Merton Youth Justice",
    ),
    Appendix(
        "Rotherham action delivery plan",
        "rotherham_improvement_panel_2012.yaml",
        "rotherham-improvement-panel-2012",
        "003_97cc3b5def30fa90.txt",
        "**ROTHERHAM",
        preamble_in_seed=False,
    ),
]


@dataclass(frozen=True)
class Cell:
    column: int
    text: str


@dataclass(frozen=True)
class Difference:
    column: int
    kind: str  # missing | extra | changed
    expected: str = ""
    found: str = ""

    def __str__(self):
        where = "before the table" if self.column == PREAMBLE else f"column {self.column + 1}"
        if self.kind == "changed":
            return f"{where}: {self.expected[:70]!r} printed as {self.found[:70]!r}"
        if self.kind == "missing":
            return f"{where}: {self.expected[:70]!r} not printed"
        return f"{where}: {self.found[:70]!r} printed where the seed has nothing"


MARK = re.compile(r"\*+")


def squash(text):
    """The text without spaces (and zero-width spaces) or transcription marks."""
    return re.sub(r"[\s\u200b\u00ad]+", "", MARK.sub("", text or ""))


# The transcription: the cells each preset prints, read from the YAML.


def plan_of(appendix):
    data = yaml.safe_load((FIXTURES / appendix.fixture).read_text(encoding="utf-8"))
    return next(p for p in data["plans"] if p["key"] == appendix.plan_key)


def _texts(entries, as_at=AS_AT):
    """The progress a latest-update appendix shows: the last entry written by the as-at date."""
    shown = [e for e in entries or [] if str(e["date"]) <= as_at]
    if not shown:
        return ""
    last = shown[-1]
    return " ".join(t for t in (last.get("period_label") or "", last["text"]) if t)


def _once(actions, key):
    """A cell the seed prints once over all of a recommendation's actions (the same for each of
    several actions, in a layout that prints such a cell once), else one per action."""
    values = [str(a.get(key) or "") for a in actions]
    if len(values) > 1 and len(set(values)) == 1:
        return values[:1]
    return values


def _numbered(rec):
    """Merton writes the recommendation's number into its cell ("1. Although ...")."""
    reference, text = str(rec.get("reference") or ""), rec["text"]
    if reference and not text.startswith(reference):
        return f"{reference}{'.' if reference.isdigit() else ''} {text}"
    return text


def _measures(rec, key, as_written):
    if rec.get(as_written):
        return rec[as_written]
    return " ".join(m.get(key) or "" for m in rec.get("measures") or [])


def expected_cells(appendix, as_written=False):
    """The cells of the appendix's table as the transcription has them, in reading order, and the
    text before the table (``PREAMBLE``), one cell a line (a bullet's "- " left out).
    ``as_written``: the owners only as the plan wrote them, not the names an appendix prints for
    an action whose owners the plan did not write."""
    plan = plan_of(appendix)
    lines = (plan.get("introduction") or "").splitlines()
    cells = [Cell(PREAMBLE, re.sub(r"^- ", "", line.strip())) for line in lines if line.strip()]
    row = ROWS[appendix.preset]
    for section in plan["sections"]:
        if section.get("title"):
            cells.append(Cell(0, section["title"]))
        for rec in section["recommendations"]:
            cells.extend(row(rec, as_written))
    return cells


def _merton_a(rec, as_written):
    actions = rec.get("actions") or []
    yield Cell(0, _numbered(rec))
    for column, key in ((1, "text"), (2, "owners_as_written")):
        yield from (Cell(column, str(a.get(key) or "")) for a in actions)
    for column, key in ((3, "planned_completion"), (4, "performance_indicator"), (5, "target")):
        yield from (Cell(column, value) for value in _once(actions, key))
    if rec.get("progress"):
        yield Cell(6, _texts(rec["progress"]))  # written against the whole row
    yield from (Cell(6, _texts(a.get("progress"))) for a in actions)


def _merton_b(rec, as_written):
    actions = rec.get("actions") or []
    yield Cell(0, _numbered(rec))
    for action in actions:
        yield Cell(1, action["text"])
        who = action.get("owners_as_written") or ""
        if not who and not as_written:  # printed with its owners' names
            who = ", ".join(action.get("owners") or [])
        when = action.get("planned_completion") or ""
        whos, whens = _paragraphs(who), _paragraphs(when)
        if len(whos) > 1 and len(whos) == len(whens):  # each owner with its own time scale
            yield Cell(2, " ".join(f"{w} {t}" for w, t in zip(whos, whens, strict=True)))
        else:
            yield Cell(2, f"{who} {when}")
    yield Cell(3, _measures(rec, "baseline", "benchmark_as_written"))
    yield Cell(4, _measures(rec, "target", "target_as_written"))
    yield Cell(5, _texts(rec.get("progress")))


def _paragraphs(text):
    return [p for p in re.split(r"\n{2,}", text) if p.strip()]


def _rotherham(rec, as_written):
    actions = rec.get("actions") or []
    yield Cell(0, str(rec.get("reference") or ""))
    yield Cell(1, rec["text"])
    for action in actions:
        yield Cell(2, action["text"])
        when = str(action.get("planned_completion") or "")
        if action.get("status") == "complete" and when.lower() != "complete":
            when = f"{when} complete"  # the plan's word for it, beside a date
        yield Cell(3, when)
        yield Cell(4, action.get("owners_as_written") or " ".join(action.get("owners") or []))
        yield Cell(5, _texts(action.get("progress")))


ROWS = {
    "Merton Appendix A": _merton_a,
    "Merton Appendix B": _merton_b,
    "Rotherham action delivery plan": _rotherham,
}


# The seed: its table rows as cells, read from the seed document's text.

_SUP = re.compile(r"\s*<sup>(.*?)</sup>", re.S)
_PARA = re.compile(r"</?p[^>]*>")
_TAG = re.compile(r"<[^>]+>")


def _seed_text(cell):
    return html.unescape(_TAG.sub(" ", _PARA.sub(" ", _SUP.sub(r"\1", cell)))).strip()


def _seed_lines(appendix, seeds):
    path = Path(seeds) / appendix.seed
    if not path.exists():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(appendix.seed_from))
    end = next(
        (
            i
            for i, line in enumerate(lines[start + 1 :], start + 1)
            if appendix.seed_to and line.startswith(appendix.seed_to)
        ),
        len(lines),
    )
    return lines[start:end]


def seed_preamble(appendix, seeds=SEEDS):
    """The paragraphs the seed prints before its table, less its title and running heading (a
    Markdown heading, bullet or bold mark is not a word); None when the seed is not at hand."""
    lines = _seed_lines(appendix, seeds)
    if lines is None:
        return None
    if not appendix.preamble_in_seed:
        return []
    from reporting.presets import PRESETS  # plain data

    heading = next(p for p in PRESETS if p["name"] == appendix.preset)["running_heading"]
    not_words = {squash(plan_of(appendix)["title"]).lower(), squash(heading).lower()}
    paragraphs = []
    for line in lines:
        if "\t" in line:
            break  # the table
        text = _seed_text(re.sub(r"^\s*(#+|-)\s+", "", line))
        if squash(text) and squash(text).lower() not in not_words:
            paragraphs.append(text)
    return paragraphs


def seed_rows(appendix, seeds=SEEDS):
    """The seed's table rows (lists of cell markup) for the appendix, headings and rules left
    out; None when the seed is not at hand."""
    lines = _seed_lines(appendix, seeds)
    if lines is None:
        return None
    rows = []
    for line in lines:
        if "\t" not in line:
            continue
        cells = line.split("\t")
        texts = [_seed_text(c) for c in cells]
        if all(re.fullmatch(r"-*", t) for t in texts):
            continue  # a Markdown rule under a header row
        if texts[0] in ("Recommendation", "Ref No"):
            continue  # the header row, repeated on each page
        rows.append(cells)
    return rows


def seed_cells(appendix, columns, seeds=SEEDS):
    """The seed's cells by column, in reading order (a section title in the first column)."""
    rows = seed_rows(appendix, seeds)
    if rows is None:
        return None
    cells = []
    for row in rows:
        if len(row) == columns + 1:  # a section title in a column of its own
            cells.append(Cell(0, _seed_text(row[0])))
            row = row[1:]
        first = row[0]
        if appendix.sections_in_first_cell:
            title = re.match(r"\s*<p><b>(.*?)</b></p>\s*(?=<p>)", first)
            if title:
                cells.append(Cell(0, _seed_text(title.group(1))))
                first = first[title.end() :]
        texts = [_seed_text(first), *(_seed_text(c) for c in row[1:])]
        if texts[0] and not any(texts[1:]):
            cells.append(Cell(0, texts[0]))  # a section's band ("Immediate")
            continue
        cells.extend(Cell(i, t) for i, t in enumerate(texts) if t)
    return cells


def columns_of(appendix):
    from reporting.presets import PRESETS  # plain data

    return len(next(p for p in PRESETS if p["name"] == appendix.preset)["columns"])


def seed_differences(appendix, seeds=SEEDS):
    """Seed cells the transcription does not have, in order, in the same column; None when the
    seed is not at hand."""
    columns = columns_of(appendix)
    seed = seed_cells(appendix, columns, seeds)
    if seed is None:
        return None
    expected = expected_cells(appendix, as_written=True)
    differences = []
    for column in range(columns):
        stream = "".join(squash(c.text) for c in expected if c.column == column)
        at = 0
        for cell in (c for c in seed if c.column == column):
            found = stream.find(squash(cell.text), at)
            if found < 0:
                differences.append(Difference(column, "missing", cell.text))
            else:
                at = found + len(squash(cell.text))
    introduction = [Cell(PREAMBLE, p) for p in seed_preamble(appendix, seeds)]
    before = "".join(c.text for c in expected if c.column == PREAMBLE)
    differences.extend(_before(introduction, before))
    return differences


# The documents read back.


def pdf_cells(pdf, headings):
    """The PDF's table cells in reading order and the text before the table (pdfplumber)."""
    import pdfplumber

    cells, before = [], []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        in_table = False
        for page in document.pages:
            tables = page.find_tables()
            table = next((t for t in tables if _is_header(t.extract()[0], headings)), None)
            if table is None:
                if not in_table:
                    before.append(page.extract_text())
                continue
            if not in_table:
                above = page.crop((0, 0, page.width, table.bbox[1]))
                before.append(above.extract_text())
                in_table = True
            for row in table.extract()[1:]:
                if _is_header(row, headings):
                    continue
                if row[0] is not None and all(c is None for c in row[1:]):
                    cells.append(Cell(0, row[0]))  # a section's band over every column
                    continue
                cells.extend(Cell(i, c) for i, c in enumerate(row) if c)
    return cells, "\n".join(before)


def _is_header(row, headings):
    return [squash(c or "") for c in row] == [squash(h) for h in headings]


def docx_cells(content, headings):
    """Word's table cells in reading order (a vertically merged cell once) and its paragraphs
    before the table."""
    import docx
    from docx.oxml.ns import qn
    from docx.table import _Cell

    document = docx.Document(io.BytesIO(content))
    table = document.tables[0]
    cells = []
    for tr in table._tbl.tr_lst:
        column, row = 0, []
        for tc in tr.tc_lst:
            merge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
            continued = merge is not None and merge.get(qn("w:val")) in (None, "continue")
            text = "\n".join(p.text for p in _Cell(tc, table).paragraphs)
            row.append((column, None if continued else text))
            column += tc.grid_span
        if _is_header([t or "" for _, t in row], headings):
            continue
        cells.extend(Cell(c, t) for c, t in row if t)
    before = "\n".join(p.text for p in document.paragraphs)
    return cells, before


def xlsx_cells(content, headings):
    """Excel's table cells in reading order (a merged range once) and the rows before it."""
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells, before, in_table = [], [], False
    for row in sheet.iter_rows():
        values = [str(c.value) if c.value is not None else "" for c in row][: len(headings)]
        if not in_table:
            if _is_header(values, headings):
                in_table = True
            else:
                before.extend(v for v in values if v)
            continue
        cells.extend(Cell(i, v) for i, v in enumerate(values) if v)
    return cells, "\n".join(before)


# The comparison.


def differences(expected, rendered, columns, before="", repeats=(), allowed=()):
    """What differs between the expected and the rendered cells, column by column (see the
    module's docstring); ``repeats`` the rendered "(contd.)" cells, left out once each."""
    rendered = list(rendered)
    for repeat in repeats:
        same = next(
            (
                r
                for r in rendered
                if r.column == repeat.column and squash(r.text) == squash(repeat.text)
            ),
            None,
        )
        if same is not None:
            rendered.remove(same)
    out = []
    for column in range(columns):
        want = [c.text for c in expected if c.column == column and squash(c.text)]
        got = [c.text for c in rendered if c.column == column and squash(c.text)]
        out.extend(_aligned(column, want, got))
    out.extend(_before(expected, before, allowed or None))
    return out


def _aligned(column, want, got):
    """The longest in-order matching (a rendered cell holds an expected cell's words), then what
    is left between two matches: paired as changed, the rest missing or extra."""
    a, b = [squash(t) for t in want], [squash(t) for t in got]
    n, m = len(a), len(b)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if a[i] in b[j]:
                best[i][j] = 1 + best[i + 1][j + 1]
            else:
                best[i][j] = max(best[i + 1][j], best[i][j + 1])
    out, i, j, gap_a, gap_b = [], 0, 0, [], []

    def close_gap():
        for x, y in zip(gap_a, gap_b, strict=False):
            out.append(Difference(column, "changed", want[x], got[y]))
        out.extend(Difference(column, "missing", want[x]) for x in gap_a[len(gap_b) :])
        out.extend(Difference(column, "extra", found=got[y]) for y in gap_b[len(gap_a) :])
        gap_a.clear()
        gap_b.clear()

    while i < n and j < m:
        if a[i] in b[j] and best[i][j] == 1 + best[i + 1][j + 1]:
            close_gap()
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            gap_a.append(i)
            i += 1
        else:
            gap_b.append(j)
            j += 1
    gap_a.extend(range(i, n))
    gap_b.extend(range(j, m))
    close_gap()
    return out


def _before(expected, before, allowed=None):
    """Each paragraph of the text before the table, found in order in what was printed there;
    with ``allowed`` (the title block, running heading and footer), whatever else was printed
    there too."""
    text, at, out, extra = squash(before).replace("•", ""), 0, [], []  # a bullet is no word
    if allowed is not None:
        for line in sorted(allowed, key=len, reverse=True):
            text = text.replace(squash(line), "\n") if squash(line) else text
        text = re.sub(r"Page\d+of\d+", "\n", text)
    for cell in (c for c in expected if c.column == PREAMBLE):
        found = text.find(squash(cell.text), at)
        if found < 0:
            out.append(Difference(PREAMBLE, "missing", cell.text))
        else:
            extra.append(text[at:found])
            at = found + len(squash(cell.text))
    extra.append(text[at:])
    if allowed is not None:
        out.extend(
            Difference(PREAMBLE, "extra", found=gap.strip())
            for part in extra
            for gap in part.split("\n")
            if gap.strip()
        )
    return out


# Rendering (needs Django and a database holding the demo plans).


def rendered(appendix, as_at=AS_AT):
    """{format: (cells, text before the table, repeats)} for the preset on its plan."""
    import datetime as dt

    from actionplans.models import Plan
    from reporting import appendix as appendices
    from reporting import excel, printing, word
    from reporting.models import Layout

    plan = Plan.objects.get(title=plan_of(appendix)["title"])
    layout = Layout.objects.get(name=appendix.preset, organisation="")
    doc = appendices.build(plan, appendices.spec_for(plan, layout), dt.date.fromisoformat(as_at))
    headings = [c.heading for c in doc.columns]
    allowed = [text for _, text in doc.title_lines] + [doc.spec.running_heading, doc.as_at_text]
    laid_out, final, _ = printing.layout_pdf(doc)
    repeats = [
        Cell(n, "\n".join(p.text for p in cell.paras))
        for row in final.rows
        if row.contd
        for n, cell in enumerate(row.cells)
        if cell.span == "start" and cell.paras
    ]
    return (
        headings,
        allowed,
        {
            "PDF": (*pdf_cells(laid_out.write_pdf(pdf_tags=True), headings), repeats),
            "Word": (*docx_cells(word.write_docx(doc), headings), ()),
            "Excel": (*xlsx_cells(excel.write_xlsx(doc), headings), ()),
        },
    )


def compare(appendix, as_at=AS_AT):
    """{format: [Difference]} for the preset on its plan."""
    headings, allowed, documents = rendered(appendix, as_at)
    expected = expected_cells(appendix)
    return {
        name: differences(expected, cells, len(headings), before, repeats, allowed)
        for name, (cells, before, repeats) in documents.items()
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=str(SEEDS), help="the folder of the seed documents")
    parser.add_argument("-v", "--verbose", action="store_true", help="list each difference")
    args = parser.parse_args(argv)
    # A throwaway database of the demo plans, unless DATABASE_URL names one to fill.
    folder = tempfile.mkdtemp(prefix="fidelity-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/demo.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from importers.demo import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    load_demo()
    print(f"{'appendix':32} {'PDF':>5} {'Word':>5} {'Excel':>5} {'seed':>5}  (differing cells)")
    total = 0
    for appendix in APPENDICES:
        found = compare(appendix)
        seed = seed_differences(appendix, args.seeds)
        counts = [len(found[f]) for f in ("PDF", "Word", "Excel")]
        total += sum(counts) + len(seed or [])
        print(
            f"{appendix.preset:32} {counts[0]:>5} {counts[1]:>5} {counts[2]:>5} "
            f"{'-' if seed is None else len(seed):>5}"
        )
        if args.verbose:
            for name, items in [*found.items(), ("seed", seed or [])]:
                for item in items:
                    print(f"  {name}: {item}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())

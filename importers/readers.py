"""File readers: a spreadsheet, CSV or Word file becomes plain tables of cells.

Each reader returns ``Document(tables, above)``: ``tables`` a list of tables, each a list of rows of
``Cell``; ``above`` the lines of text found before the first table (Word paragraphs). Nothing here
knows what a plan is; ``parse`` gives the cells their meaning. Bad files raise ``Unreadable`` with
a message for the person who uploaded it.

Control characters are refused here, in every reader: NUL and the other C0 controls but tab, line
feed and carriage return, and lone surrogates. PostgreSQL cannot store NUL, and none of them is
text a council wrote: they mean a damaged or crafted file. Refused, not removed, because the plan's
text is copied exactly: the cell is marked (``Cell.flaw``), the character shown as U+FFFD, and
``parse`` reports the row and column, so nothing is imported until the file is put right. Vertical
tab and form feed are the exception: they are the line and page breaks Word and Excel write inside
a cell, and are read as line breaks. An Excel or Word file cannot hold a control character at all
(XML forbids it), so one there is a damaged file, refused with the cell it is in.

A file costs once: ``service.read_limited`` reads an upload in a child process with a time and a
memory limit into plain JSON (``to_json``), kept with the upload; its preview, a change to its
mapping and its confirmation read that (``from_json``), never the file again. An .xlsx or .docx (a
zip) that would unpack to more than ``MAX_UNPACKED_BYTES`` is refused before it is opened, and
every reader stops at ``MAX_ROWS`` rows read (not what a file's header claims) and at ``MAX_TEXT``
characters of text.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

MB = 1024 * 1024
MAX_BYTES = 10 * MB
MAX_UNPACKED_BYTES = 100 * MB  # an .xlsx or .docx, its parts' sizes as its zip gives them
MAX_ROWS = 5000
MAX_COLUMNS = 60
MAX_TEXT = 10_000_000  # characters of text in the whole file (a merged cell counted once)
KINDS = {"xlsx", "csv", "docx"}
JSON_VERSION = 1  # of ``to_json``'s form: a read kept in another form is read again


class Unreadable(Exception):
    """A file that cannot be read; ``row`` and ``column`` (a letter) where the fault is known."""

    def __init__(self, message, row=0, column=""):
        super().__init__(message)
        self.message, self.row, self.column = message, row, column


_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_NAMES = {0: "NUL"}
_BREAKS = str.maketrans({"\r": "\n", "\v": "\n", "\f": "\n"})
_UNUSUAL = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")  # a break to mend or a fault


def flaw(text):
    """What is wrong with ``text`` (its first control character or lone surrogate), or ""."""
    found = _FORBIDDEN.search(text)
    if not found:
        return ""
    code = ord(found.group())
    kind = "lone surrogate" if code >= 0xD800 else "control character"
    name = f", {_NAMES[code]}" if code in _NAMES else ""
    return f"a {kind} (U+{code:04X}{name})"


def clean(text):
    """``text`` with each control character or lone surrogate shown as U+FFFD, and its flaw."""
    problem = flaw(text)
    return (_FORBIDDEN.sub("\ufffd", text) if problem else text), problem


@dataclass
class Cell:
    paras: list = field(default_factory=list)  # the cell's paragraphs, in order, stripped
    bold: list = field(default_factory=list)  # the bold runs' text, for "complete" in bold
    merged_down: bool = False  # Word: covered by the cell above (vertical merge)
    flaw: str = ""  # set here: the control character the cell held, now shown as U+FFFD

    def __post_init__(self):
        # Every reader's cells pass here, so none can carry a control character further (one
        # search of the whole cell: a sheet has hundreds of thousands of cells, nearly all good).
        if _FORBIDDEN.search("\n".join(self.paras)) or _FORBIDDEN.search("\n".join(self.bold)):
            for texts in (self.paras, self.bold):
                for index, text in enumerate(texts):
                    texts[index], problem = clean(text)
                    self.flaw = self.flaw or problem

    @property
    def text(self):
        return "\n".join(self.paras)


@dataclass
class Document:
    tables: list
    above: list = field(default_factory=list)
    above_flaws: list = field(default_factory=list)  # (line, flaw) for lines above the table

    def __post_init__(self):
        for index, line in enumerate(self.above):
            self.above[index], problem = clean(line)
            if problem:
                self.above_flaws.append((self.above[index], problem))


def _text(value):
    """A cell's text as read, checked before anything is trimmed (``strip`` would drop some
    control characters unseen): Word's and Excel's breaks within a cell (VT, FF) as line breaks,
    control characters shown as U+FFFD; and its flaw."""
    text = value.replace("\r\n", "\n")
    if not _UNUSUAL.search(text):  # nearly every cell: nothing more to do
        return text, ""
    return clean(text.translate(_BREAKS))


def _cell(value):
    text, problem = _text(_unquote(value))
    return Cell(_lines(text), flaw=problem)


def _lines(text):
    # Each line as written (inner spaces kept: the plan's text is copied exactly), ends trimmed.
    lines = [line.strip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def _unquote(text):
    """Undo the quote the exporter puts before a cell starting = + - @ (so Excel runs nothing)."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def kind_of(name, data):
    """The file's kind from its name, checked against its first bytes."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in KINDS:
        raise Unreadable(f"{name} is not an Excel (.xlsx), CSV (.csv) or Word (.docx) file.")
    if not data:
        raise Unreadable(f"{name} is empty.")
    if len(data) > MAX_BYTES:
        raise Unreadable(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if suffix in {"xlsx", "docx"}:
        if not data.startswith(b"PK\x03\x04"):
            raise Unreadable(f"{name} is not a real .{suffix} file (it may be renamed).")
        try:
            parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except zipfile.BadZipFile:
            raise Unreadable(f"{name} is damaged: it cannot be opened.") from None
        wanted = "xl/workbook.xml" if suffix == "xlsx" else "word/document.xml"
        if wanted not in {part.filename for part in parts}:
            raise Unreadable(f"{name} is not a real .{suffix} file (it may be renamed).")
        # The sizes its zip gives are the most Python's zipfile unpacks of each part (it stops
        # there and finds the file damaged), so a zip bomb is known before anything is unpacked.
        unpacked = sum(part.file_size for part in parts)
        if unpacked > MAX_UNPACKED_BYTES:
            raise Unreadable(
                f"{name} would unpack to {unpacked / MB:,.0f} MB, more than the "
                f"{MAX_UNPACKED_BYTES // MB} MB allowed for a plan's file: it is damaged or made "
                "to overload the service. Save the plan again from Excel or Word, or split it "
                "into smaller files."
            )
    elif b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable(f"{name} is not a text CSV file.")
    return suffix


def read(name, data):
    kind = kind_of(name, data)
    return {"xlsx": read_xlsx, "csv": read_csv, "docx": read_docx}[kind](data)


def _check_size(rows, columns=0, chars=0):
    if rows > MAX_ROWS:
        raise Unreadable(f"The table has more than {MAX_ROWS:,} rows: split it into smaller files.")
    if columns > MAX_COLUMNS:
        raise Unreadable(f"The table has more than {MAX_COLUMNS} columns.")
    if chars > MAX_TEXT:
        raise Unreadable(
            f"The file holds more than {MAX_TEXT:,} characters of text: split it into smaller "
            "files.",
            row=rows,
        )


def read_csv(data):
    # A file marked UTF-16 is read as that or not at all: as cp1252 it would be all NULs.
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Unreadable(
            "The CSV file's text is in an encoding it cannot read: save it as 'CSV UTF-8'."
        )
    # Commas, or semicolons or tabs where a locale's Excel writes them: the commonest in the head.
    head = text[:2000]
    delimiter = max(",;\t", key=lambda d: (head.count(d), d == ","))
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([_cell(value) for value in row[: MAX_COLUMNS + 1]])
            _check_size(len(rows), len(row))
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # no form takes a text this long
            limit = csv.field_size_limit()
            message = f"A cell has more than {limit:,} characters: shorten it."
            raise Unreadable(message, row=len(rows) + 1) from None
        raise Unreadable(f"The CSV file is malformed: {error}.") from None
    return Document([rows])


def letter(number):
    """A spreadsheet's column letter: 1 -> A, 27 -> AA."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_PART_LIMIT = 64 * 1024 * 1024  # an XML part larger than this is not read again to place a fault


def _broken_xml(data, part, error, *, in_chars):
    """The text of the XML part ``part`` before and after the place a parse ``error`` names
    (its column counted in characters, as ElementTree does, or in bytes, as lxml does); None
    where it cannot be told. Read again only when a file fails, so a good file pays nothing."""
    position = getattr(error, "position", None)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if not position or archive.getinfo(part).file_size > _PART_LIMIT:
            return None
        lines = archive.read(part).split(b"\n")
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError):
        return None
    line, column = position
    if not 0 < line <= len(lines):
        return None
    here = lines[line - 1]
    if in_chars:
        here = here.decode("utf-8", "replace")
        here_before, after = here[:column], here[column : column + 8]
    else:
        here_before = here[:column].decode("utf-8", "replace")
        after = here[column : column + 8].decode("utf-8", "replace")
    before = b"\n".join(lines[: line - 1]).decode("utf-8", "replace") + "\n" + here_before
    return before, after


_DAMAGED = (
    "{where} holds a control character (such as NUL) or another character {kind} file cannot "
    "hold: the file is damaged. Remove the character and save the file again."
)


def _control_character_at(before, after):
    """Whether the fault at a broken XML place is a control character (or a lone surrogate, read
    as U+FFFD), written as it is or as a character reference (&#0;)."""
    near = before[-12:] + after
    if _FORBIDDEN.search(near) or "\ufffd" in near:
        return True
    for found in re.finditer(r"&#(x?)([0-9a-f]{1,8});", near, re.I):
        code = int(found.group(2), 16 if found.group(1) else 10)
        if code > 0x10FFFF or _FORBIDDEN.match(chr(code)):
            return True
    return False


def _xlsx_fault(data, sheet, error, rows_read):
    """An Excel sheet that failed part way: Unreadable with the cell it failed in."""
    row, column, place = rows_read + 1, "", None
    part = getattr(sheet, "_worksheet_path", "")
    if part:
        place = _broken_xml(data, part, error, in_chars=True)
    start = place[0].rfind("<c ") if place else -1
    found = (
        re.search(r'\br="([A-Z]{1,3})(\d+)"', place[0][start : start + 200]) if start >= 0 else None
    )
    if found:  # the cell it failed in, as the sheet names it
        column, row = found.group(1), int(found.group(2))
    if place and _control_character_at(*place):
        message = _DAMAGED.format(where="This cell", kind="an Excel")
    else:
        message = f"The Excel file is damaged here and cannot be read ({type(error).__name__})."
    return Unreadable(message, row=row, column=column)


def read_xlsx(data):
    import openpyxl  # imported here: the CSV and Word paths do not need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:  # the read's memory limit (service.read_limited), not a damaged file
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise Unreadable(f"The Excel file cannot be opened ({type(error).__name__}).") from None
    sheet = book.worksheets[0]
    # Read by its rows, not by the size its <dimension> claims (read-only openpyxl stops there):
    # a sheet that says two rows and holds thirteen is read to its thirteenth, and counted so.
    sheet.reset_dimensions()
    rows, chars = [], 0
    try:
        # The read-only sheet is parsed as it is read: a damaged one fails here, not above.
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            row = []
            for value in values:
                if hasattr(value, "isoformat"):
                    value = value.strftime("%-d %B %Y")
                row.append(_cell(str(value)) if value is not None else Cell())
                chars += len(row[-1].text)
            while row and not row[-1].paras:
                row.pop()
            rows.append(row)
            _check_size(len(rows), len(row), chars)
    except (Unreadable, MemoryError):
        raise
    except Exception as error:  # noqa: BLE001 - any fault of a damaged sheet is the file's
        raise _xlsx_fault(data, sheet, error, len(rows)) from None
    finally:
        book.close()
    return Document([rows])


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RUN_TEXT = {f"{_W}t": None, f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n"}


def _paragraph_text(p):
    """A paragraph's text as Word shows it, with text typed as a tracked change (``w:ins``)."""
    parts = []
    for element in p.iter(*_RUN_TEXT):
        if element.tag == f"{_W}t":
            parts.append(element.text or "")
        elif element.tag != f"{_W}br" or element.get(f"{_W}type") in (None, "textWrapping"):
            parts.append(_RUN_TEXT[element.tag])
    return "".join(parts)


def _docx_cell(tc, table):
    from docx.table import _Cell

    cell = _Cell(tc, table)
    paras, bold, problem = [], [], ""
    for paragraph in cell.paragraphs:
        text, found = _text(_paragraph_text(paragraph._p))
        paras.extend(_lines(text))
        problem = problem or found
        bold.extend(run.text.strip() for run in paragraph.runs if run.bold and run.text.strip())
    for nested in cell.tables:  # a table inside a cell: its text kept, row by row
        for row in nested.rows:
            paras.extend(" ".join(c.text.split()) for c in row.cells if c.text.strip())
    return Cell(paras, bold, merged_down=tc.vMerge == "continue", flaw=problem)


def _docx_fault(data, error):
    """A Word file that cannot be opened: Unreadable, with the table row and cell of a control
    character where its text has one (Word's XML, like Excel's, cannot hold one)."""
    from lxml import etree

    fault = Unreadable(f"The Word file cannot be opened ({type(error).__name__}).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if archive.getinfo("word/document.xml").file_size > _PART_LIMIT:
            return fault
        # Parsed again, as python-docx parses it (no entities expanded), to find the place.
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        etree.fromstring(archive.read("word/document.xml"), parser)
    except etree.XMLSyntaxError as broken:
        place = _broken_xml(data, "word/document.xml", broken, in_chars=False)
    except Exception:  # noqa: BLE001 - the text itself is readable: the fault is elsewhere
        return fault
    else:
        return fault
    if not place or not _control_character_at(*place):
        return fault
    before = place[0]
    if len(re.findall(r"<w:tbl[\s>]", before)) <= before.count("</w:tbl>"):
        return Unreadable(_DAMAGED.format(where="The text outside the table", kind="a Word"))
    row = len(re.findall(r"<w:tr[\s>]", before))
    cell = len(re.findall(r"<w:tc[\s>]", before[before.rfind("<w:tr") :]))
    message = _DAMAGED.format(where="This cell", kind="a Word")
    return Unreadable(message, row=row, column=letter(cell))


def read_docx(data):
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as error:
        raise _docx_fault(data, error) from None
    above = []
    body = document.element.body
    tables = []
    total = chars = 0
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p" and not tables:
            text = " ".join(
                "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")).split()
            )
            if text:
                above.append(text)
        elif tag == "tbl":
            from docx.table import Table

            table = Table(child, document)
            rows = []
            for tr in child.tr_lst:
                row = []
                for tc in tr.tc_lst:
                    cell = _docx_cell(tc, table)
                    # A cell spanning several columns fills each, as a spreadsheet would.
                    row.extend([cell] * max(1, tc.grid_span))
                    chars += len(cell.text)
                rows.append(row)
                total += 1
                _check_size(total, len(row), chars)
            tables.append(rows)
    if not tables:
        raise Unreadable("The Word file has no table.")
    return Document(tables, above)


# A file read, kept as JSON (with its upload, so that it is read once: ``service``).


def to_json(document):
    """A Document as plain JSON: each cell ``{"p": paras, "b": bold, "m": merged_down, "f":
    flaw}`` (what is empty left out), or the index of the same cell earlier in its row (a cell
    spanning columns is one cell, as ``parse`` needs it)."""
    tables = []
    for table in document.tables:
        rows = []
        for row in table:
            out, seen = [], {}
            for cell in row:
                if id(cell) in seen:
                    out.append(seen[id(cell)])
                    continue
                seen[id(cell)] = len(out)
                value = {"p": cell.paras, "b": cell.bold, "m": cell.merged_down, "f": cell.flaw}
                out.append({key: item for key, item in value.items() if item})
            rows.append(out)
        tables.append(rows)
    return {
        "version": JSON_VERSION,
        "tables": tables,
        "above": document.above,
        "above_flaws": [list(pair) for pair in document.above_flaws],
    }


def unreadable_json(error):
    return {
        "version": JSON_VERSION,
        "unreadable": {"message": error.message, "row": error.row, "column": error.column},
    }


def is_current(value):
    """Whether ``value`` is a read kept in ``to_json``'s present form (not None, not older)."""
    return isinstance(value, dict) and value.get("version") == JSON_VERSION


def from_json(value):
    """The Document ``to_json`` kept; Unreadable, as it was, for a file that could not be read."""
    if "unreadable" in value:
        raise Unreadable(**value["unreadable"])
    tables = []
    for table in value["tables"]:
        rows = []
        for row in table:
            cells = []
            for item in row:
                if isinstance(item, int):
                    cells.append(cells[item])
                else:
                    cells.append(
                        Cell(
                            item.get("p", []),
                            item.get("b", []),
                            item.get("m", False),
                            item.get("f", ""),
                        )
                    )
            rows.append(cells)
        tables.append(rows)
    return Document(tables, value["above"], [tuple(pair) for pair in value["above_flaws"]])

"""File readers: a spreadsheet, CSV or Word file becomes plain tables of cells.

Each reader returns ``Document(tables, above)``: ``tables`` a list of tables, each a list of rows of
``Cell``; ``above`` the lines of text found before the first table (Word paragraphs). Nothing here
knows what a plan is; ``parse`` gives the cells their meaning. Bad files raise ``Unreadable`` with
a message for the person who uploaded it.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
KINDS = {"xlsx", "csv", "docx"}


class Unreadable(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Cell:
    paras: list = field(default_factory=list)  # the cell's paragraphs, in order, stripped
    bold: list = field(default_factory=list)  # the bold runs' text, for "complete" in bold
    merged_down: bool = False  # Word: covered by the cell above (vertical merge)

    @property
    def text(self):
        return "\n".join(self.paras)


@dataclass
class Document:
    tables: list
    above: list = field(default_factory=list)


def _lines(text):
    text = "" if text is None else str(text)
    # Each line as written (inner spaces kept: the plan's text is copied exactly), ends trimmed.
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
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
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            raise Unreadable(f"{name} is damaged: it cannot be opened.") from None
        wanted = "xl/workbook.xml" if suffix == "xlsx" else "word/document.xml"
        if wanted not in names:
            raise Unreadable(f"{name} is not a real .{suffix} file (it may be renamed).")
    elif b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable(f"{name} is not a text CSV file.")
    return suffix


def read(name, data):
    kind = kind_of(name, data)
    return {"xlsx": read_xlsx, "csv": read_csv, "docx": read_docx}[kind](data)


def _check_size(rows, columns=0):
    if rows > MAX_ROWS:
        raise Unreadable(f"The table has more than {MAX_ROWS:,} rows: split it into smaller files.")
    if columns > MAX_COLUMNS:
        raise Unreadable(f"The table has more than {MAX_COLUMNS} columns.")


def read_csv(data):
    for encoding in ("utf-8-sig", "utf-16", "cp1252"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
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
            rows.append([Cell(_lines(_unquote(value))) for value in row[: MAX_COLUMNS + 1]])
            _check_size(len(rows), len(row))
    except csv.Error as error:
        raise Unreadable(f"The CSV file is malformed: {error}.") from None
    return Document([rows])


def read_xlsx(data):
    import openpyxl  # imported here: the CSV and Word paths do not need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise Unreadable(f"The Excel file cannot be opened ({type(error).__name__}).") from None
    sheet = book.worksheets[0]
    rows = []
    try:
        if (sheet.max_row or 0) > MAX_ROWS + 50:
            _check_size(sheet.max_row)
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            row = []
            for value in values:
                if hasattr(value, "isoformat"):
                    value = value.strftime("%-d %B %Y")
                row.append(Cell(_lines(_unquote(str(value))) if value is not None else []))
            while row and not row[-1].paras:
                row.pop()
            rows.append(row)
            _check_size(len(rows), len(row))
    finally:
        book.close()
    return Document([rows])


def _docx_cell(tc, table):
    from docx.table import _Cell

    cell = _Cell(tc, table)
    paras, bold = [], []
    for paragraph in cell.paragraphs:
        paras.extend(_lines(paragraph.text))
        bold.extend(run.text.strip() for run in paragraph.runs if run.bold and run.text.strip())
    for nested in cell.tables:  # a table inside a cell: its text kept, row by row
        for row in nested.rows:
            paras.extend(" ".join(c.text.split()) for c in row.cells if c.text.strip())
    return Cell(paras, bold, merged_down=tc.vMerge == "continue")


def read_docx(data):
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:
        raise Unreadable(f"The Word file cannot be opened ({type(error).__name__}).") from None
    above = []
    body = document.element.body
    tables = []
    total = 0
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
                rows.append(row)
                total += 1
                _check_size(total, len(row))
            tables.append(rows)
    if not tables:
        raise Unreadable("The Word file has no table.")
    return Document(tables, above)

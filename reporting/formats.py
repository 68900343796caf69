"""The formats an appendix downloads in: one ``Document``, three writers."""

from dataclasses import dataclass

from . import excel, parts, word


@dataclass(frozen=True)
class Format:
    key: str
    name: str  # as the download link says it
    extension: str
    content_type: str
    write: object  # write(doc, target=None): bytes, or None once written to target
    # Made ahead in the process that forks the renders, which each take a copy of it (or None)
    prepare: object = None


FORMATS = {
    f.key: f
    for f in [
        Format("pdf", "PDF", "pdf", "application/pdf", parts.write_pdf, parts.prepare),
        Format("docx", "Word", "docx", word.CONTENT_TYPE, word.write_docx, word.prepare),
        Format("xlsx", "Excel", "xlsx", excel.CONTENT_TYPE, excel.write_xlsx),
    ]
}

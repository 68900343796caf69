"""Who typed into a returned Word file, as far as the file says: its core properties' last
saver, and the author Word keeps with each insertion made while changes were tracked."""

import json

from django.conf import settings

from core import limits

from . import readers, service


def _typists(name, data):
    """In the child: who the Word file says last saved it, and who each tracked insertion in a
    table row is by ({table: {row: [authors]}}), as JSON bytes."""
    found = {"last_modified_by": "", "rows": {}}
    if name.lower().endswith(".docx"):
        import io

        import docx
        from docx.oxml.ns import qn

        try:
            document = docx.Document(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - the table reader says why the file cannot be read
            return json.dumps(found).encode()
        found["last_modified_by"] = document.core_properties.last_modified_by or ""
        tables = [t for t in document.element.body.iterchildren(qn("w:tbl")) if t.tr_lst]
        for t, table in enumerate(tables):
            for r, tr in enumerate(table.tr_lst):
                authors = {ins.get(qn("w:author")) for ins in tr.iter(qn("w:ins"))}
                if authors - {None, ""}:
                    found["rows"].setdefault(str(t), {})[str(r)] = sorted(authors - {None, ""})
    return json.dumps(found).encode()


def read_limited(name, data):
    """Who typed into the file, read in a child process within the limits every upload is read
    in; nobody named if the file cannot be read."""
    seconds = float(getattr(settings, "IMPORT_READ_TIMEOUT_SECONDS", service.READ_SECONDS))
    mb = int(getattr(settings, "IMPORT_READ_MEMORY_LIMIT_MB", service.READ_MEMORY_MB))
    try:
        read = limits.run(_typists, name, data, seconds=seconds, memory_bytes=mb * readers.MB)
        return json.loads(read)
    except limits.Exceeded:
        return {"last_modified_by": "", "rows": {}}

"""Hostile files cost once: an .xlsx of about 300 KB whose sharedStrings.xml holds one string of
300 MB, uploaded through the import pages and its preview viewed twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ap_helper_hostile_bench \\
      .venv/bin/python -m bench.import_bomb [--megabytes 300] [--past-the-size-check] [--before]

The database is flushed first (its name must contain "bench"; see bench/run.py). It prints, for the
upload and each view of the preview: the time, the status, what the page says, and the peak memory
of the app process and of the largest child process (the reader). With the default limits the bomb
is refused at the upload, from the sizes its zip gives (nothing is kept). ``--past-the-size-check``
raises that size limit, so the bomb reaches the reader in its child process: the child stops at
its memory limit, the upload is kept with why, and each view after answers from what was kept.
``--before`` also times the reader as it ran before (in the app process, no limit; here in a
child with no memory limit, so the bench's own process is spared).
"""

import argparse
import io
import os
import resource
import time
import zipfile

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Plan" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
    "xl/worksheets/sheet1.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:B3"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" t="s"><v>0</v></c></row>'
        "</sheetData></worksheet>"
    ),
}
_STRINGS = ["Improvement plan", "Recommendation", "Action", "Improve supervision"]


def bomb(megabytes=300, chunk=1024 * 1024):
    """An .xlsx plan (a title, a header, one action) whose action's text is shared string 0, of
    ``megabytes`` MB of one letter: about 1 KB of file per MB of text."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, text in _PARTS.items():
            target.writestr(name, text)
        with target.open("xl/sharedStrings.xml", "w") as part:  # written as it goes
            part.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                b'count="5" uniqueCount="5"><si><t>'
            )
            block = b"a" * chunk
            for _ in range(megabytes * 1024 * 1024 // chunk):
                part.write(block)
            part.write(b"</t></si>")
            part.write("".join(f"<si><t>{text}</t></si>" for text in _STRINGS).encode())
            part.write(b"</sst>")
    return out.getvalue()


def peaks():
    """Peak resident memory in MB: this process's, and the largest child's it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def said(response):
    """What the page says about the file, in a line."""
    if response.status_code in (301, 302):
        return f"-> {response['Location']}"
    text = response.content.decode()
    for marker in (
        "would unpack to",
        "Reading the file",
        "could not be read",
        "cannot be",
        "characters of",
    ):
        if marker in text:
            start = text.index(marker)
            return " ".join(text[max(0, start - 40) : start + 160].split())
    return f"{len(text):,} bytes of page"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=300)
    parser.add_argument("--past-the-size-check", action="store_true")
    parser.add_argument("--before", action="store_true")
    parser.add_argument("--allow-sqlite", action="store_true")
    parser.add_argument("--allow-any-database", action="store_true")
    args = parser.parse_args(argv)
    from bench.run import check_database, flush_keeping_groups  # sets the bench's environment

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from core import limits
    from importers import readers, service
    from tests.conftest import COUNCIL, person
    from tests.factories import PlanFactory

    check_database(args)
    call_command("migrate", interactive=False, verbosity=0)
    flush_keeping_groups()
    PlanFactory(organisation=COUNCIL, title="Existing plan")
    manager, _ = person("bench-manager", "Manager")

    started = time.perf_counter()
    data = bomb(args.megabytes)
    print(
        f"bomb: {len(data) / 1024:,.0f} KB .xlsx holding a {args.megabytes} MB shared string "
        f"(made in {time.perf_counter() - started:.1f} s)"
    )
    own, _ = peaks()
    print(f"app process before the upload: {own:,.0f} MB peak")

    if args.before:

        def old_read():
            try:
                readers.read_xlsx(data)
            except readers.Unreadable as error:
                return error.message.encode()
            return b"read"

        started = time.perf_counter()
        try:
            outcome = limits.run(old_read, seconds=300, memory_bytes=0).decode()
        except limits.Exceeded as stop:
            outcome = f"stopped ({stop.reason})"
        _, child = peaks()
        print(
            f"before (read in the app process, no limit): {time.perf_counter() - started:.1f} s, "
            f"{child:,.0f} MB peak; {outcome[:100]}"
        )

    if args.past_the_size_check:
        readers.MAX_UNPACKED_BYTES = (args.megabytes + 1) * readers.MB
        print(f"size check raised to {readers.MAX_UNPACKED_BYTES // readers.MB} MB")
    print(f"limits: {service.READ_SECONDS} s, {service.READ_MEMORY_MB} MB more than the app")

    client = Client()
    client.force_login(manager)
    started = time.perf_counter()
    response = client.post(
        reverse("import_upload"), {"file": SimpleUploadedFile("bomb.xlsx", data), "title": ""}
    )
    own, child = peaks()
    print(
        f"upload: {time.perf_counter() - started:.2f} s, {response.status_code}, app peak "
        f"{own:,.0f} MB, child peak {child:,.0f} MB; {said(response)}"
    )
    if response.status_code != 302:
        return
    url = response["Location"]
    for n in ("first", "second", "third"):
        started = time.perf_counter()
        response = client.get(url)
        own, child = peaks()
        print(
            f"{n} preview: {time.perf_counter() - started:.3f} s, {response.status_code}, app "
            f"peak {own:,.0f} MB, child peak {child:,.0f} MB; {said(response)}"
        )


if __name__ == "__main__":
    main()

"""What an evidence file may be: the one rule for its type and size."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MAX_FILES = 5

# Extension -> (content type, how the file must start). Office files are zip containers.
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".csv": ("text/csv", None),
    ".txt": ("text/plain", None),
}
ALLOWED_LABEL = "PDF, Word (DOCX), Excel (XLSX), OpenDocument, CSV, text, PNG or JPEG"


def limits():
    """The limits in words, for the file input's hint, shown before the user chooses a file."""
    size = filesizeformat(settings.EVIDENCE_MAX_BYTES)
    return f"Up to {MAX_FILES} files, each {size} or smaller: {ALLOWED_LABEL}."


def check_file(upload):
    """Return the content type of an acceptable evidence file, or raise ValidationError."""
    name = upload.name or ""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            "%(name)s is %(size)s: evidence files must be %(limit)s or smaller.",
            code="too_big",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            },
        )
    if upload.size == 0:
        raise ValidationError("%(name)s is empty.", code="empty", params={"name": name})
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED:
        raise ValidationError(
            "%(name)s is not an accepted type: use %(allowed)s.",
            code="bad_type",
            params={"name": name, "allowed": ALLOWED_LABEL},
        )
    content_type, signatures = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if signatures is None:
        ok = b"\x00" not in head
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the 2048th byte is still text.
            ok = ok and error.start > len(head) - 4
    else:
        ok = head.startswith(signatures)
    if not ok:
        raise ValidationError(
            "%(name)s does not look like a %(ext)s file. Check the file and try again.",
            code="bad_content",
            params={"name": name, "ext": extension.lstrip(".").upper()},
        )
    return content_type

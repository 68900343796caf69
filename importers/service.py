"""Read a file into a preview, and confirm a preview into a plan (through plan_writer);
keep an upload between its preview and its confirmation (``PendingImport``), and consume it.

An upload's file is read once, when it is uploaded (``read_limited``: in a child process with a
time and a memory limit), and what was read is kept with it (``PendingImport.document``): its
preview, a change to its mapping and its confirmation parse that, never the file again. A file
that cannot be read, or that reached a limit, is kept as why, and costs nothing more."""

import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from actionplans.models import Action, Plan
from core import errors, limits
from importers import plan_writer

from . import owner_edits, owners, parse, readers
from .models import PendingImport

logger = logging.getLogger(__name__)
# The limits of one read (settings IMPORT_READ_TIMEOUT_SECONDS, IMPORT_READ_MEMORY_LIMIT_MB): a
# 5,000-row plan is read in a few seconds and well under 100 MB.
READ_SECONDS = 30
READ_MEMORY_MB = 512
_STOPPED = {
    "time": "Reading the file took longer than {seconds:g} seconds, the most one file may take",
    "memory": "Reading the file needed more than {mb} MB of memory, the most one file may use",
}


class AlreadyConfirmed(Exception):
    """The pending import was confirmed before: ``pending.plan`` is the plan it made."""

    def __init__(self, pending):
        super().__init__(f"Import {pending.pk} was already confirmed.")
        self.pending = pending


def pending_add(*, user, name, data, organisation, title=""):
    """An upload kept for its preview and confirmation by ``user`` alone, its file read now."""
    return PendingImport.objects.create(
        uploaded_by=user,
        name=name[:255],
        data=data,
        organisation=organisation,
        title=title,
        document=read_limited(name, data),
    )


def pending_document(pending):
    """What the upload's file holds, as read when it was uploaded. One uploaded before reads were
    kept (or kept in an older form) is read now, and what was read kept."""
    if not readers.is_current(pending.document):
        pending.document = read_limited(pending.name, bytes(pending.data))
        unused = PendingImport.objects.filter(pk=pending.pk, confirmed_at__isnull=True)
        unused.update(document=pending.document)
    return pending.document


def pending_map(pending, mapping):
    """The meanings the user gave the columns, kept with the upload while it is not yet used."""
    pending.mapping = {**pending.mapping, **mapping}
    unused = PendingImport.objects.filter(pk=pending.pk, confirmed_at__isnull=True)
    unused.update(mapping=pending.mapping)


def pending_preview(pending, *, typed_title=""):
    """The upload's preview; ``typed_title`` is the title typed on it, used if the file gives
    none (``TitleForm``)."""
    document = pending_document(pending)
    return preview_read(
        document,
        mapping=pending.mapping,
        title=pending.title,
        typed_title=typed_title,
        organisation=pending.organisation,
        owner_changes=owner_edits.stored(document),
    )


def pending_owners_version(pending, result):
    """What the preview ``result`` of ``pending`` shows of its owners stands on (a form carries
    it, so that a change made from a page shown before another is refused)."""
    changes = owner_edits.stored(pending.document)
    return owner_edits.version(pending.mapping, changes, result.owner_originals)


def pending_owner_edit(pk, number, choice, *, actor, version, **chosen):
    """The owner ``number`` of ``actor``'s pending import ``pk`` changed as chosen
    (``owner_edits.change``: merged, renamed, its kind, matched, or made new), kept with the
    import; nothing else is saved until it is confirmed. The import's row is locked, and the
    change refused (nothing kept) if it was confirmed, or if what its page showed (``version``)
    has changed since: another change, a double post, a new meaning of a column."""
    with transaction.atomic():
        pending = PendingImport.objects.select_for_update().get(pk=pk, uploaded_by=actor)
        if pending.confirmed_at:
            raise AlreadyConfirmed(pending)
        result = pending_preview(pending)
        if version != pending_owners_version(pending, result):
            raise errors.Refused(
                "The import's owners have changed since this page was shown (another change "
                "was saved, or the same one sent twice): nothing was changed. Check the owner "
                "below and make your change again if it is still needed."
            )
        changes = owner_edits.change(
            owner_edits.stored(pending.document),
            result,
            number,
            choice,
            organisation=pending.organisation,
            **chosen,
        )
        pending.document = {**pending.document, owner_edits.KEY: changes}
        PendingImport.objects.filter(pk=pk).update(document=pending.document)
    return pending


def pending_confirm(pk, *, user, title=""):
    """The plan ``user``'s pending import ``pk`` makes, made and the import marked used in one
    transaction. The import's row is locked first, so a second confirmation at the same moment
    waits for the first and finds it used (AlreadyConfirmed): one plan, however many posts.
    ``title`` (typed on the preview) is the plan's title if the file gives none; it is kept
    with the import. Refused (nothing saved, the import kept to put right) if the preview has
    problems."""
    with transaction.atomic():
        pending = PendingImport.objects.select_for_update().get(pk=pk, uploaded_by=user)
        if pending.confirmed_at:
            raise AlreadyConfirmed(pending)
        result = pending_preview(pending, typed_title=title)
        plan = confirm(result, actor=user, organisation=pending.organisation)
        pending.plan, pending.confirmed_at = plan, timezone.now()
        pending.data, pending.document = b"", None
        if title and result.title == title and not pending.title:
            pending.title = title
        pending.save(update_fields=["plan", "confirmed_at", "data", "document", "title"])
    return plan


def read_limited(name, data):
    """The file read in a child process within a time and a memory limit (``core.limits``), as
    ``readers.to_json`` keeps it. Never raises: a file that cannot be read, or that reached a
    limit, is kept as why (``readers.unreadable_json``), with ``stopped`` the limit reached."""
    seconds = float(getattr(settings, "IMPORT_READ_TIMEOUT_SECONDS", READ_SECONDS))
    mb = int(getattr(settings, "IMPORT_READ_MEMORY_LIMIT_MB", READ_MEMORY_MB))
    kind = name.rsplit(".", 1)[-1].lower()
    if kind == "xlsx":  # imported here once, not in every child
        import openpyxl  # noqa: F401
    elif kind == "docx":
        import docx  # noqa: F401
    try:
        read = limits.run(_read_json, name, data, seconds=seconds, memory_bytes=mb * readers.MB)
        return json.loads(read)
    except limits.Exceeded as stop:
        if stop.reason in _STOPPED:
            message = _STOPPED[stop.reason].format(seconds=seconds, mb=mb) + (
                ": it is damaged or made to overload the service. Save the plan again from "
                "Excel or Word, or split it into smaller files."
            )
        else:  # a fault of the reader's own, not a limit: recorded, and said plainly
            logger.error("Reading the upload %r failed: %s", name, stop.detail)
            message = (
                "The file could not be read: the importer met a fault it did not expect (it has "
                "been recorded). Save the plan again from Excel or Word and upload it again."
            )
        return {**readers.unreadable_json(readers.Unreadable(message)), "stopped": stop.reason}


def _read_json(name, data):
    """In the child: the file read, as JSON bytes (what it read, or why it cannot be read)."""
    try:
        value = readers.to_json(readers.read(name, data))
    except readers.Unreadable as error:
        value = readers.unreadable_json(error)
    return json.dumps(value, separators=(",", ":")).encode()


def preview_file(name, data, *, mapping=None, title="", organisation=""):
    """The preview of the plan in ``data``, read within the limits (``read_limited``)."""
    return preview_read(
        read_limited(name, data), mapping=mapping, title=title, organisation=organisation
    )


def preview_read(
    read, *, mapping=None, title="", organisation="", typed_title="", owner_changes=None
):
    """The preview of the plan in a file as ``read_limited`` read it; a file that cannot be read
    gives a preview whose only problem says why (so the page and the command show it alike).
    ``title`` is the title given (it overrides the file's), ``typed_title`` one typed where the
    file gives none; neither is the title if it is only the council's name. ``owner_changes``
    are the manager's changes to its owners (``owner_edits``)."""
    try:
        document = readers.from_json(read)
    except readers.Unreadable as error:
        result = parse.Preview()
        result.problems.append(parse.Problem(error.row, error.column, error.message))
        return owner_edits.apply(result, {})
    # The title given (a command's argument may hold anything) is checked as the file's text is.
    title, flaw = readers.clean(title)
    result = parse.preview(
        document, mapping, title=title, typed_title=typed_title, organisation=organisation
    )
    if flaw:
        result.problems.append(parse.Problem(0, "", f"The title given holds {flaw}: retype it."))
    known = _known_owners(organisation) if organisation else []
    if organisation:
        # The names the council and its partner agencies use already: each kept whole in a cell
        # ("Head of CSC & YI"), and the name of an owner the plan writes another way.
        owners.settle(result, [name for name, _ in known])
    # The manager's changes to the owners (none from a command), and what is matched or made.
    return owner_edits.apply(result, owner_changes or {}, organisation=organisation, known=known)


def _known_owners(organisation):
    """The names and initials of the owners a plan of ``organisation`` may name (the council's
    and its partner agencies', ``plan_writer.matchable_owners``), read once, not a query per cell;
    ``plan_writer.OwnerIndex`` picks the owner itself on import."""
    return list(plan_writer.matchable_owners(organisation).values_list("name", "initials"))


def owner_choices(organisation):
    """The owners an import's owner may be matched to (the council's, then its partner
    agencies'), in one query."""
    theirs = Case(When(organisation=organisation, then=Value(0)), default=Value(1))
    return plan_writer.matchable_owners(organisation).order_by(theirs, "name", "pk")


def confirm(result, *, actor, organisation, **known):
    """The plan, saved in one transaction; Refused (nothing saved) if the preview has problems.
    ``known`` is passed to ``plan_import`` (the demo's owners, findings, inspections...)."""
    if result.blocking:
        raise errors.Refused(
            "The file has problems to put right first: " + "; ".join(map(str, result.blocking))
        )
    return plan_writer.plan_import(result.spec(), actor=actor, organisation=organisation, **known)


def status_words(status):
    """An action status as the site says it ("Not started"), never its code."""
    return Action.Status(status).label if status in Action.Status.values else status


def rating_words(rating):
    """A plan's overall rating as the site says it ("Amber-green"), never its code."""
    return Plan.Rating(rating).label if rating in Plan.Rating.values else rating


def describe(result):
    """The preview as lines of text (the command prints these)."""
    lines = [f"Title: {result.title or '(none)'}"]
    if result.subtitle:
        lines.append(f"Subtitle: {result.subtitle}")
    if result.directorate:
        lines.append(f"Directorate: {result.directorate}")
    if result.date:
        lines.append(f"Date: {result.date:%-d %B %Y} (from “{result.date_text}”)")
    if result.overall_rating:
        lines.append(f"Overall rating: {rating_words(result.overall_rating)}")
    lines.append("Columns:")
    for column in result.columns:
        meaning = column["label"] if column["field"] is not None else "NOT RECOGNISED"
        how = "recognised" if column["recognised"] else "mapped"
        lines.append(
            f"  {column['heading']!r} -> {meaning}"
            + (f" ({how})" if column["field"] else "")
            + (f": {column['reason']}" if column.get("reason") else "")  # as the preview says
        )
    for section in result.sections:
        lines.append(f"Section: {section['title'] or '(untitled)'}")
        for rec in section["recommendations"]:
            lines.append(
                f"  Recommendation {rec['reference']} {rec['text'][:70]!r}".replace("  ", " ", 1)
            )
            for action in rec["actions"]:
                when = action["planned_completion"].replace("\n", " / ")
                date = f" = {action['planned_date']:%-d %B %Y}" if action["planned_date"] else ""
                owners = ", ".join(o["name"] for o in action["owners"])
                lines.append(
                    f"    Action {action['text'][:60]!r}; owners: {owners or '-'}; "
                    f"when: {when or '-'}{date}; status: {status_words(action['status']) or '-'}"
                )
    matched = getattr(result, "matched", [])
    created = getattr(result, "created", [])
    if matched:
        lines.append("Owners matched: " + ", ".join(matched))
    if created:
        lines.append("Owners to be created: " + ", ".join(created))
    lines.append(
        f"{len(result.sections)} sections, {len(result.recommendations)} recommendations, "
        f"{len(result.actions)} actions."
    )
    for problem in result.problems:
        lines.append(("Problem: " if problem.blocking else "Note: ") + str(problem))
    return lines

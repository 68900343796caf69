"""Changes since the last committee (issue 27): a plan's changes since a moment, as a page and as
an appendix of only the actions that changed, through the one appendix document every format
renders.

"Since" is a date or the plan's last published pack. A date means after the end of that day, as
an appendix "as at" that date shows the plan at the end of it: the appendix as at a date and the
changes since it leave nothing out and count nothing twice. A pack means the plan as its appendix
showed it (as at its date, and not after the pack was published).
"""

import datetime as dt
from dataclasses import dataclass, replace

from django.utils import timezone

from actionplans import snapshots

from .appendix import AppendixError, Column, Document, end_of, table_rows
from .fields import Updates
from .packs import packs_with

LAST_PACK = "last-pack"
MARKER = "changed_since"


@dataclass(frozen=True)
class Since:
    moment: dt.datetime  # changes after this count
    day: dt.date  # the date the document names: "changes since 12 September 2012"
    pack: str = ""  # the published pack it is taken from, in words ("" for a date chosen)

    @property
    def words(self):
        return f"{self.day:%-d %B %Y}"

    def lead(self, changes):
        """What the document says before its table: the summary in numbers, what is left out."""
        lines = []
        if self.pack:
            lines.append(f"Since {self.pack}.")
        if not changes.actions:
            lines.append(f"No action changed since {self.words}.")
        else:
            lines.append(f"Since {self.words}: {changes.summary or 'changes listed below'}.")
        if changes.unchanged:
            one = changes.unchanged == 1
            lines.append(
                f"{changes.unchanged} action{'' if one else 's'} "
                f"{'was' if one else 'were'} unchanged and {'is' if one else 'are'} left out."
            )
        gone = [a for a in changes.actions if a.id not in _ids(changes.after)]
        for action in gone:  # no longer in the plan, so no row of the table shows them
            lines.append(f"{action.name.capitalize()}: {' '.join(c.words for c in action.changes)}")
        return lines


def _ids(outline):
    return {a.id for s in outline.sections for r in s.recommendations for a in r.actions}


def last_pack(plan):
    """The last published pack with an appendix of ``plan``, as a Since (None if none was)."""
    # Each pack as the committee first had it (a correction is of what it already saw).
    packs = (
        packs_with(plan)
        .filter(number=1)
        .select_related("report")
        .defer("pdf")
        .order_by("-published_at", "-pk")
    )
    for pack in packs:
        for item in pack.appendices or []:
            settings = item.get("settings") or {} if isinstance(item, dict) else {}
            if settings.get("plan") != plan.pk:
                continue
            try:
                as_at = dt.date.fromisoformat(str(settings.get("as_at")))
            except ValueError:
                as_at = timezone.localdate(pack.published_at)
            moment = min(end_of(as_at), pack.published_at)
            report = pack.report
            words = f"the pack published for {report.committee} of {report.meeting_date:%-d %B %Y}"
            return Since(moment, as_at, words)
    return None


def since_for(plan, value):
    """``value`` (a date, or LAST_PACK) as a Since; AppendixError with words for the user."""
    if value == LAST_PACK:
        found = last_pack(plan)
        if found is None:
            raise AppendixError(
                f"No published pack includes {plan.title!r} yet: choose a date to compare with."
            )
        return found
    if value > timezone.localdate():
        raise AppendixError(f"The date {value:%-d %B %Y} is in the future.")
    return Since(min(end_of(value), timezone.now()), value)


def changes(plan, since, until=None):
    """The plan's changes after ``since`` (a Since); AppendixError before the plan existed."""
    found = snapshots.changes_between(plan, since.moment, until)
    if found is None:
        raise AppendixError(
            f"The plan {plan.title!r} had not been recorded yet on {since.words}: choose a later "
            "date."
        )
    return found


def marked(plan, as_at):
    """For a full appendix's "changed since" column: the changes since the last published pack up
    to the end of ``as_at`` (None when no pack came before)."""
    since = last_pack(plan)
    if since is None or since.moment >= end_of(as_at):
        return None
    return snapshots.changes_between(plan, since.moment, min(end_of(as_at), timezone.now()))


def build(plan, spec, since):
    """The appendix of only the actions that changed since ``since``, in ``spec``'s columns with
    the "changed since" column added where the layout has none, and its progress written after."""
    found = changes(plan, since)
    if not any(c.field == MARKER for c in spec.columns):
        column = Column(f"Changed since {since.words}", MARKER, 24)
        spec = replace(spec, columns=[*spec.columns, column])
    outline = snapshots.narrow(found.after, action_ids={a.id for a in found.actions})
    doc = Document(
        plan=found.after.plan,
        spec=spec,
        as_at=timezone.localdate(found.until),
        updates=Updates("since", since.day + dt.timedelta(days=1)),
        outline=outline,
        rows=[],
        generated=timezone.now(),
        changes=found,
        since=since,
    )
    doc.rows = table_rows(doc)
    return doc

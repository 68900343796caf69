"""The one rule of when an action's planned completion has moved, and how that is told.

An action's first planned completion (the date it was given when it was added or imported, or the
first it was given later) is kept on the action, with how many times it has moved since, so the
plan page and the action page say "revised twice; first due Nov 12" with no history query. Each
move is a ``DateMove`` (from, to, the reason, who and when), which the dashboards add up.

A move is a change of the planned completion of an action that already had one: its real date
changed (to another date, or to none), or, where neither text names a date ("Ongoing",
"Immediate effect"), its words changed. A new wording of the same date ("Nov 12" to
"November 2012") is not a move; nor is giving a date to an action that had none.
"""

# The history keeps the reason in a hundred characters ("Date moved: " and the reason).
REASON_PREFIX = "Date moved: "
REASON_LIMIT = 100 - len(REASON_PREFIX)
REASON_REQUIRED = "Say why the date moved"
REASON_TOO_LONG = f"Say why the date moved in {REASON_LIMIT} characters or fewer"

# The fields a move writes on the action, beside its planned completion.
FIELDS = ["first_planned_completion_text", "first_planned_completion_date", "date_revisions"]

_TIMES = {1: "once", 2: "twice"}


def _words(text):
    return " ".join((text or "").split()).casefold()


def has_planned(text, date):
    return bool(_words(text)) or date is not None


def is_move(old_text, old_date, new_text, new_date):
    """True when a planned completion of (``old_text``, ``old_date``) becomes another."""
    if not has_planned(old_text, old_date):
        return False
    if old_date is not None or new_date is not None:
        return old_date != new_date
    return _words(old_text) != _words(new_text)


def days_moved(old_date, new_date):
    """Days later the new date is than the old (negative when brought forward); None unless both
    are real dates."""
    if old_date is None or new_date is None:
        return None
    return (new_date - old_date).days


def times(count):
    return _TIMES.get(count, f"{count} times")


def first_due(text, date):
    """The first planned completion as the plan wrote it ("Nov 12"), else its date."""
    written = " ".join((text or "").split())
    if written:
        return written
    return f"{date:%-d %b %Y}" if date else "no date"


def revision_words(revisions, first_text, first_date):
    """ "revised twice; first due Nov 12", or "" for an action whose date never moved."""
    if not revisions:
        return ""
    return f"revised {times(revisions)}; first due {first_due(first_text, first_date)}"


def history_reason(reason):
    """The history record's reason for a move (within the history's hundred characters)."""
    return f"{REASON_PREFIX}{' '.join(reason.split())}"[:100]

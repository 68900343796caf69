"""The plan's own emphasis in its texts: a transcription or an import marks bold words **so** and
italic ones *so* (fixtures/README.md). Appendices print them (reporting.fields.marked reads the
same marks); web pages show them through the ``marked`` and ``unmarked`` template filters."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

MARKS = re.compile(
    r"\*\*(?P<bold>.+?)\*\*"  # **bold**
    r"|(?<![*\w])\*(?P<italic>[^*\s](?:[^*]*[^*\s])?)\*(?![*\w])"  # *italic*, not "5 * 3"
)


def _html(match):
    if match.group("bold") is not None:
        return f"<strong>{match.group('bold')}</strong>"
    return f"<em>{match.group('italic')}</em>"


def as_html(text):
    """``text`` escaped, its marked words bold or italic."""
    return mark_safe(MARKS.sub(_html, escape(text)))  # nosec B308 B703: escaped first


def plain(text):
    """``text`` without its marks."""
    return MARKS.sub(lambda m: m.group("bold") or m.group("italic"), text)

"""A plan's title, subtitle, directorate, date and overall rating, from the lines above its table
or as the user gave them; never the council's own name.

A council writes its name above many a plan ("Barsetshire County Council", then the plan's title),
and the site's own Word appendix opens with it (``reporting.appendix.Document.title_lines``: the
council, its directorate, the plan's title, "As at 30 November 2012: ..."). A line that is the
importing council's name is never the title, nor is a title given that is only that name: the plan
then has no title, and the preview asks for one (``NO_TITLE``).
"""

import re

from actionplans.fuzzy_dates import derive_date
from actionplans.models import Plan

from .rows import SUBTITLE_LIMIT, TITLE_LIMIT, Problem, rating_of, too_long

DIRECTORATE_LIMIT = Plan._meta.get_field("directorate").max_length
NO_TITLE = (
    "The file gives the plan no title (the council's own name is not one): type it in the Title "
    "field (or give it with the command's --plan-title), or write it above the table and upload "
    "the file again."
)
# The appendix's last title line (``Document.as_at_line``): "As at 30 November 2012: latest
# progress update", "...: all progress updates", "...: progress updates since 1 October 2012".
_AS_AT = re.compile(
    r"^As at \d{1,2} [A-Z][a-z]+ \d{4}: "
    r"(latest progress update|all progress updates|progress updates since .+)$"
)


def _norm(text):
    return " ".join((text or "").casefold().split())


def is_council(text, organisation):
    """Whether ``text`` is only the council's name, written any case or spacing."""
    return bool(organisation) and _norm(text) == _norm(organisation)


def read(preview, lines, *, given="", typed="", organisation=""):
    """``preview``'s title block, from ``lines`` (the text above the table): its title is
    ``given`` where one was given (at the upload, or to the command), else the file's, else
    ``typed`` (on the preview, where the file gives none). No title is a blocking problem."""
    texts = [line for line in lines if line.strip()]
    council = [line for line in texts if is_council(line, organisation)]
    texts = [line for line in texts if line not in council]
    _appendix(preview, texts, bool(council))
    for line in texts:
        if not preview.overall_rating and re.search(r"\b(overall|rating|rag)\b", line, re.I):
            preview.overall_rating = rating_of(line)
            if preview.overall_rating:
                continue
        if not preview.date and len(line) < 80 and derive_date(line):
            if not preview.title:
                preview.title = line
            preview.date, preview.date_text = derive_date(line), line
            continue
        if not preview.title:
            preview.title = line
        elif not preview.subtitle and line != preview.title:
            preview.subtitle = line
    if given and is_council(given, organisation):
        preview.problems.append(
            Problem(
                0,
                "",
                f"The title given, “{given}”, is the council's name, not the plan's: it is not "
                "used as the title.",
                blocking=False,
            )
        )
    elif given:
        preview.title = given
    if not preview.title and typed and not is_council(typed, organisation):
        preview.title = typed
    too_long(preview, 0, "", preview.title, TITLE_LIMIT, "The title")
    too_long(preview, 0, "", preview.subtitle, SUBTITLE_LIMIT, "The subtitle")
    too_long(preview, 0, "", preview.directorate, DIRECTORATE_LIMIT, "The directorate")


def no_title(preview):
    """The problem that the plan has no title, if it has none (after the rows are read)."""
    if not preview.title:
        preview.problems.append(Problem(0, "", NO_TITLE))


def _appendix(preview, texts, council_taken_out):
    """The site's own appendix's title block, where ``texts`` hold one: the council's name, the
    directorate (if the plan has one), the title, then "As at <date>: ...". Its lines are taken
    out of ``texts``; the rest are read as any file's."""
    for index, line in enumerate(texts):
        if index and _AS_AT.match(line) and derive_date(line):
            break
    else:
        return
    # Before the title: the directorate, after the council's name unless that was taken out.
    head = texts[: index - 1] if council_taken_out else texts[1 : index - 1]
    preview.title = texts[index - 1]
    preview.date, preview.date_text = derive_date(texts[index]), texts[index]
    preview.directorate = head[-1] if head else ""
    del texts[: index + 1]

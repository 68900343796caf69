"""The fields an appendix column can show: each a function of one table row.

A row is a recommendation row and one of its action rows (None for a recommendation without
actions) from ``actionplans.snapshots``, plus the range of progress updates to show. A cell is a
list of paragraphs; a paragraph may be bold or italic, so "who/when" can put the owner in bold and
a completed action's "complete" stands out in the date column. Part of a paragraph may be marked
(``marked``): the plan's own bold and italic words, and ordinals' superscript endings.

Fields at the recommendation level (``level="recommendation"``) belong to the whole
recommendation: a layout may span them over its action rows or repeat them on every row.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from actionplans.marks import MARKS

RECOMMENDATION = "recommendation"
ACTION = "action"


@dataclass(frozen=True)
class Run:
    """Part of a paragraph in one style."""

    text: str
    bold: bool = False
    italic: bool = False
    superscript: bool = False


@dataclass(frozen=True)
class Para:
    text: str  # the words, without marks
    bold: bool = False
    italic: bool = False
    # The paragraph in runs, when part of it is styled otherwise (see ``marked``); else empty.
    runs: tuple = ()
    bullet: bool = False  # an item of a bulleted list (the text before the table)

    @property
    def pieces(self):
        """The paragraph as runs, each with the paragraph's own bold and italic added."""
        if not self.runs:
            return (Run(self.text, self.bold, self.italic),)
        return tuple(
            Run(r.text, r.bold or self.bold, r.italic or self.italic, r.superscript)
            for r in self.runs
        )


# A transcription marks the plan's own emphasis as **bold** and *italic* (fixtures/README.md); an
# ordinal's ending ("9th") is printed superscript, as the councils' documents (written in Word,
# which does so as it is typed) all print it.
_MARKS = MARKS  # one reading of the marks, the web pages' too (actionplans.marks)
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b")


def marked(text, bold=False, italic=False):
    """A paragraph of ``text`` with its marks read: its words without them, and runs when part of
    it is bold, italic or superscript."""
    runs, at = [], 0
    for match in _MARKS.finditer(text):
        runs.append(Run(text[at : match.start()]))
        if match.group("bold") is not None:
            runs.append(Run(match.group("bold"), bold=True))
        else:
            runs.append(Run(match.group("italic"), italic=True))
        at = match.end()
    runs.append(Run(text[at:]))
    pieces = []
    for run in runs:
        parts = _ORDINAL.split(run.text)  # text, ending, text, ending, ... text
        for i, part in enumerate(parts):
            if part:
                pieces.append(Run(part, run.bold, run.italic, superscript=i % 2 == 1))
    plain = "".join(p.text for p in pieces)
    if all(not (p.bold or p.italic or p.superscript) for p in pieces):
        return Para(plain, bold, italic)
    return Para(plain, bold, italic, tuple(pieces))


def plain(text):
    """``text`` without its marks."""
    return marked(text).text


@dataclass(frozen=True)
class Updates:
    """Which progress updates to show: the latest, all, or those written since a date."""

    mode: str = "latest"  # latest | all | since
    since: dt.date | None = None

    def pick(self, updates):
        """``updates`` newest first, as the snapshot rows hold them."""
        if self.mode == "all":
            return list(updates)
        if self.mode == "since":
            return [u for u in updates if u.written_on >= self.since]
        return list(updates[:1])

    def __str__(self):
        if self.mode == "since":
            return f"since:{self.since.isoformat()}"
        return self.mode

    @property
    def words(self):
        """What a clerk reads: "the latest update of each action", "every update"..."""
        if self.mode == "since":
            return f"updates written since {self.since:%-d %B %Y}"
        return "every update" if self.mode == "all" else "the latest update of each action"

    @classmethod
    def parse(cls, value):
        """ "latest", "all" or "since:YYYY-MM-DD"; ValueError with a message otherwise."""
        value = (value or "latest").strip()
        if value in ("latest", "all"):
            return cls(value)
        if value.startswith("since:"):
            try:
                return cls("since", dt.date.fromisoformat(value[6:]))
            except ValueError:
                raise ValueError(f"{value[6:]!r} is not a date: write since:YYYY-MM-DD.") from None
        raise ValueError(f"{value!r}: the updates are latest, all or since:YYYY-MM-DD.")


@dataclass(frozen=True)
class Context:
    """What a field may need besides its row: the layout's word for complete, the update range."""

    updates: Updates = Updates()
    complete_word: str = "complete"
    bold_complete: bool = True
    # Action id -> what changed, in words (the "changed since" column); None: not asked for.
    marks: object = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    level: str
    get: object = field(compare=False)
    hint: str = ""


def _paras(*texts):
    return [marked(t) for t in texts if t]


def _update_paras(updates, context):
    paras = []
    dated = context.updates.mode != "latest"
    for update in context.updates.pick(updates):
        # The plan's own label ("November update"); the date too where several may be shown.
        label = update.period_label
        if dated:
            day = update.written_on.strftime("%-d %B %Y")
            label = f"{label} ({day})" if label else day
        if label:
            paras.append(Para(label, bold=True))
        paras.extend(marked(line) for line in update.text.split("\n\n") if line.strip())
    return paras


def _reference(rec, action, context):
    return _paras(rec.reference)


def _recommendation(rec, action, context):
    # The council often writes the reference into the cell ("1. Although ..."); keep it once.
    if rec.reference and not plain(rec.text).startswith(rec.reference):
        dot = "." if rec.reference.isdigit() else ""
        return _paras(f"{rec.reference}{dot} {rec.text}")
    return _paras(rec.text)


def _recommendation_text(rec, action, context):
    return _paras(rec.text)


def _action(rec, action, context):
    if action is None:
        return []
    return _paras(f"{action.reference} {action.text}".strip())


def _action_reference(rec, action, context):
    return _paras(action.reference) if action else []


def _owner_names(action):
    return action.owners_as_written or ", ".join(str(o) for o in action.owners)


def _lead_wording(action):
    """The leads as the plan wrote them: its cell without the supporting owners' part at the
    end (as Rotherham writes it), else the leads' names."""
    written = " ".join(action.owners_as_written.split())
    tail = " ".join(o.as_written or o.name for o in action.supporting)
    if written and tail and written.endswith(tail) and written != tail:
        return written[: -len(tail)].strip()
    return ", ".join(o.name for o in action.leads)


def _owners(rec, action, context):
    if action is None:
        return _paras(", ".join(rec.leads))
    if action.supporting:
        # The lead first, then each supporting owner on a line of its own, in italics.
        lead = _paras(_lead_wording(action))
        return lead + [marked(o.as_written or o.name, italic=True) for o in action.supporting]
    return _paras(_owner_names(action))


def _leads(rec, action, context):
    return _paras(", ".join(rec.leads))


def _complete(action, context):
    return context.bold_complete and action is not None and action.status == "complete"


def _planned_completion(rec, action, context):
    if action is None:
        return []
    text = action.planned_completion_text
    if _complete(action, context):
        # The plan's own word, in bold; a date written for a complete action stays beside it.
        if plain(text).strip().lower() == context.complete_word.lower():
            return [marked(text, bold=True)]
        return [*_paras(text), Para(context.complete_word, bold=True)]
    return _paras(text)


def _as_written(text, date):
    """A planned completion as the plan wrote it, else its date."""
    return _paras(text) or _paras(date.strftime("%-d %B %Y") if date else "")


def _original_date(rec, action, context):
    # The planned completion the action was first given (the one it has, if never moved).
    return _as_written(*action.original_planned) if action else []


def _revised_date(rec, action, context):
    # Only where the date has moved: blank beside an original date that still holds.
    if action is None or not action.date_revisions:
        return []
    return _as_written(action.planned_completion_text, action.planned_completion_date)


def _who_when(rec, action, context):
    if action is None:
        return []
    whos = [w.strip() for w in _owner_names(action).split("\n\n") if w.strip()]
    whens = [w.strip() for w in action.planned_completion_text.split("\n\n") if w.strip()]
    if len(whos) > 1 and len(whos) == len(whens) and not _complete(action, context):
        # A cell the plan wrote as several who/when pairs: each owner with its own time scale.
        return [
            p
            for who, when in zip(whos, whens, strict=True)
            for p in (marked(who, bold=True), marked(when))
        ]
    return [marked(who, bold=True) for who in whos] + _planned_completion(rec, action, context)


def _status(rec, action, context):
    if action is None:
        return []
    bold = _complete(action, context)
    return [Para(action.status_label, bold=bold)]


def _rag(rec, action, context):
    return _paras(action.rag_label) if action else []


def _performance_indicator(rec, action, context):
    return _paras(action.performance_indicator) if action else []


def _target(rec, action, context):
    return _paras(action.target) if action else []


def _cell(as_written):
    """A cell as the plan wrote it, a paragraph per blank-line-separated part."""
    return _paras(*(part.strip() for part in as_written.split("\n\n")))


def _benchmark(rec, action, context):
    if rec.benchmark_as_written:
        return _cell(rec.benchmark_as_written)
    return _paras(*(m.baseline_text for m in rec.measures))


def _measure_target(rec, action, context):
    if rec.target_as_written:
        return _cell(rec.target_as_written)
    return _paras(*(m.target_text for m in rec.measures))


def _action_benchmark(rec, action, context):
    return _paras(*(m.baseline_text for m in action.measures)) if action else []


def _action_measure_target(rec, action, context):
    return _paras(*(m.target_text for m in action.measures)) if action else []


def _progress(rec, action, context):
    return _update_paras(action.updates, context) if action else []


def _recommendation_progress(rec, action, context):
    return _update_paras(rec.updates, context)


def _decisions(rec, action, context):
    # Never in a progress column: each decision in words that say what it is ("Signed off by
    # J Smith on 3 December 2012: ..."), in the range of updates the appendix shows.
    if action is None:
        return []
    return _paras(*(d.words for d in context.updates.pick(action.decisions)))


def _last_update(rec, action, context):
    if action is None or not action.updates:
        return []
    return _paras(action.updates[0].written_on.strftime("%-d %B %Y"))


def _changed_since(rec, action, context):
    # Blank for an action that did not change, and in a document that asked for no changes.
    if action is None or not context.marks:
        return []
    return [Para(text) for text in context.marks.get(action.id, [])]


FIELDS = {
    f.key: f
    for f in [
        Field("reference", "Recommendation reference", RECOMMENDATION, _reference),
        Field(
            "recommendation", "Recommendation (reference and text)", RECOMMENDATION, _recommendation
        ),
        Field("recommendation_text", "Recommendation text", RECOMMENDATION, _recommendation_text),
        Field("leads", "Recommendation leads", RECOMMENDATION, _leads),
        Field(
            "benchmark",
            "Current benchmark (the recommendation's measures)",
            RECOMMENDATION,
            _benchmark,
        ),
        Field(
            "target_date",
            "Target/date (the recommendation's measures)",
            RECOMMENDATION,
            _measure_target,
        ),
        Field(
            "recommendation_progress",
            "Progress written on the whole recommendation",
            RECOMMENDATION,
            _recommendation_progress,
        ),
        Field("action_reference", "Action reference", ACTION, _action_reference),
        Field("action", "Action required", ACTION, _action),
        Field("owners", "Who is responsible (as the plan wrote it)", ACTION, _owners),
        Field("who_when", "Who/when: owner in bold, then the time scale", ACTION, _who_when),
        Field("planned_completion", "Time scale / planned completion", ACTION, _planned_completion),
        Field(
            "original_date", "Original date (the first planned completion)", ACTION, _original_date
        ),
        Field("revised_date", "Revised date (where the date has moved)", ACTION, _revised_date),
        Field("status", "Status", ACTION, _status),
        Field("rag", "RAG rating", ACTION, _rag),
        Field("performance_indicator", "Performance indicator", ACTION, _performance_indicator),
        Field("target", "Target (as written on the action)", ACTION, _target),
        Field("action_benchmark", "Benchmark (the action's measures)", ACTION, _action_benchmark),
        Field(
            "action_target_date",
            "Target/date (the action's measures)",
            ACTION,
            _action_measure_target,
        ),
        Field("progress", "Progress updates on the action", ACTION, _progress),
        Field("last_update", "Date of the last update", ACTION, _last_update),
        Field(
            "decisions", "Sign-off and returns (managers' decisions, in words)", ACTION, _decisions
        ),
        Field(
            "changed_since",
            "Changed since the last committee (its published pack): what changed",
            ACTION,
            _changed_since,
        ),
    ]
}

CHOICES = [(f.key, f.label) for f in FIELDS.values()]

# A plan's own column headings mapped to fields by meaning: the first pattern a heading contains
# (lower case) wins, so a plan without a layout still renders in its own columns and order.
HEADING_MEANINGS = [
    ("ref", "reference"),
    ("original date", "original_date"),
    ("revised date", "revised_date"),
    ("deadline", "planned_completion"),
    ("due", "planned_completion"),
    ("recommendation", "recommendation"),
    ("area for", "recommendation"),
    ("who/when", "who_when"),
    ("action", "action"),
    ("who", "owners"),
    ("lead", "owners"),
    ("owner", "owners"),
    ("responsib", "owners"),
    ("benchmark", "benchmark"),
    ("baseline", "benchmark"),
    ("target/date", "target_date"),
    ("indicator", "performance_indicator"),
    ("measure", "performance_indicator"),
    ("target", "target"),
    ("time", "planned_completion"),
    ("date", "planned_completion"),
    ("when", "planned_completion"),
    ("status", "status"),
    ("rag", "rag"),
    ("progress", "progress"),
    ("update", "progress"),
    ("comment", "progress"),
]


def field_for_heading(heading):
    words = heading.lower()
    for pattern, key in HEADING_MEANINGS:
        if pattern in words:
            return key
    return None

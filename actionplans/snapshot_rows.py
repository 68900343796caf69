"""What a snapshot of a plan holds: plain rows of its sections, recommendations and actions.

Pages and the committee appendix render these rows, whether made from the plan as it stands now or
as it stood at a past moment (``snapshots``), so both share one shape and one template.
"""

from dataclasses import dataclass, field

from . import date_moves, rag
from .models import ActionOwner, Plan, decision_words


@dataclass
class UpdateRow:
    id: int
    kind: str
    kind_label: str
    written_on: object
    period_label: str
    text: str
    author: str

    @property
    def words(self):
        """A decision in words that say what it is ("Signed off by J Smith on 3 December 2012:
        evidence seen"); never shown as progress."""
        return decision_words(self.kind, self.author, self.written_on, self.text)


@dataclass(frozen=True)
class OwnerRow:
    """An owner of an action in the plan's order: a lead or supporting, with the plan's wording."""

    name: str
    role: str = ActionOwner.Role.LEAD
    as_written: str = ""

    def __str__(self):
        return self.name

    @property
    def supporting(self):
        return self.role == ActionOwner.Role.SUPPORTING


@dataclass
class MeasureRow:
    """A performance indicator with its baseline and target as the plan wrote them."""

    id: int
    name: str
    baseline_text: str
    target_text: str
    target_date_text: str


@dataclass
class ActionRow:
    id: int
    reference: str
    text: str
    owners: list  # OwnerRow, in the plan's order
    owners_as_written: str
    planned_completion_text: str
    planned_completion_date: object
    status: str
    status_label: str
    rag: str  # the rating as the plan's scale shows it (rag.on_scale)
    rag_label: str
    updates: list  # progress only (models.PROGRESS_KINDS), newest first
    computed_rag: str = ""  # beside an override in force: the rating the rule gives
    computed_label: str = ""
    label: str = ""  # its reference as the page shows it: its own, else its recommendation's
    name: str = ""  # what its controls act on, unique on the page: "action 2 of CP1"
    performance_indicator: str = ""
    target: str = ""
    measures: list = field(default_factory=list)
    # A manager's sign-offs, returns and reopenings, newest first: shown only where asked for.
    decisions: list = field(default_factory=list)
    # The planned completion it was first given, and how often it has moved (date_moves).
    first_planned_completion_text: str = ""
    first_planned_completion_date: object = None
    date_revisions: int = 0
    # Progress updates older than those in ``updates``, not read (snapshots.current(latest=True)).
    unread_updates: int = 0

    @property
    def revision_words(self):
        """ "revised twice; first due Nov 12", or "" if the date never moved."""
        return date_moves.revision_words(
            self.date_revisions,
            self.first_planned_completion_text,
            self.first_planned_completion_date,
        )

    @property
    def original_planned(self):
        """The planned completion as first given (text, date): for an action whose date never
        moved, the one it has."""
        first = (self.first_planned_completion_text, self.first_planned_completion_date)
        if date_moves.has_planned(*first):
            return first
        return (self.planned_completion_text, self.planned_completion_date)

    @property
    def latest_update(self):
        return self.updates[0] if self.updates else None

    @property
    def last_updated_on(self):
        """The date of the action's last update, or None."""
        return self.updates[0].written_on if self.updates else None

    @property
    def leads(self):
        return [o for o in self.owners if not o.supporting]

    @property
    def supporting(self):
        return [o for o in self.owners if o.supporting]

    @property
    def earlier_updates(self):
        return self.updates[1:]

    @property
    def earlier_count(self):
        """How many progress updates came before the latest, read or not."""
        return len(self.earlier_updates) + self.unread_updates


@dataclass
class RecommendationRow:
    id: int
    reference: str
    text: str
    leads: list
    updates: list
    actions: list
    name: str = ""  # unique on the page: "CP1", "1 in General Service Enhancements"
    measures: list = field(default_factory=list)
    benchmark_as_written: str = ""  # the plan's cells as written, beside the measures
    target_as_written: str = ""
    rating: str = ""  # rolled up from its actions (rag.ROLL_UP_RULE)
    rating_label: str = ""

    @property
    def latest_update(self):
        return self.updates[0] if self.updates else None


@dataclass
class SectionRow:
    id: int
    title: str
    recommendations: list
    name: str = ""

    @property
    def action_count(self):
        return sum(len(r.actions) for r in self.recommendations)


@dataclass(frozen=True)
class FindingRow:
    """What the plan's inspection found, as the inspectorate wrote it."""

    kind: str
    reference: str
    text: str


@dataclass
class Outline:
    plan: Plan
    sections: list
    at: object = None  # None: as it stands now
    # The strengths, requirements met and areas for development of the plan's inspections (its
    # recommendations are the plan's own rows), in the inspectorate's order.
    findings: list = field(default_factory=list)
    rating: str = ""  # rolled up from its actions (rag.ROLL_UP_RULE)
    rating_label: str = ""
    roll_up_rule: str = rag.ROLL_UP_RULE
    # The public version (actionplans.publication): what it left out, for the document to say.
    public: bool = False
    withheld_updates: int = 0
    withheld_cells: int = 0
    by_post: bool = False  # some people shown by their post, as their council chose

    @property
    def action_count(self):
        return sum(len(r.actions) for s in self.sections for r in s.recommendations)

    @property
    def unowned_actions(self):
        """Actions that name no owner (a plan loaded from a document may have some)."""
        return [
            a for s in self.sections for r in s.recommendations for a in r.actions if not a.owners
        ]

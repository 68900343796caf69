"""What the council does about an inspection: plans, recommendations, actions and their progress.

Every model keeps its full history (django-simple-history), so any plan can be shown as it stood on
a past date. Texts are kept as the council wrote them; derived values (a real date from "Nov 12")
sit beside them.

By subject, each module importing only those above it (but for a plan's unowned actions):

- ``owners``: who does the work (a person, role, team, board or partner agency);
- ``plans``: a plan, who it is shared with, and cross-council reads;
- ``structure``: a plan's sections, recommendations and actions, and each action's owners;
- ``measures``: performance indicators and their readings;
- ``progress``: progress updates and managers' decisions, what counts as progress, and evidence;
- ``moves``: each move of an action's planned completion;
- ``publication``: what is not for publication (Schedule 12A) and whom the public version names;
- ``ladder``: the completion ladder's steps above signed off (assured, impact shown).

Import from here (``from actionplans.models import Action``): every model and public name is here.
"""

from simple_history.models import HistoricalChanges

from . import ladder, measures, owners, plans, progress, publication, structure
from .ladder import CompletionStep, CompletionStepQuerySet, LadderStep
from .measures import Measure, MeasureUnit, Reading
from .moves import DateMove
from .owners import OfficerLevel, Owner, OwnerKind
from .plans import CrossCouncilRead, Plan, PlanShare, PlanStatus
from .progress import (
    DECISION_WORDS,
    PROGRESS_KINDS,
    Evidence,
    ProgressUpdate,
    ProgressUpdateQuerySet,
    UpdateKind,
    decision_note,
    decision_words,
    evidence_path,
    evidence_storage,
)
from .publication import WITHHOLDABLE_FIELDS, Exemption, PublicationPolicy, Withholding
from .structure import (
    Action,
    ActionOwner,
    ActionQuerySet,
    ActionStatus,
    OwnerRole,
    Recommendation,
    Section,
)

__all__ = [
    "DECISION_WORDS",
    "PROGRESS_KINDS",
    "WITHHOLDABLE_FIELDS",
    "Action",
    "CompletionStep",
    "CompletionStepQuerySet",
    "ActionOwner",
    "ActionQuerySet",
    "ActionStatus",
    "CrossCouncilRead",
    "DateMove",
    "Evidence",
    "Exemption",
    "LadderStep",
    "Measure",
    "OfficerLevel",
    "MeasureUnit",
    "Owner",
    "OwnerKind",
    "OwnerRole",
    "Plan",
    "PlanShare",
    "PlanStatus",
    "ProgressUpdate",
    "ProgressUpdateQuerySet",
    "PublicationPolicy",
    "Reading",
    "Recommendation",
    "Section",
    "UpdateKind",
    "Withholding",
    "decision_note",
    "decision_words",
    "evidence_path",  # named by the migrations (actionplans.models.evidence_path)
    "evidence_storage",
]

# django-simple-history puts each history model it makes (HistoricalPlan, ...) in its model's module
# but names the app ("actionplans") as the class's module when models live in a package, so what
# imports a model by its path (manage.py shell's automatic imports) cannot find it: name the module
# that holds it (django-simple-history issue 1479). Tables and migrations go by label, not module.
for _module in (owners, plans, structure, measures, progress, publication, ladder):
    for _value in list(vars(_module).values()):
        if isinstance(_value, type) and issubclass(_value, HistoricalChanges):
            _value.__module__ = _module.__name__
del _module, _value

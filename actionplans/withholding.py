"""Marking what is not for publication, and a council's choice of whom its public version names.

Writes with who and why in history (core.records). The public version itself is
``actionplans.publication``; who may mark what is ``actionplans.rules`` (a manager of the plan;
the officer writing an update may mark their own as they write it, ``workflow.progress_add``).
"""

from django.db import transaction

from core.errors import Refused
from core.records import record_remove, record_save, record_save_versioned

from .models import (
    WITHHOLDABLE_FIELDS,
    Exemption,
    OfficerLevel,
    ProgressUpdate,
    PublicationPolicy,
    Withholding,
)

UNKNOWN_CATEGORY = (
    "Choose one of the paragraphs of Schedule 12A listed, or that it may be published. "
    "Nothing was changed."
)


def _check_category(category):
    if category and category not in Exemption.values:
        raise Refused(UNKNOWN_CATEGORY)


def _mark(existing, new, *, actor, category, what):
    """Set, change or lift one mark (``category`` "": publishable); the mark, or None."""
    _check_category(category)
    if not category:
        if existing is not None:
            record_remove(existing, actor=actor, reason=f"{what} may be published")
        return None
    mark = existing or new
    if mark.pk and mark.category == category:
        return mark
    mark.category, mark.marked_by = category, actor
    record_save(mark, actor=actor, reason=f"{what} marked not for publication ({category})")
    return mark


@transaction.atomic
def update_withhold(update, *, actor, category):
    """Mark a progress update (or a decision) not for publication under a paragraph of Schedule
    12A, change the paragraph, or (``category`` "") publish it again."""
    locked = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    existing = Withholding.objects.filter(update=locked).first()
    what = f"The update of {locked.written_on:%-d %B %Y}"
    return _mark(existing, Withholding(update=locked), actor=actor, category=category, what=what)


@transaction.atomic
def cell_withhold(action, *, actor, field, category):
    """Mark one cell of an action (WITHHOLDABLE_FIELDS) not for publication, or publish it."""
    if field not in WITHHOLDABLE_FIELDS:
        raise Refused("Choose one of the action's entries listed. Nothing was changed.")
    existing = Withholding.objects.select_for_update().filter(action=action, field=field).first()
    what = WITHHOLDABLE_FIELDS[field]
    new = Withholding(action=action, field=field)
    return _mark(existing, new, actor=actor, category=category, what=what)


@transaction.atomic
def publication_policy_set(organisation, *, actor, name_from, version=None):
    """Set whom ``organisation``'s public version names: people at ``name_from`` or above (""
    names everyone). StaleEdit if someone set it since ``version``."""
    if name_from and name_from not in OfficerLevel.values:
        raise Refused("Choose one of the levels listed. Nothing was changed.")
    policy = PublicationPolicy.objects.select_for_update().filter(organisation=organisation).first()
    if policy is None:
        policy = PublicationPolicy(organisation=organisation, name_from=name_from)
        return record_save(policy, actor=actor, reason="Publication policy set")
    policy.name_from = name_from
    return record_save_versioned(
        policy,
        actor=actor,
        expected_version=policy.version if version is None else version,
        reason="Publication policy set",
        fields=["name_from"],
    )

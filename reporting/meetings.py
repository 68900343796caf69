"""The writes of governance bodies and their meetings: each of one council, and nothing of
another council's ever named by them (Refused with words, nothing changed)."""

import re

from django.db import transaction

from core import once
from core.errors import Refused
from core.records import record_attribute, record_save

from .models import GovernanceBody, Meeting


def _tidy(name):
    return re.sub(r"\s+", " ", name or "").strip()


def _check_name_free(organisation, name):
    if GovernanceBody.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise Refused(
            f"Your council already has a body called {name}: choose it, or another name.",
            field="name",
        )


def _check_plans(organisation, plans):
    strangers = [plan.title for plan in plans if plan.organisation != organisation]
    if strangers:
        raise Refused(
            f"A body receives its own council's plans only: {', '.join(strangers)} is not "
            f"{organisation}'s.",
            field="plans",
        )


@once.guarded("actor")
@transaction.atomic
def body_create(*, actor, organisation, name, kind, plans=()):
    """A governance body of ``organisation``, receiving ``plans`` (of that council)."""
    name = _tidy(name)
    _check_name_free(organisation, name)
    _check_plans(organisation, plans)
    body = GovernanceBody(organisation=organisation, name=name, kind=kind)
    body.full_clean()
    record_save(body, actor=actor, reason="Governance body created")
    body.plans.set(plans)
    return body


@transaction.atomic
def body_plans_set(body, *, actor, plans):
    """The plans the body receives (its council's own)."""
    current = GovernanceBody.objects.select_for_update().get(pk=body.pk)
    _check_plans(current.organisation, plans)
    record_attribute(current, actor=actor, reason="Plans it receives changed")
    current.plans.set(plans)  # its history records the change (HistoricalRecords m2m_fields)
    return current


def _check_meeting_free(body, date, title):
    if Meeting.objects.filter(body=body, date=date, title__iexact=title).exists():
        raise Refused(
            f"{body.name} already has a meeting on {date:%-d %B %Y}"
            + (f" called {title}" if title else "")
            + ": choose it, or give this one a title.",
            field="date",
        )


@once.guarded("actor")
@transaction.atomic
def meeting_create(body, *, actor, date, title="", agenda_reference=""):
    """A meeting of ``body`` on ``date``."""
    title = _tidy(title)
    _check_meeting_free(body, date, title)
    meeting = Meeting(body=body, date=date, title=title, agenda_reference=agenda_reference)
    meeting.full_clean()
    return record_save(meeting, actor=actor, reason="Meeting created")


def meeting_for(organisation, committee, date, *, actor):
    """The meeting of ``organisation``'s body called ``committee`` (any case) on ``date`` (its
    untitled one), each made if there is none: for callers that name the committee in words."""
    name = _tidy(committee)
    body = GovernanceBody.objects.filter(organisation=organisation, name__iexact=name).first()
    if body is None:
        body = GovernanceBody(organisation=organisation, name=name, kind=kind_of(name))
        body.full_clean()
        record_save(body, actor=actor, reason="Governance body created")
    meeting = Meeting.objects.filter(body=body, date=date, title="").first()
    if meeting is None:
        meeting = Meeting(body=body, date=date)
        meeting.full_clean()
        record_save(meeting, actor=actor, reason="Meeting created")
    return meeting


KINDS = [  # a body's kind from its name: the first whose words the name holds
    ("safeguarding", GovernanceBody.Kind.SAFEGUARDING),
    ("improvement", GovernanceBody.Kind.IMPROVEMENT),
    ("scrutiny", GovernanceBody.Kind.SCRUTINY),
    ("select commission", GovernanceBody.Kind.SCRUTINY),
    ("overview", GovernanceBody.Kind.SCRUTINY),
    ("cabinet", GovernanceBody.Kind.EXECUTIVE),
    ("executive", GovernanceBody.Kind.EXECUTIVE),
]


def kind_of(name):
    lowered = name.lower()
    return next((kind for words, kind in KINDS if words in lowered), GovernanceBody.Kind.OTHER)

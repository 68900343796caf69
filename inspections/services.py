"""Recording an inspection, its judgements and its findings: who and why go into history; a
manager records them for their own council only."""

from django.db import transaction

from core import once
from core.councils import set_up_refusal
from core.errors import Refused
from core.records import columns, record_append, record_save, record_save_versioned


def _check_set_up_for(actor, organisation):
    refusal = set_up_refusal(actor, organisation)
    if refusal:
        raise Refused(refusal, "organisation")


@once.guarded("actor")
@transaction.atomic
def inspection_add(inspection, *, actor):
    _check_set_up_for(actor, inspection.organisation)
    return record_save(inspection, actor=actor, reason="Inspection added")


@transaction.atomic
def inspection_edit(inspection, *, actor, version, fields):
    _check_set_up_for(actor, inspection.organisation)
    return record_save_versioned(
        inspection,
        actor=actor,
        expected_version=version,
        fields=fields,
        reason="Inspection edited",
    )


@once.guarded("actor")
def judgement_add(judgement, *, actor):
    siblings = judgement.inspection.judgements.all()
    return record_append(judgement, actor=actor, siblings=siblings, reason="Judgement added")


@transaction.atomic
def judgement_edit(judgement, *, actor, fields):
    return record_save(
        judgement,
        actor=actor,
        reason="Judgement edited",
        update_fields=columns(type(judgement), fields),
    )


@once.guarded("actor")
def finding_add(finding, *, actor):
    siblings = finding.inspection.findings.filter(kind=finding.kind)
    return record_append(finding, actor=actor, siblings=siblings, reason="Finding added")


@transaction.atomic
def finding_edit(finding, *, actor, fields):
    return record_save(
        finding, actor=actor, reason="Finding edited", update_fields=columns(type(finding), fields)
    )

"""Who may see and change inspections: the council boundary of actionplans.rules, asked through
core.councils (actionplans builds on inspections, so inspections does not import it).

A manager records their own council's inspections; everyone reads their council's; the site
administrator reads every one, and each read of another council's is kept. As elsewhere, what
the user may not see answers 404 and what they may see but not change 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from core.councils import council_of, is_site_administrator, part_for_user, record_crossing

from .models import Finding, Inspection, Judgement


def visible_inspections(user):
    """Inspections of the user's council (every inspection for an administrator)."""
    if not (user.is_authenticated and user.is_active):
        return Inspection.objects.none()
    if is_site_administrator(user):
        return Inspection.objects.all()
    council = council_of(user)
    return Inspection.objects.filter(organisation=council) if council else Inspection.objects.none()


def can_add_inspection(user):
    return user.has_perm("inspections.add_inspection") and (
        is_site_administrator(user) or bool(council_of(user))
    )


def get_inspection_for_user(user, pk, *, edit=False):
    inspection = get_object_or_404(visible_inspections(user), pk=pk)
    record_crossing(user, inspection.organisation, f"inspection {inspection.pk}")
    if edit and not user.has_perm("inspections.change_inspection"):
        raise PermissionDenied("Only a manager can change inspections.")
    return inspection


def _get_part_for_editing(model, user, pk):
    """A judgement or finding of an inspection the user may see (else 404) and change (403)."""
    obj = part_for_user(model, user, pk, parent="inspection", parents=visible_inspections(user))
    if not user.has_perm(f"inspections.change_{model._meta.model_name}"):
        raise PermissionDenied("Only a manager can change inspections.")
    return obj


def get_judgement_for_user(user, pk):
    return _get_part_for_editing(Judgement, user, pk)


def get_finding_for_user(user, pk):
    return _get_part_for_editing(Finding, user, pk)

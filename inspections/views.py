"""An inspection's pages: the list, one inspection with its judgements and findings, and the
forms that record them (a manager's, for their own council)."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse

from core.councils import set_up_council, visible_plans
from core.views import edit_of, fields_of, form_page, posted, require, save_form, versioned_form

from . import rules, services
from .forms import FindingForm, InspectionForm, JudgementForm
from .models import Inspection

PAGE_SIZE = 50


def _inspection_url(obj):
    return reverse("inspection_detail", args=[getattr(obj, "inspection_id", None) or obj.pk])


def inspection_list(request):
    require(
        request.user.has_perm("inspections.change_inspection"),
        "Only managers can set up inspections.",
    )
    inspections = (
        rules.visible_inspections(request.user)
        .annotate(
            judgement_count=Count("judgements", distinct=True),
            finding_count=Count("findings", distinct=True),
        )
        .order_by("organisation", "-started_on", "title")
    )
    page = Paginator(inspections, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "query": "",
        "can_add": rules.can_add_inspection(request.user),
    }
    return render(request, "inspections/inspection_list.html", context)


def inspection_detail(request, pk):
    inspection = rules.get_inspection_for_user(request.user, pk)
    context = {
        "inspection": inspection,
        "judgements": inspection.judgements.all(),
        "findings": inspection.findings.all(),
        "plans": visible_plans(request.user).filter(inspections=inspection),
        "can_edit": request.user.has_perm("inspections.change_inspection"),
    }
    if context["can_edit"]:
        context["crumbs"] = [("Inspections", reverse("inspection_list")), (inspection.title, "")]
    return render(request, "inspections/inspection_detail.html", context)


def _inspection_form(request, inspection, title, save, back):
    return versioned_form(
        request,
        InspectionForm,
        inspection,
        title,
        save,
        back=back,
        back_label="Back",
        form_kwargs={"council": set_up_council(request.user)},
        context={"caption": "Inspections"},
        done=_inspection_url,
        message="The inspection has been saved.",
    )


def inspection_add(request):
    require(rules.can_add_inspection(request.user), "Only a manager can add inspections.")

    def save(form):
        return services.inspection_add(
            form.save(commit=False), actor=request.user, once=form.once_key
        )

    return _inspection_form(
        request, Inspection(), "Record an inspection", save, reverse("inspection_list")
    )


def inspection_edit(request, pk):
    inspection = rules.get_inspection_for_user(request.user, pk, edit=True)

    def save(form):
        return services.inspection_edit(
            form.save(commit=False),
            **edit_of(request, form),
        )

    return _inspection_form(
        request, inspection, "Edit the inspection", save, _inspection_url(inspection)
    )


def _part_form(request, form, inspection, title, save, message):
    """Add or edit a judgement or finding of ``inspection``."""
    if save_form(request, form, save, message) is not None:
        return redirect(_inspection_url(inspection))
    return form_page(
        request,
        form,
        title,
        _inspection_url(inspection),
        "Back to the inspection",
        caption=inspection.title,
    )


def _part_add(request, pk, form_class, add):
    """Add a judgement or finding (``form_class``'s model) to inspection ``pk``."""
    inspection = rules.get_inspection_for_user(request.user, pk, edit=True)
    model = form_class.Meta.model
    noun = model._meta.verbose_name
    form = form_class(posted(request), instance=model(inspection=inspection))
    return _part_form(
        request,
        form,
        inspection,
        f"Add a {noun}",
        lambda form: add(form.instance, actor=request.user, once=form.once_key),
        f"The {noun} has been added.",
    )


def _part_edit(request, part, form_class, edit):
    noun = part._meta.verbose_name
    return _part_form(
        request,
        form_class(posted(request), instance=part),
        part.inspection,
        f"Edit the {noun}",
        lambda form: edit(form.instance, actor=request.user, fields=fields_of(form)),
        f"The {noun} has been updated.",
    )


def judgement_add(request, pk):
    return _part_add(request, pk, JudgementForm, services.judgement_add)


def judgement_edit(request, pk):
    judgement = rules.get_judgement_for_user(request.user, pk)
    return _part_edit(request, judgement, JudgementForm, services.judgement_edit)


def finding_add(request, pk):
    return _part_add(request, pk, FindingForm, services.finding_add)


def finding_edit(request, pk):
    finding = rules.get_finding_for_user(request.user, pk)
    return _part_edit(request, finding, FindingForm, services.finding_edit)

"""Managers set up what plans are made of: plans, owners (people, teams, boards and partner
agencies, linked to sign-ins) and inspections with their judgements and findings.

The inspection pages live here rather than in the inspections app: who may see an inspection
depends on the user's council, which only actionplans knows (an Owner's organisation), and the
inspections app must not import actionplans.
"""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse

from inspections.models import Finding, Inspection, Judgement

from .. import rules, services
from ..filters import OwnerFilter
from ..forms import (
    FindingForm,
    InspectionForm,
    JudgementForm,
    OwnerForm,
    PlanCreateForm,
)
from ..models import Owner
from . import posted
from .structure import FORM, fields_of, save_form, versioned_form

PAGE_SIZE = 50


def _council(user):
    """The council a user sets up for; None for an administrator, who may name any."""
    return None if rules.is_site_administrator(user) else rules.council_of(user)


def _form_page(request, form, title, back, back_label, **context):
    context.update(form=form, title=title, back=back, back_label=back_label)
    return render(request, FORM, context)


def plan_create(request):
    rules.require(rules.can_add_plan(request.user), "Only a manager can create plans.")
    form = PlanCreateForm(posted(request), council=_council(request.user))

    def save(form):
        return services.plan_create(
            form.save(commit=False), actor=request.user,
            inspections=form.cleaned_data["inspections"], once=form.once_key,
        )  # fmt: skip

    saved = save_form(request, form, save, "The plan has been created. You manage it.")
    if saved is not None:
        return redirect(saved.get_absolute_url())
    return _form_page(
        request, form, "Create a plan", reverse("plan_list"), "Back to the plans",
        links=[(reverse("inspection_add"), "Record its inspection first"),
               (reverse("owner_add"), "Add an owner first")],
    )  # fmt: skip


# Owners


def owner_list(request):
    rules.require(
        request.user.has_perm("actionplans.change_owner"), "Only managers can set up owners."
    )
    owners = (
        rules.visible_owners(request.user)
        .select_related("user")
        .annotate(member_count=Count("members"))
        .order_by("organisation", "service", "name")
    )
    filterset = OwnerFilter(request.GET or None, queryset=owners)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    without_page = request.GET.copy()
    without_page.pop("page", None)
    context = {
        "filter": filterset,
        "page_obj": page,
        "query": without_page.urlencode(),
        "can_add": rules.can_add_owner(request.user),
    }
    return render(request, "actionplans/owner_list.html", context)


def owner_detail(request, pk):
    owner = rules.get_owner_for_user(request.user, pk)
    visible = rules.visible_owners(request.user).values("pk")
    context = {
        "owner": owner,
        "members": owner.members.filter(pk__in=visible),
        "member_of": owner.member_of.filter(pk__in=visible),
        "can_edit": request.user.has_perm("actionplans.change_owner"),
    }
    if context["can_edit"]:
        context["crumbs"] = [("Owners", reverse("owner_list")), (owner.name, "")]
    return render(request, "actionplans/owner_detail.html", context)


def _owner_form(request, owner, title, save, back):
    return versioned_form(
        request, OwnerForm, owner, title, save, back=back, back_label="Back",
        form_kwargs={"user": request.user, "council": rules.council_of(request.user),
                     "members": rules.visible_owners(request.user)},
        context={"caption": "Owners"},
    )  # fmt: skip


def owner_add(request):
    rules.require(rules.can_add_owner(request.user), "Only a manager can add owners.")

    def save(form):
        return services.owner_add(
            form.save(commit=False), actor=request.user, members=form.cleaned_data["members"],
            once=form.once_key,
        )  # fmt: skip

    return _owner_form(request, Owner(), "Add an owner", save, reverse("owner_list"))


def owner_edit(request, pk):
    owner = rules.get_owner_for_user(request.user, pk, edit=True)

    def save(form):
        return services.owner_edit(
            form.save(commit=False), actor=request.user, version=form.cleaned_data["version"],
            fields=fields_of(form), members=form.cleaned_data["members"],
        )  # fmt: skip

    return _owner_form(request, owner, f"Edit {owner.name}", save, owner.get_absolute_url())


# Inspections, their judgements and findings


def _inspection_url(obj):
    return reverse("inspection_detail", args=[getattr(obj, "inspection_id", None) or obj.pk])


def inspection_list(request):
    rules.require(
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
        "plans": rules.visible_plans(request.user).filter(inspections=inspection),
        "can_edit": request.user.has_perm("inspections.change_inspection"),
    }
    if context["can_edit"]:
        context["crumbs"] = [("Inspections", reverse("inspection_list")), (inspection.title, "")]
    return render(request, "inspections/inspection_detail.html", context)


def _inspection_form(request, inspection, title, save, back):
    return versioned_form(
        request, InspectionForm, inspection, title, save, back=back, back_label="Back",
        form_kwargs={"council": _council(request.user)}, context={"caption": "Inspections"},
        done=_inspection_url, message="The inspection has been saved.",
    )  # fmt: skip


def inspection_add(request):
    rules.require(rules.can_add_inspection(request.user), "Only a manager can add inspections.")

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
            form.save(commit=False), actor=request.user, version=form.cleaned_data["version"],
            fields=fields_of(form),
        )  # fmt: skip

    return _inspection_form(
        request, inspection, "Edit the inspection", save, _inspection_url(inspection)
    )


def _part_form(request, form, inspection, title, save, message):
    """Add or edit a judgement or finding of ``inspection``."""
    if save_form(request, form, save, message) is not None:
        return redirect(_inspection_url(inspection))
    return _form_page(
        request, form, title, _inspection_url(inspection), "Back to the inspection",
        caption=inspection.title,
    )  # fmt: skip


def judgement_add(request, pk):
    inspection = rules.get_inspection_for_user(request.user, pk, edit=True)
    form = JudgementForm(posted(request), instance=Judgement(inspection=inspection))
    return _part_form(
        request, form, inspection, "Add a judgement",
        lambda form: services.judgement_add(form.instance, actor=request.user, once=form.once_key),
        "The judgement has been added.",
    )  # fmt: skip


def judgement_edit(request, pk):
    judgement = rules.get_judgement_for_user(request.user, pk)
    form = JudgementForm(posted(request), instance=judgement)
    return _part_form(
        request, form, judgement.inspection, "Edit the judgement",
        lambda form: services.judgement_edit(
            form.instance, actor=request.user, fields=fields_of(form)
        ),
        "The judgement has been updated.",
    )  # fmt: skip


def finding_add(request, pk):
    inspection = rules.get_inspection_for_user(request.user, pk, edit=True)
    form = FindingForm(posted(request), instance=Finding(inspection=inspection))
    return _part_form(
        request, form, inspection, "Add a finding",
        lambda form: services.finding_add(form.instance, actor=request.user, once=form.once_key),
        "The finding has been added.",
    )  # fmt: skip


def finding_edit(request, pk):
    finding = rules.get_finding_for_user(request.user, pk)
    form = FindingForm(posted(request), instance=finding)
    return _part_form(
        request, form, finding.inspection, "Edit the finding",
        lambda form: services.finding_edit(
            form.instance, actor=request.user, fields=fields_of(form)
        ),
        "The finding has been updated.",
    )  # fmt: skip

"""Managers set up what plans are made of: plans, and owners (people, teams, boards and partner
agencies, linked to sign-ins). An inspection's pages are the inspections app's."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse

from core.councils import set_up_council
from core.views import edit_of, form_page, posted, require, save_form, versioned_form

from .. import plan_setup, rules
from ..filters import OwnerFilter
from ..models import Owner
from ..plan_forms import OwnerForm, PlanCreateForm

PAGE_SIZE = 50


def plan_create(request):
    require(rules.can_add_plan(request.user), "Only a manager can create plans.")
    form = PlanCreateForm(posted(request), council=set_up_council(request.user))

    def save(form):
        return plan_setup.plan_create(
            form.save(commit=False),
            actor=request.user,
            inspections=form.cleaned_data["inspections"],
            once=form.once_key,
        )

    saved = save_form(request, form, save, "The plan has been created. You manage it.")
    if saved is not None:
        return redirect(saved.get_absolute_url())
    return form_page(
        request,
        form,
        "Create a plan",
        reverse("plan_list"),
        "Back to the plans",
        links=[
            (reverse("inspection_add"), "Record its inspection first"),
            (reverse("owner_add"), "Add an owner first"),
        ],
    )


# Owners


def owner_list(request):
    require(request.user.has_perm("actionplans.change_owner"), "Only managers can set up owners.")
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
        "can_set_policy": bool(rules.council_of(request.user))
        and request.user.has_perm("actionplans.change_plan"),
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
        request,
        OwnerForm,
        owner,
        title,
        save,
        back=back,
        back_label="Back",
        form_kwargs={
            "user": request.user,
            "council": rules.council_of(request.user),
            "members": rules.visible_owners(request.user),
        },
        context={"caption": "Owners"},
    )


def owner_add(request):
    require(rules.can_add_owner(request.user), "Only a manager can add owners.")

    def save(form):
        return plan_setup.owner_add(
            form.save(commit=False),
            actor=request.user,
            members=form.cleaned_data["members"],
            once=form.once_key,
        )

    return _owner_form(request, Owner(), "Add an owner", save, reverse("owner_list"))


def owner_edit(request, pk):
    owner = rules.get_owner_for_user(request.user, pk, edit=True)

    def save(form):
        return plan_setup.owner_edit(
            form.save(commit=False),
            **edit_of(request, form),
            members=form.cleaned_data["members"],
        )

    return _owner_form(request, owner, f"Edit {owner.name}", save, owner.get_absolute_url())

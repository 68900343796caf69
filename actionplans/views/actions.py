from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from core import errors
from core.views import posted

from .. import evidence as evidence_rules
from .. import ladder, page_cache, queries, rag, rules, workflow
from ..filters import ActionFilter
from ..forms import ProgressUpdateForm, ProposeCompleteForm, ReopenForm, SignOffForm
from ..models import Action, CompletionStep
from .plans import history_page

PAGE_SIZE = 50
SORTABLE = [
    ("reference", "Ref"),
    ("plan", "Plan"),
    ("planned_completion_date", "Due"),
    ("status", "Status"),
    ("rag", "RAG"),
    ("last_update", "Last update"),
]


def action_list(request):
    today = timezone.localdate()
    plans = page_cache.visible_plans_now(request.user)
    return page_cache.render_reused(
        request,
        "actionplans/action_list.html",
        today,
        lambda: _action_list(request, today, plans),
        plans=plans,
    )


def _action_list(request, today, plans):
    """The action list's filters (their lists of plans, inspections, owners and bodies kept
    under the outline tokens of ``plans``, those the user sees), the page of actions they match,
    and the sorting links."""
    # The rule in SQL only when the list is filtered or sorted by rating; else the page's rows are
    # rated in Python (queries.rated), which costs less than building the rule's SQL.
    sorts = [key.lstrip("-") for key in request.GET.get("o", "").split(",")]
    by_rating = bool(request.GET.getlist("rag")) or "rag" in sorts
    visible = rules.visible_actions(request.user)
    if by_rating:
        actions = queries.with_list_columns(visible, today)
    else:
        actions = queries.shown_columns(visible)
    filterset = ActionFilter(request.GET or None, queryset=actions, user=request.user, today=today)
    filterset.keep_choices(
        lambda name, make: page_cache.reuse(
            page_cache.key_of("action list choices", name, page_cache.outlines(plans)), make
        )
    )
    results = filterset.qs
    if not request.GET.get("o"):
        # pk last: a stable order, so no row moves between pages.
        results = results.order_by(
            "recommendation__plan__title", "recommendation__order", "order", "pk"
        )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    if not by_rating:
        page.object_list = list(page.object_list)
        queries.rated([page.object_list], today)
    without_page = request.GET.copy()
    without_page.pop("page", None)
    return {
        "filter": filterset,
        "page_obj": page,
        # Pages near this one and at the ends: every council's 300,000 actions were 6,000 links.
        "page_range": page.paginator.get_elided_page_range(page.number),
        "query": without_page.urlencode(),
        "columns": _sort_links(without_page),
        "today": today,
    }


def _sort_links(params):
    """Column headings that sort by their column, the second click in reverse, keeping filters."""
    current = params.get("o", "")
    columns = []
    for key, label in SORTABLE:
        linked = params.copy()
        linked["o"] = f"-{key}" if current == key else key
        sort = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
        columns.append({"label": label, "query": linked.urlencode(), "sort": sort})
    return columns


def action_detail(request, pk):
    action = rules.get_action_for_user(request.user, pk)
    row_updates = list(
        action.updates.select_related("author", "attributed_to").prefetch_related(
            "evidence", "cited_evidence__update"
        )
    )
    today = timezone.localdate()
    rating, computed = rag.rate_one(action, today)
    scale = action.recommendation.plan.rag_scale
    context = {
        "action": action,
        "plan": action.recommendation.plan,
        "updates": row_updates,
        # Each move of its planned completion (none to read when it never moved).
        "date_moves": action.date_moves.select_related("moved_by") if action.date_revisions else (),
        "rag": rag.on_scale(rating, scale),
        "rag_words": rag.words(action, rating, scale, today),
        "computed": computed and rag.on_scale(computed, scale),
        "computed_words": computed and rag.label(computed, scale),
        "can_update": rules.can_update_action(request.user, action),
        "evidence_open": rules.may_open_evidence(request.user, action.recommendation.plan, action),
        "can_edit": rules.can_edit_plan(request.user, action.recommendation.plan),
        "can_sign_off": rules.can_sign_off(request.user, action)
        and action.status == Action.Status.AWAITING_SIGN_OFF,
        "can_reopen": rules.can_sign_off(request.user, action)
        and action.status == Action.Status.COMPLETE,
    }
    context.update(_ladder_context(request.user, action, row_updates))
    return render(request, "actionplans/action_detail.html", context)


def _ladder_context(user, action, updates):
    """The completion ladder and what the user may do next on it (the same queries however many
    steps the action has climbed or had reopened)."""
    steps = list(
        CompletionStep.objects.filter(action=action)
        .select_related("recorded_by", "reopened_by", "reading__measure", "entry")
        .prefetch_related("entry__evidence")
    )
    rungs = ladder.rungs(action, updates, steps)
    after = ladder.next_step(rungs)
    manager = rules.can_sign_off(user, action)
    offer_impact = after == ladder.IMPACT_SHOWN and manager
    return {
        "ladder": rungs,
        "ladder_top": ladder.top(rungs),
        "reopened_steps": [step for step in steps if not step.is_standing],
        "can_assure": after == ladder.ASSURED and rules.can_assure(user, action),
        "impact_reading": ladder.impact_reading(action) if offer_impact else None,
        "can_reopen_step": manager and action.status == Action.Status.COMPLETE,
    }


def _too_big(request):
    """True when a request is bigger than any acceptable update could be, before reading it."""
    limit = evidence_rules.MAX_FILES * settings.EVIDENCE_MAX_BYTES + 1024 * 1024
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit
    except ValueError:
        return True


def _update_form_view(request, pk, form_class, service, template, done_message):
    action = rules.get_action_for_user(request.user, pk, update=True)
    if request.method == "POST" and _too_big(request):
        limit = filesizeformat(settings.EVIDENCE_MAX_BYTES)
        message = (
            f"The files attached are too large. Attach at most {evidence_rules.MAX_FILES} files "
            f"of {limit} or less each. Nothing was saved."
        )
        return render(
            request, "actionplans/too_big.html", {"action": action, "message": message}, status=413
        )
    form = form_class(
        posted(request),
        request.FILES or None,
        action=action,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra = {name: data[name] for name in ("status", "cited", "exemption") if name in data}
        try:
            service(
                action,
                author=request.user,
                written_on=data["written_on"],
                text=data["text"],
                period_label=data["period_label"],
                files=data["evidence"],
                once=form.once_key,
                **extra,
            )
        except errors.Repeated as repeated:
            if repeated.made is None:
                form.add_error(None, str(repeated))
            else:  # sent twice (a double click, a retry): shown what the first one saved
                messages.info(request, str(repeated))
                return redirect("action_detail", pk=action.pk)
        except errors.Refused as refused:
            # Decided meanwhile (signed off, say): shown why, with what they wrote kept.
            action.refresh_from_db()
            again = request.POST.copy()
            again.pop("status", None)
            form = form_class(again, action=action)
            form.is_valid()
            form.add_error(None, str(refused))
        else:
            messages.success(request, done_message)
            return redirect("action_detail", pk=action.pk)
    return render(request, template, {"action": action, "form": form})


def action_update(request, pk):
    return _update_form_view(
        request,
        pk,
        ProgressUpdateForm,
        workflow.progress_add,
        "actionplans/action_update.html",
        "Your progress update has been saved.",
    )


def action_propose(request, pk):
    action = rules.get_action_for_user(request.user, pk, update=True)
    # A post with a one-time key goes to the service, which tells a repeat of this very proposal
    # (shown what it saved) from a proposal of an action someone else has decided meanwhile.
    repeat = request.method == "POST" and request.POST.get("once")
    if action.status in (Action.Status.COMPLETE, Action.Status.AWAITING_SIGN_OFF) and not repeat:
        messages.info(request, f"This action is already {action.get_status_display().lower()}.")
        return redirect("action_detail", pk=action.pk)
    return _update_form_view(
        request,
        pk,
        ProposeCompleteForm,
        workflow.completion_propose,
        "actionplans/action_propose.html",
        "You have proposed this action as complete. A manager of the plan will sign it off.",
    )


def action_sign_off(request, pk):
    action = rules.get_action_for_user(request.user, pk, sign_off=True)
    if action.status != Action.Status.AWAITING_SIGN_OFF:
        messages.info(
            request, f"This action is not awaiting sign-off. {workflow.last_decision(action)}"
        )
        return redirect("action_detail", pk=action.pk)
    proposal = workflow.latest_proposal(action)
    form = SignOffForm(posted(request), proposal=proposal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decision = {"manager": request.user, "proposal_id": data["proposal"]}
        if data["decision"] == "sign_off":
            decide, done = workflow.completion_sign_off, "The action is signed off as complete."
            decision["note"] = data["reason"]
        else:
            decide, done = workflow.completion_return, "The action has been returned to its owner."
            decision["reason"] = data["reason"]
        try:
            decide(action, **decision)
        except errors.Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, done)
        return redirect("action_detail", pk=action.pk)
    context = {"action": action, "form": form, "proposal": proposal}
    return render(request, "actionplans/action_sign_off.html", context)


def action_reopen(request, pk):
    """A manager reopens a complete action, with a reason the owner and history will show."""
    action = rules.get_action_for_user(request.user, pk, sign_off=True)
    form = ReopenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            workflow.action_reopen(action, manager=request.user, **form.cleaned_data)
        except errors.Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "The action has been reopened.")
        return redirect("action_detail", pk=action.pk)
    return render(request, "actionplans/action_reopen.html", {"action": action, "form": form})


def action_history(request, pk):
    action = rules.get_action_for_user(request.user, pk)
    return history_page(
        request,
        "actionplans/history.html",
        queries.history_sources(action=action),
        subject=action,
        plan=action.recommendation.plan,
    )


def evidence_download(request, pk):
    evidence = rules.get_evidence_for_user(request.user, pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

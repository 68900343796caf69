"""The forms a manager sets up and restructures plans and owners with.

Forms check input (types, lengths, dates, files); rules and services check the rest."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html

from core.forms import GDSMixin, OnceKeyMixin, VersionedForm
from core.people import sign_in_label
from inspections.models import Inspection

from . import date_moves, fuzzy_dates, rag
from .models import (
    Action,
    ActionOwner,
    Measure,
    Owner,
    Plan,
    Recommendation,
    Section,
)


def plan_owners(plan):
    """Owners a plan's actions may be given: its council's, and partners already on the plan."""
    return Owner.objects.filter(
        Q(organisation=plan.organisation)
        | Q(actions__recommendation__plan=plan)
        | Q(led_recommendations__plan=plan)
    ).distinct()


class ActionForm(OnceKeyMixin, VersionedForm):
    # "owners" are the lead owners; supporting owners follow them (Rotherham writes them in
    # italics under the lead). Owners already on the action keep their place in the plan's order.
    supporting_owners = forms.ModelMultipleChoiceField(
        queryset=Owner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Owners who support the lead, shown after the leads.",
    )
    # Asked when an edit moves the planned completion (date_moves); kept with the move.
    date_reason = forms.CharField(
        label="Why has the planned completion moved?",
        required=False,
        max_length=date_moves.REASON_LIMIT,
        widget=forms.TextInput,
        help_text="Needed only when you change the planned completion. "
        f"At most {date_moves.REASON_LIMIT} characters.",
        error_messages={"max_length": date_moves.REASON_TOO_LONG + "."},
    )

    # Supporting owners straight after the leads, not after every model field.
    field_order = ["reference", "text", "owners", "supporting_owners"]
    field_order += ["accountable_body", "planned_completion_text", "date_reason"]

    class Meta:
        model = Action
        fields = [
            "reference",
            "text",
            "owners",
            "accountable_body",
            "planned_completion_text",
            "status",
            "completed_on",
            "performance_indicator",
            "target",
            "rag_override",
            "rag_override_reason",
            "rag_override_until",
        ]
        widgets = {
            "owners": forms.CheckboxSelectMultiple,
            "text": forms.Textarea(attrs={"rows": 4}),
            "planned_completion_text": forms.TextInput,
            "performance_indicator": forms.Textarea(attrs={"rows": 2}),
            "target": forms.Textarea(attrs={"rows": 2}),
            "rag_override_reason": forms.Textarea(attrs={"rows": 2}),
            "rag_override": forms.RadioSelect,
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        owners = plan_owners(plan)
        self.fields["owners"].queryset = owners
        self.fields["owners"].label = "Lead owners"
        self.fields["supporting_owners"].queryset = owners
        if self.instance.pk and not self.is_bound:
            links = self.instance.ordered_owner_links
            self.initial["owners"] = [o.owner_id for o in links if o.role == ActionOwner.Role.LEAD]
            self.initial["supporting_owners"] = [
                o.owner_id for o in links if o.role == ActionOwner.Role.SUPPORTING
            ]
        self.fields["accountable_body"].queryset = owners
        self.fields["text"].required = True
        self.fields[
            "planned_completion_text"
        ].help_text = (
            "As the plan states it: a date such as 30/11/2012 or Nov 12, or words such as Ongoing."
        )
        if not self.instance.pk:
            del self.fields["date_reason"]  # a new action's first date is no move
        if self.instance.status != Action.Status.AWAITING_SIGN_OFF:
            self.fields["status"].choices = [
                c for c in Action.Status.choices if c[0] != Action.Status.AWAITING_SIGN_OFF
            ]
        # Only a value of the plan's scale (rag.py); a stored value of another scale still shows.
        allowed = rag.scale_values(plan.rag_scale)
        self.fields["rag_override"].choices = [("", "No override: use the computed rating")] + [
            (value.value, value.label) for value in allowed
        ]
        names = [value.label.lower() for value in allowed]
        self.fields["rag_override"].error_messages["invalid_choice"] = (
            f"Choose {', '.join(names[:-1])} or {names[-1]}, or no override."
        )
        self.fields[
            "rag_override_until"
        ].help_text = (
            "Optional. The last day the override holds; after it the computed rating returns."
        )

    def clean(self):
        data = super().clean()
        if data.get("rag_override") and not (data.get("rag_override_reason") or "").strip():
            self.add_error("rag_override_reason", "Give the reason for overriding the RAG rating.")
        until = data.get("rag_override_until")
        if not data.get("rag_override"):
            data["rag_override_until"] = None
        elif (
            until
            and until < timezone.localdate()
            and until != self.initial.get("rag_override_until")
        ):
            self.add_error("rag_override_until", "The override's last day cannot be in the past.")
        was_complete = self.instance.pk and self.initial.get("status") == Action.Status.COMPLETE
        if was_complete and data.get("status") not in (None, Action.Status.COMPLETE):
            self.add_error(
                "status",
                "To reopen a complete action, use Reopen on the action's page and give the reason.",
            )
        if data.get("status") == Action.Status.COMPLETE:
            data["completed_on"] = data.get("completed_on") or timezone.localdate()
        else:
            data["completed_on"] = None
        self._check_date_reason(data)
        leads, supporting = data.get("owners") or [], data.get("supporting_owners") or []
        if both := [str(o) for o in supporting if o in leads]:
            self.add_error(
                "supporting_owners",
                f"An owner is a lead or supporting, not both: {', '.join(both)}.",
            )
        elif supporting and not leads:
            self.add_error("owners", "Choose a lead owner for the supporting owners to support.")
        if {"owners", "supporting_owners"} & set(self.changed_data):
            # The council's original wording no longer describes the owners.
            self.instance.owners_as_written = ""
        return data

    def _check_date_reason(self, data):
        """A move of the planned completion needs a reason (date_moves says what a move is)."""
        if "date_reason" not in self.fields or "planned_completion_text" not in data:
            return
        if data.get("version") != self.instance.version:
            return  # based on a version since replaced: shown what changed first (StaleEdit)
        text = data["planned_completion_text"]
        old = self.initial.get("planned_completion_text", "")
        moved = date_moves.is_move(
            old, fuzzy_dates.derive_date(old), text, fuzzy_dates.derive_date(text)
        )
        if moved and not (data.get("date_reason") or "").strip():
            self.add_error("date_reason", date_moves.REASON_REQUIRED + ".")


class RecommendationForm(OnceKeyMixin, VersionedForm):
    class Meta:
        model = Recommendation
        fields = [
            "section",
            "reference",
            "text",
            "paragraph",
            "outcomes",
            "leads",
            "accountable_body",
        ]
        widgets = {
            "leads": forms.CheckboxSelectMultiple,
            "text": forms.Textarea(attrs={"rows": 4}),
            "outcomes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["section"].queryset = plan.sections.all()
        owners = plan_owners(plan)
        self.fields["leads"].queryset = owners
        self.fields["accountable_body"].queryset = owners


class SectionForm(OnceKeyMixin, GDSMixin, forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = True
        self.setup_gds()


class PlanForm(VersionedForm):
    class Meta:
        model = Plan
        fields = [
            "title",
            "directorate",
            "status",
            "submitted_on",
            "overall_rating",
            "sponsor",
            "governance_body",
            "inspections",
            "introduction",
            "rag_scale",
            "amber_days",
            "stale_days",
            "due_soon_days",
        ]
        widgets = {"inspections": forms.CheckboxSelectMultiple, "rag_scale": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owners = Owner.objects.filter(organisation=self.instance.organisation)
        self.fields["sponsor"].queryset = owners
        self.fields["governance_body"].queryset = owners
        # Its council's inspections, and any it already answers (so a save does not drop them).
        self.fields["inspections"].queryset = Inspection.objects.filter(
            Q(organisation=self.instance.organisation) | Q(plans=self.instance.pk)
        ).distinct()
        self.fields["inspections"].help_text = "The inspections this plan answers."


class MeasureForm(OnceKeyMixin, GDSMixin, forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "name",
            "unit",
            "recommendation",
            "baseline_text",
            "baseline_value",
            "baseline_date",
            "baseline_source",
            "target_text",
            "target_value",
            "target_date_text",
        ]
        widgets = {
            "baseline_text": forms.TextInput,
            "target_text": forms.TextInput,
            "target_date_text": forms.TextInput,
        }

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["recommendation"].queryset = plan.recommendations.all()
        self.setup_gds()

    def clean(self):
        data = super().clean()
        self.instance.target_date_text = data.get("target_date_text") or ""
        self.instance.derive_target_date()
        return data


class PlanCreateForm(OnceKeyMixin, GDSMixin, forms.ModelForm):
    """A new plan. A manager's plan is of their council; an administrator names the council."""

    class Meta:
        model = Plan
        fields = [
            "title",
            "organisation",
            "directorate",
            "inspections",
            "sponsor",
            "governance_body",
            "introduction",
        ]
        widgets = {"inspections": forms.CheckboxSelectMultiple}

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        if council:
            # A manager: the plan is of their council, and so are the choices offered.
            del self.fields["organisation"]
            self.instance.organisation = council
            owners = Owner.objects.filter(organisation=council)
            inspections = Inspection.objects.filter(organisation=council)
        else:
            self.fields["organisation"].help_text = "The council the plan belongs to."
            owners, inspections = Owner.objects.all(), Inspection.objects.all()
        self.fields["sponsor"].queryset = owners
        self.fields["governance_body"].queryset = owners
        self.fields["inspections"].queryset = inspections
        self.fields["inspections"].help_text = "The inspections this plan answers."
        self.setup_gds()


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return sign_in_label(obj)


class OwnerForm(OnceKeyMixin, VersionedForm):
    class Meta:
        model = Owner
        fields = [
            "name",
            "kind",
            "organisation",
            "service",
            "job_title",
            "level",
            "initials",
            "email",
            "user",
            "members",
        ]
        field_classes = {"user": UserChoiceField}
        widgets = {"kind": forms.RadioSelect, "members": forms.CheckboxSelectMultiple}
        labels = {"user": "Sign-in (optional)", "members": "Members (optional)"}

    def __init__(self, *args, user, council, members, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        # Sign-ins not yet linked to another owner, and this owner's own.
        free = User.objects.filter(is_active=True).filter(
            Q(owner__isnull=True) | Q(owner=self.instance.pk)
        )
        self.fields["user"].queryset = free.order_by("username")
        self.fields["user"].help_text = "Only a person can have a sign-in."
        self.fields["members"].queryset = members.exclude(pk=self.instance.pk).order_by("name")
        self.fields["kind"].choices = Owner.Kind.choices
        if council and not self.instance.organisation:
            self.initial["organisation"] = council
        self.fields["organisation"].help_text = format_html(
            "Your council{}, or the name of the partner agency.",
            f" ({council})" if council else "",
        )

    def clean(self):
        data = super().clean()
        kind, members = data.get("kind"), data.get("members")
        if kind == Owner.Kind.PERSON and members:
            self.add_error("members", "A person has no members: choose a team, role or board.")
        return data

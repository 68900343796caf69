"""Forms check input (types, lengths, dates, files); rules and services check the rest."""

import datetime as dt
import re

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html

from inspections.models import Finding, Inspection, Judgement
from inspections.validators import plausible_date

from . import evidence as evidence_rules
from . import once, rag
from .models import (
    Action,
    ActionOwner,
    Evidence,
    Measure,
    Owner,
    Plan,
    Reading,
    Recommendation,
    Section,
)
from .people import sign_in_label

# Long enough for any real progress note (the seeds' longest cell is under 2,000 characters).
TEXT_LIMIT = 20_000
DATE_HINT = "For example, 18 10 2012"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


WIDGET_ERROR_CLASSES = {
    forms.NumberInput: "govuk-input--error",
    MultipleFileInput: "govuk-file-upload--error",
}


class DateWidget(DateInputWidget):
    """The GOV.UK date input: day, month and year boxes.

    A date sent whole ("18/10/2012": a link to the plan as it stood, a script) is split into the
    same three parts, so it is checked by the same rules.
    """

    def value_from_datadict(self, data, files, name):
        parts = super().value_from_datadict(data, files, name)
        whole = data.get(name)
        if not any(parts) and whole:
            pieces = re.split(r"[/.\-\s]+", str(whole).strip())
            if len(pieces) != 3:
                return [str(whole), "", ""]
            return pieces[::-1] if len(pieces[0]) == 4 else pieces  # 2012-10-18 as well
        return parts


class GovDateField(DateInputField):
    """A real date from the GOV.UK date input, with messages that say what is wrong."""

    widget = DateWidget
    NUMBERS = RegexValidator(
        r"^\s*[0-9]{1,4}\s*$", "Enter the date in numbers, for example 18 10 2012."
    )

    def __init__(self, *, required_message="Enter the day, month and year.", **kwargs):
        # Each box is checked on its own, so the message says which one is missing or wrong.
        super().__init__(require_all_fields=False, **kwargs)
        self.error_messages["required"] = required_message
        for part, name in zip(self.fields, ("day", "month", "year"), strict=True):
            part.validators = [self.NUMBERS]
            part.error_messages["incomplete"] = f"The date must include a {name}."
        self.help_text = self.help_text or DATE_HINT

    @classmethod
    def like(cls, field):
        """This field in place of a plain DateField (a model form's), keeping its rules."""
        message = field.error_messages["required"]
        custom = message != forms.Field.default_error_messages["required"]
        return cls(
            label=field.label,
            required=field.required,
            help_text=field.help_text,
            initial=field.initial,
            validators=[*field.validators, plausible_date],
            **({"required_message": message} if custom else {}),
        )

    def compress(self, data_list):
        if not any(data_list):
            return None
        day, month, year = (str(part).strip() for part in data_list)
        if len(year) != 4:
            raise ValidationError("Enter the year as four digits, for example 2012.", code="year")
        try:
            return dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise ValidationError(
                "Enter a real date, for example 18 10 2012.", code="invalid"
            ) from None


class GDSMixin:
    """Render with GOV.UK components; bound every text field, so huge input gets a clear message."""

    def full_clean(self):
        super().full_clean()
        # Mark in error the widgets crispy-forms-gds does not (see CRISPY_CLASS_CONVERTERS).
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            parts = widget.widgets if isinstance(widget, DateWidget) else [widget]
            for part in parts:
                error_class = "govuk-input--error" if part is not widget else None
                error_class = error_class or WIDGET_ERROR_CLASSES.get(type(part))
                if error_class:
                    part.attrs["class"] = f"{part.attrs.get('class', '')} {error_class}".strip()

    def setup_gds(self):
        self.helper = FormHelper()
        self.helper.form_tag = False
        # Templates write the CSRF token in their POST forms; in a GET form it would be put in
        # the address of every preview and download, and so in logs and Referer headers.
        self.helper.disable_csrf = True
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = TEXT_LIMIT
                field.validators.append(MaxLengthValidator(TEXT_LIMIT))
        for name, field in list(self.fields.items()):
            if isinstance(field, forms.DateField):
                self.fields[name] = GovDateField.like(field)
            elif type(field) is forms.ModelMultipleChoiceField:
                field.__class__ = ModelChoicesField  # the same field, with its ids range-checked


class ModelChoicesField(forms.ModelMultipleChoiceField):
    """Django's, where an id beyond the database's integers is not one of the choices: Django
    passes it on to an ``IN`` query that SQLite cannot bind (OverflowError, a 500)."""

    def _check_values(self, value):
        model = self.queryset.model
        key = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk
        low, high = connection.ops.integer_field_ranges.get(key.get_internal_type(), (None, None))
        for pk in value if low is not None else ():
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number: Django's own check below says so
            if not low <= number <= high:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                    params={"pk": pk},
                )  # fmt: skip
        return super()._check_values(value)


class OnceKeyMixin:
    """A form that makes a record carries a one-time key, made when the form is shown, so that
    posting it twice makes one record (once.py). An edit form carries its version instead.

    A post without a key is still saved (a form opened before keys were added, a script), only
    unguarded; a key that is not one of ours is an error of the form."""

    def setup_gds(self):
        super().setup_gds()
        instance = getattr(self, "instance", None)
        if instance is None or instance._state.adding:
            self.fields["once"] = forms.CharField(
                label="Form key",
                required=False,
                initial=once.new_key,  # called each time the form is shown
                max_length=64,
                validators=[RegexValidator(once.KEY_PATTERN, "It is not one this site made.")],
                widget=forms.HiddenInput,
            )

    @property
    def once_key(self):
        return self.cleaned_data.get("once") or None

    # A repeat of a post that made its record is not refused as a duplicate of that record (an
    # owner's name is unique): the service answers it, with what the first post made, and
    # writes nothing, so the checks against the database are not needed.

    def validate_unique(self):
        if not once.taken(self.cleaned_data.get("once")):
            super().validate_unique()

    def validate_constraints(self):
        if not once.taken(self.cleaned_data.get("once")):
            super().validate_constraints()


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError("The date cannot be in the future.", code="future")


class EvidenceField(forms.FileField):
    """Several files at once, each checked by the evidence rule; every bad file is reported."""

    def __init__(self, **kwargs):
        # The browser's file chooser offers the accepted types first.
        accept = ",".join(evidence_rules.ALLOWED)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > evidence_rules.MAX_FILES:
            raise ValidationError(
                "Attach at most %(max)d files to one update.",
                code="too_many",
                params={"max": evidence_rules.MAX_FILES},
            )
        errors = []
        for upload in files:
            super().clean(upload, initial)
            try:
                evidence_rules.check_file(upload)
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return files


class ProgressUpdateForm(OnceKeyMixin, GDSMixin, forms.Form):
    written_on = forms.DateField(
        label="Date of the update",
        validators=[not_in_future],
        error_messages={"required": "Enter the date of the update."},
    )
    period_label = forms.CharField(
        label="Period (optional)",
        max_length=100,
        required=False,
        help_text="For example, November update",
    )
    text = forms.CharField(
        label="Progress",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the progress made."},
    )
    status = forms.ChoiceField(label="Status after this update", required=False)
    evidence = EvidenceField(label="Evidence (optional)", required=False)

    def __init__(self, *args, action, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("written_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            # Only what a progress update may do now: none while the action is complete or
            # awaiting sign-off (reopening is a manager's decision, with a reason).
            statuses = action.progress_statuses()
            if not statuses and self.data.get("status"):
                # Posted from a form opened before a decision: the service refuses it and says why.
                statuses = Action.PROGRESS_STATUSES
            if statuses:
                self.fields["status"].choices = [
                    ("", f"Leave as it is ({action.get_status_display()})")
                ] + [(s.value, s.label) for s in statuses]
            else:
                del self.fields["status"]
        self.fields["evidence"].help_text = evidence_rules.limits()
        self.setup_gds()


class ProposeCompleteForm(ProgressUpdateForm):
    field_order = ["written_on", "period_label", "text", "cited", "evidence"]
    status = None
    cited = forms.ModelMultipleChoiceField(
        label="Evidence already attached to this action",
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Cite any of these instead of uploading them again.",
    )
    evidence = EvidenceField(label="New evidence that the action is complete", required=False)

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, action=action, **kwargs)
        self.fields["written_on"].label = "Date the action was completed"
        self.fields["written_on"].error_messages["required"] = "Enter the date it was completed."
        self.fields["text"].label = "What was done"
        self.fields["text"].error_messages["required"] = "Enter what was done."
        earlier = Evidence.objects.filter(update__action=action).select_related("update")
        if earlier.exists():
            self.fields["cited"].queryset = earlier
            self.fields["cited"].label_from_instance = lambda e: (
                f"{e.original_name} (attached {e.update.written_on:%-d %B %Y})"
            )
        else:
            del self.fields["cited"]
            self.fields["evidence"].label = "Evidence that the action is complete"

    def clean(self):
        data = super().clean()
        if not data.get("evidence") and not data.get("cited") and "evidence" not in self.errors:
            self.add_error(
                "evidence",
                "Attach evidence that the action is complete"
                + (", or choose evidence already attached." if "cited" in self.fields else "."),
            )
        return data


class SignOffForm(GDSMixin, forms.Form):
    # The proposal the manager read: a decision on one that was decided meanwhile is refused.
    proposal = forms.IntegerField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        choices=[("sign_off", "Sign off as complete"), ("return", "Return it to the owner")],
        error_messages={"required": "Choose whether to sign off or return the action."},
    )
    reason = forms.CharField(
        label="Reason or note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you return the action: say what is missing.",
    )

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].initial = proposal.pk if proposal else None
        self.setup_gds()

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("reason", "").strip():
            self.add_error("reason", "Give the reason for returning the action.")
        return data


class ReopenForm(GDSMixin, forms.Form):
    status = forms.ChoiceField(
        label="Status once reopened",
        widget=forms.RadioSelect,
        choices=[(s.value, s.label) for s in Action.PROGRESS_STATUSES],
        initial=Action.Status.UNDERWAY,
        error_messages={"required": "Choose the status the action reopens with."},
    )
    reason = forms.CharField(
        label="Why is the action being reopened?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The owner and the plan's history will show this.",
        error_messages={"required": "Give the reason for reopening the action."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_gds()


class VersionedForm(GDSMixin, forms.ModelForm):
    """An edit form that carries the version it was opened at (see services.save_with_version)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.setup_gds()


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

    # Supporting owners straight after the leads, not after every model field.
    field_order = ["reference", "text", "owners", "supporting_owners"]

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
        widgets = {"baseline_text": forms.TextInput, "target_text": forms.TextInput,
                   "target_date_text": forms.TextInput}  # fmt: skip

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


class ReadingForm(OnceKeyMixin, GDSMixin, forms.ModelForm):
    class Meta:
        model = Reading
        fields = ["period_label", "taken_on", "value", "numerator", "denominator", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.measure = measure
        self.setup_gds()


class AsOfForm(GDSMixin, forms.Form):
    date = forms.DateField(
        label="Show the plan as it stood on",
        validators=[not_in_future],
        error_messages={"required": "Enter the date to show the plan as it stood on."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_gds()


# Setting up: plans, owners and inspections. Organisations are checked by services (rules.py);
# these forms check input and offer only what the user may choose.


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


class InspectionForm(OnceKeyMixin, VersionedForm):
    class Meta:
        model = Inspection
        fields = [
            "inspectorate",
            "kind",
            "title",
            "organisation",
            "service",
            "started_on",
            "ended_on",
            "published_on",
            "summary",
        ]
        labels = {"started_on": "Start date", "ended_on": "End date", "published_on": "Published"}

    def __init__(self, *args, council, **kwargs):
        super().__init__(*args, **kwargs)
        if council:
            # A manager records inspections of their own council.
            del self.fields["organisation"]
            self.instance.organisation = self.instance.organisation or council
        self.fields["summary"].widget.attrs["rows"] = 4


class JudgementForm(OnceKeyMixin, GDSMixin, forms.ModelForm):
    class Meta:
        model = Judgement
        fields = ["area", "grade"]
        help_texts = {"area": "For example, Safeguarding", "grade": "For example, Adequate"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_gds()


class FindingForm(OnceKeyMixin, GDSMixin, forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["kind", "reference", "paragraph", "text", "responsible"]
        widgets = {"kind": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Finding.Kind.choices
        self.setup_gds()


class PlanNarrowForm(forms.Form):
    """Narrow the plan page to some of its rows (GET); a bad value is reported and ignored."""

    open_only = forms.BooleanField(required=False, label="Only open actions")
    red_amber = forms.BooleanField(required=False, label="Only red and amber actions")
    section = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Section",
        error_messages={"invalid_choice": "Choose a section of this plan from the list."},
    )

    def __init__(self, *args, sections, **kwargs):
        """``sections``: the plan's (id, title) pairs, in order."""
        kwargs.setdefault("auto_id", "narrow_%s")
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", "All sections")] + [
            (pk, title or "(untitled section)") for pk, title in sections
        ]

    def narrowing(self):
        """What to narrow by, from the values that are valid (``snapshots.narrow``'s arguments)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {
            "open_only": data.get("open_only", False),
            "red_amber": data.get("red_amber", False),
            "section_id": data.get("section"),
        }

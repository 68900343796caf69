"""The forms of an action's progress and its decisions, and of reading a plan as it stood.

Forms check input (types, lengths, dates, files); rules and services check the rest."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.forms import GDSMixin, MultipleFileInput, OnceKeyMixin, not_in_future

from . import evidence as evidence_rules
from . import ladder
from .models import (
    Action,
    Evidence,
    Exemption,
    Reading,
)


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


# Whether an entry may be published, and if not the paragraph of Schedule 12A it is exempt under.
PUBLICATION_CHOICES = [
    ("", "It may be published"),
    *((value, f"Not for publication: paragraph {label}") for value, label in Exemption.choices),
]


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
    exemption = forms.ChoiceField(
        label="Publication",
        required=False,
        choices=PUBLICATION_CHOICES,
        help_text="An update that is exempt information is left out of the public version of "
        "the plan's appendices. It stays in the full version.",
        error_messages={"invalid_choice": "Choose one of the paragraphs of Schedule 12A listed."},
    )

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
    exemption = None
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


def _recheck_sensible(value):
    problem = ladder.recheck_problem(value)
    if problem:
        raise ValidationError(problem, code="recheck")


class AssureForm(OnceKeyMixin, GDSMixin, forms.Form):
    """What a quality audit or dip sample found, its report, and when to check again."""

    text = forms.CharField(
        label="What the audit or dip sample found",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example, 10 of 10 cases sampled in March had a plan within 10 days.",
    )
    evidence = EvidenceField(label="Its report or notes (optional)", required=False)
    recheck_on = forms.DateField(
        label="Re-check date (optional)",
        required=False,
        validators=[_recheck_sensible],
        help_text="When to audit it again, within two years. For example, 18 3 2027",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = evidence_rules.limits()
        self.setup_gds()

    def clean(self):
        data = super().clean()
        given = (data.get("text") or "").strip() or data.get("evidence")
        if not given and "text" not in self.errors and "evidence" not in self.errors:
            self.add_error("text", "Say what the audit or dip sample found, or attach its report.")
        return data


class ImpactForm(GDSMixin, forms.Form):
    # The reading the manager saw: refused if it no longer shows the target reached.
    reading = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, reading=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reading"].initial = reading.pk if reading else None
        self.setup_gds()


class StepReopenForm(GDSMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    step = forms.ChoiceField(
        label="Which step is to be reopened?",
        widget=forms.RadioSelect,
        help_text="The steps above it are reopened with it.",
        error_messages={"required": "Choose the step to reopen."},
    )
    reason = forms.CharField(
        label="Why is the step being reopened?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The action's page and the plan's history will show this.",
        error_messages={"required": "Give the reason for reopening the step."},
    )

    def __init__(self, *args, action, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = action.version
        self.fields["step"].choices = [(key, ladder.NAMES[key]) for key in steps]
        self.setup_gds()


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

"""Forms for preparing an appendix, editing layouts and writing committee reports (GOV.UK
components via crispy-forms-gds)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from actionplans.models import Plan
from core.forms import GDSMixin, OnceKeyMixin, not_in_future
from core.validators import plausible_date

from . import fields
from .fields import Updates
from .models import (
    LAYOUT_FIELDS,
    REPORT_FIELDS,
    CommitteeReport,
    GovernanceBody,
    Layout,
    Meeting,
    letter,
)
from .packs import Settings

UPDATE_CHOICES = [
    ("latest", "The latest update of each action"),
    ("all", "Every update"),
    ("since", "Updates written since a date (for example, the last committee)"),
]
MAX_COLUMNS = 20


def check_since(form, data):
    """An update range "since a date" needs the date, on or before the as-at date."""
    if data.get("updates") == "since" and not data.get("since") and "since" not in form.errors:
        form.add_error("since", "Enter the date to show updates since.")
    if data.get("since") and data.get("as_at") and data["since"] > data["as_at"]:
        form.add_error(
            "since", "The date to show updates since must be on or before the as-at date."
        )


def form_number(form):
    """A formset's form's place in it, from 1 (its prefix ends "-0" for the first)."""
    return int(form.prefix.rsplit("-", 1)[-1]) + 1 if form.prefix else 1


class PrepareForm(GDSMixin, forms.Form):
    layout = forms.ModelChoiceField(
        Layout.objects.none(),
        required=False,
        empty_label="The plan's default layout",
        label="Layout",
        error_messages={"invalid_choice": "Choose one of the layouts listed."},
    )
    as_at = forms.DateField(
        label="Show the plan as it stood on",
        validators=[not_in_future, plausible_date],
        error_messages={"required": "Enter the date the appendix shows the plan as it stood on."},
    )
    updates = forms.ChoiceField(
        label="Progress updates to show",
        choices=UPDATE_CHOICES,
        widget=forms.RadioSelect,
        initial="latest",
        error_messages={"required": "Choose which progress updates to show."},
    )
    since = forms.DateField(
        label="Updates written on or after (only for updates since a date)",
        required=False,
        validators=[not_in_future, plausible_date],
    )
    public = forms.BooleanField(
        label="The public version",
        required=False,
        help_text="Leaves out the progress updates and entries marked not for publication "
        "(Schedule 12A), and shows officers below the level your council chose by their post.",
    )

    def __init__(self, *args, layouts, **kwargs):
        kwargs.setdefault("initial", {"as_at": timezone.localdate(), "updates": "latest"})
        super().__init__(*args, **kwargs)
        self.fields["layout"].queryset = layouts  # the presets and the user's council's own
        self.setup_gds()

    def clean(self):
        data = super().clean()
        check_since(self, data)
        return data

    def update_range(self):
        mode = self.cleaned_data["updates"]
        return Updates(mode, self.cleaned_data.get("since") if mode == "since" else None)


class LayoutForm(GDSMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Layout
        fields = LAYOUT_FIELDS
        widgets = {"rag_display": forms.RadioSelect, "preamble": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "title_block": "Print the title block",
            "include_introduction": "Print the plan's introduction",
            "include_findings": "List what the inspection found",
            "group_sections": "Show sections as full-width rows",
            "span_recommendations": "Show a recommendation's cells once, over its actions",
            "span_repeated_cells": "Show a cell that is the same on each action once, over them",
            "bold_recommendations": "Show the recommendations in bold",
            "bold_complete": "Show completed actions in bold",
            "complete_word": "The plan's word for complete",
            "rag_display": "RAG rating",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.setup_gds()


class ColumnForm(GDSMixin, forms.Form):
    heading = forms.CharField(max_length=120, required=False)
    field = forms.ChoiceField(choices=[("", "Choose a field"), *fields.CHOICES], required=False)
    width = forms.IntegerField(min_value=1, max_value=100, required=False, initial=10)
    position = forms.IntegerField(min_value=1, max_value=MAX_COLUMNS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = form_number(self)
        self.fields["heading"].label = f"Column {number}: heading"
        self.fields["field"].label = f"Column {number}: what it shows"
        self.fields["width"].label = f"Column {number}: relative width (1 to 100)"
        self.fields["width"].widget.attrs["class"] = "govuk-input--width-3"
        self.fields["position"].label = f"Column {number}: position (to move it)"
        self.fields["position"].widget.attrs["class"] = "govuk-input--width-3"
        self.fields["position"].initial = number
        self.setup_gds()

    def clean(self):
        data = super().clean()
        heading, key = data.get("heading", "").strip(), data.get("field")
        if bool(heading) != bool(key) and not self.errors:
            missing = "field" if heading else "heading"
            message = "Choose what the column shows." if heading else "Enter the column's heading."
            self.add_error(missing, message)
        return data

    @property
    def column(self):
        data = self.cleaned_data
        if not data.get("heading", "").strip():
            return None
        return (data["heading"].strip(), data["field"], data.get("width") or 10)


class BaseColumnFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.columns():
            raise ValidationError("Give the layout at least one column.")

    def columns(self):
        """In the order of their positions (a column without one keeps its place)."""
        placed = [
            ((f.cleaned_data.get("position") or i + 1), i, f.column)
            for i, f in enumerate(self.forms)
            if f.column
        ]
        return [column for _, _, column in sorted(placed)]


ColumnFormSet = forms.formset_factory(
    ColumnForm,
    formset=BaseColumnFormSet,
    extra=0,
    max_num=MAX_COLUMNS,
    validate_max=True,
    absolute_max=MAX_COLUMNS,
)


def column_formset(layout=None, data=None, blank=3):
    """The layout's columns in order, and ``blank`` empty rows to add more."""
    initial = [
        {"heading": c.heading, "field": c.field, "width": c.width}
        for c in (layout.columns.all() if layout else [])
    ]
    initial += [{"width": 10}] * blank
    return ColumnFormSet(data=data, initial=initial[:MAX_COLUMNS], prefix="columns")


# Committee packs.

MAX_RECOMMENDATIONS = 30
MAX_SECTIONS = 30


class ReportForm(OnceKeyMixin, GDSMixin, forms.ModelForm):
    """The cover report's fields: of the user's council, or one an administrator names. The
    meeting is one of the council's (``meetings``), or a new one of a body (``bodies``) on the
    date given; the service checks both are of the report's council."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    organisation = forms.ChoiceField(label="Council", choices=[])
    body = forms.ModelChoiceField(
        GovernanceBody.objects.none(),
        required=False,
        label="Or a new meeting of",
        empty_label="Choose a committee or board",
        help_text="If the meeting is not listed above: the body that meets, and the date below.",
        error_messages={"invalid_choice": "Choose one of the committees and boards listed."},
    )
    meeting_date = forms.DateField(
        label="Date of the new meeting", required=False, validators=[plausible_date]
    )
    field_order = ["organisation", "meeting", "body", "meeting_date"]

    class Meta:
        model = CommitteeReport
        fields = REPORT_FIELDS
        widgets = {
            "subject": forms.Textarea(attrs={"rows": 3}),
            "reason_for_urgency": forms.Textarea(attrs={"rows": 3}),
            "appendix_numbering": forms.RadioSelect,
        }
        labels = {
            "meeting": "Meeting",
            "forward_plan_reference": "Forward Plan reference number",
            "appendix_numbering": "How the council numbers appendices",
        }
        help_texts = {
            "meeting": "The meeting of a committee or board the report goes to.",
            "wards": "For example, All",
        }
        error_messages = {
            "meeting": {"invalid_choice": "Choose one of the meetings listed."},
        }

    def __init__(
        self, *args, councils=None, meetings=None, bodies=None, preset_meeting=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        meeting = self.fields["meeting"]
        meeting.required = False
        meeting.empty_label = "Choose a meeting"
        meeting.queryset = (
            meetings if meetings is not None else Meeting.objects.none()
        ).select_related("body")
        if preset_meeting is not None:
            meeting.initial = preset_meeting.pk
        self.fields["body"].queryset = (
            bodies if bodies is not None else GovernanceBody.objects.none()
        )
        if councils is None:  # the user's own council, or an existing report's
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [("", "Choose a council")] + [
                (c, c) for c in councils
            ]
        self.setup_gds()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        meeting, body, date = data.get("meeting"), data.get("body"), data.get("meeting_date")
        if meeting and (body or date):
            self.add_error(
                "meeting", "Choose a meeting listed, or a body and the date of a new one: not both."
            )
        elif not meeting and not (body and date):
            if body or date:
                missing = "meeting_date" if body else "body"
                words = "Enter the date of the new meeting." if body else "Choose its body."
                self.add_error(missing, words)
            elif self.instance.meeting_id is None:
                self.add_error(
                    "meeting",
                    "Choose the meeting the report is for, or a body and the date of a new one.",
                )
        return data


class RecommendationForm(GDSMixin, forms.Form):
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = form_number(self)
        self.fields["text"].label = f"Recommendation {letter(number)}"
        self.setup_gds()


class SectionForm(GDSMixin, forms.Form):
    heading = forms.CharField(required=False, max_length=300)
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Leave a blank line between paragraphs: they are numbered 1.1, 1.2 and so on.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = form_number(self)
        self.fields["heading"].label = f"Section {number}: heading"
        self.fields["text"].label = f"Section {number}: text"
        self.setup_gds()

    def clean(self):
        data = super().clean()
        if data.get("text", "").strip() and not data.get("heading", "").strip() and not self.errors:
            self.add_error("heading", "Enter the section's heading.")
        return data


class BaseRecommendationFormSet(forms.BaseFormSet):
    def texts(self):
        return [t for f in self.forms if (t := f.cleaned_data.get("text", "").strip())]


class BaseSectionFormSet(forms.BaseFormSet):
    def parts(self):
        return [
            (f.cleaned_data["heading"].strip(), f.cleaned_data.get("text", "").strip())
            for f in self.forms
            if f.cleaned_data.get("heading", "").strip()
        ]


RecommendationFormSet = forms.formset_factory(
    RecommendationForm,
    formset=BaseRecommendationFormSet,
    extra=0,
    max_num=MAX_RECOMMENDATIONS,
    validate_max=True,
    absolute_max=MAX_RECOMMENDATIONS,
)
SectionFormSet = forms.formset_factory(
    SectionForm,
    formset=BaseSectionFormSet,
    extra=0,
    max_num=MAX_SECTIONS,
    validate_max=True,
    absolute_max=MAX_SECTIONS,
)


def report_formsets(report=None, data=None, blank=2):
    """The report's recommendations and sections in order, and ``blank`` empty ones to add more."""
    recs = [{"text": r.text} for r in (report.recommendations.all() if report else [])]
    sections = [
        {"heading": s.heading, "text": s.text} for s in (report.sections.all() if report else [])
    ]
    if report is None and not sections:
        sections = [{"heading": "PURPOSE OF REPORT AND EXECUTIVE SUMMARY"}, {"heading": "DETAILS"}]
    recs += [{}] * blank
    sections += [{}] * blank
    # Every row is read, even one posted unchanged from its initial text (a blank row is left out
    # by texts() and parts(), not by the formset).
    kwargs = {"form_kwargs": {"empty_permitted": False}}
    return (
        RecommendationFormSet(
            data=data, initial=recs[:MAX_RECOMMENDATIONS], prefix="recs", **kwargs
        ),
        SectionFormSet(data=data, initial=sections[:MAX_SECTIONS], prefix="sections", **kwargs),
    )


# The no-JavaScript "Add another" buttons of the report form: each a submit button whose name
# says which boxes to add one to. The form comes back as typed, nothing checked or saved.
ADD_ANOTHER = {"add_recommendation": "recs", "add_section": "sections"}


def adding(data):
    """Which boxes an "Add another" button asked for one more of ("recs", "sections"), or None."""
    return next((boxes for name, boxes in ADD_ANOTHER.items() if name in data), None)


def typed(form):
    """What was posted in ``form``, as initial values, so that an unbound copy shows it again
    without checking it (NUL, which no field may hold, is left out)."""

    def clean(value):
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value.replace("\x00", "") if isinstance(value, str) else value

    return {name: clean(form[name].data) for name in form.fields}


def report_formsets_again(recs, sections, boxes):
    """The posted recommendations and sections shown again as typed, unbound (no errors, nothing
    saved), with one more blank in ``boxes`` ("recs" or "sections") unless it has its most
    already (the page then says so). At most the formsets' own bound are read, whatever
    TOTAL_FORMS claims."""
    rows = {"recs": [typed(f) for f in recs.forms], "sections": [typed(f) for f in sections.forms]}
    most = {"recs": MAX_RECOMMENDATIONS, "sections": MAX_SECTIONS}
    if len(rows[boxes]) < most[boxes]:
        rows[boxes].append({})
    kwargs = {"form_kwargs": {"empty_permitted": False}}
    return (
        RecommendationFormSet(initial=rows["recs"][:MAX_RECOMMENDATIONS], prefix="recs", **kwargs),
        SectionFormSet(initial=rows["sections"][:MAX_SECTIONS], prefix="sections", **kwargs),
    )


class AppendixForm(OnceKeyMixin, PrepareForm):
    """A plan put in a committee report as an appendix, with how it is rendered (PrepareForm's
    choices)."""

    field_order = ["plan", "title"]  # then the choices of how it is rendered

    plan = forms.ModelChoiceField(
        Plan.objects.none(),
        label="Plan",
        empty_label="Choose a plan",
        error_messages={"invalid_choice": "Choose one of the plans listed."},
    )
    title = forms.CharField(
        max_length=300,
        required=False,
        label="Title in the list of appendices",
        help_text="Leave blank to use the plan's title.",
    )

    def __init__(self, *args, plans, layouts, **kwargs):
        super().__init__(*args, layouts=layouts, **kwargs)
        self.fields["plan"].queryset = plans

    def settings(self):
        data = self.cleaned_data
        layout = data.get("layout")
        return Settings(
            plan=data["plan"].pk,
            as_at=data["as_at"],
            layout=layout.pk if layout else None,
            updates=self.update_range(),
        )


class ChangesForm(GDSMixin, forms.Form):
    """Changes since a date; left blank, since the plan's last published pack."""

    since = forms.DateField(
        label="Changes since",
        required=False,
        validators=[not_in_future, plausible_date],
        help_text="Changes after the end of this day. Leave it blank for the changes since the "
        "plan's last published committee pack. For example, 12 9 2012.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_gds()

"""Forms for preparing an appendix and editing layouts (GOV.UK components via crispy-forms-gds)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from actionplans.forms import GDSMixin, not_in_future
from inspections.validators import plausible_date

from . import fields
from .fields import Updates
from .models import Layout

UPDATE_CHOICES = [
    ("latest", "The latest update of each action"),
    ("all", "Every update"),
    ("since", "Updates written since a date (for example, the last committee)"),
]
MAX_COLUMNS = 20


class PrepareForm(GDSMixin, forms.Form):
    layout = forms.ModelChoiceField(
        Layout.objects.all(),
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

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"as_at": timezone.localdate(), "updates": "latest"})
        super().__init__(*args, **kwargs)
        self.setup_gds()

    def clean(self):
        data = super().clean()
        if data.get("updates") == "since" and not data.get("since") and "since" not in self.errors:
            self.add_error("since", "Enter the date to show updates since.")
        if data.get("since") and data.get("as_at") and data["since"] > data["as_at"]:
            self.add_error("since", "The date to show updates since must be on or before the "
                           "as-at date.")  # fmt: skip
        return data

    def update_range(self):
        mode = self.cleaned_data["updates"]
        return Updates(mode, self.cleaned_data.get("since") if mode == "since" else None)


class LayoutForm(GDSMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Layout
        fields = [
            "name", "running_heading", "title_block", "preamble", "include_introduction",
            "group_sections", "span_recommendations", "bold_complete", "complete_word",
            "rag_display",
        ]  # fmt: skip
        widgets = {"rag_display": forms.RadioSelect, "preamble": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "title_block": "Print the title block",
            "include_introduction": "Print the plan's introduction",
            "group_sections": "Show sections as full-width rows",
            "span_recommendations": "Show a recommendation's cells once, over its actions",
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
        number = int(self.prefix.rsplit("-", 1)[-1]) + 1 if self.prefix else 1
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
    ColumnForm, formset=BaseColumnFormSet, extra=0, max_num=MAX_COLUMNS, validate_max=True,
    absolute_max=MAX_COLUMNS,
)  # fmt: skip


def column_formset(layout=None, data=None, blank=3):
    """The layout's columns in order, and ``blank`` empty rows to add more."""
    initial = [
        {"heading": c.heading, "field": c.field, "width": c.width}
        for c in (layout.columns.all() if layout else [])
    ]
    initial += [{"width": 10}] * blank
    return ColumnFormSet(data=data, initial=initial[:MAX_COLUMNS], prefix="columns")

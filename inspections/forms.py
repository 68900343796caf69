"""The forms of an inspection, its judgements and its findings."""

from django import forms

from core.forms import GDSMixin, OnceKeyMixin, VersionedForm

from .models import Finding, Inspection, Judgement


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

"""Forms of governance bodies, their meetings and a published pack's correction."""

from django import forms

from core.forms import GDSMixin, OnceKeyMixin

from .models import GovernanceBody, Meeting
from .publishing import MAX_CORRECTS


class BodyForm(OnceKeyMixin, GDSMixin, forms.ModelForm):
    """A governance body of the user's council (or of one an administrator names), and the plans
    of that council it receives."""

    organisation = forms.ChoiceField(label="Council", choices=[])

    class Meta:
        model = GovernanceBody
        fields = ["name", "kind", "plans"]
        widgets = {"kind": forms.RadioSelect, "plans": forms.CheckboxSelectMultiple}
        labels = {"name": "Name", "kind": "What kind of body it is", "plans": "Plans it receives"}
        help_texts = {
            "name": "For example, Children and Young People Overview and Scrutiny Panel",
            "plans": "The improvement plans that report to it.",
        }
        error_messages = {
            "plans": {"invalid_choice": "Choose plans of your council only."},
            "kind": {"invalid_choice": "Choose one of the kinds listed."},
        }

    def __init__(self, *args, plans, councils=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plans"].queryset = plans
        self.fields["plans"].required = False
        if councils is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].choices = [("", "Choose a council")] + [
                (c, c) for c in councils
            ]
        self.setup_gds()

    def validate_unique(self):
        pass  # the organisation is not on the form: the service says a name is taken


class MeetingForm(OnceKeyMixin, GDSMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["date", "title", "agenda_reference"]
        labels = {"date": "Date of the meeting", "agenda_reference": "Agenda reference"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_gds()

    def validate_unique(self):
        pass  # the body is not on the form: the service says a meeting is taken

    def validate_constraints(self):
        pass


class CorrectionForm(GDSMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    corrects = forms.CharField(
        label="What the correction corrects",
        max_length=MAX_CORRECTS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, Appendix B showed the wrong as-at date. It is printed in the list "
        "of versions and kept with the new one.",
        error_messages={"required": "Say what the correction corrects."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_gds()


class BodyPlansForm(GDSMixin, forms.Form):
    plans = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Plans it receives",
        error_messages={"invalid_choice": "Choose plans of your council only."},
    )

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plans"].queryset = plans
        self.setup_gds()

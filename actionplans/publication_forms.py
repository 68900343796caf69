"""The forms of what is not for publication: one entry of an action marked (or published again),
and a council's choice of whom its public version names."""

from django import forms

from core.forms import GDSMixin, VersionedForm

from .forms import PUBLICATION_CHOICES
from .marks import plain
from .models import WITHHOLDABLE_FIELDS, OfficerLevel, PublicationPolicy


def update_choice(update):
    day = f"{update.written_on:%-d %B %Y}"
    words = " ".join(plain(update.text).split())
    words = words if len(words) <= 80 else words[:79].rstrip() + "…"
    return f"update-{update.pk}", f"{update.get_kind_display()} of {day}: {words}"


class WithholdForm(GDSMixin, forms.Form):
    """One entry of an action (a progress update, or one of its cells) and whether it may be
    published; only the action's own entries can be chosen."""

    item = forms.ChoiceField(
        label="Which entry",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the entry to mark.",
            "invalid_choice": "Choose one of this action's entries listed.",
        },
    )
    category = forms.ChoiceField(
        label="Publication",
        choices=PUBLICATION_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Choose one of the paragraphs of Schedule 12A listed."},
    )

    def __init__(self, *args, updates, **kwargs):
        super().__init__(*args, **kwargs)
        self.updates = {f"update-{u.pk}": u for u in updates}
        self.fields["item"].choices = [update_choice(u) for u in updates] + [
            (f"field-{name}", f"The action's cell: {label}")
            for name, label in WITHHOLDABLE_FIELDS.items()
        ]
        self.setup_gds()

    def target(self):
        """("update", the ProgressUpdate) or ("field", the cell's name) chosen."""
        item = self.cleaned_data["item"]
        if item in self.updates:
            return "update", self.updates[item]
        return "field", item.removeprefix("field-")


class PublicationPolicyForm(VersionedForm):
    class Meta:
        model = PublicationPolicy
        fields = ["name_from"]
        widgets = {"name_from": forms.RadioSelect}
        labels = {"name_from": "Whom the public version names"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["name_from"]
        field.choices = [("", "Everyone, by name")] + [
            (value, f"{label} and above; anyone below by their post")
            for value, label in OfficerLevel.choices
        ]
        field.required = False
        field.help_text = (
            "A person whose seniority is not recorded counts as an officer. Set each person's "
            "seniority on their owner page."
        )
        field.error_messages["invalid_choice"] = "Choose one of the levels listed."
        self.setup_gds()

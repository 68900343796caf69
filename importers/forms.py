from django import forms

from actionplans.models import Owner
from core.forms import GDSMixin, OnceKeyMixin

from . import headers, owner_edits, readers, titles
from .rows import NAME_LIMIT

FIELD_CHOICES = [("", "Leave this column out")] + [
    (key, label) for key, label in headers.LABELS.items()
]


# GOV.UK rendering inside the page's own <form> (setup_gds: no form tag of crispy's own, which
# would close the page's form before its button).
class UploadForm(GDSMixin, forms.Form):
    file = forms.FileField(
        label="The plan's file",
        help_text=f"An Excel (.xlsx), CSV (.csv) or Word (.docx) file with the plan's table, "
        f"up to {readers.MAX_BYTES // (1024 * 1024)} MB and {readers.MAX_ROWS:,} rows.",
    )
    title = forms.CharField(
        label="Title of the plan (optional)",
        required=False,
        max_length=300,
        help_text="Leave blank to use the title written above the table.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_gds()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > readers.MAX_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is larger than {readers.MAX_BYTES // (1024 * 1024)} MB."
            )
        data = upload.read()
        try:
            readers.kind_of(upload.name, data)
        except readers.Unreadable as error:
            raise forms.ValidationError(error.message) from None
        self.data_bytes = data
        return upload


class MappingForm(GDSMixin, forms.Form):
    """One choice per column the importer did not recognise (or the user has mapped)."""

    def __init__(self, *args, columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.headings = {}
        for index, column in enumerate(columns):
            name = f"column_{index}"
            self.headings[name] = column["heading"]
            self.fields[name] = forms.ChoiceField(
                label=f"What does “{column['heading']}” hold?",
                choices=FIELD_CHOICES,
                required=False,
                initial=column["field"] or "",
            )
        self.setup_gds()

    def mapping(self):
        return {self.headings[name]: value for name, value in self.cleaned_data.items()}


class TitleForm(GDSMixin, forms.Form):
    """The plan's title, asked for on the preview when the file gives none (the council's own
    name is not one): used as the title when the plan is imported."""

    title = forms.CharField(
        label="Title of the plan",
        max_length=titles.TITLE_LIMIT,
        help_text="The file gives none: type the plan's title as the site should show it.",
        error_messages={"required": "Enter the plan's title."},
    )

    def __init__(self, *args, organisation="", **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.setup_gds()

    def clean_title(self):
        title, flaw = readers.clean(self.cleaned_data["title"])
        if flaw:
            raise forms.ValidationError(f"The title holds {flaw}: retype it without it.")
        if "\ufffd" in title:  # what a browser or a client sends for bytes it could not read
            raise forms.ValidationError(
                "The title holds “\ufffd”, the mark of a character that could not be read: "
                "retype it."
            )
        if titles.is_council(title, self.organisation):
            raise forms.ValidationError(
                "That is the council's name, not the plan's: enter the plan's own title."
            )
        return title


class _OwnerChoiceField(forms.ModelChoiceField):
    """One of the owners offered; an id no database integer can be is none of them (SQLite
    cannot bind it: a 500, not an answer)."""

    def to_python(self, value):
        if value not in self.empty_values and not (
            str(value).isascii() and str(value).isdigit() and len(str(value)) < 16
        ):
            raise forms.ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, obj):
        return f"{obj} ({obj.get_kind_display()}, {obj.organisation})"


class OwnerEditForm(GDSMixin, forms.Form):
    """What one owner of an import is, chosen on its preview (``owner_edits``): a new owner
    (named and of a kind as typed), one the council or a partner agency has already, or the
    same as another owner the file names (merged into it)."""

    version = forms.CharField(widget=forms.HiddenInput, max_length=64)
    choice = forms.ChoiceField(
        label="What is this owner?",
        widget=forms.RadioSelect,
        choices=[
            (owner_edits.NEW, "A new owner, created with the plan"),
            (owner_edits.EXISTING, "An owner the council or a partner agency has already"),
            (owner_edits.SAME, "The same as another owner in this file"),
        ],
        error_messages={"required": "Choose what this owner is."},
    )
    name = forms.CharField(
        label="Name of the new owner",
        required=False,
        max_length=NAME_LIMIT,
        help_text="If it is a new owner: its name as the site should show it.",
    )
    kind = forms.ChoiceField(
        label="Kind of owner",
        help_text="If it is a new owner.",
        required=False,
        widget=forms.RadioSelect,
        choices=Owner.Kind.choices,
    )
    existing = _OwnerChoiceField(
        queryset=Owner.objects.none(),
        label="The existing owner",
        help_text="If it is an owner your council or one of its partner agencies has already.",
        empty_label="Choose an owner",
        required=False,
        error_messages={
            "invalid_choice": "Choose one of your council's or its partner agencies' owners "
            "from the list."
        },
    )
    same = forms.ChoiceField(
        label="The owner in this file it is the same as",
        help_text="If it is the same as another owner in this file: every cell that names this "
        "one will name that one.",
        required=False,
        error_messages={"invalid_choice": "Choose one of the other owners in this file."},
    )

    def __init__(self, *args, existing=(), others=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["existing"].queryset = existing
        self.fields["same"].choices = [("", "Choose an owner")] + [
            (str(number), name) for number, name in others
        ]
        self.setup_gds()
        # Every choice's fields shown at once, each saying which choice it is for: GOV.UK's
        # conditional reveal marks radios aria-expanded, which axe refuses on a radio.

    def clean_name(self):
        name, flaw = readers.clean(" ".join(self.cleaned_data["name"].split()))
        if flaw:
            raise forms.ValidationError(f"The name holds {flaw}: retype it without it.")
        if "\ufffd" in name:
            raise forms.ValidationError(
                "The name holds “\ufffd”, the mark of a character that could not be read: "
                "retype it."
            )
        return name

    def clean(self):
        data = super().clean()
        choice = data.get("choice")
        needed = {
            owner_edits.NEW: [("name", "Enter the owner's name."), ("kind", "Choose its kind.")],
            owner_edits.EXISTING: [("existing", "Choose the existing owner it is.")],
            owner_edits.SAME: [("same", "Choose the owner in this file it is the same as.")],
        }
        for name, message in needed.get(choice, []):
            if name not in self.errors and not data.get(name):
                self.add_error(name, message)
        return data

    def chosen(self):
        """The service's arguments (``service.pending_owner_edit``)."""
        data = self.cleaned_data
        return {
            "name": data.get("name") or "",
            "kind": data.get("kind") or "",
            "existing": data["existing"].pk if data.get("existing") else None,
            "same": int(data["same"]) if data.get("same") else None,
        }


class ReturnedFileForm(OnceKeyMixin, GDSMixin, forms.Form):
    """A copy of the plan's table sent back with cells typed in (``importers.returns``)."""

    file = forms.FileField(
        label="The returned file",
        help_text=f"The plan's table as the site exported it (Word .docx, Excel .xlsx or "
        f".csv), with progress, dates or owners typed in; up to "
        f"{readers.MAX_BYTES // (1024 * 1024)} MB.",
        error_messages={"required": "Choose the file that came back."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_gds()

    clean_file = UploadForm.clean_file

from django import forms

from core.forms import GDSMixin

from . import headers, readers, titles

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

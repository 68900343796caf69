"""GOV.UK forms for every app: the components (crispy-forms-gds), dates typed as day, month and
year, every text bounded, ids range-checked, a one-time key on forms that make a record, and the
version an edit was opened at."""

import datetime as dt
import re

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import connection
from django.utils import timezone

from . import once
from .validators import plausible_date

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
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
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


class VersionedForm(GDSMixin, forms.ModelForm):
    """An edit form that carries the version it was opened at (records.record_save_versioned)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.setup_gds()

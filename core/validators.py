from datetime import date

from django.core.exceptions import ValidationError

# Inspections and plans in this service start with the 2000s regimes; a year outside this range is
# a typing slip ("2101", "1911"), not a real date.
EARLIEST = date(1990, 1, 1)
LATEST = date(2099, 12, 31)


def plausible_date(value):
    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValidationError(
            "Enter a date between %(earliest)s and %(latest)s.",
            code="date_out_of_range",
            params={"earliest": EARLIEST.strftime("%Y"), "latest": LATEST.strftime("%Y")},
        )


def one_of(name, field, choices, *, blank=False):
    """A database constraint that ``field`` holds one of ``choices`` (or is blank, if allowed).

    Every field with a fixed set of values has one, so that nothing outside the set can be stored,
    whatever path the write takes.
    """
    from django.db.models import CheckConstraint, Q

    values = [value for value, _ in choices] + ([""] if blank else [])
    return CheckConstraint(condition=Q(**{f"{field}__in": values}), name=name)

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

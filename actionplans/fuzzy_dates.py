"""The one rule for turning a council's written date ("Nov 12", "Ongoing") into a real date.

Plans keep the text exactly as the council wrote it; this module derives the calendar date that
sorting, "overdue" and RAG use, and only where the text is unambiguous:

- a full date ("31 March 2011", "31/03/2011", "2011-03-31") is that day;
- a month and year ("Nov 12", "November 2012", "Dec '11", "12/11") is the last day of that month,
  "mid" a month is its 15th;
- a range ("Jan - March '12", "Oct 11 to Jan 12") ends on its last date;
- a financial year ("2012/13") ends on 31 March of its second year;
- anything else has no date: "Immediate effect", "Ongoing", "Weekly", "complete", a month without
  a year, and a start rather than an end ("From January 2011", "1st session From 10/11"), so
  "completed by Dec 11, started Oct 11" is due in December.
"""

import calendar
import re
from datetime import date

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"'?(?P<year>\d{4}|\d{2})\b"

_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\s*,?\s*{_YEAR}"
)
_NUMERIC_DATE = re.compile(r"\b(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>\d{4}|\d{2})\b")
_ISO_DATE = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
_FINANCIAL_YEAR = re.compile(r"\b(?P<start>20\d{2})\s*/\s*(?P<end>\d{2})\b")
_MONTH_YEAR = re.compile(rf"(?P<mid>\bmid[-\s]+)?\b{_MONTH}\s*[-\s]?\s*{_YEAR}")
_NUMERIC_MONTH_YEAR = re.compile(r"(?<![/\d])\b(?P<month>\d{1,2})/(?P<year>\d{4}|\d{2})\b(?![/\d])")
_YEARS = (1990, 2099)  # the years a plan's dates fall in; a date outside them is taken for none
# A date after one of these words is when work starts, not when it is due.
_START_WORD = re.compile(
    r"\b(from|start|starts|started|starting|commence[sd]?|commencing|began|beginning)\s*:?\s*$"
)


def _year(text):
    """A year as written: two digits are this century's ("12"), four are as they are ("0000" is
    the year 0, no plan's year, never 2000)."""
    return 2000 + int(text) if len(text) <= 2 else int(text)


def _safe_date(year, month, day):
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(year, month):
    if not 1 <= month <= 12 or not _YEARS[0] <= year <= _YEARS[1]:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def _dates_in(text):
    """Every unambiguous date in ``text`` with its position, full dates taking precedence."""
    found = []
    taken = []

    def claim(match, value):
        if (
            value is None
            or _START_WORD.search(text[: match.start()])
            or any(s < match.end() and match.start() < e for s, e in taken)
        ):
            return
        taken.append(match.span())
        found.append((match.start(), value))

    for m in _ISO_DATE.finditer(text):
        claim(m, _safe_date(int(m["year"]), int(m["month"]), int(m["day"])))
    for m in _DAY_MONTH_YEAR.finditer(text):
        claim(m, _safe_date(_year(m["year"]), MONTHS[m["month"][:3]], int(m["day"])))
    for m in _NUMERIC_DATE.finditer(text):
        claim(m, _safe_date(_year(m["year"]), int(m["month"]), int(m["day"])))
    for m in _FINANCIAL_YEAR.finditer(text):
        start = int(m["start"])
        if int(m["end"]) == (start + 1) % 100:
            claim(m, date(start + 1, 3, 31))
    for m in _MONTH_YEAR.finditer(text):
        year, month = _year(m["year"]), MONTHS[m["month"][:3]]
        claim(m, _safe_date(year, month, 15) if m["mid"] else _month_end(year, month))
    for m in _NUMERIC_MONTH_YEAR.finditer(text):
        claim(m, _month_end(_year(m["year"]), int(m["month"])))
    return [value for _, value in sorted(found) if _YEARS[0] <= value.year <= _YEARS[1]]


def derive_date(text):
    """The real date a council's written date stands for, or None when it has none."""
    if not text:
        return None
    normalised = " ".join(text.replace("\u2019", "'").replace("\u2018", "'").lower().split())
    dates = _dates_in(normalised)
    return dates[-1] if dates else None


_MONTH_NAMES = [calendar.month_name[n] for n in range(13)]
# The full dates (a day, a month and a year), as written in any case, with their month's number.
_FULL_DATES = [
    (re.compile(_ISO_DATE.pattern, re.I), lambda m: int(m["month"])),
    (re.compile(_DAY_MONTH_YEAR.pattern, re.I), lambda m: MONTHS[m["month"][:3].lower()]),
    (re.compile(_NUMERIC_DATE.pattern, re.I), lambda m: int(m["month"])),
]


def impossible_dates(text):
    """Each full date written in ``text`` that is no real day, as (the date as written, why):
    "31/13/2027" (there is no month 13), "30 February 2012" (February 2012 has 29 days),
    "2012-04-31", a day in a year outside 1990 to 2099 ("31/12/9999"). Read day first, as in the
    UK. A month and year ("13/12") or a month alone is not a full date, and is never listed."""
    found, taken = [], []
    for pattern, month_of in _FULL_DATES:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append(m.span())
            year = _year(m["year"])
            month, day = month_of(m), int(m["day"])
            if not 1 <= month <= 12:
                why = f"there is no month {month}"
            elif day < 1:
                why = "there is no day 0"
            elif not day <= calendar.monthrange(year, month)[1]:
                days = calendar.monthrange(year, month)[1]
                why = f"{_MONTH_NAMES[month]} {year} has {days} days"
            elif not _YEARS[0] <= year <= _YEARS[1]:
                why = f"a plan's dates fall between {_YEARS[0]} and {_YEARS[1]}"
            else:
                continue
            found.append((m.start(), m.group(0).strip(), why))
    return [(written, why) for _, written, why in sorted(found)]

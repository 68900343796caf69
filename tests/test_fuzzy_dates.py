from datetime import date

import pytest

from actionplans.fuzzy_dates import derive_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Month and year: the end of that month.
        ("Nov 12", date(2012, 11, 30)),
        ("Sept 12", date(2012, 9, 30)),
        ("Mar 13", date(2013, 3, 31)),
        ("Dec 11", date(2011, 12, 31)),
        ("Oct 2011", date(2011, 10, 31)),
        ("November 2011", date(2011, 11, 30)),
        ("December '11", date(2011, 12, 31)),
        ("(December '11)", date(2011, 12, 31)),
        ("Feb 2012", date(2012, 2, 29)),
        ("12/11", date(2011, 12, 31)),
        ("Report progress December 2010.", date(2010, 12, 31)),
        ("Fully in place Nov 11", date(2011, 11, 30)),
        ("Mid Oct 2011", date(2011, 10, 15)),
        ("end of October 12", date(2012, 10, 31)),
        # Full dates: that day.
        ("31 March 2011", date(2011, 3, 31)),
        ("1st February 2013", date(2013, 2, 1)),
        ("31/03/2011", date(2011, 3, 31)),
        ("31.03.11", date(2011, 3, 31)),
        ("2011-03-31", date(2011, 3, 31)),
        # Ranges end on their last date; financial years on 31 March.
        ("Jan \u2013 March '12", date(2012, 3, 31)),
        ("Oct 11 to Jan 12", date(2012, 1, 31)),
        ("2012/13", date(2013, 3, 31)),
        # A start and an end: the end.
        ("From Oct 11 to Jan 12", date(2012, 1, 31)),
        # "started" marks a start, like "From": the seed's Merton YJ wording.
        ("completed by Dec 11, started Oct 11", date(2011, 12, 31)),
        ("Started: Sept 2011, complete by March 2012", date(2012, 3, 31)),
    ],
)
def test_real_dates_are_derived(text, expected):
    assert derive_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "Immediate effect",
        "Immediate",
        "Ongoing",
        "On-going",
        "Weekly",
        "complete",
        "Complete",
        "Continuous Professional Development",
        "Ongoing Continuous Improvement",
        # A start, not an end.
        "From January 2011",
        "From 10/11",
        "from 01/12",
        "planning and briefing with immediate effect 1st session From 10/11",
        # A month with no year, or a range without one, is not unambiguous.
        "July - October",
        "Oct - March",
        "December date",
        "November",
        # Impossible dates are not dates.
        "31/02/2012",
        "13/12",
        "Graduate Trainees are now in post",
    ],
)
def test_texts_without_a_real_date(text):
    assert derive_date(text) is None


def test_the_council_text_is_not_altered():
    text = "Nov 12"
    derive_date(text)
    assert text == "Nov 12"

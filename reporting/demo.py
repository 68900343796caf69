"""The demo councils' governance bodies and meetings, as their own committee reports name them
(each loaded once, whatever how often the demo is): added when importers.demo loads the demo plans
(core.demo.loaded)."""

import datetime as dt

from core.records import record_save

from .models import GovernanceBody, Meeting

Kind = GovernanceBody.Kind
MERTON = "London Borough of Merton"
ROTHERHAM = "Rotherham Metropolitan Borough Council"

# (council, body, kind, words a plan's title holds for the body to receive it ("" for every plan
# of the council, None for none), meeting dates). Merton's cover reports went to the Panel on 21
# September and 15 November 2011; its youth justice plan reports to the Youth Justice Executive
# Board; Rotherham's plan is the Improvement Panel's, and the safeguarding board hears its audits.
BODIES = [
    (
        MERTON,
        "Children and Young People Scrutiny Panel",
        Kind.SCRUTINY,
        "",
        [dt.date(2011, 9, 21), dt.date(2011, 11, 15)],
    ),
    (MERTON, "Youth Justice Executive Board", Kind.OTHER, "Youth", []),
    (ROTHERHAM, "Improvement Panel", Kind.IMPROVEMENT, "", []),
    (ROTHERHAM, "Rotherham Local Safeguarding Children Board", Kind.SAFEGUARDING, None, []),
]


def committees_load(*, actor):
    """Each demo council's bodies, the plans they receive and their meetings; none twice."""
    from actionplans.models import Plan

    for council, name, kind, receives, dates in BODIES:
        body = GovernanceBody.objects.filter(organisation=council, name=name).first()
        if body is None:
            body = GovernanceBody(organisation=council, name=name, kind=kind)
            record_save(body, actor=actor, reason="Demo data: governance body")
        if receives is not None:
            plans = Plan.objects.filter(organisation=council, title__icontains=receives)
            body.plans.add(*plans)
        for date in dates:
            if not Meeting.objects.filter(body=body, date=date, title="").exists():
                record_save(Meeting(body=body, date=date), actor=actor, reason="Demo data: meeting")


def on_demo_loaded(sender, *, actor, **kwargs):
    committees_load(actor=actor)

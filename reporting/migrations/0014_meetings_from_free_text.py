"""Each committee report's free-text committee and meeting date become a governance body of its
council (one per name, whatever its case or spacing) and a meeting of it on that date."""

import re

from django.db import migrations

KINDS = [  # the first whose words the name holds
    ("safeguarding", "safeguarding"),
    ("improvement", "improvement"),
    ("scrutiny", "scrutiny"),
    ("select commission", "scrutiny"),
    ("overview", "scrutiny"),
    ("cabinet", "executive"),
    ("executive", "executive"),
]


def kind_of(name):
    lowered = name.lower()
    return next((kind for words, kind in KINDS if words in lowered), "other")


def tidy(name):
    return re.sub(r"\s+", " ", name).strip() or "Committee"


def meetings_from_text(apps, schema_editor, reports=None):
    """``reports``: those to give a meeting (by default, every report without one; a test names
    its own)."""
    CommitteeReport = apps.get_model("reporting", "CommitteeReport")
    GovernanceBody = apps.get_model("reporting", "GovernanceBody")
    Meeting = apps.get_model("reporting", "Meeting")
    if reports is None:
        reports = CommitteeReport.objects.filter(meeting__isnull=True)
    bodies = {}
    for report in reports.order_by("pk"):
        name = tidy(report.committee)
        found = (report.organisation, name.casefold())
        body = bodies.get(found)
        if body is None:
            body = GovernanceBody.objects.filter(
                organisation=report.organisation, name__iexact=name
            ).first() or GovernanceBody.objects.create(
                organisation=report.organisation, name=name, kind=kind_of(name)
            )
            bodies[found] = body
        meeting, _ = Meeting.objects.get_or_create(body=body, date=report.meeting_date, title="")
        CommitteeReport.objects.filter(pk=report.pk).update(
            meeting=meeting, committee=body.name
        )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0013_governance_bodies_meetings_pack_versions")]

    operations = [migrations.RunPython(meetings_from_text, migrations.RunPython.noop)]

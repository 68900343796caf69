"""Actions record when they were added, so a new action is not "no update for 30 days".

Existing actions (and their history records) take the date of the action's earliest history
record: for transcribed plans, the date of the document they came from.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def backfill_created_at(apps, schema_editor):
    Action = apps.get_model("actionplans", "Action")
    HistoricalAction = apps.get_model("actionplans", "HistoricalAction")
    earliest = Subquery(
        HistoricalAction.objects.filter(id=OuterRef("id"))
        .order_by("history_date")
        .values("history_date")[:1]
    )
    Action.objects.update(created_at=Coalesce(earliest, F("created_at")))
    HistoricalAction.objects.update(created_at=Coalesce(earliest, F("created_at")))


class Migration(migrations.Migration):
    dependencies = [
        ("actionplans", "0005_choices_constraints_override_by_citations"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunPython(backfill_created_at, migrations.RunPython.noop),
    ]

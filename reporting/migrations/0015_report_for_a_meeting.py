import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reporting", "0014_meetings_from_free_text")]

    operations = [
        migrations.AlterField(
            model_name="committeereport",
            name="meeting",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reports",
                to="reporting.meeting",
            ),
        ),
    ]

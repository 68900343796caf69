# The one-time keys' table was made by actionplans (0012_submissions); it moves here as it is.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("actionplans", "0012_submissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Submission",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=64, unique=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("made_id", models.PositiveBigIntegerField(null=True)),
                        ("made_type", models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="contenttypes.contenttype")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"db_table": "actionplans_submission"},
                ),
            ],
            database_operations=[],
        ),
    ]

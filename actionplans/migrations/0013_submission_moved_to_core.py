# The one-time keys' table now belongs to the shared app (core.0001_submission); it stays.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("actionplans", "0012_submissions"),
        ("core", "0001_submission"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Submission")],
            database_operations=[],
        ),
    ]

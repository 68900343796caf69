"""Trigram indexes for the site administrator's searches of every council's rows (issue 28).

A word found in few of 3,000,000 updates (or in none) was looked for in every one of them. These
indexes serve Django's ``icontains`` (``UPPER(field) LIKE UPPER('%word%')``), which the admin's
search is made of (``actionplans.admin.EveryCouncil``). PostgreSQL only: pg_trgm is one of its
trusted extensions, which a database's owner may create. SQLite has no such index and searches
row by row, as before.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

SEARCHED = {
    "actionplans_progressupdate": ["text", "period_label"],
    "actionplans_action": ["text", "reference"],
    "actionplans_recommendation": ["reference"],
}


def _names():
    for table, columns in SEARCHED.items():
        for column in columns:
            yield table, column, f"{table}_{column}_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, name in _names():
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
        )
    # The statistics of the indexes' expressions, gathered now: without them PostgreSQL guessed
    # that a word common to 430,000 updates was in 300, and read them all through the index
    # for a page of 100 (1.9 s) instead of reading back from the newest until it had 100 (25 ms).
    # Autovacuum gathers them only after a share of the table has changed.
    for table in SEARCHED:
        schema_editor.execute(f'ANALYZE "{table}"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, _, name in _names():
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("actionplans", "0018_plan_outline_token")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]

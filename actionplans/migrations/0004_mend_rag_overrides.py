"""Mend RAG overrides typed as free text before the field became a choice of the scale.

"Amber", " RED ", "G" become the scale's values; anything else is cleared, and the reason says what
was typed, so no manager's judgement is silently lost. History rows are mended the same way, so a
plan shown as it stood on a past date cannot meet a value the rule does not know.
"""

from django.db import migrations

SCALE = {"red": "red", "r": "red", "amber": "amber", "a": "amber", "green": "green", "g": "green"}


def mended(value):
    return SCALE.get((value or "").strip().lower().rstrip("."), None)


def mend(apps, schema_editor):
    for name in ("Action", "HistoricalAction"):
        model = apps.get_model("actionplans", name)
        for row in model.objects.exclude(rag_override__in=["", "red", "amber", "green"]).iterator():
            value = mended(row.rag_override)
            fields = {"rag_override": value or ""}
            if value is None:
                note = f'(An override of "{row.rag_override}" was not a RAG rating and was cleared.)'
                fields["rag_override_reason"] = f"{row.rag_override_reason} {note}".strip()
            key = "history_id" if name.startswith("Historical") else "pk"
            model.objects.filter(**{key: getattr(row, key)}).update(**fields)


class Migration(migrations.Migration):
    dependencies = [("actionplans", "0003_groups")]

    operations = [migrations.RunPython(mend, migrations.RunPython.noop)]

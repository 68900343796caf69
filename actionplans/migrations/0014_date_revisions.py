"""Actions keep their first planned completion and how often it has moved; each move is a
DateMove, with its reason.

Existing actions are filled from their history where it shows moves (each later record whose
planned completion differs from the one before, by the rule of actionplans.date_moves, written
out here so that this migration does not change when the rule's module does), else from the
planned completion they have now. Their history records get the values as they stood then, so a
plan shown as it stood says the same.
"""

import core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

BATCH = 500


def _words(text):
    return " ".join((text or "").split()).casefold()


def _has(text, date):
    return bool(_words(text)) or date is not None


def _moved(old, new):
    (old_text, old_date), (new_text, new_date) = old, new
    if not _has(old_text, old_date):
        return False
    if old_date is not None or new_date is not None:
        return old_date != new_date
    return _words(old_text) != _words(new_text)


def fill_from_history(apps, schema_editor):
    Action = apps.get_model("actionplans", "Action")
    HistoricalAction = apps.get_model("actionplans", "HistoricalAction")
    DateMove = apps.get_model("actionplans", "DateMove")
    live = set(Action.objects.values_list("pk", flat=True))
    records, moves = [], []
    state = {}  # action id -> (planned, first, revisions)
    history = HistoricalAction.objects.order_by("id", "history_date", "history_id")
    fields = (
        "history_id",
        "id",
        "history_type",
        "planned_completion_text",
        "planned_completion_date",
        "history_change_reason",
        "history_user_id",
        "history_date",
    )
    for hid, pk, kind, text, date, reason, user, when in history.values_list(*fields).iterator():
        planned, first, revisions = state.get(pk, (None, ("", None), 0))
        now = (text or "", date)
        if planned is not None and kind != "-" and _moved(planned, now):
            revisions += 1
            if pk in live:
                days = (date - planned[1]).days if date and planned[1] else None
                moves.append(
                    DateMove(
                        action_id=pk,
                        from_text=planned[0],
                        from_date=planned[1],
                        to_text=now[0],
                        to_date=date,
                        days=days,
                        reason=(reason or "").removeprefix("Date moved: ")
                        or "Moved before a reason was asked for",
                        moved_by_id=user,
                        moved_at=when,
                    )
                )
        if not _has(*first) and _has(*now):
            first = now
        state[pk] = (now, first, revisions)
        records.append(
            HistoricalAction(
                history_id=hid,
                first_planned_completion_text=first[0],
                first_planned_completion_date=first[1],
                date_revisions=revisions,
            )
        )
        if len(records) >= BATCH:
            _flush(HistoricalAction, records)
    _flush(HistoricalAction, records)
    DateMove.objects.bulk_create(moves, batch_size=BATCH)
    actions = []
    for action in Action.objects.only(
        "pk", "planned_completion_text", "planned_completion_date"
    ).iterator():
        now = (action.planned_completion_text, action.planned_completion_date)
        _, first, revisions = state.get(action.pk, (None, now, 0))
        first = first if _has(*first) else now
        action.first_planned_completion_text, action.first_planned_completion_date = first
        action.date_revisions = revisions
        actions.append(action)
        if len(actions) >= BATCH:
            _flush(Action, actions)
    _flush(Action, actions)


def _flush(model, objs):
    model.objects.bulk_update(
        objs,
        ["first_planned_completion_text", "first_planned_completion_date", "date_revisions"],
        batch_size=BATCH,
    )
    objs.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("actionplans", "0013_submission_moved_to_core"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="date_revisions",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="times the planned completion moved"
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="first_planned_completion_date",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[core.validators.plausible_date],
                verbose_name="first planned completion date",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="first_planned_completion_text",
            field=models.TextField(blank=True, verbose_name="first planned completion"),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="date_revisions",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="times the planned completion moved"
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="first_planned_completion_date",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[core.validators.plausible_date],
                verbose_name="first planned completion date",
            ),
        ),
        migrations.AddField(
            model_name="historicalaction",
            name="first_planned_completion_text",
            field=models.TextField(blank=True, verbose_name="first planned completion"),
        ),
        migrations.CreateModel(
            name="DateMove",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("from_text", models.TextField(blank=True, verbose_name="moved from")),
                ("from_date", models.DateField(blank=True, null=True)),
                ("to_text", models.TextField(blank=True, verbose_name="moved to")),
                ("to_date", models.DateField(blank=True, null=True)),
                ("days", models.IntegerField(blank=True, null=True)),
                ("reason", models.TextField()),
                ("moved_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "action",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="date_moves",
                        to="actionplans.action",
                    ),
                ),
                (
                    "moved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["action", "moved_at", "pk"],
                "indexes": [
                    models.Index(
                        fields=["action", "moved_at"], name="actionplans_action__dc8030_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(fill_from_history, migrations.RunPython.noop),
    ]

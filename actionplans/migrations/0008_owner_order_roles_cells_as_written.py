"""Owners of an action in the plan's order, each a lead or supporting (ActionOwner, with history);
the benchmark and target cells of a recommendation as written; measures without invented names.
"""

import django.db.models.deletion
import simple_history.models
from django.db import migrations, models


def _ordered(links):
    """Links grouped by ``key`` in the order the pages showed them until now: by owner name."""
    return sorted(links, key=lambda link: (link.owner.name, link.owner_id))


def copy_owner_links(apps, schema_editor):
    """Every action's owners kept, ordered by name as they were shown, each a lead."""
    Action = apps.get_model("actionplans", "Action")
    ActionOwner = apps.get_model("actionplans", "ActionOwner")
    old = Action._meta.get_field("owners").remote_field.through
    by_action = {}
    for link in old.objects.select_related("owner"):
        by_action.setdefault(link.action_id, []).append(link)
    ActionOwner.objects.bulk_create(
        ActionOwner(action_id=action_id, owner_id=link.owner_id, order=order, role="lead")
        for action_id, links in by_action.items()
        for order, link in enumerate(_ordered(links))
    )


def copy_historical_owner_links(apps, schema_editor):
    """The owner lists kept in history, likewise ordered by name, each a lead."""
    Old = apps.get_model("actionplans", "HistoricalAction_owners")
    New = apps.get_model("actionplans", "HistoricalActionOwner")
    by_record = {}
    for link in Old.objects.select_related("owner"):
        by_record.setdefault(link.history_id, []).append(link)
    New.objects.bulk_create(
        New(
            id=link.id, history_id=history_id, action_id=link.action_id,
            owner_id=link.owner_id, order=order, role="lead",
        )
        for history_id, links in by_record.items()
        for order, link in enumerate(_ordered(links))
    )


class Migration(migrations.Migration):

    dependencies = [
        ('actionplans', '0007_versions_and_manager_permissions'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalrecommendation',
            name='benchmark_as_written',
            field=models.TextField(blank=True, help_text='The benchmark cell as written.', verbose_name='current benchmark, as written'),
        ),
        migrations.AddField(
            model_name='historicalrecommendation',
            name='target_as_written',
            field=models.TextField(blank=True, help_text='The target/date cell as written.', verbose_name='target/date, as written'),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='benchmark_as_written',
            field=models.TextField(blank=True, help_text='The benchmark cell as written.', verbose_name='current benchmark, as written'),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='target_as_written',
            field=models.TextField(blank=True, help_text='The target/date cell as written.', verbose_name='target/date, as written'),
        ),
        migrations.AlterField(
            model_name='historicalmeasure',
            name='name',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AlterField(
            model_name='measure',
            name='name',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.CreateModel(
            name='ActionOwner',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveIntegerField(default=0)),
                ('role', models.CharField(choices=[('lead', 'Lead'), ('supporting', 'Supporting')], default='lead', max_length=20)),
                ('as_written', models.CharField(blank=True, help_text='The plan\'s own words for this owner, when not just the name ("with P&Q Team").', max_length=300)),
                ('action', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='owner_links', to='actionplans.action')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='action_links', to='actionplans.owner')),
            ],
            options={
                'ordering': ['action', 'order', 'pk'],
            },
        ),
        migrations.AddConstraint(
            model_name='actionowner',
            constraint=models.UniqueConstraint(fields=('action', 'owner'), name='action_owner_once'),
        ),
        migrations.AddConstraint(
            model_name='actionowner',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['lead', 'supporting'])), name='action_owner_role_valid'),
        ),
        migrations.RunPython(copy_owner_links, migrations.RunPython.noop),
        # A many-to-many cannot gain a through model in place: the old links are copied above.
        migrations.RemoveField(model_name='action', name='owners'),
        migrations.AddField(
            model_name='action',
            name='owners',
            field=models.ManyToManyField(blank=True, related_name='actions', through='actionplans.ActionOwner', to='actionplans.owner'),
        ),
        migrations.CreateModel(
            name='HistoricalActionOwner',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('order', models.PositiveIntegerField(default=0)),
                ('role', models.CharField(choices=[('lead', 'Lead'), ('supporting', 'Supporting')], default='lead', max_length=20)),
                ('as_written', models.CharField(blank=True, help_text='The plan\'s own words for this owner, when not just the name ("with P&Q Team").', max_length=300)),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('action', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actionplans.action')),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='actionplans.historicalaction')),
                ('owner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='actionplans.owner')),
            ],
            options={
                'verbose_name': 'HistoricalActionOwner',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(copy_historical_owner_links, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='HistoricalAction_owners',
        ),
    ]

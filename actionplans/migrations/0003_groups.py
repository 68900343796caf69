"""The four roles as groups with their model permissions (object rules live in actionplans/rules.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = [
    "inspections.view_inspection",
    "inspections.view_judgement",
    "inspections.view_finding",
    "actionplans.view_owner",
    "actionplans.view_plan",
    "actionplans.view_section",
    "actionplans.view_recommendation",
    "actionplans.view_action",
    "actionplans.view_measure",
    "actionplans.view_reading",
    "actionplans.view_progressupdate",
    "actionplans.view_evidence",
]
OFFICER = VIEW + ["actionplans.add_progressupdate", "actionplans.add_evidence"]
CLERK = VIEW + ["actionplans.view_all_plans", "actionplans.export_plan"]
MANAGER = OFFICER + [
    "actionplans.view_all_plans",
    "actionplans.export_plan",
    "actionplans.change_plan",
    "actionplans.sign_off_action",
    *(
        f"actionplans.{verb}_{model}"
        for verb in ("add", "change", "delete")
        for model in ("section", "recommendation", "action", "measure", "reading")
    ),
]
ROLES = {"Officer": OFFICER, "Manager": MANAGER, "Clerk": CLERK}


def ensure_permissions(apps):
    """Permissions are normally created after all migrations; make sure they exist now."""
    for app_config in apps.get_app_configs():
        # create_permissions skips apps without a models module, which no app has in a
        # migration's registry. Put back what was there: tests pass the live registry, where
        # a None would make dumpdata (the backup) skip every app.
        models_module = getattr(app_config, "models_module", None)  # a stub has none
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module


def create_groups(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(names):
        found = []
        for name in names:
            app_label, codename = name.split(".")
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return found

    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions(perms))
    administrator, _ = Group.objects.get_or_create(name="Administrator")
    administrator.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["actionplans", "inspections", "auth", "reporting"]
        )
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Officer", "Manager", "Clerk", "Administrator"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actionplans", "0002_workflow"),
        ("inspections", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

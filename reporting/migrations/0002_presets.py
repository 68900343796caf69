from django.db import migrations


def install_presets(apps, schema_editor):
    from reporting import presets

    presets.install(apps.get_model("reporting", "Layout"), apps.get_model("reporting", "LayoutColumn"))


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(install_presets, migrations.RunPython.noop)]

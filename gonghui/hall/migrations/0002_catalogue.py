from django.db import migrations


def install(apps, schema_editor):
    from gonghui.hall import catalogue

    catalogue.install(apps.get_model("hall", "ServiceItem"), apps.get_model("hall", "ItemVersion"))


class Migration(migrations.Migration):
    """The default catalogue of service items (gonghui/hall/catalogue.py), version 1 of each."""

    dependencies = [("hall", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]

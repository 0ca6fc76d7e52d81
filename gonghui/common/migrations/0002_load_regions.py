from django.db import migrations


def load(apps, schema_editor):
    from gonghui.common.regions import read_csv

    Region = apps.get_model("common", "Region")
    Region.objects.bulk_create([Region(**row) for row in read_csv()], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

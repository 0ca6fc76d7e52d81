"""Error workbooks stored before every import encrypted its own (the organization import wrote them in clear:
union chairs' names and phones): encrypted in place, as `ImportJob.store_error_file` stores them now."""

import base64
from pathlib import Path

from django.conf import settings
from django.db import migrations

from gonghui.common import pii

CONTEXT = "common.ImportJob.error_file:"  # models.ERROR_FILE_CONTEXT, frozen here


def encrypt_clear_files(apps, schema_editor):
    ImportJob = apps.get_model("common", "ImportJob")
    for job in ImportJob.objects.exclude(error_file="").exclude(error_file__endswith=".enc").iterator():
        clear = Path(settings.MEDIA_ROOT) / job.error_file
        name = f"{job.error_file}.enc"
        if clear.is_file():
            data = base64.b64encode(clear.read_bytes()).decode("ascii")
            (Path(settings.MEDIA_ROOT) / name).write_bytes(pii.encrypt(data, context=f"{CONTEXT}{job.pk}").encode())
            clear.unlink()
        job.error_file = name if clear.parent.joinpath(Path(name).name).is_file() else ""
        job.save(update_fields=["error_file"])


class Migration(migrations.Migration):
    dependencies = [("common", "0004_importjob")]
    operations = [migrations.RunPython(encrypt_clear_files, migrations.RunPython.noop)]

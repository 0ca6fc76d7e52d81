from django.contrib.auth.hashers import make_password
from django.db import migrations


def create_system_actor(apps, schema_editor):
    """The system actor (accounts.models.system_actor): inactive, no usable password, no org or role."""
    User = apps.get_model("accounts", "User")
    User.objects.get_or_create(username="system", defaults={
        "full_name": "系统", "is_active": False, "is_staff": False, "password": make_password(None)})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_role_pii_viewer")]

    operations = [migrations.RunPython(create_system_actor, migrations.RunPython.noop)]

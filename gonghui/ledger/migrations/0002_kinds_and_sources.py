from django.db import migrations

# (code, name, program, requires_file): 先建档后帮扶 for the aid kinds that go to households on file.
KINDS = [
    ("living", "生活救助", "aid", True),
    ("medical", "医疗救助", "aid", True),
    ("serious_illness", "大病救助", "aid", False),
    ("education", "助学（金秋助学）", "aid", True),
    ("warmth", "送温暖", "aid", True),
    ("employment", "就业帮扶", "aid", False),
    ("mutual_aid", "互助保障金", "mutual_aid", False),
]
SOURCES = [("central", "中央财政帮扶资金"), ("provincial", "省级财政"), ("union", "工会经费"), ("donation", "社会捐赠")]


def seed(apps, schema_editor):
    PaymentKind = apps.get_model("ledger", "PaymentKind")
    FundSource = apps.get_model("ledger", "FundSource")
    for i, (code, name, program, requires_file) in enumerate(KINDS):
        PaymentKind.objects.get_or_create(code=code, defaults={
            "name": name, "program": program, "requires_file": requires_file, "order": i})
    for i, (code, name) in enumerate(SOURCES):
        FundSource.objects.get_or_create(code=code, defaults={"name": name, "order": i})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

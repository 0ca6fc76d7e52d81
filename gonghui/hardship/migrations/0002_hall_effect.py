from django.db import migrations

GUIDE = ("因病、因灾、因意外等原因导致家庭生活困难的职工，可申请困难帮扶：由所在工会受理、审核，县级总工会审批。"
         "审批通过后建立困难职工档案（一人一档），纳入帮扶。")


def open_files_on_approval(apps, schema_editor):
    """困难职工帮扶申请 opens a hardship file once approved: a new version of the item (applications already
    filed keep theirs)."""
    ServiceItem = apps.get_model("hall", "ServiceItem")
    ItemVersion = apps.get_model("hall", "ItemVersion")
    item = ServiceItem.objects.filter(code="hardship_aid").select_related("current").first()
    if item is None or item.current is None or item.current.effect:
        return
    v = item.current
    number = ItemVersion.objects.filter(item=item).order_by("-number").values_list("number", flat=True).first() + 1
    item.current = ItemVersion.objects.create(
        item=item, number=number, guide=GUIDE, applicants=v.applicants, fields=v.fields, attachments=v.attachments,
        level=v.level, steps=v.steps, time_limit_days=v.time_limit_days, effect="hardship_open")
    item.save(update_fields=["current"])


class Migration(migrations.Migration):
    dependencies = [("hardship", "0001_initial"), ("hall", "0004_reminded_on")]

    operations = [migrations.RunPython(open_files_on_approval, migrations.RunPython.noop)]

from django.db import migrations

GUIDE = ("参加职工医疗互助的会员，住院或门诊大病就医后，可在就诊之日起规定期限内申请互助金：上传医疗费用发票，"
         "并单独同意工会为审核互助金使用本人的就诊和健康信息。由所在工会受理、县级总工会审批；审批通过后按计划的"
         "给付规则（起付线、给付比例、单次及年度最高给付）核定互助金，由工会发放。")
CONSENT = {"name": "health_consent", "label": "本人同意工会为审核互助金使用本人的就诊和健康信息", "type": "bool",
           "required": True}


def claim_on_approval(apps, schema_editor):
    """医疗互助报销 files and approves the claim once approved: a new version of the item with the separate
    consent to use health data (applications already filed keep theirs)."""
    ServiceItem = apps.get_model("hall", "ServiceItem")
    ItemVersion = apps.get_model("hall", "ItemVersion")
    item = ServiceItem.objects.filter(code="medical_mutual").select_related("current").first()
    if item is None or item.current is None or item.current.effect:
        return
    v = item.current
    fields = [f for f in v.fields if f.get("name") != CONSENT["name"]] + [CONSENT]
    number = ItemVersion.objects.filter(item=item).order_by("-number").values_list("number", flat=True).first() + 1
    item.current = ItemVersion.objects.create(
        item=item, number=number, guide=GUIDE, applicants=v.applicants, fields=fields, attachments=v.attachments,
        level=v.level, steps=v.steps, time_limit_days=v.time_limit_days, effect="mutualaid_claim")
    item.save(update_fields=["current"])


class Migration(migrations.Migration):
    dependencies = [("mutualaid", "0002_claim_decision"), ("hall", "0004_reminded_on")]

    operations = [migrations.RunPython(claim_on_approval, migrations.RunPython.noop)]

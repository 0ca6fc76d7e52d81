from django.db import migrations

JOIN_GUIDE = ("年满16周岁、以工资收入为主要生活来源的职工，可以申请加入工会。点击“去办理”，选择所在单位的工会"
              "（单位没有工会，或不便通知单位的，可选择所在乡镇（街道）、区域或行业工会），填写本人信息后提交。"
              "工会审核通过后即建立会员记录，电子会员卡随即可用；被退回的，按退回说明修改后重新提交。"
              "已是会员的无需申请，请在“实名绑定”中关联您的会员记录。")
LEGAL_AID_GUIDE = ("职工因劳动报酬、工伤、劳动合同、社会保险等权益受到侵害，可以申请工会法律援助：选择争议类型，"
                   "写明事情经过和您的诉求。县级总工会受理后，法律援助工作人员会通过您留下的手机号与您联系、核实情况；"
                   "符合条件的，提供法律咨询、代写文书或指派律师代理等援助，不符合条件的告知理由。"
                   "办理进度和结果可在“我的办件”中查看。")


def new_versions(apps, schema_editor):
    """入会申请 leads to the portal's join flow (/w/join/) instead of a hall form of its own, and 法律援助申请 says
    what happens next: a new version of each (applications already filed keep theirs)."""
    ServiceItem = apps.get_model("hall", "ServiceItem")
    ItemVersion = apps.get_model("hall", "ItemVersion")

    def new_version(code, **changes):
        item = ServiceItem.objects.filter(code=code).select_related("current").first()
        if item is None or item.current is None:
            return
        v = item.current
        spec = {"guide": v.guide, "applicants": v.applicants, "fields": v.fields, "attachments": v.attachments,
                "level": v.level, "steps": v.steps, "time_limit_days": v.time_limit_days, "effect": v.effect,
                "entry_url": v.entry_url} | changes
        if all(getattr(v, k) == value for k, value in spec.items()):
            return
        number = ItemVersion.objects.filter(item=item).order_by("-number").values_list("number", flat=True).first()
        item.current = ItemVersion.objects.create(item=item, number=number + 1, **spec)
        item.save(update_fields=["current"])

    new_version("join", guide=JOIN_GUIDE, entry_url="/w/join/", effect="", fields=[], attachments=[],
                steps=[{"name": "审核", "role": "approver"}])
    new_version("legal_aid", guide=LEGAL_AID_GUIDE)


class Migration(migrations.Migration):
    dependencies = [("hall", "0005_itemversion_entry_url")]

    operations = [migrations.RunPython(new_versions, migrations.RunPython.noop)]
